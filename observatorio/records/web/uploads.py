"""An upload between its steps: the file under OBS_DATA_DIR/uploads/<token>/ and a small state file beside it.

The state is a JSON file rather than a table on purpose: while an import
commits, its one transaction holds SQLite's write lock, so progress written
to the database would wait for the very import it reports on (and vanish
with it on a rollback). A file written by atomic rename can be read by any
process at any time. The data file is deleted once its import is committed;
the state stays so the progress page can still answer (its preview rows are
dropped then). An upload never committed is deleted after
OBS_UPLOAD_RETENTION_HOURS (`purge_expired`, at start-up and per new upload).

Files are 0600 in 0700 folders; the preview keeps no personal data (protected
columns hidden, RUTs inside text masked: `tables.personal.masked_cell`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.utils import timezone

PREVIEW_ROWS = 20
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".geojson", ".json")
_lock = threading.Lock()


class TooLarge(Exception):
    """The upload passed OBS_UPLOAD_MAX_MB while it was being stored."""

    def __init__(self, name: str, limit: int):
        self.name, self.limit = name, limit
        from django.utils.translation import gettext

        from observatorio.dashboard.numbers import size

        super().__init__(gettext("%(file)s: el archivo supera el límite de %(limit)s (OBS_UPLOAD_MAX_MB)")
                         % {"file": name, "limit": size(limit)})


def uploads_root() -> Path:
    from observatorio.records.queue import queue_root

    return queue_root()  # one folder: the uploads and the import queue's lock


@dataclass
class Upload:
    token: str
    state: dict

    @property
    def folder(self) -> Path:
        return uploads_root() / self.token

    @property
    def data_path(self) -> Path:
        return self.folder / self.state["stored"]

    @property
    def has_file(self) -> bool:
        return self.data_path.is_file()

    @property
    def job(self) -> dict:
        return self.state.get("job") or {}

    def save(self) -> None:
        write_state(self.folder, self.state)

    def update(self, **changes) -> None:
        """Merge `changes` into the state as stored now (a job thread may have written since we read it)."""
        with _lock:
            self.state = read_state(self.folder)
            self.state.update(changes)
            self.save()

    def update_job(self, **changes) -> None:
        with _lock:
            self.state = read_state(self.folder)
            self.state["job"] = {**(self.state.get("job") or {}), **changes}
            self.save()

    def discard_file(self) -> None:
        """Delete the uploaded file and the preview rows taken from it (after a commit)."""
        self.data_path.unlink(missing_ok=True)
        with _lock:
            self.state = read_state(self.folder)
            preview = self.state.get("preview")
            if preview:
                preview["first_rows"], preview["row_numbers"] = [], []
            self.save()


def write_state(folder: Path, state: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".state-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(state, fh, ensure_ascii=False, default=str)
    os.replace(tmp, folder / "state.json")


def read_state(folder: Path) -> dict:
    with (folder / "state.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def safe_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in SUFFIXES else ".dat"


def create(uploaded, *, user, source, sheet: str) -> Upload:
    """Store an uploaded file under a fresh token; the caller reads it and calls `remove` if it is unusable.

    Raises `TooLarge` (nothing kept) past OBS_UPLOAD_MAX_MB. Old abandoned uploads are purged first.
    """
    purge_expired()
    limit = int(settings.UPLOAD_MAX_MB * 1024 * 1024)
    token = secrets.token_urlsafe(18)
    folder = uploads_root() / token
    folder.mkdir(mode=0o700)
    # The stored name is ours: the user's file name is only ever shown and recorded, never used as a path.
    stored = "archivo" + safe_suffix(uploaded.name)
    written = 0
    fd = os.open(folder / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        for chunk in uploaded.chunks():
            written += len(chunk)
            if written > limit:
                fh.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise TooLarge(Path(uploaded.name).name, limit)
            fh.write(chunk)
    state = {"token": token, "user": user.pk, "source": source.code, "sheet": sheet or "",
             "file_name": Path(uploaded.name).name[:300], "stored": stored, "size": uploaded.size,
             "created_at": timezone.now().isoformat(), "job": {}}
    write_state(folder, state)
    return Upload(token, state)


def purge_expired(now: float | None = None) -> int:
    """Delete every upload not touched for OBS_UPLOAD_RETENTION_HOURS (its data, preview and state) unless a
    job is queued or running for it; returns how many. Safe to call from any process at any time."""
    root = Path(settings.DATA_DIR) / "uploads"
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - settings.UPLOAD_RETENTION_HOURS * 3600
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            touched = max(p.stat().st_mtime for p in [folder, *folder.iterdir()])
            if touched >= cutoff:
                continue
            state = read_state(folder) if (folder / "state.json").exists() else {}
        except (OSError, ValueError):
            continue
        if (state.get("job") or {}).get("status") in ("queued", "running"):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def remove(upload: Upload) -> None:
    shutil.rmtree(upload.folder, ignore_errors=True)


def load(token: str) -> Upload:
    # Tokens are ours (token_urlsafe); anything else never reaches the file system.
    if not token or not all(c.isalnum() or c in "-_" for c in token) or len(token) > 64:
        raise Http404
    folder = uploads_root() / token
    try:
        return Upload(token, read_state(folder))
    except (FileNotFoundError, json.JSONDecodeError):
        raise Http404 from None


def preview_of(table) -> dict:
    """What the preview page shows, kept with the upload so the file is read once: protected columns hidden
    and RUTs inside text masked, so the state file holds no personal data."""
    from observatorio.tables.personal import is_protected, masked_cell

    columns = list(table.columns)
    rows = table.frame.head(PREVIEW_ROWS).to_numpy(dtype=object).tolist()
    return {
        "format": table.format, "columns": columns, "original_columns": list(table.original_columns),
        "encoding": table.encoding or "", "delimiter": table.delimiter or "", "header_row": table.header_row,
        "sheet": table.sheet or "", "rows": len(table), "blank_rows": table.blank_rows,
        "row_numbers": table.row_numbers[:PREVIEW_ROWS].tolist(),
        "first_rows": [[masked_cell(c, v) for c, v in zip(columns, row)] for row in rows],
        "protected": [c for c in columns if is_protected(c)],
        "notes": [n.as_dict() for n in table.notes],
    }
