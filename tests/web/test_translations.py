"""The English interface is complete: every message translated, the .mo compiled from the .po, pages in English.

The .po is read with a small reader (no polib in the project). The pages are
rendered for the demo's Peñalolén (3,000 events) with the language cookie set
to English, and each must lose the Spanish headings its Spanish version shows.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO, MO = LC_MESSAGES / "django.po", LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}|</?[a-z]+[^>]*>")


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(line: str) -> str:
    # A PO string is a C string literal in UTF-8: only its backslash escapes need decoding.
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), line[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list), flags; obsolete (#~) entries are skipped."""
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"msgid": "", "msgid_plural": None, "msgstr": [], "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            key, entry["msgid_plural"] = "msgid_plural", _unquote(line[13:])
        elif line.startswith("msgid "):
            key, entry["msgid"] = "msgid", _unquote(line[6:])
        elif line.startswith("msgstr"):
            key = "msgstr"
            entry["msgstr"].append(_unquote(line[line.index(" ") + 1:]))
        elif line.startswith('"') and key == "msgstr":
            entry["msgstr"][-1] += _unquote(line)
        elif line.startswith('"'):
            entry[key] += _unquote(line)
    return [e for e in entries if e["msgid"]]  # the header's msgid is empty


@pytest.fixture(scope="module")
def entries():
    return read_po(PO)


def test_reader_sees_the_catalogue(entries):
    ids = {e["msgid"] for e in entries}
    assert len(entries) > 300
    assert "Panorama del territorio" in ids
    plural = next(e for e in entries if e["msgid"] == "%(n)s lote")
    assert plural["msgid_plural"] == "%(n)s lotes" and len(plural["msgstr"]) == 2


def test_po_has_no_empty_or_fuzzy_entry(entries):
    empty = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert empty == []
    assert fuzzy == []


def test_translations_keep_placeholders_and_markup(entries):
    # English has two forms, like Spanish: msgstr[0] answers msgid and msgstr[1] msgid_plural.
    changed = []
    for e in entries:
        for i, msgstr in enumerate(e["msgstr"]):
            source = e["msgid"] if i == 0 else e["msgid_plural"]
            if sorted(PLACEHOLDER.findall(msgstr)) != sorted(PLACEHOLDER.findall(source)):
                changed.append((source, msgstr))
    assert changed == []


def test_translations_stay_out_of_spanish(entries):
    # A half-done translation keeps Spanish function words; 'de' and 'del' alone read as English nowhere.
    spanish = re.compile(r"\b(del|los|las|para|sin|según|período|días)\b")
    leftovers = [(e["msgid"], s) for e in entries for s in e["msgstr"]
                 if spanish.search(re.sub(r"<code>.*?</code>|%\([a-z_]+\)s", "", s))]
    assert leftovers == []


def test_committed_mo_is_compiled_from_the_po(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(PO)], check=True, capture_output=True)
    assert fresh.read_bytes() == MO.read_bytes(), "recompile: msgfmt --check -o django.mo django.po"


def _runtime_labels() -> dict[str, list[str]]:
    """Spanish labels passed to gettext as variables: makemessages cannot see them, so the .po must hold them.

    The labels of the analysis enums are checked in test_labels.py.
    """
    from observatorio.dashboard import board, filters, profile
    from observatorio.records.models import PlaceKind
    from observatorio.territory.models import Level

    return {
        "weekdays": list(board.WEEKDAYS),
        "board charts": [title for _name, title in board.CHARTS],
        "periods": list(filters.PERIODS.values()),
        "levels": [str(label) for _value, label in Level.choices],
        "place kinds": [str(label) for _value, label in PlaceKind.choices],
        "typology shares": list(profile.TYPOLOGY_SHARES.values()),
    }


