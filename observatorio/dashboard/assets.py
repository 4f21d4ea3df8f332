"""Front-end assets served from installed Python packages, never from a CDN."""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# URL path under STATIC_URL → file inside an installed package.
PACKAGE_ASSETS = {
    "vendor/plotly.min.js": Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
}


class PackageAssetFinder(BaseFinder):
    def check(self, **kwargs):
        return [
            f"missing front-end asset {path}" for path in PACKAGE_ASSETS.values() if not path.exists()
        ]

    def find(self, path, find_all=False, **kwargs):
        target = PACKAGE_ASSETS.get(path)
        if target is None or not target.exists():
            return [] if find_all else None
        return [str(target)] if find_all else str(target)

    def list(self, ignore_patterns):
        for rel, target in PACKAGE_ASSETS.items():
            storage = FileSystemStorage(location=str(target.parent))
            storage.prefix = str(Path(rel).parent)
            yield target.name, storage
