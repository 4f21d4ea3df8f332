"""The main points written from the figures: hand-written expected sentences in Spanish and English."""

from __future__ import annotations

import pytest

from observatorio.analysis.compare import Verdict
from observatorio.reports.sentences import (
    PER_100K,
    AreaContribution,
    Change,
    Rank,
    Ranked,
    Share,
    Subject,
    Total,
    change,
    concentration,
    p_text,
    percent,
    rank,
    share,
    significant,
    total,
)

ROBOS = Subject("los robos con violencia", "robberies with violence")
VIF = Subject("la violencia intrafamiliar", "domestic violence", plural=False)
CASOS = Subject("los casos policiales", "police cases")
MACRO = [AreaContribution("el macrosector Oriente", -120), AreaContribution("el macrosector Centro", -40),
         AreaContribution("el macrosector Norte", -10), AreaContribution("el macrosector Sur", -5),
         AreaContribution("el macrosector Poniente", 2)]

CHANGES = [
    (Change(ROBOS, 1061, 1234, 0.004, Verdict.DOWN, "2025", "2024"),
     ["Los robos con violencia bajaron 14 % en 2025 respecto de 2024 (de 1.234 a 1.061 casos; p < 0,01)."],
     ["Robberies with violence fell by 14% in 2025 compared with 2024 (from 1,234 to 1,061 cases; p < 0.01)."]),
    (Change(VIF, 430, 500, 0.03, Verdict.DOWN, "2025", "2024"),
     ["La violencia intrafamiliar bajó 14 % en 2025 respecto de 2024 (de 500 a 430 casos; p = 0,03)."],
     ["Domestic violence fell by 14% in 2025 compared with 2024 (from 500 to 430 cases; p = 0.03)."]),
    (Change(VIF, 520, 500, 0.41, Verdict.NO_CHANGE, "2025", "2024"),
     ["La violencia intrafamiliar se mantuvo estable en 2025 respecto de 2024 (variación de +4 %, no significativa; "
      "p = 0,41)."],
     ["Domestic violence was stable in 2025 compared with 2024 (a change of +4%, not significant; p = 0.41)."]),
    (Change(ROBOS, 1380, 1200, 0.0004, Verdict.UP, "noviembre de 2025", "noviembre de 2024"),
     ["Los robos con violencia subieron 15 % en noviembre de 2025 respecto de noviembre de 2024 "
      "(de 1.200 a 1.380 casos; p < 0,001)."],
     ["Robberies with violence rose by 15% in noviembre de 2025 compared with noviembre de 2024 "
      "(from 1,200 to 1,380 cases; p < 0.001)."]),
    (Change(ROBOS, 1003, 1000, 0.95, Verdict.NO_CHANGE, "2025", "2024"),
     ["Los robos con violencia se mantuvieron estables en 2025 respecto de 2024 (variación de +0,3 %, no "
      "significativa; p = 0,95)."],
     ["Robberies with violence were stable in 2025 compared with 2024 (a change of +0.3%, not significant; "
      "p = 0.95)."]),
    (Change(VIF, 1, 1, 1.0, Verdict.NO_CHANGE, "2025", "2024"),
     ["La violencia intrafamiliar se mantuvo estable en 2025 respecto de 2024 (variación de 0 %, no significativa; "
      "p > 0,99)."],
     ["Domestic violence was stable in 2025 compared with 2024 (a change of 0%, not significant; p > 0.99)."]),
    (Change(ROBOS, 31.46, 36.61, 0.02, Verdict.DOWN, "2025", "2024", unit=PER_100K, digits=1),
     ["Los robos con violencia bajaron 14 % en 2025 respecto de 2024 (de 36,6 a 31,5 por 100.000 habitantes; "
      "p = 0,02)."],
     ["Robberies with violence fell by 14% in 2025 compared with 2024 (from 36.6 to 31.5 per 100,000 residents; "
      "p = 0.02)."]),
]


@pytest.mark.parametrize(("figure", "spanish", "english"), CHANGES)
def test_a_change_reads_as_hand_written(figure, spanish, english):
    assert change(figure, "es") == spanish
    assert change(figure, "en") == english


