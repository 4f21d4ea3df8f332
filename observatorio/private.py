"""Files only the server's own user may read: folders 0700, files 0600 (uploads, the import queue, the SQLite
database and its -wal/-shm). Django-free."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def private_folder(path: Path) -> Path:
    """``path`` as a folder only its owner opens: created 0700 (with any missing parents, also 0700), or
    tightened to 0700 when it exists looser."""
    path = Path(path)
    missing = []
    at = path
    while not at.exists():
        missing.append(at)
        at = at.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:  # another process made it first
            pass
    _tighten(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """``path`` readable by its owner only: created empty 0600 when missing, tightened to 0600 when looser."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _tighten(path, 0o600)
    return path


def private_database(name) -> None:
    """A SQLite database readable by the server's user only: its folder made 0700 when missing, the file made
    0600 before SQLite first opens it (SQLite gives its -wal and -shm the database's mode), and a database
    made looser before (or its -wal/-shm) tightened. ``:memory:`` and "" are left alone."""
    if str(name) in ("", ":memory:"):
        return
    path = Path(name)
    if not path.parent.exists():
        private_folder(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm"):
        _tighten(Path(f"{path}{suffix}"), 0o600)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` at once (a 0600 sibling renamed over it)."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".writing-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(temporary, path)


def _tighten(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 & ~mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass
