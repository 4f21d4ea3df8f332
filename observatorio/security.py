"""Response headers that every answer of the application carries (settings: "Security and HTTP").

- ``Content-Security-Policy`` from ``settings.CONTENT_SECURITY_POLICY``: scripts only from our own files (no
  inline script, no event-handler attribute, no eval), nothing fetched from another host.
- ``Cache-Control: no-store`` (Django's never-cache headers): pages and data hold personal data or figures
  only a signed-in user may see, and no browser, proxy or shared computer may keep a copy. Static files are
  answered by WhiteNoise before this middleware and keep their long cache.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import add_never_cache_headers

HEADER = "Content-Security-Policy"


def policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{directive} {' '.join(sources)}".strip() for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = policy_header(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault(HEADER, self.policy)
        add_never_cache_headers(response)
        return response
