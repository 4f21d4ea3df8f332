"""The CLI speaks one language per run and reports errors as one line: a domain error exits 2, a bug exits 1.

Spanish by default, English with --lang en or OBS_LANGUAGE=en; argparse's own words follow. Help is
compared action by action between the two languages (every help text translated), and each --help
output is checked for the other language's common words.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from observatorio import cli
from observatorio.commands import i18n
from observatorio.commands.analyze import series
from tests.core.test_cli import _subcommand_paths

PATHS = [[]] + _subcommand_paths()
WDD = ["analyze", "wdd", "--treated", "207,110", "--control", "308,318"]

# Words of running text that the other language never needs (option names and choices are removed first).
SPANISH = re.compile(r"\b(de|del|los|las|para|por defecto|según|una|que|cada|sin|con|archivo|columna|opciones)\b")
ENGLISH = re.compile(r"\b(the|of|and|with|default|show|file|column|options|usage|only|each)\b")


@pytest.fixture(autouse=True)
def spanish_by_default(monkeypatch):
    monkeypatch.delenv("OBS_LANGUAGE", raising=False)


def _parser(language):
    with i18n.active(language):
        return cli.build_parser()


def _help(capsys, argv):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv + ["--help"])
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def _prose(text: str) -> str:
    """Help without option names, choices, placeholders in capitals and code spans."""
    text = re.sub(r"\{[^}]*\}|`[^`]*`|--?[\w-]+|\b[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ_,|=.-]+\b", " ", text)
    return text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "observatorio")
def test_help_is_all_spanish_or_all_english(path, capsys):
    es = _help(capsys, path)
    en = _help(capsys, ["--lang", "en"] + path)
    assert es.startswith("uso: observatorio") and en.startswith("usage: observatorio")
    assert es != en
    assert ENGLISH.findall(_prose(es)) == [], es
    assert SPANISH.findall(_prose(en)) == [], en


def _walk(parser, path=()):
    yield path, "description", parser.description
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield path + (choice.dest,), "help", choice.help
            for name, child in action.choices.items():
                yield from _walk(child, path + (name,))
        else:
            yield path + (action.dest,), "help", action.help
            yield path + (action.dest,), "metavar", action.metavar


def test_every_help_text_and_placeholder_is_translated():
    es, en = list(_walk(_parser("es"))), list(_walk(_parser("en")))
    assert [key[:2] for key in es] == [key[:2] for key in en]
    same = [(path, what, text) for (path, what, text), (_p, _w, other) in zip(es, en)
            if text is not None and text not in ("K", "N", "M2", "A,B,C", "P,P,…", "M,M,…", "D,D,…", "COMUNA")
            and text == other and not text.startswith("Observatorio")]
    assert same == []


def test_the_language_comes_from_lang_then_obs_language(monkeypatch, capsys):
    monkeypatch.setenv("OBS_LANGUAGE", "en")
    assert _help(capsys, []).startswith("usage:")
    assert _help(capsys, ["--lang", "es"]).startswith("uso:")
    monkeypatch.setenv("OBS_LANGUAGE", "es-cl")
    assert _help(capsys, ["--lang=en"]).startswith("usage:")
    assert i18n.choose(["analyze", "--lang", "en"], {}) == "es"  # after the command it is not the global option


def test_argparse_is_left_as_it_was(capsys):
    _help(capsys, [])
    assert argparse._("usage: ") == "usage: " and i18n.current() == "es"


@pytest.mark.parametrize("language, words", [
    ("es", ["uso: observatorio", "error: faltan estos argumentos obligatorios: --control"]),
    ("en", ["usage: observatorio", "error: the following arguments are required: --control"]),
])
def test_usage_errors_follow_the_language(capsys, language, words):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--lang", language, "analyze", "wdd", "--treated", "1,2"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err


@pytest.mark.parametrize("language, message", [
    ("es", "observatorio analyze: error: -o t.shp: tipo de salida desconocido '.shp'; se admiten: .geojson, "
           ".json, .csv\n"),
    ("en", "observatorio analyze: error: -o t.shp: unknown output type '.shp'; allowed: .geojson, .json, .csv\n"),
])
def test_a_domain_error_is_one_line_and_exit_2(capsys, language, message):
    assert cli.main(["--lang", language, *WDD, "-o", "t.shp"]) == cli.EXIT_USAGE
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", message)


def test_a_domain_error_of_the_analysis_package_is_exit_2(capsys):
    assert cli.main(["analyze", "wdd", "--treated", "0,0", "--control", "0,0"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == ("observatorio analyze: error: todos los conteos son cero: la prueba WDD no tiene "
                                       "varianza\n")
    assert cli.main(["--lang", "en", "analyze", "wdd", "--treated", "0,0", "--control", "0,0"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == "observatorio analyze: error: all counts are zero: the WDD test has no variance\n"


def _raise(exc):
    def compute(args):
        raise exc

    return compute


@pytest.mark.parametrize("language, message", [
    ("es", "observatorio analyze: error interno: RuntimeError: boom. Vuelva a ejecutar con --debug para ver el "
           "detalle.\n"),
    ("en", "observatorio analyze: internal error: RuntimeError: boom. Rerun with --debug to see the traceback.\n"),
])
def test_a_bug_is_one_line_with_the_debug_hint_and_exit_1(monkeypatch, capsys, language, message):
    monkeypatch.setattr(series, "wdd", _raise(RuntimeError("boom")))
    assert cli.main(["--lang", language, *WDD]) == cli.EXIT_FAILURE
    assert capsys.readouterr().err == message


def test_a_stray_value_error_is_a_bug(monkeypatch, capsys):
    monkeypatch.setattr(series, "wdd", _raise(ValueError("shapes differ")))
    assert cli.main(WDD) == cli.EXIT_FAILURE
    assert "error interno: ValueError: shapes differ" in capsys.readouterr().err


def test_debug_prints_the_traceback(monkeypatch, capsys):
    monkeypatch.setattr(series, "wdd", _raise(RuntimeError("boom")))
    assert cli.main(["--debug", *WDD]) == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and err.endswith("RuntimeError: boom\n")
    assert "--debug" not in err


def test_interrupt_memory_and_broken_pipe(monkeypatch, capsys):
    monkeypatch.setattr(series, "wdd", _raise(KeyboardInterrupt()))
    assert cli.main(WDD) == cli.EXIT_INTERRUPTED
    assert capsys.readouterr().err == "observatorio analyze: interrumpido\n"
    monkeypatch.setattr(series, "wdd", _raise(MemoryError()))
    assert cli.main(["--lang", "en", *WDD]) == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.startswith("observatorio analyze: not enough memory") and err.count("\n") == 1
    monkeypatch.setattr(series, "wdd", _raise(BrokenPipeError()))
    assert cli.main(WDD) == cli.EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def test_a_closed_pipe_is_quiet():
    """`observatorio analyze … | head` when head has gone: no traceback, no 'Exception ignored'."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([sys.executable, "-m", "observatorio.cli", *WDD, "--json"], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (cli.EXIT_BROKEN_PIPE, "")


