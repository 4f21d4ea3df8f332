"""One import writes at a time per server: the web's jobs and ``observatorio import --commit`` wait in one line.

The line is an ``flock`` on ``<OBS_DATA_DIR>/uploads/.import.lock``, which every process of the server (web
workers, the command line) shares, and a first-come order read from the waiters' own files: a web job's is
its upload's state file (``uploads/<token>/state.json``, its ``job``), a command's a ticket
(``uploads/.queue/<token>.json``) it removes when done. Each says when it joined (``queued_at``), its status
and its process; a waiter whose process is gone (same host) is left out of the order. While it waits, a
waiter is told its place (``on_position``): the progress page shows it, the command prints it.

Django-free but for the data folder (``settings.DATA_DIR``); nothing here imports the web.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import secrets
import socket
import time
from collections.abc import Callable
from pathlib import Path

from observatorio.private import private_folder, write_private

POLL_SECONDS = 0.5
UNFINISHED = ("queued", "running")


def queue_root() -> Path:
    """The uploads folder (0700), where the lock and the waiters' files live."""
    from django.conf import settings

    return private_folder(Path(settings.DATA_DIR) / "uploads")


def now_text() -> str:
    """When a waiter joins, as every waiter writes it (ISO 8601, UTC, microseconds: they sort as text)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def process_alive(pid: int) -> bool:
    """Is process ``pid`` there (another user's counts as there)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _alive(entry: dict) -> bool:
    """Is the process that owns a queued or running entry still there (same host only; elsewhere, assume so)?"""
    if entry.get("host") != socket.gethostname() or not entry.get("pid"):
        return True
    try:
        return process_alive(int(entry["pid"]))
    except ValueError:
        return True


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


class ImportQueue:
    """The server's one import at a time: a lock file every process shares, and a first-come order."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root) if root else queue_root()
        self.lock_path = self.root / ".import.lock"
        self.tickets = self.root / ".queue"

    def _entries(self):
        for state_file in self.root.glob("*/state.json"):  # the web's uploads
            try:
                yield state_file.parent.name, _read(state_file).get("job") or {}
            except (OSError, ValueError):
                continue
        for ticket in self.tickets.glob("*.json"):  # the command line's
            try:
                yield ticket.stem, _read(ticket)
            except (OSError, ValueError):
                continue

    def waiting(self) -> list[dict]:
        """Entries queued or running on this server, oldest first (dead processes' leftovers left out)."""
        out = [{**entry, "token": token} for token, entry in self._entries()
               if entry.get("status") in UNFINISHED and entry.get("queued_at") and _alive(entry)]
        return sorted(out, key=lambda j: (j["queued_at"], j["token"]))

    def position(self, token: str) -> int:
        """1 when this entry is next (or running), 2 when one is ahead of it, …"""
        order = [j["token"] for j in self.waiting()]
        return order.index(token) + 1 if token in order else 1

    @contextlib.contextmanager
    def turn(self, token: str, queued_at: str, on_position: Callable[[int], None] = lambda n: None,
             poll: float = POLL_SECONDS):
        """Wait until ``token`` is first in line and holds the lock; ``on_position`` hears its place whenever
        it changes while it waits (1: next), and 0 once its turn has come."""
        fh = open(self.lock_path, "a")  # noqa: SIM115 - held for the whole import, closed below
        told = None
        try:
            while True:
                ahead = [j for j in self.waiting() if j["token"] != token and
                         (j.get("status") == "running" or (j["queued_at"], j["token"]) < (queued_at, token))]
                if not ahead:
                    try:
                        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        pass
                if told != len(ahead) + 1:
                    told = len(ahead) + 1
                    on_position(told)
                time.sleep(poll)
            on_position(0)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()

    @contextlib.contextmanager
    def ticket(self, on_position: Callable[[int], None] = lambda n: None, poll: float = POLL_SECONDS):
        """A waiter with no upload (the command line): a ticket file joins the line, is marked running once
        its turn comes, and is removed afterwards."""
        private_folder(self.tickets)
        token = "cli-" + secrets.token_hex(8)
        path = self.tickets / f"{token}.json"
        entry = {"kind": "cli", "status": "queued", "queued_at": now_text(), "pid": os.getpid(),
                 "host": socket.gethostname()}
        write_private(path, json.dumps(entry))
        try:
            with self.turn(token, entry["queued_at"], on_position, poll):
                write_private(path, json.dumps({**entry, "status": "running"}))
                yield
        finally:
            path.unlink(missing_ok=True)
