"""Survey answers as booleans: yes/no in the ways people write them, and the safety scale.

The rule (docs/import.md, "Perception surveys"): answers compare ignoring
case, accents and spacing ("Sí" = "si" = "SI").

* yes/no: "sí", "si", "s", "1", "verdadero" are yes; "no", "n", "0", "falso" are no.
* the question "¿Qué tan seguro/a se siente…?" answered on its scale: "muy
  inseguro/a" and "inseguro/a" (also "algo inseguro/a") mean *feels unsafe*;
  "seguro/a", "muy seguro/a" and the middle "ni seguro/a ni inseguro/a" do
  not, because ``feels_unsafe`` is the share that *states* insecurity, the
  definition ENUSC's "percepción de inseguridad" uses.

Anything else ("no sabe", "NS/NR", a blank) is not guessed: the row is
rejected with the list of accepted answers, so the analyst decides. No Django here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .names import name_keys

YES = ("si", "s", "1", "verdadero")
NO = ("no", "n", "0", "falso")
UNSAFE = ("muy inseguro", "muy insegura", "inseguro", "insegura", "algo inseguro", "algo insegura")
SAFE = ("muy seguro", "muy segura", "seguro", "segura", "ni seguro ni inseguro", "ni segura ni insegura")

YES_NO = {**{k: True for k in YES}, **{k: False for k in NO}}
FEELS_UNSAFE = {**YES_NO, **{k: True for k in UNSAFE}, **{k: False for k in SAFE}}

YES_NO_HELP = "write Sí/Si/1 or No/0"
FEELS_UNSAFE_HELP = ("write Sí/Si/1 or No/0, or one of Muy inseguro, Inseguro, Ni seguro ni inseguro, Seguro, "
                     "Muy seguro")


def parse_answers(text: pd.Series, table: dict[str, bool]) -> tuple[np.ndarray, np.ndarray]:
    """``(value, known)`` per cell: the boolean answer, and whether the text is an answer of `table`.

    >>> v, ok = parse_answers(pd.Series(["Sí", "MUY INSEGURA", "Seguro", "ns/nr"]), FEELS_UNSAFE)
    >>> v.tolist(), ok.tolist()
    ([True, True, False, False], [True, True, True, False])
    """
    mapped = name_keys(text).map(table)
    known = mapped.notna().to_numpy()
    return mapped.fillna(False).astype(bool).to_numpy(), known
