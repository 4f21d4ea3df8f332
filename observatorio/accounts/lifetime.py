"""Idle timeout and absolute lifetime of a signed-in session.

The session keeps when it signed in and when it was last used (epoch seconds). A session unused for
``OBS_SESSION_IDLE_MINUTES`` or older than ``OBS_SESSION_MAX_HOURS`` is signed out on its next request, in
whichever process receives it (the session lives in the database). The last use is written at most once a
minute, so a page's many requests do not each write the session.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout

SIGNED_IN_AT = "obs_signed_in_at"
LAST_SEEN = "obs_last_seen"
ENDED = "obs_session_ended"  # why the previous session ended, for the login page
WRITE_EVERY = 60  # seconds: the idle timeout's precision


def now() -> int:
    return int(time.time())


def stamp(request) -> None:
    """A new sign-in: both clocks start now."""
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN] = now()


def expired(session, at: int) -> str | None:
    """Why this session is over at ``at`` ("inactividad", "duracion"), or None."""
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(LAST_SEEN)
    if signed_in is None or seen is None:
        return None
    if at - seen > settings.OBS_SESSION_IDLE_MINUTES * 60:
        return "inactividad"
    if at - signed_in > settings.OBS_SESSION_MAX_HOURS * 3600:
        return "duracion"
    return None


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            at = now()
            reason = expired(request.session, at)
            if reason is not None:
                request.obs_signout_reason = reason
                logout(request)  # flushes the session; the view then sees an anonymous visitor
                request.session[ENDED] = reason
            elif SIGNED_IN_AT not in request.session:
                stamp(request)  # a session from before these limits: they count from now
            elif at - request.session[LAST_SEEN] >= WRITE_EVERY:
                request.session[LAST_SEEN] = at
        return self.get_response(request)
