"""Who may use each import page: every view, every persona, and other sources' uploads and batches."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from observatorio.records.models import Event, ImportBatch, Source
from observatorio.records.web import views
from tests.records.test_web_support import login, token_of, web  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

CSV_1461 = b"Folio;Fecha;Tipo\n1;05-01-2024;Ruidos molestos\n"
CSV_VIF = b"Folio;Fecha;Tipo\n1;05-01-2024;Violencia intrafamiliar\n"


def _upload(client, user, source, content):
    login(client, user)
    token = token_of(client.post("/cargas/nueva/", {"file": SimpleUploadedFile("f.csv", content), "source": source}))
    client.logout()
    return token


@pytest.fixture
def world(client, web, personas):
    """Bob's VIF upload and batch, Olga's 1461 upload and batch."""
    vif = Source.objects.create(code="vif", name="Programa VIF", kind="vif")
    call_centre = Source.objects.get(code="1461")
    return {
        "vif_token": _upload(client, "bob", "vif", CSV_VIF),
        "own_token": _upload(client, "olga", "1461", CSV_1461),
        "vif_batch": ImportBatch.objects.create(source=vif, file_name="vif.csv", status="committed").id,
        "own_batch": ImportBatch.objects.create(source=call_centre, file_name="1461.csv", status="committed").id,
    }


def _urls(token, batch):
    """(method, url) of every import view on one upload and one batch."""
    return [
        ("get", "/cargas/"), ("get", "/cargas/nueva/"),
        ("get", f"/cargas/archivo/{token}/"), ("get", f"/cargas/archivo/{token}/columnas/"),
        ("post", f"/cargas/archivo/{token}/columnas/"), ("post", f"/cargas/archivo/{token}/validar/"),
        ("get", f"/cargas/archivo/{token}/progreso/"), ("get", f"/cargas/archivo/{token}/progreso.json"),
        ("get", f"/cargas/archivo/{token}/informe/"), ("post", f"/cargas/archivo/{token}/equivalencias/"),
        ("post", f"/cargas/archivo/{token}/importar/"),
        ("get", f"/cargas/lote/{batch}/"), ("get", f"/cargas/lote/{batch}/informe.csv"),
        ("get", f"/cargas/lote/{batch}/revertir/"), ("post", f"/cargas/lote/{batch}/revertir/"),
    ]


def test_every_import_view_is_for_loaders_only():
    from django.urls import resolve, reverse

    from observatorio.accounts.roles import Role
    from observatorio.records.web.urls import urlpatterns

    assert len(urlpatterns) == len(_urls("t", 1)) - 2  # every view appears in _urls (two with GET and POST)
    for pattern in urlpatterns:
        view = resolve(reverse(f"cargas:{pattern.name}", kwargs=_kwargs(pattern.name))).func
        name = pattern.name
        assert set(view.allowed_roles) == {Role.ADMIN, Role.ANALYST, Role.OPERATOR}, name
    assert views.history.allowed_roles == views.LOADER_ROLES


def _kwargs(name):
    if name in ("history", "upload"):
        return {}
    if name == "batch_report":
        return {"batch_id": 1, "fmt": "csv"}
    if name in ("batch", "rollback"):
        return {"batch_id": 1}
    return {"token": "abc"}


def test_anonymous_visitors_are_sent_to_login(client, world):
    for method, url in _urls(world["vif_token"], world["vif_batch"]):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/cuenta/ingresar/?next="), url


@pytest.mark.parametrize("name", ["ana", "charlie"], ids=["authority", "no-role"])
def test_authority_and_users_without_a_role_get_403_everywhere(client, world, name):
    login(client, name)
    for token, batch in ((world["vif_token"], world["vif_batch"]), (world["own_token"], world["own_batch"])):
        for method, url in _urls(token, batch):
            assert getattr(client, method)(url).status_code == 403, url
    response = client.post("/cargas/nueva/", {"file": SimpleUploadedFile("f.csv", CSV_1461), "source": "1461"})
    assert response.status_code == 403


def test_the_1461_operator_gets_403_on_another_sources_upload_and_batch(client, world):
    login(client, "olga")
    shared = {"/cargas/", "/cargas/nueva/"}
    for method, url in _urls(world["vif_token"], world["vif_batch"]):
        if url not in shared:
            assert getattr(client, method)(url).status_code == 403, url
    response = client.post("/cargas/nueva/", {"file": SimpleUploadedFile("f.csv", CSV_VIF), "source": "vif"})
    assert response.status_code == 403
    assert ImportBatch.objects.filter(source__code="vif").count() == 1 and Event.objects.count() == 0

    form = client.get("/cargas/nueva/").context["form"]
    assert [s.code for s in form.fields["source"].queryset] == ["1461"]
    history = client.get("/cargas/")
    assert [b.id for b in history.context["page"]] == [world["own_batch"]]
    assert [s.code for s in history.context["sources"]] == ["1461"]
    assert list(client.get("/cargas/?fuente=vif").context["page"]) == []  # filtered within her scope


def test_the_1461_operator_works_on_her_own_upload_and_batch(client, world):
    login(client, "olga")
    token, batch = world["own_token"], world["own_batch"]
    for url in (f"/cargas/archivo/{token}/", f"/cargas/archivo/{token}/columnas/", f"/cargas/lote/{batch}/",
                f"/cargas/lote/{batch}/informe.csv", f"/cargas/lote/{batch}/revertir/"):
        assert client.get(url).status_code == 200, url
    assert client.post(f"/cargas/archivo/{token}/validar/").status_code == 302
    assert client.get(f"/cargas/archivo/{token}/informe/").status_code == 200
    # Mapping labels onto the category tree stays with the analysts.
    assert client.post(f"/cargas/archivo/{token}/equivalencias/").status_code == 403


def test_an_upload_belongs_to_whoever_sent_it(client, world):
    login(client, "bob")  # an analyst may load 1461, but this file is Olga's
    assert client.get(f"/cargas/archivo/{world['own_token']}/").status_code == 403
    assert client.get(f"/cargas/lote/{world['own_batch']}/").status_code == 200
    assert client.get("/cargas/archivo/no-such-token/").status_code == 404
    assert client.get("/cargas/archivo/..%2F..%2Fetc/").status_code == 404


def test_admin_sees_every_sources_batches(client, world):
    login(client, "alice")
    assert {b.id for b in client.get("/cargas/").context["page"]} == {world["vif_batch"], world["own_batch"]}
    assert client.get(f"/cargas/lote/{world['vif_batch']}/").status_code == 200


def test_the_nav_link_shows_only_to_loaders(client, world):
    for name, shown in (("olga", True), ("bob", True), ("ana", False)):
        login(client, name)
        assert ('href="/cargas/"' in client.get("/").content.decode()) is shown, name
        client.logout()