@pytest.mark.parametrize("group", list(_runtime_labels()), ids=str)
def test_labels_translated_at_run_time_are_in_the_catalogue(entries, group):
    from django.utils import translation

    translated = {e["msgid"]: e["msgstr"][0] for e in entries}
    labels = _runtime_labels()[group]
    assert [s for s in labels if not translated.get(s)] == [], "add them to the .po (makemessages drops them)"
    with translation.override("en"):
        assert [translation.gettext(s) for s in labels] == [translated[s] for s in labels]


# --- pages ----------------------------------------------------------------------------------------------------

def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    words = re.findall(r">([^<]+)<", page) + re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', page)
    return " ".join(" ".join(html.unescape(w).split()) for w in words)


# page → (its English h1, Spanish headings and labels that must be gone in English)
PAGES = {
    "/cuenta/ingresar/": ("Sign in to the observatory", ["Ingresar al observatorio", "Contraseña", "Usuario"]),
    "/": ("Overview of the territory",
          ["Panorama del territorio", "Casos policiales por unidad vecinal", "Cada medida por separado en",
           "Mismos días, año anterior", "Últimos eventos registrados"]),
    "/tablero/": ("Dashboard", ["Frente al período anterior equivalente", "Por familia de delitos",
                                "Cambios por área", "Fines de semana", "Últimos 7 días", "Mes en curso"]),
    "/mapa/": ("Map of the territory", ["Mapa del territorio", "Capas sobre los límites del territorio",
                                        "Coroplético por área", "Puntos calientes y fríos", "Descargar capas"]),
    "/fuentes/": ("Sources and data quality", ["Fuentes y calidad de datos", "Resumen por fuente",
                                               "Registros por fuente y mes", "Meses vacíos"]),
    "/cargas/": ("Import history", ["Historial de cargas", "Nueva carga"]),
    "/informes/": ("Reports", ["Generar un informe", "Boletín mensual por correo", "Informes generados",
                               "Mes (boletín)", "Suscribirme"]),
}


def _page(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", list(PAGES), ids=lambda u: u.strip("/").split("/")[-1] or "home")
def test_page_in_english_has_no_spanish_headings(client, demo, personas, url):
    english_h1, spanish = PAGES[url]
    if url != "/cuenta/ingresar/":
        client.force_login(personas["bob"])
    es, en = visible_text(_page(client, url, "es-cl")), visible_text(_page(client, url, "en"))
    assert [s for s in spanish if s not in es] == [], "the Spanish page no longer says these: update the test"
    assert [s for s in spanish if s in en] == []
    assert re.search(rf"<h1>\s*{re.escape(english_h1)}", _page(client, url, "en"))
    assert '<html lang="en">' in _page(client, url, "en")


# --- messages of the layers below Django, marked with errors.N_ -----------------------------------------------

def marked_strings(root: Path | None = None) -> list[str]:
    """Every Spanish source string marked with ``N_("…")`` in the package (xgettext's keyword, read with ast)."""
    import ast

    root = Path(settings.BASE_DIR) if root is None else root
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append(node.args[0].value)
    return list(dict.fromkeys(found))


def test_strings_marked_with_n_are_in_the_catalogue(entries):
    marked = marked_strings()
    assert len(marked) > 40  # the readers' reasons and fixes, the analysis package's messages
    translated = {e["msgid"] for e in entries if all(e["msgstr"])}
    assert [s for s in marked if s not in translated] == [], "add them to the .po with their English"


def test_a_marked_message_is_spanish_as_raised_and_english_when_translated(tmp_path):
    import gettext

    from observatorio.analysis.inputs import read_table
    from observatorio.commands.i18n import LOCALE_DIR
    from observatorio.errors import UserError

    (tmp_path / "a.csv").write_text("x;y\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_table(tmp_path / "a.csv")
    english = gettext.translation("django", LOCALE_DIR, languages=["en"]).gettext
    assert str(caught.value).startswith("a.csv: el archivo no tiene filas de datos")
    assert caught.value.translated(english).startswith("a.csv: the file has no data rows")
    assert caught.value.params == {"name": "a.csv"} and caught.value.template.startswith("%(name)s: el archivo")