def test_a_significant_change_names_where_it_concentrates():
    figure = Change(ROBOS, 1061, 1234, 0.001, Verdict.DOWN, "2025", "2024", where=MACRO)
    assert change(figure, "es")[1] == "La baja se concentra en el macrosector Oriente (69 % de la disminución)."
    assert change(figure, "en")[1] == "The fall is concentrated in el macrosector Oriente (69% of the decrease)."


def test_a_rise_in_two_areas_is_named_with_and():
    where = [AreaContribution("La Faena", 50), AreaContribution("Lo Hermida", 40), AreaContribution("San Luis", 10),
             AreaContribution("Peñalolén Alto", 5), AreaContribution("Arrieta", 5)]
    figure = Change(ROBOS, 1110, 1000, 0.01, Verdict.UP, "2025", "2024", where=where)
    assert change(figure, "es")[1] == "El alza se concentra en La Faena y Lo Hermida (82 % del aumento)."
    assert change(figure, "en")[1] == "The rise is concentrated in La Faena and Lo Hermida (82% of the increase)."


def test_a_change_that_is_not_significant_says_nothing_of_where():
    figure = Change(ROBOS, 1061, 1234, 0.2, Verdict.NO_CHANGE, "2025", "2024", where=MACRO)
    assert len(change(figure, "es")) == 1


def test_a_spread_change_is_not_called_concentrated():
    even = [AreaContribution(f"UV {i}", -10) for i in range(1, 6)]
    assert concentration(-50, even) is None
    assert concentration(-175 + 2, MACRO) == (["el macrosector Oriente"], pytest.approx(120 / 175))
    offset = [AreaContribution("A", -200), AreaContribution("B", 100), AreaContribution("C", -5),
              AreaContribution("D", 5)]
    assert concentration(-100, offset) == (["A"], pytest.approx(200 / 205))  # of the decreases, not over 100 %


def test_a_hidden_area_is_never_named_and_stops_the_concentration_sentence():
    hidden_first = [AreaContribution("UV 3", -120, suppressed=True)] + MACRO[1:]
    assert concentration(-173, hidden_first) is None
    hidden_minor = MACRO[:3] + [AreaContribution("UV 9", -5, suppressed=True), MACRO[4]]
    assert concentration(-173, hidden_minor)[0] == ["el macrosector Oriente"]


def test_contributions_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="add up"):
        concentration(-100, MACRO)


@pytest.mark.parametrize(("p", "verdict", "alpha", "expected"), [
    (0.05, Verdict.DOWN, 0.05, False),  # the boundary is not significant: p < alpha, strictly
    (0.0499, Verdict.DOWN, 0.05, True),
    (0.05, Verdict.DOWN, 0.10, True),
    (0.009, Verdict.UP, 0.01, True),
    (0.01, Verdict.UP, 0.01, False),
    (0.001, Verdict.NO_CHANGE, 0.05, False),  # the test's verdict wins
])
def test_significance_boundaries(p, verdict, alpha, expected):
    assert significant(p, verdict, alpha) is expected


def test_p_equal_to_alpha_reads_stable_and_below_it_reads_a_fall():
    at = Change(VIF, 430, 500, 0.05, Verdict.DOWN, "2025", "2024")
    assert change(at, "es") == ["La violencia intrafamiliar se mantuvo estable en 2025 respecto de 2024 "
                                "(variación de -14 %, no significativa; p = 0,05)."]
    below = Change(VIF, 430, 500, 0.0499, Verdict.DOWN, "2025", "2024")
    assert change(below, "es")[0].startswith("La violencia intrafamiliar bajó 14 %")
    assert change(below, "es")[0].endswith("(de 500 a 430 casos; p < 0,05).")
    assert change(at, "es", alpha=0.1)[0].startswith("La violencia intrafamiliar bajó 14 %")


def test_an_unknown_alpha_or_language_is_refused():
    figure = Change(VIF, 430, 500, 0.05, Verdict.DOWN, "2025", "2024")
    with pytest.raises(ValueError, match="alpha"):
        change(figure, "es", alpha=1.5)
    with pytest.raises(ValueError, match="lang"):
        change(figure, "fr")


def test_a_verdict_against_the_numbers_is_refused():
    with pytest.raises(ValueError, match="disagrees"):
        change(Change(ROBOS, 1200, 1000, 0.001, Verdict.DOWN, "2025", "2024"), "es")


