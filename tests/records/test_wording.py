"""Every code the import can emit has Spanish wording (and its English translation), and the pages show it.

The codes are collected from the source, not listed by hand: every `Issue(...)`,
collector ``add``/``parse_errors`` call, validation `Rule(...)` and `Parser(...)`,
`Note(...)` and `ImportFailed(...)` under observatorio/records, observatorio/territory (boundaries and demography
imports) and observatorio/tables (the readers' notes) must name its code as a
literal string, so a new code cannot slip past this test.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation

from observatorio import wording
from observatorio.records.models import ImportBatch
from observatorio.records.pipeline import run_import
from tests.records.test_pipeline_fixtures import DENUNCIAS, territory  # noqa: F401 - fixture
from tests.records.test_web_support import login

PACKAGES = [Path(wording.__file__).parent / name for name in ("records", "territory", "tables")]

# call name → (kind, position of the code among the positional arguments, default when not given)
CODE_ARGUMENT = {"Issue": ("issue", 6, None), "add": ("issue", 5, None), "parse_errors": ("issue", 3, None),
                 "Note": ("note", 0, None), "ImportFailed": ("failure", 3, "import_failed"),
                 "Rule": ("issue", 1, None), "Parser": ("issue", 2, None)}  # validate.py's tables


def _call_name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def emitted_codes(packages=PACKAGES) -> tuple[dict[str, set[str]], list[str]]:
    """``({kind: codes}, [places whose code is not a literal])`` over the packages that import files."""
    codes: dict[str, set[str]] = {"issue": set(), "note": set(), "failure": set()}
    hidden = []
    for path in [p for package in packages for p in sorted(package.rglob("*.py"))]:
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _call_name(node) not in CODE_ARGUMENT:
                continue
            kind, position, default = CODE_ARGUMENT[_call_name(node)]
            if _call_name(node) == "add" and len(node.args) <= position:
                continue  # set.add(x) and the like, not the validation collector
            given = next((k.value for k in node.keywords if k.arg == "code"),
                         node.args[position] if len(node.args) > position else None)
            if given is None and default is not None:
                codes[kind].add(default)
            elif isinstance(given, ast.Constant) and isinstance(given.value, str):
                codes[kind].add(given.value)
            elif not (isinstance(given, ast.Name) and given.id == "code"):  # a helper passing its own argument on
                hidden.append(f"{path.relative_to(PACKAGES[0].parent)}:{node.lineno}")
    return codes, hidden


CODES, HIDDEN = emitted_codes()


def test_the_scan_finds_the_codes_it_must():
    assert not HIDDEN, f"give these calls their code as a literal string: {HIDDEN}"
    assert {"bad_date", "unmapped_label", "address_not_found", "window_backwards", "changed_response",
            "duplicate_code", "boundary_changed", "repeated_code", "not_whole", "no_street_number"} <= CODES["issue"]
    assert {"title_rows", "totals_row", "rut_column", "already_imported", "gazetteer_empty", "no_weight"} \
        <= CODES["note"]
    assert {"unreadable", "required_column_missing", "half_window", "import_failed"} <= CODES["failure"]


@pytest.mark.parametrize("kind, sentences", [("issue", wording.ISSUE), ("issue", wording.FIX),
                                             ("note", wording.NOTE), ("failure", wording.FAILURE),
                                             ("failure", wording.FAILURE_FIX)],
                         ids=["issue", "fix", "note", "failure", "failure-fix"])
def test_every_emitted_code_has_spanish_wording_and_english(kind, sentences):
    missing = sorted(CODES[kind] - set(sentences))
    assert missing == [], f"add Spanish wording to observatorio/wording.py for these {kind} codes"
    untranslated = []
    for _code, sentence in sentences.items():
        with translation.override("es-cl"):
            spanish = str(sentence)
        with translation.override("en"):
            if str(sentence) == spanish:
                untranslated.append(spanish)
    assert untranslated == [], "add these to observatorio/locale/en/LC_MESSAGES/django.po and recompile"


# A command line of the CLI ("observatorio mapping 1461 --set …", "--commit"): the web never shows one.
COMMAND = re.compile(r"observatorio (mapping|crosswalk|import|gazetteer|rut-key|batches|rollback|territory)\b|"
                     r"\s--[a-z][a-z-]+")


def test_the_record_import_words_what_the_web_shows_without_a_command_line():
    """What the import pages show for a record import (its issues, fixes, notes, failures and their web fixes)
    names no command: the CLI keeps its hints in the pipeline's English messages."""
    root = Path(wording.__file__).parent
    codes, _hidden = emitted_codes([root / "records" / "pipeline", root / "tables"])
    shown = [(code, wording.ISSUE.get(code)) for code in codes["issue"]] + \
        [(code, wording.FIX.get(code)) for code in codes["issue"]] + \
        [(code, wording.NOTE.get(code)) for code in codes["note"]] + \
        [(code, wording.FAILURE.get(code)) for code in codes["failure"]] + \
        [(code, wording.FAILURE_FIX.get(code)) for code in codes["failure"] | {"crash", "too_large"}]
    assert {"point_outside", "gazetteer_empty", "required_column_missing"} <= {code for code, _ in shown}
    with translation.override("es-cl"):
        commands = [(code, str(text)) for code, text in shown if text is not None and COMMAND.search(str(text))]
    assert commands == []