def test_summaries_follow_the_language(capsys):
    assert cli.main(WDD) == 0
    es = capsys.readouterr().out
    assert cli.main(["--lang", "en", *WDD]) == 0
    en = capsys.readouterr().out
    assert "desplazamiento 0,0" in es and "intervalo 95 %: -" in es
    assert "displacement 0.0" in en and "95 % interval: -" in en


def test_committed_argparse_mo_is_compiled_from_the_po(tmp_path):
    import shutil

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    po = i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "argparse.po"
    fresh = tmp_path / "argparse.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(po)], check=True, capture_output=True)
    assert fresh.read_bytes() == po.with_suffix(".mo").read_bytes(), "recompile: msgfmt --check -o argparse.mo argparse.po"


# --- errors raised below Django (analysis, table readers) and import failures: one language per line ----------

# Each case: the arguments after the language, and marker words of each language's line (the file, row and
# column are named in both). The other language's markers must be absent, and so its common words.
FILES = {
    "empty.csv": b"x;y;fecha\n",
    "one.csv": b"x;y;fecha\n-70.5;-33.4;2024-02-01\n",
    "extra.csv": b"a;b\n1;2\n3;4;sobra\n",
    "zip.csv": b"PK\x03\x04not really a workbook",
}
CASES = {
    "no data rows": (["analyze", "knox", "empty.csv", "--date", "fecha"],
                     ["empty.csv:", "no tiene filas de datos", "revise"], ["empty.csv:", "has no data rows", "check"]),
    "knox needs 2 events": (["analyze", "knox", "one.csv", "--date", "fecha"],
                            ["prueba de Knox", "al menos 2 eventos"], ["Knox test", "at least 2 events"]),
    "column not found": (["analyze", "knox", "one.csv", "--date", "nada"],
                         ["one.csv:", "'nada'", "no se encontró la columna", "las columnas son"],
                         ["one.csv:", "'nada'", "column", "not found", "columns are"]),
    "reader: extra value": (["analyze", "kde", "extra.csv"],
                            ["extra.csv:", "la fila 3", "Solución:", "encabezado"],
                            ["extra.csv:", "row 3", "Fix:", "header"]),
    "reader: a zip named .csv": (["analyze", "kde", "zip.csv"],
                                 ["zip.csv:", "es un archivo Excel", "guárdelo"],
                                 ["zip.csv:", "this is an Excel", "save it"]),
    "import failed whole": (["population", "zip.csv"],
                            ["No se pudo leer el archivo.", "Detalle: zip.csv:", "Solución:"],
                            ["zip.csv:", "not a CSV text file", "Fix:"]),
}


