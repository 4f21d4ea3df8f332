"""The language of the ``observatorio`` command: Spanish by default, English on request.

The language is ``--lang es|en`` when given before the command, else
``OBS_LANGUAGE`` (the interface language of the web: ``en…`` is English,
anything else Spanish), else Spanish. Everything the command writes — help,
argparse's own words, progress, results and errors — is in that one language;
option and command names stay English.

Our strings are written in Spanish and marked with ``_()`` like the rest of the
project, so ``makemessages`` collects them into the one English catalogue
(``locale/en/LC_MESSAGES/django.po``). They are read here with Python's
``gettext`` from the same compiled ``django.mo`` rather than with Django's,
because the parser's help must be translated before Django is set up, and
``analyze`` never sets Django up at all. (Commands that do set it up also run
under ``django.utils.translation.override``, for the strings of the core.)

argparse's own words ("usage:", "error:", "show this help message and exit",
"the following arguments are required", …) are English msgids that argparse
passes through its module-level ``_`` and ``ngettext``; their Spanish is in
``locale/es/LC_MESSAGES/argparse.po`` (compiled ``.mo`` committed), which
``active`` installs in argparse while a command runs and removes afterwards.
"""

from __future__ import annotations

import argparse
import gettext as _gettext
import os
from contextlib import contextmanager
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("es", "en")
DJANGO_LANGUAGE = {"es": "es-cl", "en": "en"}

_catalogue: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "es"


def gettext(message: str) -> str:
    """``message`` (Spanish) in the command's language."""
    return _catalogue.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalogue.ngettext(singular, plural, n)


def gettext_noop(message: str) -> str:
    """Marks a Spanish constant for the catalogue; translate it with ``_()`` where it is used."""
    return message


_ = gettext


def language_of(code: str | None) -> str:
    """'en', 'en-us' → 'en'; 'es-cl', '' or anything else → 'es' (Spanish first)."""
    return "en" if (code or "").strip().lower().startswith("en") else "es"


def choose(argv: list[str], environ=None) -> str:
    """The language asked for by ``--lang`` among the options before the command, else by OBS_LANGUAGE."""
    environ = os.environ if environ is None else environ
    asked = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang" and i + 1 < len(argv):
            asked = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--lang="):
            asked = arg.partition("=")[2]
        elif not arg.startswith("-") or arg == "--":
            break  # the command: what follows belongs to it
        i += 1
    if asked in LANGUAGES:
        return asked
    return language_of(environ.get("OBS_LANGUAGE", "es-cl"))


def current() -> str:
    """The language of the command now running ('es' outside one)."""
    return _language


# Placeholders of option values, by the option's dest (argparse would show the dest in capitals, in English).
METAVARS = {
    "alpha": gettext_noop("ALFA"), "bandwidth": gettext_noop("METROS"), "cell": gettext_noop("METROS"),
    "code_field": gettext_noop("CAMPO"), "code_prefix": gettext_noop("PREFIJO"),
    "confidence": gettext_noop("NIVEL"), "crs": gettext_noop("SRC"), "distance": gettext_noop("METROS"),
    "email": gettext_noop("CORREO"), "host": gettext_noop("DIRECCIÓN"), "k": "K", "k_range": gettext_noop("MIN,MAX"),
    "layer": gettext_noop("CAPA"), "level": gettext_noop("NIVEL"), "limit": "N", "margin": gettext_noop("METROS"),
    "name_field": gettext_noop("CAMPO"), "outer_radius": gettext_noop("METROS"),
    "parent_field": gettext_noop("CAMPO"), "parent_level": gettext_noop("NIVEL"),
    "permutations": "N", "port": gettext_noop("PUERTO"), "radius": gettext_noop("METROS"),
    "seed": gettext_noop("SEMILLA"), "sheet": gettext_noop("HOJA"), "source": gettext_noop("FUENTE"),
    "threads": "N", "time_window": gettext_noop("PERÍODOS"), "trend_alpha": gettext_noop("ALFA"),
    "year": gettext_noop("AÑO"), "year_field": gettext_noop("CAMPO"), "years": "N",
}


def metavar_for(dest: str) -> str:
    return gettext(METAVARS.get(dest, gettext_noop("VALOR")))


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the placeholders of option values in the command's language."""

    def _get_default_metavar_for_optional(self, action):
        return metavar_for(action.dest)

    def _get_default_metavar_for_positional(self, action):
        return metavar_for(action.dest)


class ArgumentParser(argparse.ArgumentParser):
    """Every parser of the command, subcommands included, formats its help with `HelpFormatter`."""

    def __init__(self, *args, formatter_class=HelpFormatter, **kwargs):
        super().__init__(*args, formatter_class=formatter_class, **kwargs)


def thousands(n) -> str:
    """A whole number with thousands separators: 1.234.567 in Spanish, 1,234,567 in English."""
    text = f"{int(n):,}"
    return text if _language == "en" else text.replace(",", ".")


def decimal(value: float, digits: int) -> str:
    """A fixed-point number: 0,5 in Spanish, 0.5 in English."""
    text = f"{float(value):.{digits}f}"
    return text if _language == "en" else text.replace(".", ",")


@contextmanager
def active(language: str):
    """Our strings and argparse's in ``language`` while the block runs."""
    from observatorio import labels

    global _catalogue, _language
    saved = _catalogue, _language, argparse._, argparse.ngettext, labels.translate_without_django
    if language == "en":
        ours = _gettext.translation("django", LOCALE_DIR, languages=["en"])
        theirs = _gettext.NullTranslations()
    else:
        ours = _gettext.NullTranslations()
        theirs = _gettext.translation("argparse", LOCALE_DIR, languages=["es"])
    _catalogue, _language = ours, language
    argparse._, argparse.ngettext = theirs.gettext, theirs.ngettext
    labels.translate_without_django = gettext  # analysis labels in a command that never sets Django up
    try:
        yield
    finally:
        _catalogue, _language, argparse._, argparse.ngettext, labels.translate_without_django = saved