def test_from_zero_there_is_no_percentage():
    up = Change(VIF, 12, 0, 0.0002, Verdict.UP, "2025", "2024")
    assert change(up, "es") == ["La violencia intrafamiliar subió de 0 a 12 casos en 2025 respecto de 2024 "
                                "(p < 0,001)."]
    assert change(up, "en") == ["Domestic violence rose from 0 to 12 cases in 2025 compared with 2024 (p < 0.001)."]
    few = Change(ROBOS, 2, 0, 0.5, Verdict.NO_CHANGE, "2025", "2024")
    assert change(few, "es") == ["Los robos con violencia se mantuvieron estables en 2025 respecto de 2024 (de 0 a 2 "
                                 "casos, variación no significativa; p = 0,5)."]
    assert "%" not in change(few, "en")[0]
    none = Change(ROBOS, 0, 0, 1.0, Verdict.NO_CHANGE, "2025", "2024")
    assert change(none, "es") == ["Los robos con violencia no registraron casos en 2025 ni en 2024."]
    assert change(none, "en") == ["Robberies with violence recorded no cases in 2025 or in 2024."]


@pytest.mark.parametrize("figure", [
    Change(VIF, 3, 17, 0.002, Verdict.DOWN, "2025", "2024", suppressed=True),
    Change(VIF, None, 17, 0.002, Verdict.DOWN, "2025", "2024"),
    Change(VIF, 17, None, 0.002, Verdict.UP, "2025", "2024"),
])
def test_a_suppressed_change_names_no_number(figure):
    es, en = change(figure, "es"), change(figure, "en")
    assert es == ["Las cifras de la violencia intrafamiliar en 2025 y 2024 se reservan por las reglas de "
                  "confidencialidad; no se informa su variación."]
    assert en == ["The figures for domestic violence in 2025 and 2024 are withheld under the confidentiality rules; "
                  "their change is not reported."]
    for text in es + en:
        assert not any(d in text.replace("2025", "").replace("2024", "") for d in "0123456789")
        assert "menos de" not in text and "fewer than" not in text


def test_totals_singular_plural_and_reserved():
    assert total(Total(ROBOS, 1234, "2025"), "es") == "Los robos con violencia sumaron 1.234 casos en 2025."
    assert total(Total(VIF, 1, "2025"), "es") == "La violencia intrafamiliar sumó 1 caso en 2025."
    assert total(Total(VIF, 1, "2025"), "en") == "Domestic violence totalled 1 case in 2025."
    assert total(Total(VIF, 4, "2025", suppressed=True), "es") == (
        "La cifra de la violencia intrafamiliar en 2025 se reserva por las reglas de confidencialidad.")
    assert "4" not in total(Total(VIF, 4, "2025", suppressed=True), "en")


def test_a_ranking_leaves_out_hidden_areas():
    items = [Ranked("Lo Hermida", 280), Ranked("La Faena", 312), Ranked("UV 7", 3, suppressed=True),
             Ranked("San Luis", 240), Ranked("Arrieta", 100)]
    r = Rank(ROBOS, items, "2025")
    assert rank(r, "es") == ("Los robos con violencia registraron las cifras más altas en La Faena (312 casos), "
                             "Lo Hermida (280) y San Luis (240) en 2025.")
    assert rank(r, "en") == ("Robberies with violence were highest in La Faena (312 cases), Lo Hermida (280) and "
                             "San Luis (240) in 2025.")
    rates = Rank(VIF, [Ranked("La Faena", 1312.44)], "2025", unit=PER_100K, digits=1)
    assert rank(rates, "es") == ("La violencia intrafamiliar registró la cifra más alta en La Faena "
                                 "(1.312,4 por 100.000 habitantes) en 2025.")
    hidden = Rank(VIF, [Ranked("UV 7", 3, suppressed=True), Ranked("UV 8", None)], "2025")
    assert rank(hidden, "es") == ("Las cifras por área de la violencia intrafamiliar en 2025 se reservan por las "
                                  "reglas de confidencialidad.")


def test_a_share():
    sh = Share(ROBOS, CASOS, 1234, 5321, "2025")
    assert share(sh, "es") == "Los robos con violencia representaron el 23 % de los casos policiales en 2025 (1.234 de 5.321)."
    assert share(sh, "en") == "Robberies with violence made up 23% of police cases in 2025 (1,234 of 5,321)."
    hidden = Share(VIF, CASOS, 4, 5321, "2025", suppressed=True)
    assert share(hidden, "es") == ("La proporción de la violencia intrafamiliar en los casos policiales en 2025 se "
                                   "reserva por las reglas de confidencialidad.")


