"""How every import prints what it did: one function for records, boundaries, demography, gazetteer, population.

Each core returns its own result with a ``report()``, an `observatorio.importing.Report`;
`show` prints it in the command's language, or, with ``--json``, ``Report.as_dict()`` — the
same keys for every import (kind, file, committed, read, valid, written, errors, warnings,
notes, note_codes) plus the kind's own details.
"""

from __future__ import annotations

import json

from .i18n import _, current, gettext_noop, ngettext, thousands

KINDS = {"records": gettext_noop("registros"), "boundaries": gettext_noop("límites"),
         "demography": gettext_noop("demografía"), "gazetteer": gettext_noop("callejero"),
         "population": gettext_noop("proyecciones de población"), "reference": gettext_noop("capa de referencia")}

# The details shown, in this order; the others (level, mapping, timings, …) are only in --json.
DETAILS = {
    "batch": gettext_noop("lote"),
    "imported": gettext_noop("importadas"), "updated": gettext_noop("actualizadas"),
    "duplicates": gettext_noop("duplicadas"), "rejected": gettext_noop("rechazadas"),
    "created": gettext_noop("áreas nuevas"), "new_versions": gettext_noop("versiones nuevas de límites"),
    "unchanged": gettext_noop("sin cambios"), "renamed": gettext_noop("renombradas"),
    "outside_parent": gettext_noop("fuera de todo padre (quedan sin padre)"),
    "areas": gettext_noop("áreas"), "skipped_codes": gettext_noop("códigos desconocidos omitidos"),
    "skipped_population": gettext_noop("población de los códigos omitidos"),
    "skipped": gettext_noop("omitidas"), "comunas": gettext_noop("comunas"),
    "first_year": gettext_noop("primer año"), "last_year": gettext_noop("último año"),
}
ALWAYS = {"imported", "updated", "duplicates", "rejected", "created", "new_versions", "unchanged"}
SHOWN_ISSUES = 20


def _short(items, limit: int = 10) -> str:
    items = list(items)
    text = ", ".join(str(i) for i in items[:limit])
    if len(items) > limit:
        text += _(", … y %(n)s más") % {"n": len(items) - limit}
    return text


def issue_text(issue) -> str:
    """An issue's problem and fix: the pipeline's exact English in English, the sentence for its code in Spanish."""
    from observatorio.wording import fix_text
    from observatorio.wording import issue_text as worded

    if current() == "en" or not worded(issue.code):
        return f"{issue.message}. {issue.fix}" if issue.fix else issue.message
    return f"{worded(issue.code)} {fix_text(issue.code)}".strip()


def error_text(exc) -> str:
    """A user error's one line in the command's language.

    An error that keeps its Spanish template (`errors.UserError`, raised with `N_`) is translated through
    the catalogue and then filled in. In Spanish, an all-or-nothing import's problems (`importing.IssuesFound`)
    are told cell by cell with their code's sentence (file, row, column, value and the fix), and an import
    that failed whole (`ImportFailed`) by its code's sentence, then its detail when it has Spanish words
    (a reader's reason and fix, a column of personal data), else the facts its code names; in English,
    the pipeline's own English line."""
    from observatorio.importing import MAX_MESSAGES, IssuesFound

    translated = exc.translated(_) if hasattr(exc, "translated") else str(exc)
    text = " ".join(translated.split())
    if current() == "en":
        return text
    from observatorio.territory.dpa import UnknownComuna

    if isinstance(exc, UnknownComuna):
        if exc.by_code:
            return _("ninguna comuna tiene el código CUT %(code)s; los códigos CUT tienen 4 o 5 cifras, p. ej. "
                     "13122 para Peñalolén") % {"code": exc.key}
        hint = (_("; ¿quiso decir: %(names)s?") % {"names": ", ".join(exc.suggestions)} if exc.suggestions
                else _("; use el nombre oficial o el código CUT"))
        return _("ninguna comuna se llama «%(name)s»%(hint)s") % {"name": exc.key, "hint": hint}
    if isinstance(exc, IssuesFound):
        lines = [_issue_line(i).rstrip(".") for i in exc.issues[:MAX_MESSAGES]]
        extra = len(exc.issues) - MAX_MESSAGES
        more = ngettext("; … y %(n)s problema más", "; … y %(n)s problemas más", extra) % {"n": thousands(extra)}
        return "; ".join(lines) + (more if extra > 0 else "")
    if hasattr(exc, "as_dict") and getattr(exc, "code", None) and hasattr(exc, "file"):  # ImportFailed
        from observatorio.wording import failure_detail, failure_text

        if not exc.worded:  # English only: the code's facts instead
            facts = failure_detail(exc.code, exc.params)
            where = _("Archivo: %(file)s.") % {"file": exc.file} if exc.file else ""
            return " ".join(part for part in (failure_text(exc.code), facts, where) if part)
        return _("%(sentence)s Detalle: %(detail)s") % {"sentence": failure_text(exc.code), "detail": text}
    return text


