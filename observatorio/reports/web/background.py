"""A report generated in the background: the run is recorded first, a thread completes it.

The thread's progress goes to the run's ``progress`` percentage (``runs.complete``), which the run's page polls.
``RUNNER`` is a thread by default; ``run_inline`` does the same work in the caller's thread (tests on a
transactional test database, where a thread would not see the test's data).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections

log = logging.getLogger(__name__)


def threading_runner(work) -> None:
    def target():
        close_old_connections()
        try:
            work()
        finally:
            connections.close_all()  # the thread's own connection: nobody else will close it

    threading.Thread(target=target, name="observatorio-report", daemon=True).start()


def run_inline(work) -> None:
    work()


RUNNER = threading_runner


def start(run, runner=None) -> None:
    """Complete ``run`` (recorded by ``runs.create``) in the background; a failure is kept on the run."""
    from observatorio.reports.runs import complete

    def work():
        try:
            complete(run)
        except Exception:  # complete() marked the run failed with its message; the log keeps the trace
            log.exception("report run %s failed", run.pk)

    (runner or RUNNER)(work)
