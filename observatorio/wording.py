"""Spanish wording of every import's messages, which are English by design (`importing`: "the interface words
the code").

Each problem (`importing.Issue`, of any import: records, boundaries, demography,
gazetteer, population), failure (`ImportFailed`) and note (`readers.Note`) has
a stable code; the import pages and the downloadable report show the Spanish
sentence for the code (English through the locale switcher, from the .po)
and, beside it, the pipeline's own message, which names the exact value,
columns or dates. Notes carry ``params``, the facts their sentence names. A
code without a sentence here falls back to the message alone, so a new code
never hides a problem; tests/records/test_wording.py fails on such a code.

It lives at the top of the package, beside `importing`, because territory's
imports use it too and territory never imports records. It needs Django only
for ``gettext_lazy`` (a sentence is translated when it is shown, in the
reader's language: the web request's, or the CLI's, which runs under
``translation.override``); `importing` itself stays Django-free.
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
    "bad_weight": _("El factor de expansión no es un número mayor que 0."),
    "bad_answer": _("La respuesta no es una de las que acepta la columna."),
    "outside": _("El punto del encuestado está fuera de la comuna; la respuesta queda sin área."),
    "changed_response": _("Este encuestado ya está guardado con otras respuestas."),
    "window_time_no_date": _("Hay una hora de inicio sin su fecha de inicio."),
    "window_no_start": _("El intervalo tiene fin pero no inicio."),
    "window_backwards": _("El intervalo termina antes de empezar."),
    "long_window": _("El intervalo es más largo que el máximo; el evento se guarda igual."),
    "date_order_conflict": _("La columna mezcla fechas día-mes-año y mes-día-año: no se sabe cómo leer esta fecha."),
    "point_outside": _("El punto está fuera de la comuna; el evento se guarda sin área."),
    # boundaries, demography, gazetteer
    "missing_column": _("El archivo no tiene la columna indicada."),
    "empty_code": _("Falta el código del área."),
    "duplicate_code": _("El mismo código de área aparece en más de un elemento."),
    "empty_geometry": _("El elemento no tiene geometría."),
    "bad_geometry": _("La geometría no es un polígono válido."),
    "wrong_geometry": _("La geometría no es del tipo que la capa de referencia admite."),
    "empty_parent": _("Falta el código del área superior."),
    "unknown_parent": _("El área superior indicada no existe."),
    "boundary_changed": _("El área ya tiene otro límite vigente."),
    "version_too_early": _("El nuevo límite empieza antes que el vigente."),
    "bad_year": _("El año no es válido."),
    "bad_number": _("El valor no es un número."),
    "negative_number": _("El valor es negativo."),
    "not_whole": _("Un conteo debe ser un número entero."),
    "repeated_code": _("El mismo código aparece en varias filas."),
    "no_street_number": _("La dirección no tiene número."),
    "measure_bad_file": _("El archivo no es un JSON de medidas."),
    "measure_unknown_field": _("La medida tiene un campo desconocido."),
    "measure_required": _("Falta un campo obligatorio de la medida."),
    "measure_bad_value": _("El valor del campo no es válido."),
    "measure_unknown_source": _("No existe una fuente con ese código."),
    "measure_unknown_category": _("No existe una categoría con ese código."),
    "measure_repeated": _("El código de la medida aparece dos veces en el archivo."),
    "measure_rule": _("Con esta combinación la medida no puede contar sin duplicar hechos."),
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
    "bad_weight": _("Corrija el factor (por ejemplo, 1,25)."),
    "bad_answer": _("Escriba Sí/Si/1 o No/0 (en inseguridad, también de Muy inseguro a Muy seguro); recodifique "
                    "NS/NR en el archivo."),
    "outside": _("Revise las coordenadas, o indique el código de área."),
    "changed_response": _("Las respuestas no se corrigen en su lugar: revierta el lote que las guardó e importe "
                          "el archivo corregido."),
    "window_time_no_date": _("Complete la fecha de inicio o borre la hora."),
    "window_no_start": _("Complete la fecha de inicio: el primer día en que pudo ocurrir el hecho."),
    "window_backwards": _("Revise fechas y horas; un intervalo nocturno termina al día siguiente."),
    "long_window": _("Revise las fechas; la opción window_max_days de la asignación fija el máximo."),
    "date_order_conflict": _("Elija el formato de fecha en la asignación (p. ej. dd-mm-aaaa o mm-dd-aaaa), o "
                             "corrija las filas que no siguen el orden de las demás."),
    "point_outside": _("Revise las coordenadas o la dirección, o indique el código de área."),
    "missing_column": _("Indique una de las columnas del archivo."),
    "empty_code": _("Dé a cada área su código."),
    "duplicate_code": _("Dé a cada área su propio código."),
    "empty_geometry": _("Dibuje su límite o quite el elemento."),
    "bad_geometry": _("Repare el polígono en un SIG y exporte de nuevo."),
    "wrong_geometry": _("Impórtela con --kind other, o corrija el archivo."),
    "empty_parent": _("Indique el código de su área superior."),
    "unknown_parent": _("Use un código existente, o importe antes ese nivel."),
    "boundary_changed": _("Indique desde cuándo rige el nuevo límite (--valid-from AAAA-MM-DD)."),
    "version_too_early": _("Indique una fecha --valid-from posterior al inicio del límite vigente."),
    "bad_year": _("Escriba el año con cuatro cifras, p. ej. 2017."),
    "bad_number": _("Escriba un número (1.234 o 20,7), o indique el separador decimal del archivo."),
    "negative_number": _("Corrija el valor."),
    "not_whole": _("Revise el separador decimal."),
    "repeated_code": _("Sume las filas con --sum, o deje una."),
    "no_street_number": _("Agregue el número a la dirección, o quite la fila."),
    "measure_bad_file": _("Use un archivo JSON escrito por «observatorio measures export»."),
    "measure_unknown_field": _("Use solo los campos que escribe «observatorio measures export»."),
    "measure_required": _("Escriba el código, el nombre, la unidad y la definición de una medida nueva."),
    "measure_bad_value": _("Corrija el valor como en el archivo que escribe «observatorio measures export»."),
    "measure_unknown_source": _("Use el código de una fuente existente (página de fuentes o administración)."),
    "measure_unknown_category": _("Use el código de una categoría del árbol común (administración de categorías)."),
    "measure_repeated": _("Deje una sola entrada por medida."),
    "measure_rule": _("Cambie las fuentes, la combinación, la fuente principal o el atributo de enlace."),
}

FAILURE = {
    "unreadable": _("No se pudo leer el archivo."),
    "required_column_missing": _("Falta una columna obligatoria."),
    "mapped_column_missing": _("Una columna de la asignación guardada no está en el archivo."),
    "half_coordinates": _("Solo una de las dos coordenadas tiene columna asignada."),
    "half_window": _("Una parte del intervalo tiene columna asignada, pero no su fecha de inicio."),
    "unknown_field": _("La asignación guardada nombra un campo desconocido."),
    "unknown_source": _("La fuente no existe."),
    "crash": _("La carga se interrumpió por un error interno; no se escribió nada."),
    "import_failed": _("No se pudo importar el archivo."),
    "protected_column": _("Una columna con datos personales está asignada a un campo que la guardaría tal cual."),
    "rut_key_missing": _("No hay clave para cifrar los RUT; no se importó nada."),
    "rut_key_mismatch": _("La clave de los RUT no es la que se usó para los datos guardados; no se importó nada."),
    "too_large": _("El archivo supera el límite de tamaño o de filas; no se importó nada."),
    "bad_date_format": _("El formato de fecha de la asignación no es válido (use dd-mm-aaaa, mm-dd-aaaa o "
                         "aaaa-mm-dd)."),
}

# On the web, what to do about a failure (the pipeline's fix names a command of the CLI), and the facts its
# `params` give.
FAILURE_FIX = {
    "unreadable": _("Guarde el archivo como CSV (UTF-8) o XLSX y súbalo de nuevo."),
    "required_column_missing": _("Elija en «Revisar columnas» la columna del archivo que lo contiene."),
    "mapped_column_missing": _("Elija en «Revisar columnas» la columna que corresponde, o quite la asignación."),
    "half_coordinates": _("Asigne las dos coordenadas (longitud y latitud) o ninguna."),
    "half_window": _("Asigne también la fecha de inicio del intervalo, o quite las otras partes."),
    "unknown_field": _("Guarde de nuevo la asignación de columnas."),
    "unknown_source": _("Elija una fuente de la lista."),
    "crash": _("Intente de nuevo; si se repite, avise al administrador."),
    "import_failed": _("Revise el archivo y vuelva a cargarlo."),
    "protected_column": _("Quite esa columna de la asignación en «Revisar columnas»."),
    "rut_key_missing": _("Pida al administrador que configure la clave de los RUT."),
    "rut_key_mismatch": _("Pida al administrador que restituya la clave original de los RUT."),
    "too_large": _("Divida el archivo (por ejemplo, por año) y cargue cada parte."),
    "bad_date_format": _("Elija el formato de fecha en «Revisar columnas»."),
}
FAILURE_DETAIL = {
    "required_column_missing": _("Campo sin columna: %(field)s."),
    "mapped_column_missing": _("Columna que falta: «%(column)s»."),
    "protected_column": _("Columna: «%(column)s»."),
}

NOTE = {
    "title_rows": _("Se omitieron filas de título sobre el encabezado."),
    "totals_row": _("Se omitió una fila de totales al final."),
    "duplicate_column": _("Una columna repite el nombre de otra y se renombró."),
    "unnamed_column": _("Una columna no tiene nombre y se le asignó uno."),
    "row_left_out": _("La fila %(row)s no es un registro: no se cuenta entre las leídas."),
    "counts_read_as_thousands": _("%(n)s conteos escritos como 1,04 se leyeron como miles (1.040), según la opción "
                                  "count_dot_is_thousands de la fuente."),
    "rut_column": _("La columna «%(column)s» contiene RUT: nunca se guarda; si está asignada, solo se conserva su "
                    "clave cifrada."),
    "personal_column": _("La columna «%(column)s» contiene datos personales (nombre, documento, teléfono o correo): "
                         "nunca se guarda."),
    "already_imported": _("Este archivo ya se importó en el lote %(batch)s; las filas ya guardadas cuentan como "
                          "duplicadas."),
    "gazetteer_empty": _("El callejero está vacío: las direcciones no se ubicaron (un administrador puede cargarlo)."),
    "no_boundaries": _("No hay límites territoriales cargados: los eventos no se asignaron a áreas."),
    "survey_name_default": _("Ninguna columna nombra la encuesta: las respuestas se registran como encuesta "
                             "«%(survey)s» (cámbielo con la opción survey de la asignación)."),
    "no_weight": _("No hay factor de expansión asignado: cada respuesta pesa 1."),
    "dates_day_first": _("Columna «%(column)s»: %(n)s fechas pueden leerse como día-mes o como mes-día; se leyeron "
                         "día-mes-año, como las que solo se leen así (p. ej. fila %(row)s: %(value)s)."),
    "dates_month_first": _("Columna «%(column)s»: %(n)s fechas pueden leerse como día-mes o como mes-día; se "
                           "leyeron mes-día-año, como las que solo se leen así (p. ej. fila %(row)s: %(value)s)."),
    "dates_day_first_default": _("Columna «%(column)s»: %(n)s fechas pueden leerse como día-mes o como mes-día y "
                                 "ninguna fecha de la columna lo decide: se leyeron día-mes-año, como en Chile. Si "
                                 "el archivo es mes-día-año, elija el formato de fecha mm-dd-aaaa en la asignación."),
}

# Why the import chose a column for a field (`records.pipeline.mapping`: SAVED, SAME_NAME, TOLERANT).
MATCH = {
    "saved": _("Guardada en la asignación de la fuente (%(name)s)."),
    "same_name": _("Es el nombre habitual «%(name)s», sin contar mayúsculas, tildes ni separadores."),
    "tolerant": _("Se parece al nombre habitual «%(name)s»: sin contar mayúsculas, tildes, palabras como «de» o "
                  "«la» ni el orden de las palabras."),
}

SEVERITY = {"error": _("error"), "warning": _("aviso")}

DELIMITERS = {";": _("punto y coma (;)"), ",": _("coma (,)"), "\t": _("tabulador")}


def issue_text(code: str) -> str:
    return str(ISSUE.get(code, ""))


def fix_text(code: str) -> str:
    return str(FIX.get(code, ""))


def failure_text(code: str) -> str:
    return str(FAILURE.get(code, _("No se pudo importar el archivo.")))


def failure_fix(code: str) -> str:
    return str(FAILURE_FIX.get(code, FAILURE_FIX["import_failed"]))


def failure_detail(code: str, params: dict | None = None) -> str:
    """The failure's facts (the field without a column, the column of personal data); empty when unknown."""
    template = FAILURE_DETAIL.get(code)
    try:
        return str(template) % (params or {}) if template is not None else ""
    except (KeyError, TypeError, ValueError):
        return ""


def note_text(code: str, params: dict | None = None) -> str:
    """The note's sentence with its facts filled in; empty when the code or a fact is unknown."""
    template = NOTE.get(code)
    if template is None:
        return ""
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return ""


def match_text(how: str, name: str) -> str:
    """Why a column was chosen for a field; empty when it was not chosen by the import."""
    template = MATCH.get(how)
    return str(template) % {"name": name} if template is not None else ""


def severity_name(severity: str) -> str:
    return str(SEVERITY.get(severity, severity))


def delimiter_name(delimiter: str) -> str:
    return str(DELIMITERS.get(delimiter, delimiter))
