"""Password reset by e-mail: /recuperar sends a one-time link through the outbox, valid one hour,
masked in Correo saliente and the CLI, present in the real mail (SMTP server or .eml file)."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from gore_tracker.account import operations as account_ops
from gore_tracker.account import reset_links
from gore_tracker.db import utcnow
from gore_tracker.extensions import db
from gore_tracker.notifications import outbox, sealed
from gore_tracker.notifications.models import OutboxKind, OutboxMessage, OutboxStatus
from gore_tracker.users import operations as users
from tests.conftest import csrf_from
from tests.factories import PASSWORD

from .helpers import STRONG, STRONGER, error_beside, post_form, sign_in, signed_in

LINK = re.compile(r"http://testserver/recuperar/([A-Za-z0-9_.\-]+)")


@pytest.fixture
def ana(make):
    return make.user("liaison", "MINSA", email="ana.torres@example.pe", name="Ana Torres")


def ask(client, address: str):
    return post_form(client, "/recuperar", {"email": address})


def reset_rows(address: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.PASSWORD_RESET)
    if address:
        stmt = stmt.where(OutboxMessage.to_email == address)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def link_in(message) -> str:
    """The link of a received mail; the text and HTML parts carry the same one."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    (found,) = set(LINK.findall(text))
    assert set(LINK.findall(html)) == {found}
    return f"/recuperar/{found}"


def test_the_login_page_links_to_the_reset_form(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/recuperar"' in html and "¿Olvidó su contraseña?" in html
    page = client.get("/recuperar")
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer(client, ana, make):
    inactive = make.user("viewer", email="baja@example.pe")
    users.update_user(inactive, name=inactive.name, role="viewer", active=False)
    db.session.commit()

    answers = []
    for address in ("ana.torres@example.pe", "nadie@example.pe", "baja@example.pe", "ANA.TORRES@example.pe"):
        response = ask(client, address)
        assert response.status_code == 302 and response.headers["Location"].endswith("/recuperar")
        page = client.get("/recuperar").get_data(as_text=True)
        answers.append(re.sub(r'value="[^"]+"', "", page))  # the CSRF token differs
    assert len(set(answers)) == 1
    assert "Si el correo corresponde a una cuenta activa" in answers[0]
    # Only the active account gets mail (asked twice: two messages).
    assert [m.to_email for m in reset_rows()] == ["ana.torres@example.pe", "ana.torres@example.pe"]


def test_an_unknown_address_costs_the_same_work(app, ana, monkeypatch):
    """No early return for unknown addresses: the e-mail is rendered and sealed either way."""
    calls = []
    real_render, real_seal = account_ops.render, reset_links.seal
    monkeypatch.setattr(account_ops, "render", lambda *a, **k: calls.append("render") or real_render(*a, **k))
    monkeypatch.setattr(reset_links, "seal", lambda *a, **k: calls.append("seal") or real_seal(*a, **k))
    now = utcnow()
    assert account_ops.request_reset("ana.torres@example.pe", now=now) is not None
    known = list(calls)
    calls.clear()
    assert account_ops.request_reset("nadie@example.pe", now=now) is None
    assert calls == known == ["seal", "render"]


def test_a_malformed_address_is_refused_beside_the_field(client):
    response = ask(client, "no-es-correo")
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "email") == "Correo no válido."
    assert reset_rows() == []


