"""Serve front-end libraries straight from the Python packages that ship them.

Installations can be offline, so nothing is loaded from a CDN; plotly.js comes from the
installed ``plotly`` wheel rather than a copy in this repository.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

# URL path under STATIC_URL → (package, file inside the package)
VENDORED_FILES: dict[str, tuple[str, str]] = {
    "vendor/plotly/plotly.min.js": ("plotly", "package_data/plotly.min.js"),
}


def _vendored_path(package: str, relative: str) -> Path:
    return Path(str(resources.files(package).joinpath(relative)))


class VendoredPackageFinder(BaseFinder):
    """A staticfiles finder over files that live inside other installed packages."""

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        if path not in VENDORED_FILES:
            return [] if find_all else None
        found = str(_vendored_path(*VENDORED_FILES[path]))
        if not os.path.exists(found):
            return [] if find_all else None
        return [found] if find_all else found

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for url_path, (package, relative) in VENDORED_FILES.items():
            source = _vendored_path(package, relative)
            if not source.exists():
                continue
            # Present each file under its public name by rooting a storage at its folder.
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = os.path.dirname(url_path)  # type: ignore[attr-defined]
            yield source.name, storage


class ServingStaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed file names once ``collectstatic`` has written the manifest.

    ``biocommunity serve`` collects first, so WhiteNoise serves ``name.<hash>.ext`` with a
    year-long cache and gzip/Brotli copies. A command that renders a page before any collection
    (``factsheet`` on a fresh install) gets the plain names instead of failing on the missing
    manifest.
    """

    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
