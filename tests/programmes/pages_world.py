"""A small programmes world for the page tests: a unit with a member and a head, a programme with its logical
framework, an activity and two beneficiaries, an entered percentage indicator measured monthly last year (12
months, one far below the rest), a target per month, and a goal of last year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

# Successes out of 100 calls per month; November's 20 is a special cause against the other months' ~80.
SUCCESSES = [80, 82, 79, 81, 80, 83, 78, 80, 82, 81, 20, 80]
TARGET = 70.0


@dataclass
class World:
    year: int
    unit: object
    programme: object
    indicator: object
    goal: object
    member: object
    head: object


def build_world(personas) -> World:
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.programmes import entry
    from observatorio.programmes import models as p
    from observatorio.programmes.periods import periods_of

    year = timezone.localdate().year - 1
    member = create_user("mia", "mia-pass-123", Role.OPERATOR)
    head = create_user("hugo", "hugo-pass-123", Role.ANALYST)
    unit = p.Unit.objects.create(code="seguridad", name="Dirección de Seguridad")
    unit.members.add(member)
    unit.head.add(head)
    programme = p.Programme.objects.create(
        code="linea-1461", name="Línea 1461", unit=unit, start=dt.date(year - 2, 1, 1), budget=120_000_000,
        spent=90_500_000, target_population="Vecinos de la comuna", target_size=250_000)
    fin = p.Objective.objects.create(programme=programme, level="fin", statement="Mejorar la seguridad percibida",
                                     verification="Encuesta anual", assumptions="Se mantiene la dotación")
    purpose = p.Objective.objects.create(programme=programme, level="proposito", parent=fin,
                                         statement="Atender a tiempo los llamados")
    p.Activity.objects.create(programme=programme, component=purpose, title="Turno nocturno", date=dt.date(year, 3, 1),
                              participants=12)
    for key in ("a" * 64, "b" * 64):
        p.Beneficiary.objects.create(programme=programme, person_key=key, first_served=dt.date(year, 3, 1))
    indicator = p.Indicator.objects.create(
        code="llamados-a-tiempo", name="Llamados atendidos a tiempo", unit=unit, programme=programme,
        objective=purpose, dimension="eficacia", scope="producto", kind="proportion", numerator="ingresado",
        numerator_label="Llamados atendidos en menos de 15 min", denominator="ingresado",
        denominator_label="Llamados", factor=100, unit_label="%", polarity="higher_is_better",
        periodicity="mensual", baseline=75)
    for period, successes in zip(periods_of("mensual", year), SUCCESSES, strict=True):
        p.Target.objects.create(indicator=indicator, period_start=period.start, period_end=period.end, value=TARGET)
        entry.enter(indicator, period, None, successes, 100, user=member)
    goal = p.Goal.objects.create(year=year, code="meta-1461", title="Atender a tiempo", unit=unit)
    goal.indicators.add(indicator)
    return World(year, unit, programme, indicator, goal, member, head)