def _issue_line(issue) -> str:
    values = {"file": issue.file, "row": issue.row, "column": issue.column, "value": issue.value,
              "problem": issue_text(issue)}
    if issue.row:
        return _("%(file)s, fila %(row)s, columna «%(column)s», valor «%(value)s»: %(problem)s") % values
    if issue.value:
        return _("%(file)s, columna «%(column)s»: %(problem)s (columnas del archivo: %(value)s)") % values
    return _("%(file)s, columna «%(column)s»: %(problem)s") % values


def note_text(note) -> str:
    from observatorio.wording import note_text as worded

    return note.message if current() == "en" else (worded(note.code, note.params) or note.message)


def _value(value) -> str:
    if isinstance(value, list | tuple):
        return thousands(len(value)) + (f" ({_short(value)})" if value else "")
    if isinstance(value, int) and not isinstance(value, bool):
        return thousands(value)
    return str(value)


def report_lines(report) -> list[str]:
    """The report as the CLI prints it: what was read and written, the details, the problems, the notes,
    and last whether anything was written."""
    counts = _("escritas %(n)s") if report.committed else _("se escribirían %(n)s")
    lines = [_("%(file)s (%(kind)s): leídas %(read)s, válidas %(valid)s, %(written)s")
             % {"file": report.file, "kind": _(KINDS.get(report.kind, report.kind)), "read": thousands(report.read),
                "valid": thousands(report.valid), "written": counts % {"n": thousands(report.written)}}]
    details = report.details
    for key, label in DETAILS.items():
        value = details.get(key)
        if value is None or (not value and key not in ALWAYS):
            continue
        lines.append(f"  {_(label)}: {_value(value)}")
    for field, total in (details.get("totals") or {}).items():
        lines.append(_("  %(field)s en total: %(value)s") % {"field": field, "value": thousands(round(total))})
    unmapped = details.get("unmapped_categories") or {}
    if unmapped:
        lines.append(_("  etiquetas sin equivalencia (asígnelas con `observatorio crosswalk %(source)s --set "
                       "\"ETIQUETA=CATEGORÍA\"`):") % {"source": details.get("source", "")})
        lines += [ngettext("    %(label)r: %(n)s fila", "    %(label)r: %(n)s filas", n) % {"label": label, "n": thousands(n)}
                  for label, n in unmapped.items()]
    errors, warnings = report.errors, report.warnings
    if errors:
        lines.append(_("  errores (%(n)s):") % {"n": thousands(len(errors))})
        lines += [_("    fila %(row)s, %(column)s: %(value)r: %(problem)s")
                  % {"row": e.row, "column": e.column, "value": e.value, "problem": issue_text(e)}
                  for e in errors[:SHOWN_ISSUES]]
        if len(errors) > SHOWN_ISSUES:
            batch = details.get("batch")
            lines.append(_("    … informe completo: observatorio batches --report %(batch)s -o errores.csv")
                         % {"batch": batch} if batch else "    …")
    if warnings:
        w = warnings[0]
        lines.append(_("  avisos: %(n)s (p. ej. fila %(row)s: %(message)s)")
                     % {"n": thousands(len(warnings)), "row": w.row, "message": issue_text(w)})
    lines += [_("  nota: %(note)s") % {"note": note_text(n)} for n in report.notes]
    lines.append(_("escrito") if report.committed else _("prueba: no se escribió nada; agregue --commit"))
    return lines


def show(report, as_json: bool = False) -> None:
    """Print ``report`` (an `observatorio.importing.Report`) as text, or as JSON with ``as_json``."""
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1, default=str))
    else:
        print("\n".join(report_lines(report)))
