"""The one writer of measurements: the web's form, the workbook import and ``indicators compute`` all go through it.

Who may do what (docs/decisions.md, "the approval of measurements"):

* enter or correct a value: a member or the head of the indicator's unit, or an administrator; authorities
  never (they read), nor analysts or operators of another unit;
* approve (ingresada → aprobada) and lock (aprobada → cerrada): the unit's head or an administrator;
* unlock (aprobada or cerrada → ingresada): administrators only.

Only a measurement in state *ingresada* can be changed; computed ones are written by :func:`store_computed`
(no user) unless a person has approved them. Every write leaves a :class:`MeasurementRevision` and an entry in
the audit trail (:func:`observatorio.audit.record.record`).
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils import timezone

from observatorio.accounts.roles import Role, user_roles
from observatorio.analysis.indicator import Kind
from observatorio.audit.models import Action
from observatorio.audit.record import record
from observatorio.errors import N_, Text, UserError

from .formulas import Sides
from .models import Approval, Measurement, MeasurementRevision, Origin, Term
from .periods import Period


def _is_admin(user) -> bool:
    return user is not None and Role.ADMIN in user_roles(user)


def _in_unit(user, unit, *, head: bool) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if unit.head.filter(pk=user.pk).exists():
        return True
    return not head and unit.members.filter(pk=user.pk).exists()


def can_enter(user, indicator) -> bool:
    """A member or head of the indicator's unit, or an administrator; an authority never."""
    if user is None or not user.is_authenticated:
        return False
    if _is_admin(user):
        return True
    if Role.AUTHORITY in user_roles(user):
        return False
    return _in_unit(user, indicator.unit, head=False)


def can_approve(user, indicator) -> bool:
    """The head of the indicator's unit, or an administrator."""
    if user is None or not user.is_authenticated:
        return False
    return _is_admin(user) or (Role.AUTHORITY not in user_roles(user) and _in_unit(user, indicator.unit, head=True))


def _area_id(area):
    return getattr(area, "pk", area)


def _where(indicator, period: Period, area) -> str:
    return f"{indicator.code} · {period.label()}" + ("" if area is None else f" · área {_area_id(area)}")


def _find(indicator, period: Period, area):
    rows = Measurement.objects.select_for_update().filter(indicator=indicator, period_start=period.start,
                                                          period_end=period.end)
    area_id = _area_id(area)
    return (rows.filter(area_id=area_id) if area_id is not None else rows.filter(area__isnull=True)).first()


