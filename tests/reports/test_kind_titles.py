"""Every report kind's title reads in English for an English reader (the reports page and the cover)."""

from django.utils import translation

from observatorio.reports.kinds import registry


def test_every_kind_has_an_english_title():
    kinds = registry()
    assert {"boletin", "diagnostico", "vif", "drogas", "espacios", "perfiles", "derechos"} <= set(kinds)
    with translation.override("en"):
        untranslated = [k for k, m in kinds.items() if translation.gettext(m.TITLE) == m.TITLE]
    assert not untranslated, f"titles without English: {untranslated}"
