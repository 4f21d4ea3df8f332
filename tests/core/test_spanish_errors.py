"""Every error a user reads is written in Spanish and translated where it is shown (issues #10 and #14).

The scan reads the source: every ``UserError`` (and its subclasses' constructors) raised under observatorio/
must take its message as a translatable Spanish string — ``N_("…")`` (below Django), ``_("…")`` /
``gettext("…")`` (Django code), a `Text`, or a value passed on (``errors.as_text(exc)``, not ``str(exc)``) —
never an f-string or a bare English literal, which no catalogue can translate. The same for an `ImportFailed`'s message and fix.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import observatorio
from observatorio.errors import UserError

ROOT = Path(observatorio.__file__).parent
# class → positions of its arguments that carry words (message, fix)
WORDED = {"UserError": (0,), "KeyMismatch": (0,), "RollbackRefused": (0,), "ImportFailed": (1, 2)}
# env.ConfigError is raised while the settings load, before any language is chosen: English for operators.


def _name(node) -> str:
    return node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")


def _translatable(node) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _translatable(node.left)
    if isinstance(node, ast.Call):  # a translating call, or a helper passing a message on; str(exc) may be English
        return _name(node.func) != "str"
    if isinstance(node, ast.JoinedStr):
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return not any(ch.isalpha() for ch in re.sub(r"%\(\w+\)s", "", node.value))
    return True  # a variable or an expression passing a message on


def untranslatable_messages(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _name(node.func) not in WORDED:
                continue
            for position in WORDED[_name(node.func)]:
                if position < len(node.args) and not _translatable(node.args[position]):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return found


def test_the_scan_catches_an_english_message(tmp_path):
    (tmp_path / "bad.py").write_text('raise UserError(f"{x} is wrong")\nraise UserError("plain English")\n'
                                     'raise ImportFailed(f, "no column", N_("dé --x"))\nraise UserError(str(exc))\n'
                                     'raise UserError(N_("%(x)s: mal"), x=1)\nraise UserError("%(error)s", error=e)\n'
                                     'raise UserError(_("no existe %(f)s") % {"f": f})\n', encoding="utf-8")
    assert [p.split("/")[-1] for p in untranslatable_messages(tmp_path)] == ["bad.py:1", "bad.py:2", "bad.py:3", "bad.py:4"]


def test_every_user_error_is_a_translatable_spanish_message():
    assert untranslatable_messages() == []


@pytest.mark.parametrize("raise_it, spanish, english", [
    (lambda: __import__("observatorio.territory.geometry", fromlist=["x"]).clean_polygon(
        __import__("shapely").Point(0, 0), "uv.geojson"),
     "uv.geojson: la geometría es un Point", "uv.geojson: the geometry is a Point"),
])
def test_a_message_below_django_is_spanish_and_its_english_is_in_the_catalogue(raise_it, spanish, english):
    from django.utils import translation
    from django.utils.translation import gettext

    with pytest.raises(UserError) as caught:
        raise_it()
    assert str(caught.value).startswith(spanish)
    with translation.override("en"):
        text = caught.value.translated(gettext)
    assert text.startswith(english), text


def test_an_import_failure_that_was_english_only_now_has_spanish_words_and_english(tmp_path):
    """The gazetteer's "no coordinate columns" was an English detail the Spanish interface dropped."""
    from django.utils import translation
    from django.utils.translation import gettext

    from observatorio.commands.i18n import active
    from observatorio.commands.reports import error_text
    from observatorio.records.pipeline.gazetteer import load_gazetteer
    from observatorio.records.pipeline.issues import ImportFailed

    path = tmp_path / "callejero.csv"
    path.write_text("calle,numero\nAv. Grecia,100\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        load_gazetteer(path)
    failure = caught.value
    assert failure.worded
    assert str(failure) == ("no hay columnas de coordenadas en callejero.csv; las columnas son: «calle», «numero». "
                            "Solución: indique --lon-column y --lat-column")
    with translation.override("en"):
        assert failure.translated(gettext) == ("no coordinate columns in callejero.csv; the columns are: «calle», "
                                               "«numero». Fix: give --lon-column and --lat-column")
    with active("es"):
        assert "Detalle: no hay columnas de coordenadas en callejero.csv" in error_text(failure)
