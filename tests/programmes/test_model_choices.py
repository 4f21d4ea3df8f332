"""The programmes' models spell out analysis.indicator's enums (so that django.setup() imports no SciPy)."""

from observatorio.analysis.indicator import Kind, Polarity
from observatorio.programmes import models


def test_the_kinds_and_polarities_are_the_analysis_enums():
    assert models.KINDS == tuple(k.value for k in Kind)
    assert models.POLARITIES == tuple(p.value for p in Polarity)
    assert [c for c, _ in models.Indicator._meta.get_field("kind").choices] == list(models.KINDS)
    assert [c for c, _ in models.Indicator._meta.get_field("polarity").choices] == list(models.POLARITIES)
