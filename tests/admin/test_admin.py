"""Administration pages: admins only; accounts and organizations through real forms (CSRF on)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from gore_tracker.extensions import db
from gore_tracker.organizations import operations as orgs
from gore_tracker.organizations.models import Organization
from gore_tracker.users import operations as users
from gore_tracker.users.models import User
from tests.conftest import csrf_from

ADMIN_GETS = ["/admin/usuarios", "/admin/usuarios/nuevo", "/admin/usuarios/{user_id}", "/admin/entidades",
              "/admin/entidades/nueva", "/admin/entidades/{org_id}"]
ADMIN_POSTS = ["/admin/usuarios/nuevo", "/admin/usuarios/{user_id}", "/admin/usuarios/{user_id}/contrasena",
               "/admin/entidades/nueva", "/admin/entidades/{org_id}"]
NON_ADMINS = [("coordinator", None), ("liaison", "MINSA"), ("regional_officer", "Cusco"), ("viewer", None)]


def error_beside(html: str, field: str) -> str:
    """The message shown beside ``field`` (the ui.field macro's invalid-feedback)."""
    match = re.search(rf'<div class="invalid-feedback" id="{field}-err">([^<]*)</div>', html)
    assert match, f"no error beside {field}"
    return match.group(1)


def post_form(client, url: str, data: dict, *, form_url: str | None = None):
    page = client.get(form_url or url)
    assert page.status_code == 200
    return client.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **data})


@pytest.fixture
def admin(make, login_as):
    return login_as(make.user("admin", email="admin@example.pe", name="Administradora"))


@pytest.fixture
def unit(app):
    org = orgs.create_organization(kind="unit", name="PRONIS", code="PRONIS", parent=orgs.find_sector("MINSA"))
    db.session.commit()
    return org


@pytest.mark.parametrize(("role", "org"), NON_ADMINS)
def test_every_admin_page_is_forbidden_to_other_roles(client, make, login_as, unit, role, org):
    target = make.user("viewer")
    login_as(make.user(role, org))
    for url in ADMIN_GETS:
        response = client.get(url.format(user_id=target.id, org_id=unit.id))
        assert response.status_code == 403, url
    # With a valid CSRF token (the 403 page's sign-out form has one) the answer is still 403.
    token = csrf_from(response.get_data(as_text=True))
    for url in ADMIN_POSTS:
        response = client.post(url.format(user_id=target.id, org_id=unit.id), data={
            "csrf_token": token, "email": "intruso@example.pe", "name": "Intruso", "role": "admin",
            "org": "", "kind": "other", "password": "", "active": "y"})
        assert response.status_code == 403, url
    db.session.expire_all()
    assert db.session.get(User, target.id).role == "viewer"
    assert db.session.get(Organization, unit.id).name == "PRONIS"
    assert users.find_user("intruso@example.pe") is None
    assert orgs.find_org("Intruso") is None


def test_anonymous_is_sent_to_login(client, unit):
    for url in ADMIN_GETS:
        response = client.get(url.format(user_id=1, org_id=unit.id))
        assert response.status_code == 302 and "/login" in response.location, url


def test_users_list_filters_by_role_and_org_and_searches_ignoring_accents(client, admin, make):
    make.user("liaison", "MINSA", name="José Ñáñez Huamán", email="jose@minsa.gob.pe")
    make.user("regional_officer", "Cusco", name="Rosa Quispe", email="rosa@regioncusco.gob.pe")
    make.user("viewer", name="Pedro Ruiz", email="pedro@example.pe")

    html = client.get("/admin/usuarios").get_data(as_text=True)
    assert "José Ñáñez Huamán" in html and "Rosa Quispe" in html and "Pedro Ruiz" in html

    html = client.get("/admin/usuarios?q=jose+nanez").get_data(as_text=True)
    assert "José Ñáñez Huamán" in html and "Rosa Quispe" not in html
    html = client.get("/admin/usuarios?q=HUAMAN").get_data(as_text=True)
    assert "José Ñáñez Huamán" in html and "Pedro Ruiz" not in html
    html = client.get("/admin/usuarios?q=regioncusco").get_data(as_text=True)
    assert "Rosa Quispe" in html and "José" not in html

    html = client.get("/admin/usuarios?role=regional_officer").get_data(as_text=True)
    assert "Rosa Quispe" in html and "Pedro Ruiz" not in html
    cusco = orgs.find_region("Cusco")
    html = client.get(f"/admin/usuarios?org={cusco.id}").get_data(as_text=True)
    assert "Rosa Quispe" in html and "José" not in html
    # Nonsense filters are ignored, never a 500.
    assert client.get("/admin/usuarios?org=abc&role=jefe&page=x").status_code == 200


