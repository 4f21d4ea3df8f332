"""The backup file: one tar holding ``manifest.json`` first and then the dump.

It is written to a temporary file beside the destination, mode 0600 from its creation, synced and renamed:
the destination is either the previous file or the whole new one, and nobody else can read it. Reading
takes only the two members it knows (never extracts by the names inside), and checks the dump's SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

from django.utils.translation import gettext as _

from observatorio.errors import UserError

from . import manifest as manifests
from .engines import CHUNK, no_progress


def sha256_of(path: Path, progress=no_progress) -> tuple[str, int]:
    digest, done, total = hashlib.sha256(), 0, path.stat().st_size
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            progress("checksum", done, total)
    return digest.hexdigest(), done


class _Reading(io.RawIOBase):
    """A file read through, reporting progress (tarfile copies the dump in from it)."""

    def __init__(self, fh, total, progress):
        self.fh, self.total, self.progress, self.done = fh, total, progress, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.fh.readinto(buffer)
        self.done += n or 0
        self.progress("write", self.done, self.total)
        return n


def write(destination: Path, manifest: dict, dump: Path, progress=no_progress) -> None:
    """The archive at ``destination``, whole or not at all, mode 0600."""
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            with tarfile.open(fileobj=fh, mode="w", format=tarfile.PAX_FORMAT) as tar:
                raw = manifests.dumps(manifest)
                tar.addfile(_info(manifests.NAME, len(raw)), io.BytesIO(raw))
                size = dump.stat().st_size
                with open(dump, "rb") as source:
                    tar.addfile(_info(manifest["dump"]["member"], size), _Reading(source, size, progress))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    directory = os.open(destination.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    return info


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, mode="r:")
    except FileNotFoundError:
        raise UserError(_("no existe el archivo %(file)s") % {"file": path}) from None
    except (tarfile.TarError, OSError) as exc:
        raise UserError(_("%(file)s no es un respaldo de Observatorio: no es un archivo tar legible (%(error)s)")
                        % {"file": path, "error": exc}) from None


def read_manifest(path: Path) -> dict:
    with _open(path) as tar, _damaged(path):
        member = _member(tar, manifests.NAME, path)
        return manifests.parse(tar.extractfile(member).read(), str(path))


@contextmanager
def _damaged(path: Path):
    """A tar that ends early or is garbled past its first header: one message naming the file and the fix."""
    try:
        yield
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise UserError(_("%(file)s está dañado o truncado (%(error)s); no se restauró nada, use otra copia del "
                          "respaldo") % {"file": path, "error": exc}) from None


def _member(tar: tarfile.TarFile, name: str, path: Path) -> tarfile.TarInfo:
    try:
        member = tar.getmember(name)
    except KeyError:
        member = None
    if member is None or not member.isfile():
        raise UserError(_("%(file)s está incompleto: le falta %(member)s; use otra copia del respaldo")
                        % {"file": path, "member": name})
    return member


def extract_dump(path: Path, manifest: dict, workdir: Path, progress=no_progress) -> Path:
    """The dump copied out into ``workdir`` (by the manifest's member name, never a path from the archive),
    refused unless its SHA-256 is the manifest's."""
    name = manifest["dump"]["member"]
    if "/" in name or name.startswith("."):
        raise UserError(_("%(file)s: el manifiesto nombra un miembro inválido (%(member)s)")
                        % {"file": path, "member": name})
    out = workdir / name
    digest, done = hashlib.sha256(), 0
    with _open(path) as tar, _damaged(path):
        member = _member(tar, name, path)
        with tar.extractfile(member) as source, open(out, "wb") as sink:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                sink.write(chunk)
                done += len(chunk)
                progress("read", done, member.size)
    expected = manifest["dump"]["sha256"]
    if digest.hexdigest() != expected:
        out.unlink()
        raise UserError(_("%(file)s está dañado: la suma SHA-256 de %(member)s es %(got)s y el manifiesto dice "
                          "%(expected)s; no se restauró nada, use otra copia del respaldo")
                        % {"file": path, "member": name, "got": digest.hexdigest()[:16] + "…",
                           "expected": expected[:16] + "…"})
    return out
