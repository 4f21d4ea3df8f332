"""Role × URL: every URL pattern of the project, asked by every persona, answers the status declared here.

The patterns are walked from the root URLconf (the admin's included); path parameters are filled with real ids
of the small demo (a batch, an area, an event…) and an upload sent by the 1461 operator. Each persona — an
anonymous visitor, alice the administrator, bob the analyst, olga the 1461 operator, ana the authority and
charlie with no role — asks with GET, and the status must be the one declared. A pattern that no declared URL
reaches fails the test: a new URL must be declared here, with who may open it.

Columns of every row: anonymous, alice, bob, olga, ana, charlie.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.records.test_web_support import token_of, web  # noqa: F401 - fixture

PERSONAS = ("anonymous", "alice", "bob", "olga", "ana", "charlie")

# Pages outside the admin. {token}: olga's upload; {batch}: a demo batch of the 1461 source; {area}: a UV.
PAGES = {
    "/cuenta/ingresar/": "200 200 200 200 200 200",
    "/cuenta/salir/": "405 405 405 405 405 405",  # POST only
    "/cuenta/contrasena/": "302 200 200 200 200 403",
    "/cuenta/contrasena/lista/": "302 200 200 200 200 403",
    "/cuenta/segundo-factor/": "302 200 200 200 200 403",
    "/cuenta/verificar/": "302 302 302 302 302 403",  # no device yet: sent to set one up
    "/auditoria/": "302 200 403 403 403 403",
    "/auditoria/registro.csv": "302 200 403 403 403 403",
    "/i18n/setlang/": "302 302 302 302 302 302",  # a GET goes back where it came from
    "/": "302 200 200 200 200 403",
    "/tablero/": "302 200 200 200 200 403",
    "/tablero/datos/resumen.json": "302 200 200 200 200 403",
    "/tablero/datos/categorias.csv": "302 200 200 200 200 403",
    "/tabla/": "302 200 200 200 200 403",
    "/tabla/datos.json": "302 200 200 200 200 403",
    "/tabla/datos.csv": "302 200 200 200 200 403",
    "/mapa/": "302 200 200 200 200 403",
    "/mapa/capa/coropletico-count.json": "302 200 200 200 200 403",
    "/mapa/capa/grupos.json": "302 200 200 200 200 403",  # counts per cell: for every role, small ones reserved
    "/mapa/capa/referencia-calles.json": "302 200 200 200 200 403",
    "/mapa/capa/actividades.json": "302 200 200 200 200 403",  # the programmes' own work: every role with the map
    "/mapa/capa/eventos.json": "302 200 200 200 403 403",  # single events: never to aggregate-only roles
    "/mapa/capa/eventos.geojson": "302 200 200 200 403 403",
    "/area/{area}/": "302 200 200 200 200 403",
    "/area/{area}/datos.csv": "302 200 200 200 200 403",
    "/fuentes/": "302 200 200 200 200 403",
    "/fuentes/datos.csv": "302 200 200 200 200 403",
    "/fuentes/conciliacion.csv": "302 200 200 200 200 403",
    "/datos/estado.json": "302 200 200 200 200 403",
    "/vistas/guardar/": "302 405 405 405 405 403",  # POST only
    # A saved view's link ({saved}: bob's) opens it for every role: a redirect to the page, which applies the role.
    "/vistas/{saved}/": "302 302 302 302 302 403",
    "/vistas/{saved_id}/borrar/": "302 405 405 405 405 403",  # POST only, the owner's
    "/cargas/": "302 200 200 200 403 403",
    "/cargas/nueva/": "302 200 200 200 403 403",
    # An upload belongs to whoever sent it (olga), administrators included.
    "/cargas/archivo/{token}/": "302 403 403 200 403 403",
    "/cargas/archivo/{token}/columnas/": "302 403 403 200 403 403",
    "/cargas/archivo/{token}/validar/": "302 405 405 405 403 403",  # POST only, for loaders
    "/cargas/archivo/{token}/progreso/": "302 403 403 302 403 403",
    "/cargas/archivo/{token}/progreso.json": "302 403 403 200 403 403",
    "/cargas/archivo/{token}/informe/": "302 403 403 302 403 403",
    "/cargas/archivo/{token}/equivalencias/": "302 405 405 405 403 403",
    "/cargas/archivo/{token}/importar/": "302 405 405 405 403 403",
    "/cargas/lote/{batch}/": "302 200 200 200 403 403",
    "/cargas/lote/{batch}/informe.csv": "302 200 200 200 403 403",
    "/cargas/lote/{batch}/revertir/": "302 200 200 200 403 403",  # the confirmation page; POST reverts
    # Programmes, indicators and goals: every reader; entry and approval are POST only (and the unit's).
    "/programas/": "302 200 200 200 200 403",
    "/programas/{programme_code}/": "302 200 200 200 200 403",
    # Activities and beneficiaries: POST only, by the programme's unit (and administrators).
    "/programas/{programme_code}/actividades/nueva/": "302 405 405 405 405 403",
    "/programas/{programme_code}/actividades/cargar/": "302 405 405 405 405 403",
    "/programas/{programme_code}/beneficiarios/cargar/": "302 405 405 405 405 403",
    # Each user's own alerts and subscriptions; the changes are POST only.
    "/avisos/": "302 200 200 200 200 403",
    "/avisos/leidos/": "302 405 405 405 405 403",
    "/avisos/{programmes.alert}/leido/": "302 405 405 405 405 403",
    "/avisos/suscribir/": "302 405 405 405 405 403",
    "/avisos/suscripciones/{programmes.subscription}/quitar/": "302 405 405 405 405 403",
    "/indicadores/{indicator_code}/": "302 200 200 200 200 403",
    "/indicadores/{indicator_code}/datos/": "302 200 200 200 200 403",
    "/indicadores/{indicator_code}/ingresar/": "302 405 405 405 405 403",
    "/mediciones/{programmes.measurement}/aprobar/": "302 405 405 405 405 403",
    "/mediciones/{programmes.measurement}/cerrar/": "302 405 405 405 405 403",
    "/mediciones/{programmes.measurement}/abrir/": "302 405 405 405 405 403",
    "/metas/{goal_year}/": "302 200 200 200 200 403",
    "/metas/{goal_year}/evaluacion/": "302 200 200 200 200 403",
    "/metas/{goal_year}/tablero/": "302 200 200 200 200 403",
    "/metas/{goal_year}/tablero/datos/": "302 200 200 200 200 403",
    "/metas/{goal_year}/tablero.pdf": "302 200 200 200 200 403",
    # Reports: analysts and administrators generate and read all; authorities read the public ones ({report} is
    # public); operators and users without a role have none.
    "/informes/": "302 200 200 403 200 403",
    "/informes/suscripcion/": "302 405 405 403 405 403",  # POST only
    "/informes/{report}/": "302 200 200 403 200 403",
    "/informes/{report}/avance.json": "302 200 200 403 200 403",
    "/informes/{report}/ver/": "302 200 200 403 200 403",
    "/informes/{report}/descargar/": "302 200 200 403 200 403",
    "/informes/{report_internal}/": "302 200 200 403 404 403",  # not public: not there for an authority
}

# The admin: only alice (staff) gets in; everyone else is sent to the admin's login.
OUT = "302 {} 302 302 302 302"
ADMIN_PAGES = {
    "/admin/": OUT.format(200),
    "/admin/login/": "200 302 200 200 200 200",  # a signed-in non-staff user is asked for a staff account
    "/admin/logout/": "302 405 302 302 302 302",  # POST only, for staff
    "/admin/password_change/": OUT.format(200),
    "/admin/password_change/done/": OUT.format(200),
    "/admin/autocomplete/": OUT.format(403),  # without its parameters
    "/admin/jsi18n/": OUT.format(200),
    "/admin/r/{content_type}/{user}/": OUT.format(404),  # User has no page on the site
    "/admin/records/": OUT.format(200),
    "/admin/auth/user/{user}/password/": OUT.format(200),  # an administrator sets another user's password
    "/admin/no-such-page/": "302 404 302 302 302 302",
    "/admin/otp_totp/totpdevice/{totp}/config/": OUT.format(403),  # secrets hidden even from administrators
    "/admin/otp_totp/totpdevice/{totp}/qrcode/": OUT.format(403),
}

# Every model in the admin, and what an administrator may do with its rows.
EDIT, READ_ONLY, NO_ADD = "edit", "read-only", "no-add"
ADMIN_MODELS = {
    "auth.group": EDIT, "auth.user": EDIT,
    "accounts.operatorscope": EDIT, "accounts.rolepolicy": EDIT,
    "territory.area": EDIT, "territory.boundary": EDIT, "territory.demography": EDIT,
    "territory.referencelayer": NO_ADD,  # imported by `territory reference`, seen and removed here
    "records.source": EDIT, "records.category": EDIT, "records.categorylabel": EDIT, "records.importbatch": EDIT,
    "records.event": EDIT, "records.place": EDIT, "records.aggregatecount": EDIT, "records.surveyresponse": EDIT,
    "records.dataversion": EDIT, "records.sourcemapping": EDIT, "records.eventrevision": EDIT,
    "records.countrevision": EDIT, "records.addresspoint": EDIT, "records.populationprojection": EDIT,
    "records.measure": EDIT, "records.keyfingerprint": READ_ONLY,
    "audit.auditentry": READ_ONLY,  # the trail: searched, never added to, changed or deleted here
    "axes.accessattempt": NO_ADD, "axes.accesslog": NO_ADD, "axes.accessfailurelog": NO_ADD,
    "otp_totp.totpdevice": EDIT,
    "programmes.unit": EDIT, "programmes.programme": EDIT, "programmes.objective": EDIT,
    "programmes.activity": EDIT, "programmes.beneficiary": EDIT, "programmes.indicator": EDIT,
    "programmes.target": EDIT, "programmes.measurement": EDIT,
    "programmes.measurementrevision": READ_ONLY,  # a measurement's history: written by its changes only
    "programmes.goal": EDIT, "programmes.subscription": EDIT, "programmes.alert": EDIT,
    "reports.reportrun": NO_ADD,  # made by `report` and /informes/, seen and removed here
    "reports.reportsubscription": EDIT,
    "reports.bulletindelivery": NO_ADD,  # written by `report schedule` when the mail is sent
}
ALICE = {  # alice's status on each admin page of a model, by kind
    EDIT: {"": 200, "add/": 200, "{pk}/change/": 200, "{pk}/delete/": 200, "{pk}/history/": 200, "{pk}/": 302},
    READ_ONLY: {"": 200, "add/": 403, "{pk}/change/": 200, "{pk}/delete/": 403, "{pk}/history/": 200, "{pk}/": 302},
    NO_ADD: {"": 200, "add/": 403, "{pk}/change/": 200, "{pk}/delete/": 200, "{pk}/history/": 200, "{pk}/": 302},
}


def _admin_model_pages():
    pages = {}
    for label, kind in ADMIN_MODELS.items():
        app, model = label.split(".")
        for suffix, status in ALICE[kind].items():
            pages[f"/admin/{app}/{model}/{suffix.replace('{pk}', '{' + label + '}')}"] = OUT.format(status)
    return pages


def declared() -> dict[str, tuple[int, ...]]:
    table = {**PAGES, **ADMIN_PAGES, **_admin_model_pages()}
    return {url: tuple(int(s) for s in row.split()) for url, row in table.items()}


def _join(first: str, second: str) -> str:
    """Routes joined as Django's resolver joins them (ResolverMatch.route)."""
    return second if not first else first + second.removeprefix("^")


