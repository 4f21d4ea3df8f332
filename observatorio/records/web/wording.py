"""Spanish wording of the pipeline's messages, which are English by design (issues.py: "the interface translates").

Each problem has a stable code; the page shows the Spanish sentence for the
code and, under it, the pipeline's own message, which names the exact value,
columns or dates. A code without a sentence here falls back to the message
alone, so a new code never hides a problem.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ISSUE = {
    "bad_date": _("La fecha no es válida."),
    "future_date": _("La fecha es posterior a la fecha de carga."),
    "bad_time": _("La hora no es válida (se espera HH:MM)."),
    "unmapped_label": _("El tipo no tiene equivalencia en el árbol de categorías."),
    "unknown_area": _("El código de área no existe en el territorio."),
    "bad_rut": _("El RUT no es válido (dígito verificador)."),
    "bad_sex": _("El sexo no se reconoce (F, M o X)."),
    "bad_age": _("La edad no es válida."),
    "bad_count": _("El conteo no es un número entero válido."),
    "bad_coordinates": _("Las coordenadas no son válidas o no están en Chile."),
    "required_empty": _("Falta un valor obligatorio."),
    "too_long": _("El valor es demasiado largo."),
    "conflicting_row": _("El mismo identificador aparece en otra fila con otros valores."),
    "address_not_found": _("La dirección no está en el callejero; el evento se guarda sin ubicación."),
}

FIX = {
    "bad_date": _("Escriba la fecha como dd-mm-aaaa, dd/mm/aaaa o aaaa-mm-dd, con un día que exista."),
    "future_date": _("Revise el año."),
    "bad_time": _("Escriba la hora como HH:MM, de 00:00 a 23:59."),
    "unmapped_label": _("Asigne la etiqueta a una categoría en «Tipos sin equivalencia» y valide de nuevo."),
    "unknown_area": _("Use un código de área del territorio."),
    "bad_rut": _("Corrija el RUT o deje la celda vacía."),
    "bad_sex": _("Escriba F (femenino), M (masculino) o X."),
    "bad_age": _("Corrija la edad."),
    "bad_count": _("Corrija el conteo."),
    "bad_coordinates": _("Revise latitud y longitud (o coordenadas UTM 19S en metros)."),
    "required_empty": _("Complete el valor."),
    "too_long": _("Acorte el valor."),
    "conflicting_row": _("Deje una de las dos filas, o dé a cada registro su propio identificador."),
    "address_not_found": _("Revise calle y número, o agregue coordenadas."),
}

FAILURE = {
    "unreadable": _("No se pudo leer el archivo."),
    "required_column_missing": _("Falta una columna obligatoria."),
    "mapped_column_missing": _("Una columna de la asignación guardada no está en el archivo."),
    "half_coordinates": _("Solo una de las dos coordenadas tiene columna asignada."),
    "unknown_field": _("La asignación guardada nombra un campo desconocido."),
    "unknown_source": _("La fuente no existe."),
    "crash": _("La carga se interrumpió por un error interno; no se escribió nada."),
}

NOTE = {
    "title_rows": _("Se omitieron filas de título sobre el encabezado."),
    "totals_row": _("Se omitió una fila de totales al final."),
    "duplicate_column": _("Una columna repite el nombre de otra y se renombró."),
    "unnamed_column": _("Una columna no tiene nombre y se le asignó uno."),
}

SEVERITY = {"error": _("error"), "warning": _("aviso")}

DELIMITERS = {";": _("punto y coma (;)"), ",": _("coma (,)"), "\t": _("tabulador")}


def issue_text(code: str) -> str:
    return str(ISSUE.get(code, ""))


def fix_text(code: str) -> str:
    return str(FIX.get(code, ""))


def failure_text(code: str) -> str:
    return str(FAILURE.get(code, _("No se pudo importar el archivo.")))


def note_text(code: str) -> str:
    return str(NOTE.get(code, ""))


def delimiter_name(delimiter: str) -> str:
    return str(DELIMITERS.get(delimiter, delimiter))