def check_values(indicator, numerator, denominator) -> None:
    """The values' own rules: numbers, no negative counts, a share's numerator not above its denominator."""
    for name, value in ((N_("numerador"), numerator), (N_("denominador"), denominator)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(float(value)):
            raise UserError(N_("el %(side)s %(value)s no es un número: escriba una cifra como 12 o 12,5"),
                            side=Text(name), value=repr(value))
    kind = Kind(indicator.kind)
    if kind in (Kind.RATE, Kind.PROPORTION):
        for name, value in ((N_("numerador"), numerator), (N_("denominador"), denominator)):
            if value is not None and value < 0:
                raise UserError(N_("el %(side)s es %(value)s: un conteo no puede ser negativo"), side=Text(name),
                                value=f"{value:g}")
    if kind is Kind.PROPORTION and numerator is not None and denominator is not None and numerator > denominator:
        raise UserError(N_("el numerador (%(num)s) es mayor que el denominador (%(den)s): en una proporción los casos "
                           "que cumplen no pueden ser más que el total; revise ambos"),
                        num=f"{numerator:g}", den=f"{denominator:g}")


def _revise(m: Measurement, action: str, user, note: str = "") -> None:
    MeasurementRevision.objects.create(measurement=m, action=action, numerator=m.numerator,
                                       denominator=m.denominator, approval=m.approval, note=note, user=user)
    record(Action.MEASUREMENT, user=user, target=str(m)[:300],
           detail={"accion": action, "indicador": m.indicator.code, "desde": m.period_start.isoformat(),
                   "hasta": m.period_end.isoformat(), "area": m.area_id, "numerador": m.numerator,
                   "denominador": m.denominator, "estado": m.approval})


@transaction.atomic
def enter(indicator, period: Period, area, numerator, denominator, *, user, note: str = "",
          origin: str = Origin.ENTERED) -> Measurement:
    """Enter (or correct) the values of one period and area. Only sides the unit enters are taken."""
    if not can_enter(user, indicator):
        raise UserError(N_("%(user)s no puede ingresar mediciones de «%(indicator)s»: solo lo hacen los integrantes "
                           "de la unidad %(unit)s y los administradores"),
                        user=getattr(user, "username", "—"), indicator=indicator.name, unit=indicator.unit.name)
    if Term.ENTERED not in (indicator.numerator, indicator.denominator):
        raise UserError(N_("«%(indicator)s» se calcula con los datos del observatorio: no se ingresa a mano"),
                        indicator=indicator.name)
    if indicator.numerator != Term.ENTERED:
        numerator = None
    if indicator.denominator != Term.ENTERED:
        denominator = None
    check_values(indicator, numerator, denominator)
    m = _find(indicator, period, area)
    if m is not None and m.approval != Approval.ENTERED:
        raise UserError(N_("la medición %(where)s está %(state)s: no se puede cambiar (un administrador puede "
                           "reabrirla)"), where=_where(indicator, period, area), state=m.get_approval_display())
    action = "ingreso" if m is None else "correccion"
    if m is None:
        m = Measurement(indicator=indicator, period_start=period.start, period_end=period.end,
                        area_id=_area_id(area))
    m.numerator, m.denominator, m.note = numerator, denominator, note
    m.origin, m.entered_by = origin, user
    m.save()
    _revise(m, action, user, note)
    return m


def _transition(m: Measurement, user, *, allowed, wanted: str, source: tuple, action: str) -> Measurement:
    if not allowed:
        raise UserError(N_("%(user)s no puede %(action)s la medición %(where)s"),
                        user=getattr(user, "username", "—"), action=action,
                        where=_where(m.indicator, Period(m.period_start, m.period_end), m.area_id))
    if m.approval not in source:
        raise UserError(N_("la medición %(where)s está %(state)s: no se puede %(action)s"),
                        where=_where(m.indicator, Period(m.period_start, m.period_end), m.area_id),
                        state=m.get_approval_display(), action=action)
    return m


@transaction.atomic
def approve(measurement: Measurement, *, user) -> Measurement:
    """ingresada → aprobada, by the unit's head or an administrator."""
    m = Measurement.objects.select_for_update().get(pk=measurement.pk)
    _transition(m, user, allowed=can_approve(user, m.indicator), wanted=Approval.APPROVED,
                source=(Approval.ENTERED,), action=Text(N_("aprobar")))
    if m.numerator is None:
        raise UserError(N_("la medición %(where)s no tiene valores: ingréselos antes de aprobarla"),
                        where=_where(m.indicator, Period(m.period_start, m.period_end), m.area_id))
    m.approval, m.approved_by, m.approved_at = Approval.APPROVED, user, timezone.now()
    m.save()
    _revise(m, "aprobacion", user)
    return m


@transaction.atomic
def lock(measurement: Measurement, *, user) -> Measurement:
    """aprobada → cerrada, by the unit's head or an administrator."""
    m = Measurement.objects.select_for_update().get(pk=measurement.pk)
    _transition(m, user, allowed=can_approve(user, m.indicator), wanted=Approval.LOCKED,
                source=(Approval.APPROVED,), action=Text(N_("cerrar")))
    m.approval = Approval.LOCKED
    m.save()
    _revise(m, "cierre", user)
    return m


@transaction.atomic
def unlock(measurement: Measurement, *, user) -> Measurement:
    """aprobada or cerrada → ingresada, by an administrator only."""
    m = Measurement.objects.select_for_update().get(pk=measurement.pk)
    _transition(m, user, allowed=_is_admin(user), wanted=Approval.ENTERED,
                source=(Approval.APPROVED, Approval.LOCKED), action=Text(N_("reabrir")))
    m.approval, m.approved_by, m.approved_at = Approval.ENTERED, None, None
    m.save()
    _revise(m, "reapertura", user)
    return m


@transaction.atomic
def store_computed(indicator, period: Period, area, sides: Sides) -> Measurement | None:
    """Keep a computed measurement (origin *calculada*, no user). An approved or locked one is left as it is
    (returned unchanged); an unchanged one is not rewritten (no revision)."""
    m = _find(indicator, period, area)
    if m is not None and m.approval != Approval.ENTERED:
        return m
    if m is not None and (m.numerator, m.denominator, m.data_version) == (sides.numerator, sides.denominator,
                                                                          sides.data_version):
        return m
    action = "calculo" if m is None else "recalculo"
    if m is None:
        m = Measurement(indicator=indicator, period_start=period.start, period_end=period.end,
                        area_id=_area_id(area))
    m.numerator, m.denominator, m.data_version = sides.numerator, sides.denominator, sides.data_version
    m.origin, m.entered_by = Origin.COMPUTED, None
    m.save()
    _revise(m, action, None)
    return m
