"""Shared fixtures of the programmes' tests: a unit with its people, and indicators built in one line."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def people(db):
    """The unit «seguridad» with its head (hilda) and member (mario); another unit's member (otto); an analyst
    (bob), an authority (ana, also listed as a member: authorities never enter), an administrator (alice)."""
    from observatorio.accounts.roles import Role
    from observatorio.accounts.setup import create_user
    from observatorio.programmes.models import Unit

    unit = Unit.objects.create(code="seguridad", name="Dirección de Seguridad")
    other = Unit.objects.create(code="dideco", name="DIDECO")
    users = {name: create_user(name, f"{name}-pass-123", role) for name, role in (
        ("hilda", Role.ANALYST), ("mario", Role.OPERATOR), ("otto", Role.OPERATOR), ("bob", Role.ANALYST),
        ("ana", Role.AUTHORITY), ("alice", Role.ADMIN))}
    unit.head.add(users["hilda"])
    unit.members.add(users["mario"], users["ana"])
    other.members.add(users["otto"])
    return {"unit": unit, "other": other, **users}


def make_indicator(unit, code="ind", **fields):
    from observatorio.programmes.models import Indicator

    defaults = dict(name=code, dimension="eficacia", scope="producto", unit_label="%", polarity="higher_is_better",
                    periodicity="mensual", numerator="ingresado", denominator="", kind="value")
    defaults.update(fields)
    return Indicator.objects.create(code=code, unit=unit, **defaults)


def month(year: int, m: int):
    from observatorio.programmes.periods import period_containing

    return period_containing("mensual", dt.date(year, m, 1))
