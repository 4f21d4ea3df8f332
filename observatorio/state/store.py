"""The events' columns on disk, one NumPy ``.npy`` file per column, mapped by every process that reads them.

A data version's columns are written once, by the first process that needs
them, under ``OBS_DATA_DIR/columns/<database>/<version>-<token>/``; every
server worker and command-line run then maps the same files
(``np.load(mmap_mode="r")``), so the operating system keeps one copy of the
pages for all of them, and a worker started later reads nothing from the
database. The folder appears whole (written beside it, then renamed); a
process building it holds ``.lock`` so that workers starting together read the
database once. Older versions' folders are removed when a newer one is
written: a process still mapping one keeps its pages until it lets go of them
(POSIX semantics of unlinking a mapped file).

Nothing here knows the columns' meaning: :func:`write` takes arrays by name
and :func:`read` gives them back, read-only.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

ROOT = "columns"


def database_folder() -> Path:
    """This database's folder of column files: named by a hash of where the database is, not by its contents."""
    db = connection.settings_dict
    where = "|".join(str(db.get(k) or "") for k in ("ENGINE", "NAME", "HOST", "PORT"))
    name = str(db.get("NAME") or "")
    if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        where += f"|{os.getpid()}"  # an in-memory database is this process's own, whatever its name
    return Path(settings.DATA_DIR) / ROOT / hashlib.sha256(where.encode()).hexdigest()[:16]


def version_folder(version: int, token: str) -> Path | None:
    """Where a version's columns are kept; None for a database whose events were never versioned."""
    if not token:
        return None
    return database_folder() / f"{version:012d}-{token}"


def derived_folder(version: int, token: str, name: str) -> Path | None:
    """Where arrays derived from a version's events (the dashboard's cube, the map's cells) are kept.

    Beside the version's own folder, and removed with it. ``name`` says what they are and of what else
    they depend on (e.g. the boundaries drawn), hashed into the folder's name.
    """
    folder = version_folder(version, token)
    if folder is None:
        return None
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return folder.with_name(folder.name + DERIVED) / f"{name.split('-', 1)[0]}-{digest}"


DERIVED = ".derived"


def read(folder: Path) -> dict[str, np.ndarray] | None:
    """The columns kept in ``folder``, mapped read-only; None when it is missing or unreadable (then rebuilt)."""
    try:
        names = sorted(p.stem for p in folder.glob("*.npy"))
        if not names:
            return None
        # np.asarray: plain read-only arrays over the mapping (a memmap subclass leaks into results).
        return {name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r")) for name in names}
    except (OSError, ValueError):
        return None


def write(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the columns into ``folder`` at once: a sibling folder is filled, then renamed into place."""
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = Path(tempfile.mkdtemp(prefix=".writing-", dir=folder.parent))
    try:
        for name, array in arrays.items():
            array = np.asarray(array)  # ascontiguousarray would make a 0-d array 1-d
            np.save(temporary / f"{name}.npy", array if array.flags.c_contiguous else array.copy(order="C"),
                    allow_pickle=False)
        try:
            os.rename(temporary, folder)
        except OSError:
            if not folder.exists():  # another process renamed the same version first: theirs is as good
                raise
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def kept(folder: Path, build) -> dict[str, np.ndarray] | None:
    """The arrays kept in ``folder``, mapped; else ``build()``'s (a dict of arrays, or None: nothing to keep),
    written there first. The lock makes processes asking together build once: the others wait, then map."""
    arrays = read(folder)
    if arrays is not None:
        return arrays
    with building(folder):
        arrays = read(folder)  # written by another process while this one waited
        if arrays is None:
            made = build()
            if made is None:
                return None
            write(folder, made)
            arrays = read(folder) or made  # removed at once by a newer version's writer: keep what was built
    return arrays


def prune(folder: Path) -> None:
    """Remove the folders of versions up to ``folder``'s other than it (and their derived arrays), and writes
    left by a killed process."""
    try:
        version = int(folder.name.split("-", 1)[0])
        keep = {folder.name, folder.name + DERIVED}
        for other in folder.parent.iterdir():
            head = other.name.split("-", 1)[0]
            stale = other.name.startswith(".writing-") or (head.isdigit() and int(head) <= version)
            if other.name not in keep and other.is_dir() and stale and not _writing_now(other):
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        pass  # another process pruning at the same time; what is left goes next time


def _writing_now(folder: Path) -> bool:
    # A write in progress in another process: its temporary folder is younger than a minute.
    try:
        return folder.name.startswith(".writing-") and time.time() - folder.stat().st_mtime < 60
    except OSError:
        return False


@contextmanager
def building(folder: Path):
    """Held while this process reads the database and writes ``folder``; others wait here, then map it."""
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder.parent / ".lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