@pytest.mark.parametrize(("p", "es", "en"), [
    (0.0004, "p < 0,001", "p < 0.001"),
    (0.001, "p < 0,01", "p < 0.01"),
    (0.0312, "p = 0,031", "p = 0.031"),
    (0.03, "p = 0,03", "p = 0.03"),
    (0.0499, "p < 0,05", "p < 0.05"),
    (0.05, "p = 0,05", "p = 0.05"),
    (0.413, "p = 0,41", "p = 0.41"),
    (0.999, "p > 0,99", "p > 0.99"),
])
def test_p_values_as_a_bulletin_writes_them(p, es, en):
    assert (p_text(p, "es"), p_text(p, "en")) == (es, en)


@pytest.mark.parametrize(("value", "signed", "es", "en"), [
    (-14.2, False, "14 %", "14%"),
    (14.5, False, "14 %", "14%"),  # round half to even, as Python formats
    (4.4, True, "+4 %", "+4%"),
    (-4.6, True, "-5 %", "-5%"),
    (0.42, True, "+0,4 %", "+0.4%"),
    (0.0, True, "0 %", "0%"),
    (1234.0, False, "1.234 %", "1,234%"),
])
def test_percentages(value, signed, es, en):
    assert (percent(value, "es", signed), percent(value, "en", signed)) == (es, en)


# --- programme indicators ---------------------------------------------------------------------------------------


def test_tally_counts_only_indicators_with_a_target_and_data():
    from observatorio.reports import sentences as s

    assert s.tally(s.TargetTally(14, 5, 4, "2025"), "es") == (
        "De 23 indicadores con meta y datos en 2025, 14 la cumplen, 5 no la cumplen y 4 no son concluyentes "
        "(el intervalo incluye la meta).")
    assert s.tally(s.TargetTally(1, 1, 1, "2025"), "es").startswith("De 3 indicadores con meta y datos en 2025, "
                                                                     "1 la cumple, 1 no la cumple y 1 no es concluyente")
    assert s.tally(s.TargetTally(14, 5, 4, "2025"), "en").startswith("Of 23 indicators with a target and data in "
                                                                      "2025, 14 met it, 5 did not and 4 were not conclusive")
    assert s.tally(s.TargetTally(0, 0, 0, "2025"), "es") == "Ningún indicador con meta tiene datos en 2025."


def test_status_changes_in_both_languages():
    from observatorio.reports import sentences as s

    c = s.StatusChanges(2, 1, 0, "octubre de 2026", "septiembre de 2026")
    assert s.status_changes(c, "es") == ("3 indicadores de programas cambiaron de estado entre septiembre de 2026 y "
                                         "octubre de 2026: 2 mejoraron y 1 empeoró.")
    assert s.status_changes(s.StatusChanges(0, 0, 1, "b", "a"), "es").startswith("1 indicador de programas cambió")
    assert "changed status between a and b: 1 improved" in s.status_changes(s.StatusChanges(1, 0, 0, "b", "a"), "en")
    assert s.status_changes(s.StatusChanges(0, 0, 0, "b", "a"), "es") == \
        "Ningún indicador de programa cambió de estado entre a y b."


def test_displacement_claims_a_change_only_when_the_test_supports_it():
    from observatorio.reports import sentences as s

    down = s.displacement(s.Displacement("Barrio", -12.34, -20.0, -4.5, 0.003), "es")
    assert down.startswith("En la zona de Barrio hubo 12,3 eventos menos de lo esperable") and "p < 0,01" in down
    up = s.displacement(s.Displacement("Barrio", 12.0, 4.0, 20.0, 0.01), "en")
    assert "12.0 more events" in up
    flat = s.displacement(s.Displacement("Barrio", -30.0, -70.0, 10.0, 0.2), "es")
    assert "no difieren significativamente" in flat and "menos" not in flat
    hidden = s.displacement(s.Displacement("Barrio", -30.0, -70.0, 10.0, 0.2, suppressed=True), "es")
    assert hidden == "El análisis de impacto de Barrio se reserva por las reglas de confidencialidad."
    assert "30" not in hidden
