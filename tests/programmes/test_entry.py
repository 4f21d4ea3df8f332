"""The one writer of measurements: who may enter, approve, lock and unlock, the state machine, history and audit."""

from __future__ import annotations

import pytest

from observatorio.audit.models import AuditEntry
from observatorio.errors import UserError
from observatorio.programmes import entry
from observatorio.programmes.formulas import Sides
from observatorio.programmes.models import Approval, MeasurementRevision

from .conftest import make_indicator, month


@pytest.fixture
def share(people):
    return make_indicator(people["unit"], code="share", numerator="ingresado", denominator="ingresado",
                          kind="proportion", factor=100)


@pytest.mark.parametrize("who, enters, approves", [
    ("mario", True, False), ("hilda", True, True), ("alice", True, True),
    ("otto", False, False), ("bob", False, False), ("ana", False, False)])
def test_permissions_per_role_and_unit(people, share, who, enters, approves):
    user = people[who]
    assert entry.can_enter(user, share) is enters
    assert entry.can_approve(user, share) is approves
    if not enters:
        with pytest.raises(UserError, match="no puede ingresar"):
            entry.enter(share, month(2025, 1), None, 5, 10, user=user)


def test_state_machine_history_and_audit(people, share):
    jan = month(2025, 1)
    m = entry.enter(share, jan, None, 5, 10, user=people["mario"])
    m = entry.enter(share, jan, None, 6, 10, user=people["mario"], note="corregido")
    assert (m.numerator, m.denominator, m.approval, m.entered_by) == (6, 10, Approval.ENTERED, people["mario"])
    with pytest.raises(UserError, match="no puede aprobar"):
        entry.approve(m, user=people["mario"])
    with pytest.raises(UserError, match="no se puede cerrar"):
        entry.lock(m, user=people["hilda"])
    m = entry.approve(m, user=people["hilda"])
    assert m.approval == Approval.APPROVED and m.approved_by == people["hilda"]
    with pytest.raises(UserError, match="no se puede cambiar"):
        entry.enter(share, jan, None, 7, 10, user=people["hilda"])
    m = entry.lock(m, user=people["hilda"])
    with pytest.raises(UserError, match="no puede reabrir"):
        entry.unlock(m, user=people["hilda"])
    m = entry.unlock(m, user=people["alice"])
    assert m.approval == Approval.ENTERED and m.approved_by is None
    entry.enter(share, jan, None, 7, 10, user=people["mario"])
    actions = list(MeasurementRevision.objects.filter(measurement=m).values_list("action", flat=True))
    assert actions == ["ingreso", "correccion", "aprobacion", "cierre", "reapertura", "correccion"]
    assert AuditEntry.objects.filter(action="medicion").count() == 6
    assert set(AuditEntry.objects.filter(action="medicion").values_list("username", flat=True)) == {
        "mario", "hilda", "alice"}


@pytest.mark.parametrize("num, den, words", [
    (11, 10, "mayor que el denominador"), (-1, 10, "no puede ser negativo"), ("5", 10, "no es un número"),
    (float("nan"), 10, "no es un número")])
def test_bad_values_are_refused_and_nothing_is_written(people, share, num, den, words):
    with pytest.raises(UserError, match=words):
        entry.enter(share, month(2025, 2), None, num, den, user=people["mario"])
    assert not share.measurements.exists()


def test_computed_values_are_kept_without_a_user_and_never_over_an_approval(people):
    computed = make_indicator(people["unit"], code="calc", numerator="actividades")
    jan = month(2025, 1)
    m = entry.store_computed(computed, jan, None, Sides(4.0, 1.0, 3))
    assert (m.origin, m.entered_by, m.data_version) == ("calculada", None, 3)
    assert entry.store_computed(computed, jan, None, Sides(4.0, 1.0, 3)).revisions.count() == 1  # unchanged
    with pytest.raises(UserError, match="se calcula"):
        entry.enter(computed, jan, None, 9, None, user=people["alice"])
    entry.approve(m, user=people["hilda"])
    assert entry.store_computed(computed, jan, None, Sides(5.0, 1.0, 4)).numerator == 4.0
