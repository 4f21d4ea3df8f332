"""Kept JSON parts are spliced into the same document the standard encoder writes."""

import datetime as dt
import json

import numpy as np

from observatorio.dashboard.jsontext import Raw, _MARK, dumps


def test_same_document_as_plain_json():
    xs, ys = [1.5, None, -2.25e-7, 3.0], [4.0, None, 5.5, 6.0]
    plain = {"data": [{"x": xs, "y": ys, "text": "Peñalolén<br>1.234"}, {"x": [1], "y": [2]}], "n": 3}
    kept = {"data": [{"x": Raw(xs), "y": Raw(ys), "text": "Peñalolén<br>1.234"}, {"x": Raw([1]), "y": [2]}], "n": 3}
    assert json.loads(dumps(kept)) == plain
    assert dumps(kept) == json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def test_other_objects_go_through_default():
    out = dumps({"d": dt.date(2026, 11, 25), "v": np.float64(2.5), "r": Raw([1, 2])},
                default=lambda o: o.isoformat() if isinstance(o, dt.date) else float(o))
    assert json.loads(out) == {"d": "2026-11-25", "v": 2.5, "r": [1, 2]}


def test_the_placeholder_in_the_data_does_not_confuse_it():
    obj = {"name": _MARK, "x": Raw([1, 2])}
    assert json.loads(dumps(obj)) == {"name": _MARK, "x": [1, 2]}
