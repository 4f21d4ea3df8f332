"""Spanish first: the interface language is the user's explicit choice, else es-CL.

Django's LocaleMiddleware also follows the browser's Accept-Language, which
would show English to a municipal officer whose laptop came configured in
English. The observatory's working language is Spanish, so only the language
cookie set by the switcher (or the OBS_LANGUAGE default) decides.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SpanishFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
