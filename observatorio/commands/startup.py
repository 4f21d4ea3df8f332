"""What a server does as it starts, shared by ``serve`` and its ``--prod`` workers (``prodserver``)."""

from __future__ import annotations

import logging

from .i18n import _

logger = logging.getLogger(__name__)


def recover_jobs(dead=()) -> None:
    """Mark import jobs whose process is gone failed (``records.web.recovery``)."""
    from django.db import connection

    from observatorio.records.web.recovery import recover_stale_jobs

    try:
        recovered = recover_stale_jobs(dead)
    except Exception:  # never keep the server from starting
        logger.exception("could not look for stale import jobs")
        return
    finally:
        connection.close()
    if recovered:
        print(_("%(n)s importaciones interrumpidas quedaron marcadas como fallidas; pueden reintentarse")
              % {"n": len(recovered)}, flush=True)


def warm_snapshot() -> None:
    """Start building the data state in a background thread (``observatorio.state.warm_up``)."""
    from django.db import connection

    from observatorio.state import warm_up

    try:
        warm_up()
    except Exception:  # a missing table (not migrated) or a database down: the first request will say so
        logger.exception("could not start reading the event snapshot")
    finally:
        connection.close()  # the server's threads open their own
