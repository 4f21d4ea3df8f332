"""Every response says how long the server took (Server-Timing), counted from the outermost middleware."""

import re

from django.conf import settings
from django.urls import reverse

from observatorio.timing import ServerTimingMiddleware


def test_timing_middleware_is_the_outermost():
    assert settings.MIDDLEWARE[0] == "observatorio.timing.ServerTimingMiddleware"


def test_pages_redirects_and_errors_carry_the_header(client, db):
    for url, status in ((reverse("login"), 200), (reverse("board"), 302), ("/no-existe/", 404)):
        response = client.get(url)
        assert response.status_code == status
        match = re.fullmatch(r"app;dur=(\d+\.\d\d)", response["Server-Timing"])
        assert match and float(match.group(1)) > 0, (url, response["Server-Timing"])


def test_an_existing_server_timing_entry_is_kept():
    from django.http import HttpResponse

    def view(_request):
        response = HttpResponse("x")
        response["Server-Timing"] = "db;dur=1.5"
        return response

    header = ServerTimingMiddleware(view)(None)["Server-Timing"]
    assert re.fullmatch(r"db;dur=1\.5, app;dur=\d+\.\d\d", header)