def test_reset_end_to_end_through_the_smtp_server(app, client, ana, smtp_server, mail_config):
    other = app.test_client()
    assert sign_in(other, ana.email).status_code == 302 and signed_in(other)

    assert ask(client, ana.email).status_code == 302
    assert outbox.dispatch(utcnow()).sent == 1
    (mail,) = smtp_server.to(ana.email)
    assert "Restablecer su contraseña" in mail["Subject"]
    url = link_in(mail)

    page = client.get(url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert ana.email in page.get_data(as_text=True)

    weak = post_form(client, url, {"new_password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert weak.status_code == 422
    assert "contraseña" in error_beside(weak.get_data(as_text=True), "new_password").lower()
    mismatch = post_form(client, url, {"new_password": STRONG, "confirm": STRONGER})
    assert mismatch.status_code == 422 and error_beside(mismatch.get_data(as_text=True), "confirm")

    done = post_form(client, url, {"new_password": STRONG, "confirm": STRONG})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert "Contraseña restablecida" in client.get("/login").get_data(as_text=True)

    assert not signed_in(other)  # every session of the account ended
    assert sign_in(app.test_client(), ana.email, PASSWORD).status_code == 200  # old password fails
    assert sign_in(app.test_client(), ana.email, STRONG).status_code == 302

    again = client.get(url)  # the link works once
    assert again.status_code == 400
    assert "ya no es válido" in again.get_data(as_text=True)
    assert post_form_raw(client, url, STRONGER).status_code == 400
    db.session.expire_all()
    assert ana.check_password(STRONG)


def post_form_raw(client, url: str, password: str):
    token = csrf_from(client.get("/recuperar").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "new_password": password, "confirm": password})


def test_using_one_link_kills_every_other_outstanding_link(client, ana, smtp_server, mail_config):
    now = utcnow()
    account_ops.request_reset(ana.email, now=now - timedelta(minutes=10))
    account_ops.request_reset(ana.email, now=now - timedelta(minutes=5))
    db.session.commit()
    assert outbox.dispatch(now).sent == 2
    first, second = (link_in(m) for m in smtp_server.to(ana.email))
    assert first != second
    assert post_form(client, second, {"new_password": STRONG, "confirm": STRONG}).status_code == 302
    assert client.get(first).status_code == 400


def test_a_password_change_by_other_means_kills_the_link(client, ana, smtp_server, mail_config):
    ask(client, ana.email)
    outbox.dispatch(utcnow())
    url = link_in(smtp_server.to(ana.email)[0])
    users.reset_password(ana, STRONGER)  # e.g. an admin's reset
    db.session.commit()
    assert client.get(url).status_code == 400


def test_the_link_is_valid_for_one_hour(app, ana, smtp_server, mail_config):
    asked = utcnow() - timedelta(minutes=30)
    account_ops.request_reset(ana.email, now=asked)
    db.session.commit()
    outbox.dispatch(asked + timedelta(minutes=1))
    token = link_in(smtp_server.to(ana.email)[0]).rsplit("/", 1)[1]

    assert reset_links.check(token, asked + timedelta(minutes=59)).user.id == ana.id
    with pytest.raises(reset_links.ResetLinkInvalid):
        reset_links.check(token, asked + timedelta(minutes=60, seconds=1))
    with pytest.raises(reset_links.ResetLinkInvalid):
        account_ops.reset_password(token, new=STRONG, confirm=STRONG, now=asked + timedelta(hours=2))
    account_ops.reset_password(token, new=STRONG, confirm=STRONG, now=asked + timedelta(minutes=59))
    db.session.commit()
    assert ana.check_password(STRONG)
    with pytest.raises(reset_links.ResetLinkInvalid):  # once only
        reset_links.check(token, asked + timedelta(minutes=59))


def test_a_message_still_queued_after_the_hour_is_failed_not_sent(ana, smtp_server, mail_config):
    asked = utcnow() - timedelta(hours=3)
    message = account_ops.request_reset(ana.email, now=asked)
    db.session.commit()
    result = outbox.dispatch(asked + timedelta(minutes=61))
    assert result.failed == 1 and result.sent == 0 and smtp_server.messages == []
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED and "venció" in message.last_error


def test_a_deactivated_account_gets_no_link_and_its_links_die(client, ana, smtp_server, mail_config):
    ask(client, ana.email)
    outbox.dispatch(utcnow())
    url = link_in(smtp_server.to(ana.email)[0])
    ask(client, ana.email)  # queued, then the account is deactivated before it is sent
    users.update_user(ana, name=ana.name, role=ana.role, organization=ana.organization, active=False)
    db.session.commit()
    assert outbox.dispatch(utcnow()).failed == 1
    assert len(smtp_server.to(ana.email)) == 1
    assert client.get(url).status_code == 400


@pytest.mark.parametrize("token", ["nonsense", "a.b.c", "W1wiMVwiXQ.forged", "x" * 500])
def test_a_bad_or_forged_token_gets_the_same_page(client, token):
    response = client.get(f"/recuperar/{token}")
    assert response.status_code == 400
    assert "ya no es válido" in response.get_data(as_text=True)


def test_a_token_signed_with_another_key_is_refused(app, client, ana):
    print_ = reset_links.fingerprint(ana)
    app.config["SECRET_KEY"] = "another-key"
    forged = reset_links.make_token(ana, int(utcnow().timestamp()), print_)
    app.config["SECRET_KEY"] = "test-secret"
    assert client.get(f"/recuperar/{forged}").status_code == 400


def test_at_most_a_few_mails_per_address_and_hour(client, ana, app):
    for _ in range(app.config["RESET_MAX_PER_HOUR"] + 2):
        assert ask(client, ana.email).status_code == 302
    assert len(reset_rows(ana.email)) == app.config["RESET_MAX_PER_HOUR"]


# --- Masked in Correo saliente, present in the real mail --------------------------------------------

def test_the_outbox_never_holds_the_link(ana):
    message = account_ops.request_reset(ana.email, now=utcnow())
    db.session.commit()
    for body in (message.text_body, message.html_body):
        assert "/recuperar/" not in body and sealed.is_sealed(body)


def test_the_link_is_masked_in_the_admin_outbox_pages(client, make, login_as, ana, smtp_server, mail_config):
    login_as(make.user("admin"))
    message = account_ops.request_reset(ana.email, now=utcnow())
    db.session.commit()
    for state in ("pending", "sent"):
        page = client.get(f"/admin/correo/{message.id}").get_data(as_text=True)
        assert "/recuperar/" not in page and "⟦" not in page, state
        assert sealed.MASK in page and "Recuperación de contraseña" in page
        listing = client.get("/admin/correo/").get_data(as_text=True)
        assert "/recuperar/" not in listing
        outbox.dispatch(utcnow())
    (mail,) = smtp_server.to(ana.email)
    assert link_in(mail)  # the real mail carries it


def test_the_link_is_masked_in_the_cli(runner, ana, smtp_server, mail_config):
    message = account_ops.request_reset(ana.email, now=utcnow())
    db.session.commit()
    outbox.dispatch(utcnow())
    shown = runner.invoke(args=["outbox", "show", str(message.id)])
    assert shown.exit_code == 0, shown.output
    assert sealed.MASK in shown.stdout and "/recuperar/" not in shown.stdout and "⟦" not in shown.stdout
    assert "ana.torres@example.pe" in shown.stdout and "Restablecer su contraseña" in shown.stdout
    listed = runner.invoke(args=["outbox", "list"])
    assert "/recuperar/" not in listed.stdout and "Restablecer su contraseña" in listed.stdout
    assert link_in(smtp_server.to(ana.email)[0])
    missing = runner.invoke(args=["outbox", "show", "99999999999"])
    assert missing.exit_code != 0 and "No existe" in missing.output


def test_the_eml_file_carries_the_link(app, client, ana, tmp_path):
    app.config.update(MAIL_SERVER="", MAIL_DIR=str(tmp_path / "eml"))
    ask(client, ana.email)
    assert outbox.dispatch(utcnow()).sent == 1
    (path,) = (tmp_path / "eml").glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    url = link_in(mail)
    assert client.get(url).status_code == 200


def test_an_admin_resend_of_an_old_reset_mail_sends_no_live_link(ana, smtp_server, mail_config):
    asked = utcnow() - timedelta(hours=2)
    message = account_ops.request_reset(ana.email, now=asked)
    db.session.commit()
    outbox.dispatch(asked + timedelta(minutes=1))
    assert len(smtp_server.to(ana.email)) == 1
    outbox.resend(message)
    db.session.commit()
    assert outbox.dispatch(utcnow()).failed == 1
    assert len(smtp_server.to(ana.email)) == 1


def test_the_reset_is_audited_as_the_account_itself(client, ana, smtp_server, mail_config):
    from gore_tracker.audit.models import AuditEntry

    ask(client, ana.email)
    outbox.dispatch(utcnow())
    post_form(client, link_in(smtp_server.to(ana.email)[0]), {"new_password": STRONG, "confirm": STRONG})
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "user",
                                                        AuditEntry.entity_id == ana.id,
                                                        AuditEntry.action == "update")).one()
    assert entry.actor == ana.email
    assert entry.changes == {"password": {"before": "[oculto]", "after": "[oculto]"}}