def test_create_liaison_with_password(client, admin, app):
    minsa = orgs.find_sector("MINSA")
    response = post_form(client, "/admin/usuarios/nuevo", {
        "email": "Carmen@Minsa.gob.pe", "name": "  Carmen   Quispe ", "role": "liaison",
        "org": str(minsa.id), "password": "clave-segura-123"})
    assert response.status_code == 302 and response.location.endswith("/admin/usuarios")
    user = users.find_user("carmen@minsa.gob.pe")
    assert user.name == "Carmen Quispe" and user.role == "liaison" and user.organization == minsa
    assert user.check_password("clave-segura-123")
    assert "Cuenta creada" in client.get("/admin/usuarios").get_data(as_text=True)


def test_create_with_generated_password_shows_it_once(client, admin, app):
    cusco = orgs.find_region("Cusco")
    response = post_form(client, "/admin/usuarios/nuevo", {
        "email": "oficial@cusco.gob.pe", "name": "Oficial Cusco", "role": "regional_officer",
        "org": str(cusco.id), "password": ""})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    password = re.search(r'id="generated-password" type="text"\s+value="([^"]+)"', html).group(1)
    user = users.find_user("oficial@cusco.gob.pe")
    assert user.organization == cusco and user.check_password(password)
    # Not shown anywhere afterwards.
    assert password not in client.get(f"/admin/usuarios/{user.id}").get_data(as_text=True)
    assert password not in client.get("/admin/usuarios").get_data(as_text=True)
    # And the new account can sign in with it.
    with app.app_context():
        other = app.test_client()
        page = other.get("/login")
        signed_in = other.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                               "email": "oficial@cusco.gob.pe", "password": password})
        assert signed_in.status_code == 302


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"role": "liaison", "org": ""}, "org", "requiere un sector"),
    ({"role": "liaison", "org": "CUSCO"}, "org", "requiere un sector"),
    ({"role": "regional_officer", "org": "MINSA"}, "org", "requiere un gobierno regional"),
    ({"role": "viewer", "org": "", "email": "no-es-correo"}, "email", "Correo no válido"),
    ({"role": "viewer", "org": "", "email": "existe@example.pe"}, "email", "Ya existe una cuenta"),
    ({"role": "viewer", "org": "", "password": "corta"}, "password", "al menos 12"),
    ({"role": "viewer", "org": "", "name": ""}, "name", "Ingrese el nombre"),
    ({"role": "jefe", "org": ""}, "role", ""),
    ({"role": "viewer", "org": "999999"}, "org", ""),
])
def test_create_user_errors_are_shown_beside_the_field(client, admin, make, data, field, message):
    make.user("viewer", email="existe@example.pe")
    ids = {"CUSCO": str(orgs.find_region("Cusco").id), "MINSA": str(orgs.find_sector("MINSA").id)}
    form = {"email": "nueva@example.pe", "name": "Nueva Persona", "password": "", **data}
    form["org"] = ids.get(form["org"], form["org"])
    before = db.session.scalar(select(func.count(User.id)))
    response = post_form(client, "/admin/usuarios/nuevo", form)
    assert response.status_code == 422
    assert message in error_beside(response.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count(User.id))) == before


def test_form_without_csrf_token_is_refused(client, admin):
    response = client.post("/admin/usuarios/nuevo", data={
        "email": "sin-token@example.pe", "name": "Sin Token", "role": "viewer", "org": ""})
    assert response.status_code == 400
    assert users.find_user("sin-token@example.pe") is None