def every_route(patterns=None, prefix="") -> list[str]:
    """The full route of every URL pattern of the project."""
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            routes += every_route(entry.url_patterns, _join(prefix, str(entry.pattern)))
        elif isinstance(entry, URLPattern):
            routes.append(_join(prefix, str(entry.pattern)))
    return routes


@pytest.fixture
def world(client, demo, personas, web):
    """The ids the URLs are filled with: the demo's rows, olga's upload, a TOTP device and an audit entry."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from observatorio.audit.record import record
    from observatorio.records.models import ImportBatch
    from observatorio.territory.models import Area

    client.force_login(personas["olga"])
    response = client.post("/cargas/nueva/", {"file": SimpleUploadedFile("f.csv", b"Folio;Fecha;Tipo\n1;05-01-2024;Ruidos\n"),
                                              "source": "1461"})
    client.logout()
    TOTPDevice.objects.create(user=personas["alice"], name="prueba", confirmed=False)
    from observatorio.dashboard.models import SavedView

    saved = SavedView.objects.create(owner=personas["bob"], name="Noches", page="board", query="hour_from=20&hour_to=6")
    record("descarga", user=personas["bob"], target="/fuentes/datos.csv")
    report, internal = _report_runs(personas)
    values = {
        "report": report, "report_internal": internal,
        "token": token_of(response),
        "batch": ImportBatch.objects.filter(source__code="1461").order_by("id").values_list("id", flat=True)[0],
        "area": Area.objects.filter(level="uv").order_by("id").values_list("id", flat=True)[0],
        "content_type": ContentType.objects.get_for_model(personas["bob"]).pk,
        "user": personas["bob"].pk,
        "totp": TOTPDevice.objects.values_list("id", flat=True)[0],
        "saved": saved.token, "saved_id": saved.pk,
    }
    missing = []
    for label in ADMIN_MODELS:
        model = apps.get_model(label)
        pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
        if pk is None:
            pk = _one_row(label, personas)
        if pk is None:
            missing.append(label)
        values[label] = pk
    assert not missing, f"no row to open for {missing}: add one in _one_row"
    from observatorio.programmes import models as programmes

    values["programme_code"] = programmes.Programme.objects.get(pk=values["programmes.programme"]).code
    values["indicator_code"] = programmes.Indicator.objects.get(pk=values["programmes.indicator"]).code
    values["goal_year"] = programmes.Goal.objects.get(pk=values["programmes.goal"]).year
    return values


def _report_runs(personas) -> tuple[int, int]:
    """Two finished runs of the bulletin, one public and one internal, with a small file each, and bob's
    subscription with one delivery (the admin's rows of the reports app)."""
    import datetime as dt
    from pathlib import Path

    from django.conf import settings

    from observatorio.reports.models import BulletinDelivery, ReportRun, ReportSubscription

    folder = Path(settings.DATA_DIR) / "reports"
    folder.mkdir(exist_ok=True)
    ids = []
    for public in (True, False):
        run = ReportRun.objects.create(kind="boletin", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
                                       format="pdf", public=public, created_by=personas["bob"], status="done",
                                       progress=100, file=f"matrix-{public}.pdf", data_version="1")
        (folder / run.file).write_bytes(b"%PDF-1.7\n%%EOF\n")
        ids.append(run.pk)
    ReportSubscription.objects.create(user=personas["bob"], language="es")
    BulletinDelivery.objects.create(user=personas["bob"], month=dt.date(2026, 10, 1), run_id=ids[1],
                                    address="bob@example.test")
    return ids[0], ids[1]


def _one_row(label, personas):
    """A row for the models the demo leaves empty."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.utils import timezone

    common = {"user_agent": "test", "ip_address": "10.0.0.1", "username": "bob", "http_accept": "*/*",
              "path_info": "/cuenta/ingresar/", "attempt_time": timezone.now()}
    from observatorio.records import models as records

    batch = records.ImportBatch.objects.order_by("id").first()
    if label == "records.sourcemapping":
        return records.SourceMapping.objects.create(source=batch.source, version=1, columns={}).pk
    if label == "records.eventrevision":
        return records.EventRevision.objects.create(event=records.Event.objects.order_by("id").first(), batch=batch,
                                                    previous={}).pk
    if label == "records.countrevision":
        count = records.AggregateCount.objects.order_by("id").first()
        return records.CountRevision.objects.create(count=count, batch=count.batch if hasattr(count, "batch") else batch,
                                                    previous_count=1).pk
    if label == "records.addresspoint":
        return records.AddressPoint.objects.create(street="Av. Grecia", street_normalised="avenida grecia",
                                                   street_core="grecia", number=1, lon=-70.55, lat=-33.48).pk
    if label == "records.keyfingerprint":
        return records.KeyFingerprint.objects.get_or_create(name="rut", defaults={"fingerprint": "0" * 16})[0].pk
    if label == "records.populationprojection":
        return records.PopulationProjection.objects.create(area_code="13122", year=2026, population=250_000).pk
    if label == "territory.referencelayer":
        from observatorio.territory.models import ReferenceLayer

        return ReferenceLayer.objects.create(name="Calles", kind="streets", geojson='{"type": "FeatureCollection", '
                                             '"features": []}').pk
    if label.startswith("programmes."):
        return _programme_rows(personas)[label]
    if label == "axes.accessattempt":
        return AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=1, **common).pk
    if label == "axes.accesslog":
        return AccessLog.objects.create(**common).pk
    if label == "axes.accessfailurelog":
        return AccessFailureLog.objects.create(locked_out=False, **common).pk
    return None


def _programme_rows(personas) -> dict[str, int]:
    """One row of every programmes model (when the demo has none), made once."""
    import datetime as dt

    from observatorio.programmes import models as p
    from observatorio.records.models import Measure

    unit = p.Unit.objects.first() or p.Unit.objects.create(code="seguridad", name="Dirección de Seguridad")
    programme = p.Programme.objects.first() or p.Programme.objects.create(
        code="prueba", name="Programa de prueba", unit=unit, start=dt.date(2025, 1, 1))
    objective = p.Objective.objects.first() or p.Objective.objects.create(
        programme=programme, level="proposito", statement="Reducir los robos")
    activity = p.Activity.objects.first() or p.Activity.objects.create(
        programme=programme, title="Charla", date=dt.date(2025, 3, 1), participants=12)
    person = p.Beneficiary.objects.first() or p.Beneficiary.objects.create(
        programme=programme, person_key="0" * 64, first_served=dt.date(2025, 3, 1))
    indicator = p.Indicator.objects.first() or p.Indicator.objects.create(
        code="prueba", name="Indicador de prueba", unit=unit, programme=programme, dimension="eficacia",
        scope="producto",
        unit_label="actividades", polarity="higher_is_better", numerator="actividades")
    target = p.Target.objects.first() or p.Target.objects.create(
        indicator=indicator, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31), value=10)
    measurement = p.Measurement.objects.first() or p.Measurement.objects.create(
        indicator=indicator, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 1, 31), numerator=3,
        origin="ingresada")
    revision = p.MeasurementRevision.objects.first() or p.MeasurementRevision.objects.create(
        measurement=measurement, action="ingreso", numerator=3, approval="ingresada")
    goal = p.Goal.objects.first() or p.Goal.objects.create(year=2025, code="meta-1", title="Meta", unit=unit)
    subscription = p.Subscription.objects.first() or p.Subscription.objects.create(
        user=personas["ana"], measure=Measure.objects.first())
    alert = p.Alert.objects.first() or p.Alert.objects.create(subscription=subscription, key="k", text="Aviso")
    rows = (unit, programme, objective, activity, person, indicator, target, measurement, revision, goal,
            subscription, alert)
    return {row._meta.label_lower: row.pk for row in rows}


def _browsers(users) -> dict[str, Client]:
    browsers = {who: Client() for who in PERSONAS}
    for who, browser in browsers.items():
        if who != "anonymous":
            browser.force_login(users[who])
    return browsers


def test_every_url_answers_every_persona_as_declared(world, personas):
    table = {_fill(url, world): row for url, row in declared().items()}
    reached = {resolve(url).route for url in table}
    undeclared = sorted(set(every_route()) - reached)
    assert not undeclared, "URL patterns no declared URL reaches (declare them in this file): " + ", ".join(undeclared)

    browsers, wrong = _browsers(personas), []
    for url, expected in table.items():
        got = tuple(browsers[who].get(url).status_code for who in PERSONAS)
        if got != expected:
            wrong.append(f'    "{url}": "{" ".join(map(str, got))}",  # declared {" ".join(map(str, expected))}')
    assert not wrong, "statuses differ from the table (anonymous alice bob olga ana charlie):\n" + "\n".join(wrong)


def _fill(url: str, values: dict) -> str:
    for key, value in values.items():
        url = url.replace("{" + key + "}", str(value))
    assert "{" not in url, f"{url}: a parameter the fixture does not fill"
    return url


def test_the_admin_models_are_all_declared():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), "declare every admin model (and what an administrator may do with it)"
