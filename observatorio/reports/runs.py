"""Generating a report: the one function the command line and the web call (:func:`generate`).

``generate`` checks the request, records a :class:`~.models.ReportRun`, reads the current data state, asks
the kind's builder (``kinds/<kind>.py``) for the document in the report's language, renders it (PDF or
HTML), stores the file under ``OBS_DATA_DIR/reports`` (private: 0700 folder, 0600 file) and records its
SHA-256, the data version and the document's content hash. Progress goes to ``progress(stage, done,
total)`` (the CLI's StageBar) and to the run's ``progress`` percentage. A failure marks the run failed with
its message and is raised again; nothing half-written remains.

Reproducible: the document depends only on the data state, the kind, the period and the options (never the
clock), and the renderers give the same bytes for the same document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from observatorio.errors import UserError

from .kinds import registry
from .models import ReportRun

FORMATS = ("pdf", "html")
LANGUAGES = ("es", "en")


@dataclass(frozen=True)
class Context:
    """What a kind's builder gets: the data state, the period, the language, public or not, the options."""

    state: object  # observatorio.state.DataState
    kind: str
    start: dt.date
    end: dt.date
    language: str
    public: bool
    data_version: str
    options: dict = field(default_factory=dict)
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None

    def guard(self, measure, categories=()):
        """The disclosure guard of this report's reader for ``measure``: a public report is read as by an
        authority (aggregate-only: ``event_scope`` None), an internal one as by an analyst (exact)."""
        from observatorio.disclosure import policy

        return policy.guard_for(None if self.public else (), measure, self.state.catalog, categories)


def kinds() -> list[str]:
    return sorted(registry())


def folder() -> Path:
    from observatorio.private import private_folder

    return private_folder(Path(settings.DATA_DIR) / "reports")


def data_version(state) -> str:
    key = state.key
    return f"{key.version}" + (f"-{key.token[:8]}" if key.token else "")


def check(kind: str, start: dt.date, end: dt.date, fmt: str, language: str) -> None:
    if kind not in registry():
        raise UserError(_("tipo de informe «%(kind)s» desconocido; opciones: %(choices)s")
                        % {"kind": kind, "choices": ", ".join(kinds())})
    if end < start:
        raise UserError(_("el período termina (%(end)s) antes de empezar (%(start)s); corrija --from/--to")
                        % {"end": end.strftime("%d-%m-%Y"), "start": start.strftime("%d-%m-%Y")})
    if fmt not in FORMATS:
        raise UserError(_("formato «%(fmt)s» desconocido; use pdf o html") % {"fmt": fmt})
    if language not in LANGUAGES:
        raise UserError(_("idioma «%(lang)s» desconocido; use es o en") % {"lang": language})


def build(kind: str, start: dt.date, end: dt.date, *, language: str = "es", public: bool = False,
          options: dict | None = None, state=None, progress=None):
    """The document of ``kind`` for the period (no file, no run recorded): what :func:`generate` renders."""
    from observatorio.state import current

    state = state if state is not None else current()
    context = Context(state, kind, start, end, language, public, data_version(state), dict(options or {}),
                      progress or (lambda stage, done, total: None))
    with translation.override(language):
        return registry()[kind].build(context)


def render(report, fmt: str) -> bytes:
    with translation.override(report.language):
        if fmt == "pdf":
            from .render_pdf import render as render_pdf

            return render_pdf(report)
        from .render_html import render as render_html

        return render_html(report).encode("utf-8")


def generate(kind: str, start: dt.date, end: dt.date, *, fmt: str = "pdf", language: str = "es",
             public: bool = False, options: dict | None = None, user=None, progress=None) -> ReportRun:
    """Build, render and store one report; the :class:`ReportRun` recording it (status done)."""
    return complete(create(kind, start, end, fmt=fmt, language=language, public=public, options=options,
                           user=user), progress)


def create(kind: str, start: dt.date, end: dt.date, *, fmt: str = "pdf", language: str = "es",
           public: bool = False, options: dict | None = None, user=None) -> ReportRun:
    """Check the request and record its run (status running, nothing built yet): :func:`complete` builds it.
    The web records the run first, to show its progress while a background thread completes it."""
    check(kind, start, end, fmt, language)
    return ReportRun.objects.create(kind=kind, start=start, end=end, options=dict(options or {}), format=fmt,
                                    language=language, public=public, created_by=user)


def complete(run: ReportRun, progress=None) -> ReportRun:
    """Build, render and store the report ``run`` asks for; the run marked done (or failed, and raised)."""
    from .document import content_hash

    kind, start, end, fmt = run.kind, run.start, run.end, run.format
    language, public, options = run.language, run.public, run.options
    progress = progress or (lambda stage, done, total: None)

    def step(stage, done, total):
        progress(stage, done, total)
        share = done / total if total else 1.0
        percent = int(90 * share) if stage == "build" else 90 + int(10 * share)
        if percent != run.progress:
            run.progress = percent
            ReportRun.objects.filter(pk=run.pk).update(progress=percent)

    try:
        report = build(kind, start, end, language=language, public=public, options=options, progress=step)
        step("render", 0, 1)
        data = render(report, fmt)
        step("render", 1, 1)
        name = f"{run.pk}-{kind}-{start.isoformat()}-{end.isoformat()}.{fmt}"
        path = folder() / name
        temporary = path.with_name("." + name + ".writing")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temporary, path)
    except Exception as exc:
        run.status, run.error = ReportRun.Status.FAILED, str(exc)
        run.save(update_fields=["status", "error"])
        raise
    run.data_version, run.content_hash = report.data_version, content_hash(report)
    run.sha256, run.file = hashlib.sha256(data).hexdigest(), name
    run.status, run.progress, run.error = ReportRun.Status.DONE, 100, ""
    run.save(update_fields=["data_version", "content_hash", "sha256", "file", "status", "progress", "error"])
    return run


def path_of(run: ReportRun) -> Path:
    return Path(settings.DATA_DIR) / "reports" / run.file


INTERRUPTED = "interrumpido: el servidor se detuvo mientras se generaba; genérelo de nuevo"


def mark_interrupted() -> int:
    """Runs left "running" when the server starts were cut off by its stop (a web run lives in a thread of a
    worker): marked failed, so no page waits for them for ever. How many were marked."""
    return ReportRun.objects.filter(status=ReportRun.Status.RUNNING).update(status=ReportRun.Status.FAILED,
                                                                            error=INTERRUPTED)