def test_a_note_is_worded_with_its_facts_and_an_unknown_one_stays_empty():
    with translation.override("es-cl"):
        assert wording.note_text("rut_column", {"column": "Rut víctima"}).startswith(
            "La columna «Rut víctima» contiene RUT")
        assert wording.note_text("rut_column", {}) == ""  # a missing fact: the English message alone is shown
        assert wording.note_text("no_such_note", {}) == ""
    with translation.override("en"):
        assert wording.note_text("already_imported", {"batch": 7}).startswith("This file was already imported in "
                                                                              "batch 7;")


# --------------------------------------------------------------------------- the pages


@pytest.fixture
def noted_batch(tmp_path, territory):  # noqa: F811 - the fixture
    """A dry run of a file already imported, with a title, a totals row and a RUT column: five kinds of note."""
    path = tmp_path / "denuncias_marzo.csv"
    path.write_text("Denuncias Peñalolén marzo 2024,,,,,,\n" + DENUNCIAS + "Total,,,,,,5\n", encoding="utf-8")
    first = run_import(path, "denuncia", commit=True)
    again = run_import(path, "denuncia")
    assert {"title_rows", "totals_row", "row_left_out", "rut_column", "already_imported"} <= \
        {n.code for n in again.notices}
    return first.batch, ImportBatch.objects.get(pk=again.batch)


def test_the_batch_page_shows_the_notes_in_spanish_and_in_english(client, personas, noted_batch):
    first, batch = noted_batch
    login(client, "bob")
    page = client.get(f"/cargas/lote/{batch.id}/").content.decode()
    spanish = ["Se omitieron filas de título sobre el encabezado.", "Se omitió una fila de totales al final.",
               "La fila 8 no es un registro: no se cuenta entre las leídas.",
               "La columna «Rut víctima» contiene RUT: nunca se guarda",
               f"Este archivo ya se importó en el lote {first}; las filas ya guardadas cuentan como duplicadas."]
    assert [s for s in spanish if s not in page] == []
    assert "holds RUTs" not in page  # the pipeline's own English words stay in the CLI and the download

    client.cookies["django_language"] = "en"
    english = client.get(f"/cargas/lote/{batch.id}/").content.decode()
    assert "Column “Rut víctima” holds RUTs: it is never stored" in english
    assert f"This file was already imported in batch {first}; rows already stored count as duplicates." in english
    assert [s for s in spanish if s in english] == []


def test_the_downloaded_report_follows_the_language(client, personas, noted_batch):
    _first, batch = noted_batch
    login(client, "bob")
    for language, header, problem in (
            ("es-cl", ["archivo", "fila", "columna", "valor", "problema", "cómo corregirlo", "gravedad", "código"],
             "El RUT no es válido (dígito verificador)."),
            ("en", ["file", "row", "column", "value", "problem", "how to fix it", "severity", "code"],
             "The RUT is not valid (check digit).")):
        client.cookies["django_language"] = language
        body = client.get(f"/cargas/lote/{batch.id}/informe.csv").content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        assert rows[0][:8] == header
        bad_rut = next(r for r in rows[1:] if r[7] == "bad_rut")
        assert bad_rut[4] == problem and "check digit" in bad_rut[8]