def test_edit_user_role_organization_and_active(client, admin, make, app):
    user = make.user("viewer", email="cambia@example.pe", name="Persona Cambia")
    puno = orgs.find_region("Puno")
    url = f"/admin/usuarios/{user.id}"
    response = post_form(client, url, {"name": "Persona Cambiada", "role": "regional_officer",
                                       "org": str(puno.id), "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.role, user.organization, user.active) == ("Persona Cambiada", "regional_officer",
                                                                      puno, True)
    # Deactivate (checkbox absent): the account can no longer sign in.
    response = post_form(client, url, {"name": "Persona Cambiada", "role": "regional_officer",
                                       "org": str(puno.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    with app.app_context():
        other = app.test_client()
        page = other.get("/login")
        refused = other.post("/login", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                             "email": "cambia@example.pe", "password": "correct-horse-battery"})
        assert refused.status_code == 200 and "incorrectos" in refused.get_data(as_text=True)


def test_edit_user_rejects_bad_org_beside_the_field(client, admin, make):
    user = make.user("viewer")
    response = post_form(client, f"/admin/usuarios/{user.id}", {
        "name": user.name, "role": "liaison", "org": "", "active": "y"})
    assert response.status_code == 422
    assert "requiere un sector" in error_beside(response.get_data(as_text=True), "org")
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "viewer"


def test_admin_cannot_lock_themselves_out(client, admin):
    url = f"/admin/usuarios/{admin.id}"
    response = post_form(client, url, {"name": admin.name, "role": "viewer", "org": "", "active": "y"})
    assert response.status_code == 422
    assert "rol de administrador" in error_beside(response.get_data(as_text=True), "role")
    response = post_form(client, url, {"name": admin.name, "role": "admin", "org": ""})
    assert response.status_code == 422
    assert "No puede desactivar su propia cuenta" in response.get_data(as_text=True)
    db.session.expire_all()
    me = db.session.get(User, admin.id)
    assert me.role == "admin" and me.active


def test_unknown_user_is_404(client, admin):
    assert client.get("/admin/usuarios/999999").status_code == 404


def test_reset_password_generated_and_chosen(client, admin, make):
    user = make.user("viewer")
    url = f"/admin/usuarios/{user.id}/contrasena"
    response = post_form(client, url, {"password": ""}, form_url=f"/admin/usuarios/{user.id}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="generated-password" type="text"\s+value="([^"]+)"',
                         response.get_data(as_text=True)).group(1)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(password)

    response = post_form(client, url, {"password": "corta"}, form_url=f"/admin/usuarios/{user.id}")
    assert response.status_code == 422
    assert "al menos 12" in error_beside(response.get_data(as_text=True), "password")

    response = post_form(client, url, {"password": "otra-clave-larga"}, form_url=f"/admin/usuarios/{user.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password("otra-clave-larga")


def test_organizations_list_shows_reference_and_added(client, admin, unit):
    html = client.get("/admin/entidades").get_data(as_text=True)
    assert "Amazonas" in html and "PRONIS" in html
    assert "<strong>46</strong>" in html  # 26 regions + 19 sectors + the unit
    html = client.get("/admin/entidades?kind=unit").get_data(as_text=True)
    assert "PRONIS" in html and "Amazonas" not in html
    html = client.get("/admin/entidades?q=apurimac").get_data(as_text=True)
    assert "Apurímac" in html and "Amazonas" not in html


def test_create_municipality_and_unit(client, admin):
    response = post_form(client, "/admin/entidades/nueva", {
        "kind": "municipality", "name": "Municipalidad Provincial de Espinar", "code": "", "official_name": "",
        "parent_id": "", "aliases": "MPE|Muni Espinar"})
    assert response.status_code == 302
    muni = orgs.find_org("muni espinar")
    assert muni is not None and muni.kind == "municipality" and muni.parent is None

    minsa = orgs.find_sector("MINSA")
    response = post_form(client, "/admin/entidades/nueva", {
        "kind": "unit", "name": "OPMI del MINSA", "code": "OPMI", "official_name":
        "Oficina de Programación Multianual de Inversiones", "parent_id": str(minsa.id), "aliases": ""})
    assert response.status_code == 302
    opmi = orgs.find_org("OPMI")
    assert opmi.kind == "unit" and opmi.parent == minsa


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "unit", "name": "PRONIED", "parent_id": ""}, "parent_id", "debe pertenecer a un sector"),
    ({"kind": "unit", "name": "PRONIED", "parent_id": "CUSCO"}, "parent_id", "debe pertenecer a un sector"),
    ({"kind": "unit", "name": "pronis", "parent_id": "MINSA"}, "name", "Ya existe una entidad"),
    ({"kind": "unit", "name": "Otro", "code": "PRONIS", "parent_id": "MINSA"}, "code", "esa sigla"),
    ({"kind": "unit", "name": "   ", "parent_id": "MINSA"}, "name", ""),
    ({"kind": "region", "name": "Nueva Región", "parent_id": ""}, "kind", ""),
])
def test_create_organization_errors_beside_the_field(client, admin, unit, data, field, message):
    ids = {"CUSCO": str(orgs.find_region("Cusco").id), "MINSA": str(orgs.find_sector("MINSA").id), "": ""}
    form = {"code": "", "official_name": "", "aliases": "", **data}
    form["parent_id"] = ids[form["parent_id"]]
    before = db.session.scalar(select(func.count(Organization.id)))
    response = post_form(client, "/admin/entidades/nueva", form)
    assert response.status_code == 422
    assert message in error_beside(response.get_data(as_text=True), field)
    assert db.session.scalar(select(func.count(Organization.id))) == before


def test_edit_organization(client, admin, unit):
    minsa = orgs.find_sector("MINSA")
    url = f"/admin/entidades/{unit.id}"
    response = post_form(client, url, {"name": "PRONIS", "code": "PRONIS",
                                       "official_name": "Programa Nacional de Inversiones en Salud",
                                       "parent_id": str(minsa.id), "aliases": "Programa de Inversiones",
                                       "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    org = db.session.get(Organization, unit.id)
    assert org.official_name == "Programa Nacional de Inversiones en Salud"
    assert orgs.find_org("programa de inversiones") == org

    response = post_form(client, url, {"name": "PRONIS", "code": "PRONIS", "official_name": "",
                                       "parent_id": "", "aliases": "", "active": "y"})
    assert response.status_code == 422
    assert "debe pertenecer a un sector" in error_beside(response.get_data(as_text=True), "parent_id")


def test_reference_organizations_are_not_edited_here(client, admin):
    cusco = orgs.find_region("Cusco")
    response = client.get(f"/admin/entidades/{cusco.id}")
    assert response.status_code == 302
    assert "datos de referencia" in client.get(response.location).get_data(as_text=True)
    assert client.get("/admin/entidades/999999").status_code == 404
