"""The read model: every answer comes from one picture of the data, :func:`current`.

``key`` what a state is a picture of (read on every call); ``data`` the state
and what is derived from it; ``store`` the events' columns in files every
process maps; ``holder`` the state this process holds and how it is replaced.
"""

from .data import DataState
from .holder import BACKGROUND_FROM, Refresh, StateLoading, current, refresh_status, reset, warm_up

__all__ = ["BACKGROUND_FROM", "DataState", "Refresh", "StateLoading", "current", "refresh_status", "reset",
           "warm_up"]
