"""JSON with parts written once: outlines of areas are the same in every answer, so their text is kept.

A choropleth's polygons are a few hundred coordinates whose text (float ``repr``
for each) costs more than the rest of the answer. :class:`Raw` holds a value
and its JSON text, made once where the value is cached; :func:`dumps` writes a
structure holding ``Raw`` parts by encoding the rest with the standard encoder
(a placeholder where each part goes) and splicing the kept texts in.
"""

from __future__ import annotations

import json

# A string no answer holds: the placeholder is found by its JSON form, NUL escaped.
_MARK = "\x00obs-raw\x00"
_QUOTED_MARK = json.dumps(_MARK)


class Raw:
    """A JSON value with its text already written (compact separators)."""

    __slots__ = ("value", "text")

    def __init__(self, value):
        self.value = value
        self.text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumps(obj, default=None) -> str:
    """``json.dumps(obj, ensure_ascii=False)`` with each :class:`Raw` replaced by its kept text.

    ``default`` converts other objects the encoder does not know (as ``json.dumps``'s own).
    """
    texts: list[str] = []

    def encode(o):
        if isinstance(o, Raw):
            texts.append(o.text)
            return _MARK
        if default is None:
            raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
        return default(o)

    out = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=encode)
    if not texts:
        return out
    pieces = out.split(_QUOTED_MARK)
    if len(pieces) != len(texts) + 1:  # the mark also stood in the data itself: write it all plainly
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"),
                          default=lambda o: o.value if isinstance(o, Raw) else encode(o))
    joined = [pieces[0]]
    for text, piece in zip(texts, pieces[1:]):
        joined.append(text)
        joined.append(piece)
    return "".join(joined)
