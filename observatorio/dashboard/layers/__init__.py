"""The map's layers, moved into a package: for this commit the package is its one module, :mod:`.base`.

The next commit splits it into one module per kind of layer and a registry; this re-export goes then.
"""

from .base import *  # noqa: F401,F403
from .base import _place, _rings_xy  # noqa: F401