def _cli(tmp_path, *argv):
    for name, content in FILES.items():
        (tmp_path / name).write_bytes(content)
    env = {k: v for k, v in os.environ.items() if k != "OBS_LANGUAGE"}
    env["OBS_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run([sys.executable, "-m", "observatorio.cli", *argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("case", list(CASES))
def test_errors_from_every_layer_are_in_one_language(tmp_path, case):
    argv, spanish, english = CASES[case]
    for language, own, other in (("es", spanish, english), ("en", english, spanish)):
        done = _cli(tmp_path, "--lang", language, *argv)
        line = done.stderr.strip().splitlines()[-1]
        assert done.returncode == 2, done.stderr
        assert line.startswith(f"observatorio {argv[0]}: error: "), line
        assert [w for w in own if w not in line] == [], line
        assert [w for w in other if w in line and not any(w in o for o in own)] == [], line
        words = SPANISH if language == "en" else ENGLISH
        assert words.findall(line.split(": error: ", 1)[1]) == [], line


@pytest.mark.django_db
@pytest.mark.parametrize("language, words, foreign", [
    ("es", ["La fuente no existe.", "no hay una fuente «nadie»", "Solución:"], ["no source", "Fix:"]),
    ("en", ["no source 'nadie'", "Fix:"], ["no hay", "Solución"]),
])
def test_an_import_that_fails_whole_speaks_one_language(tmp_path, capsys, language, words, foreign):
    (tmp_path / "a.csv").write_text("fecha;delito\n01-02-2024;robo\n", encoding="utf-8")
    assert cli.main(["--lang", language, "import", str(tmp_path / "a.csv"), "--source", "nadie"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert [w for w in words if w not in err] == [] and [w for w in foreign if w in err] == [], err


@pytest.mark.django_db
@pytest.mark.parametrize("language, words, foreign", [
    ("es", ["la columna «nombre» contiene datos personales", "no puede asignarse a label"], ["holds", "mapped"]),
    ("en", ["column 'nombre' holds personal data", "may not be mapped to label"], ["columna", "contiene"]),
])
def test_the_personal_data_refusal_speaks_one_language(capsys, language, words, foreign):
    assert cli.main(["--lang", language, "mapping", "denuncia", "--set", "label=nombre"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert [w for w in words if w not in err] == [] and [w for w in foreign if w in err] == [], err
