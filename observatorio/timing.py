"""Server-Timing: how long the server spent on each response, in a header the browser shows.

The middleware is the outermost one, so the figure covers every other
middleware (sessions, authentication, CSRF, locale), the view and the JSON it
writes; it leaves out only the WSGI server's own work and the network. Browsers
show it under the request's Timing tab, and the dashboard benchmark reads it
(benchmarks/bench_dashboard.py).
"""

from __future__ import annotations

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        entry = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
        previous = response.get("Server-Timing")
        response["Server-Timing"] = f"{previous}, {entry}" if previous else entry
        return response
