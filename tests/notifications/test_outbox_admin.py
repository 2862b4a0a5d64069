"""The outbox pages (admins only): list by status with the error, one message, resend (CSRF on);
and the banner on every admin page when the scheduler's heartbeat is missing or stale."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gore_tracker.db import utcnow
from gore_tracker.extensions import db
from gore_tracker.notifications import outbox
from gore_tracker.notifications.models import OutboxMessage, OutboxStatus, SchedulerHeartbeat
from gore_tracker.scheduler import heartbeat
from tests.conftest import csrf_from

NON_ADMINS = [("coordinator", None), ("liaison", "MINSA"), ("regional_officer", "Cusco"), ("viewer", None)]
ADMIN_PAGES = ["/admin/usuarios", "/admin/usuarios/nuevo", "/admin/entidades", "/admin/entidades/nueva",
               "/admin/correo/", "/admin/correo/{id}"]
BANNER = "Los recordatorios no se están enviando"


def message(n: int = 1, *, status: str = OutboxStatus.PENDING, error: str | None = None,
            to: str | None = None) -> OutboxMessage:
    row = outbox.enqueue(key=f"admin-test:{n}", kind="reminder", user=None, to_email=to or f"p{n}@example.pe",
                         subject=f"[GORE Tracker] Cusco: {n} compromisos vencidos",
                         text_body=f"Hola:\nTiene {n} compromisos vencidos.\n", html_body="<p>Hola</p>")
    row.status = status
    row.last_error = error
    if status == OutboxStatus.SENT:
        row.sent_at, row.attempts = utcnow(), 1
    if status == OutboxStatus.FAILED:
        row.attempts = 6
    db.session.commit()
    return row


def ids_listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-message-id="(\d+)"', html)]


@pytest.fixture
def admin(make, login_as):
    return login_as(make.user("admin", email="admin@example.pe", name="Administradora"))


@pytest.mark.parametrize(("role", "org"), NON_ADMINS)
def test_outbox_pages_are_forbidden_to_other_roles(client, make, login_as, role, org):
    row = message(1, status=OutboxStatus.FAILED, error="550 Mailbox unavailable")
    login_as(make.user(role, org))
    for url in ("/admin/correo/", "/admin/correo/?estado=failed", f"/admin/correo/{row.id}"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert BANNER not in response.get_data(as_text=True)
    token = csrf_from(response.get_data(as_text=True))
    assert client.post(f"/admin/correo/{row.id}/reenviar", data={"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.FAILED


def test_anonymous_is_sent_to_login(client):
    row = message(1)
    for url in ("/admin/correo/", f"/admin/correo/{row.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    response = client.post(f"/admin/correo/{row.id}/reenviar")
    assert response.status_code in (302, 400)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.PENDING


def test_list_filters_by_status_and_shows_the_error(client, admin):
    pending = message(1)
    sent = message(2, status=OutboxStatus.SENT)
    failed = message(3, status=OutboxStatus.FAILED, error="Destinatario rechazado: p3@example.pe: 550 No such user")

    html = client.get("/admin/correo/").get_data(as_text=True)
    assert sorted(ids_listed(html)) == sorted([pending.id, sent.id, failed.id])
    assert 'data-count="failed">1<' in html and 'data-count="sent">1<' in html

    html = client.get("/admin/correo/?estado=failed").get_data(as_text=True)
    assert ids_listed(html) == [failed.id]
    assert "550 No such user" in html
    assert ids_listed(client.get("/admin/correo/?estado=sent").get_data(as_text=True)) == [sent.id]
    assert ids_listed(client.get("/admin/correo/?estado=pending").get_data(as_text=True)) == [pending.id]
    # An unknown status is ignored, not an error.
    response = client.get("/admin/correo/?estado=%3Cscript%3E&page=x")
    assert response.status_code == 200 and len(ids_listed(response.get_data(as_text=True))) == 3


def test_list_is_paginated(app, client, admin):
    app.config["PER_PAGE_DEFAULT"] = 2
    rows = [message(n) for n in range(1, 6)]
    first = ids_listed(client.get("/admin/correo/?estado=pending").get_data(as_text=True))
    third_html = client.get("/admin/correo/?estado=pending&page=3").get_data(as_text=True)
    third = ids_listed(third_html)
    assert len(first) == 2 and len(third) == 1
    assert "estado=pending" in third_html  # page links keep the filter
    second = ids_listed(client.get("/admin/correo/?estado=pending&page=2").get_data(as_text=True))
    assert sorted(first + second + third) == sorted(r.id for r in rows)


def test_message_detail_shows_headers_and_text(app, client, admin):
    row = message(4, status=OutboxStatus.FAILED, error="550 Mailbox unavailable: p4@example.pe")
    html = client.get(f"/admin/correo/{row.id}").get_data(as_text=True)
    assert row.message_id.replace("<", "&lt;").replace(">", "&gt;") in html
    assert "p4@example.pe" in html and row.subject in html
    assert "Tiene 4 compromisos vencidos." in html
    assert "550 Mailbox unavailable" in html
    assert app.config["MAIL_DEFAULT_SENDER"].replace("<", "&lt;").replace(">", "&gt;") in html
    assert "Reenviar" in html
    assert client.get("/admin/correo/999999").status_code == 404


def test_resend_needs_csrf_and_queues_the_same_message(client, admin, smtp_server, mail_config):
    row = message(5, status=OutboxStatus.FAILED, error="550 Mailbox unavailable")
    count = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    assert client.post(f"/admin/correo/{row.id}/reenviar").status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.FAILED

    page = client.get(f"/admin/correo/{row.id}").get_data(as_text=True)
    response = client.post(f"/admin/correo/{row.id}/reenviar", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.location.endswith(f"/admin/correo/{row.id}")
    db.session.expire_all()
    again = db.session.get(OutboxMessage, row.id)
    assert (again.status, again.attempts, again.last_error) == (OutboxStatus.PENDING, 0, None)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == count  # no copy
    html = client.get(response.location).get_data(as_text=True)
    assert "volverá a enviarse" in html
    assert "Reenviar" not in html  # pending: nothing to resend

    # Resending what is already queued changes nothing and says so.
    response = client.post(f"/admin/correo/{row.id}/reenviar", data={"csrf_token": csrf_from(page)},
                           follow_redirects=True)
    assert "ya está en cola" in response.get_data(as_text=True)

    assert outbox.dispatch(utcnow()).sent == 1
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]


def test_eml_messages_are_listed_as_sent(app, client, admin, tmp_path):
    app.config.update(MAIL_SERVER="", MAIL_DIR=str(tmp_path / "eml"))
    row = message(6)
    outbox.dispatch(utcnow())
    assert len(list((tmp_path / "eml").glob("*.eml"))) == 1
    html = client.get("/admin/correo/?estado=sent").get_data(as_text=True)
    assert ids_listed(html) == [row.id]
    assert "archivos <code>.eml</code>" in html


def test_banner_on_every_admin_page_when_the_heartbeat_is_missing(client, admin):
    row = message(7)
    for url in ADMIN_PAGES:
        html = client.get(url.format(id=row.id)).get_data(as_text=True)
        assert BANNER in html, url
        assert "nunca se ha iniciado" in html


def test_banner_says_since_when_the_heartbeat_is_stale(client, admin):
    seen = utcnow() - timedelta(minutes=16)
    heartbeat.beat(seen)
    db.session.commit()
    html = client.get("/admin/usuarios").get_data(as_text=True)
    assert BANNER in html
    from gore_tracker.utils.dates import moment
    assert f"no responde desde el {moment(seen)}" in html


def test_no_banner_while_the_heartbeat_is_fresh(client, admin):
    heartbeat.beat(utcnow() - timedelta(minutes=14))
    db.session.commit()
    for url in ADMIN_PAGES[:5]:
        assert BANNER not in client.get(url).get_data(as_text=True), url
    assert db.session.scalar(select(func.count()).select_from(SchedulerHeartbeat)) == 1


def test_no_banner_outside_the_admin_pages(client, admin):
    assert BANNER not in client.get("/").get_data(as_text=True)
