"""An upload between its steps: the file under OBS_DATA_DIR/uploads/<token>/ and a small state file beside it.

The state is a JSON file rather than a table on purpose: while an import
commits, its one transaction holds SQLite's write lock, so progress written
to the database would wait for the very import it reports on (and vanish
with it on a rollback). A file written by atomic rename can be read by any
process at any time. The data file is deleted once its import is committed;
the state stays so the progress page can still answer.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.utils import timezone

PREVIEW_ROWS = 20
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".geojson", ".json")
_lock = threading.Lock()


def uploads_root() -> Path:
    root = Path(settings.DATA_DIR) / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    return root


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
        self.data_path.unlink(missing_ok=True)


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
    """Store an uploaded file under a fresh token; the caller reads it and calls `remove` if it is unusable."""
    token = secrets.token_urlsafe(18)
    folder = uploads_root() / token
    folder.mkdir()
    # The stored name is ours: the user's file name is only ever shown and recorded, never used as a path.
    stored = "archivo" + safe_suffix(uploaded.name)
    with (folder / stored).open("wb") as fh:
        for chunk in uploaded.chunks():
            fh.write(chunk)
    state = {"token": token, "user": user.pk, "source": source.code, "sheet": sheet or "",
             "file_name": Path(uploaded.name).name[:300], "stored": stored, "size": uploaded.size,
             "created_at": timezone.now().isoformat(), "job": {}}
    write_state(folder, state)
    return Upload(token, state)


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
    """What the preview page shows, kept with the upload so the file is read once."""
    return {
        "format": table.format, "columns": list(table.columns), "original_columns": list(table.original_columns),
        "encoding": table.encoding or "", "delimiter": table.delimiter or "", "header_row": table.header_row,
        "sheet": table.sheet or "", "rows": len(table), "blank_rows": table.blank_rows,
        "row_numbers": table.row_numbers[:PREVIEW_ROWS].tolist(),
        "first_rows": table.frame.head(PREVIEW_ROWS).to_numpy(dtype=object).tolist(),
        "notes": [n.as_dict() for n in table.notes],
    }
