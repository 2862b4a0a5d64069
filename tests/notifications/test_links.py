"""Signed "update this commitment" links: bound to one user and one commitment, valid 14
days, usable only after login by that user; the link alone grants nothing."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from gore_tracker.notifications import emails, links
from tests.conftest import csrf_from
from tests.notifications.jobhelpers import commitment

DAY = 24 * 3600


@pytest.fixture
def officer(make):
    return make.user("regional_officer", "Cusco", email="cusco@example.pe")


@pytest.fixture
def item(make):
    return commitment(make, make.user("admin"), "Cusco", sector="MINSA")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


def signed_path(user, c, **kwargs) -> str:
    return f"/compromisos/{c.id}/desde-correo?t={links.make_token(user.id, c.id, **kwargs)}"


def test_token_round_trip_and_tampering(app):
    token = links.make_token(7, 42)
    assert links.read_token(token) == (7, 42)
    links.check(token, user_id=7, commitment_id=42)
    with pytest.raises(links.LinkNotYours):
        links.check(token, user_id=8, commitment_id=42)
    with pytest.raises(links.LinkNotYours):
        links.check(token, user_id=7, commitment_id=43)
    body, signature = token.rsplit(".", 1)
    for bad in (None, "", "basura", body + "." + signature[::-1], token + "x",
                links.make_token(7, 42).replace("WzcsNDJd", "WzgsNDJd")):
        with pytest.raises(links.LinkError) as info:
            links.read_token(bad)
        assert type(info.value) is links.LinkError


def test_another_secret_or_salt_does_not_verify(app):
    token = links.make_token(7, 42)
    app.config["SECRET_KEY"] = "another-secret"
    with pytest.raises(links.LinkError):
        links.read_token(token)
    from itsdangerous import URLSafeTimedSerializer

    app.config["SECRET_KEY"] = "test-secret"
    other_salt = URLSafeTimedSerializer("test-secret", salt="password-reset").dumps([7, 42])
    with pytest.raises(links.LinkError):
        links.read_token(other_salt)


def test_expires_after_14_days(app):
    issued = time.time() - 30 * DAY
    token = links.make_token(7, 42, clock=lambda: issued)
    assert links.read_token(token, clock=lambda: issued + 14 * DAY - 1) == (7, 42)
    assert links.read_token(token, clock=lambda: issued + 14 * DAY) == (7, 42)
    with pytest.raises(links.LinkExpired):
        links.read_token(token, clock=lambda: issued + 14 * DAY + 1)
    with pytest.raises(links.LinkExpired):
        links.read_token(token)  # now: 30 days later
    with pytest.raises(links.LinkExpired):
        links.read_token(links.make_token(7, 42), max_age=timedelta(seconds=-1))


def test_email_links_are_absolute_and_open_the_form_for_their_user(app, client, login_as, officer, item):
    with emails.link_context():
        url = links.update_link(officer.id, item.id)
    assert url.startswith(f"http://testserver/compromisos/{item.id}/desde-correo?t=")

    # An anonymous click goes through the login form and comes back to the link.
    response = client.get(path_of(url))
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/login?next=")
    form = client.get(login_url)
    response = client.post(login_url, data={"csrf_token": csrf_from(form.get_data(as_text=True)),
                                             "email": officer.email, "password": "correct-horse-battery"})
    assert response.status_code == 302 and response.headers["Location"] == path_of(url)
    response = client.get(response.headers["Location"])
    assert response.status_code == 302
    assert response.headers["Location"] == f"/compromisos/{item.id}#actualizar"
    page = client.get(f"/compromisos/{item.id}").get_data(as_text=True)
    assert 'id="actualizar"' in page


def test_the_link_of_someone_else_is_refused(client, login_as, make, officer, item):
    intruder = login_as(make.user("regional_officer", "Cusco", email="otro@example.pe"))
    response = client.get(signed_path(officer, item))
    assert response.status_code == 403
    assert "fue enviado a otra persona" in response.get_data(as_text=True)
    # Their own token for another commitment does not open this one either.
    other = commitment(make, make.user("admin"), "Cusco", sector="MINSA")
    response = client.get(f"/compromisos/{item.id}/desde-correo?t={links.make_token(intruder.id, other.id)}")
    assert response.status_code == 403


def test_expired_or_broken_links_say_so_in_spanish(client, login_as, officer, item):
    login_as(officer)
    old = signed_path(officer, item, clock=lambda: time.time() - 15 * DAY)
    response = client.get(old)
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "El enlace venció" in html and "14 días" in html
    assert f'href="/compromisos/{item.id}"' in html

    for broken in (f"/compromisos/{item.id}/desde-correo", f"/compromisos/{item.id}/desde-correo?t=abc"):
        response = client.get(broken)
        assert response.status_code == 400
        assert "El enlace no es válido" in response.get_data(as_text=True)


def test_a_valid_link_does_not_bypass_permissions(client, login_as, make, officer, item):
    """The officer's link for a commitment they can no longer update leads to its page only."""
    from gore_tracker.commitments.operations import apply_update
    from gore_tracker.extensions import db

    admin = make.user("admin")
    apply_update(item, admin, status="cumplido", note="Cerrado", version=item.version)
    db.session.commit()
    login_as(officer)

    response = client.get(signed_path(officer, item), follow_redirects=False)

    assert response.status_code == 302 and response.headers["Location"] == f"/compromisos/{item.id}"
    page = client.get(f"/compromisos/{item.id}").get_data(as_text=True)
    assert "ya no admite actualizaciones de su parte" in page
    assert 'id="actualizar"' not in page
    response = client.post(f"/compromisos/{item.id}/actualizar",
                           data={"csrf_token": csrf_from(page), "status": "en_proceso", "version": item.version})
    assert response.status_code == 403


def test_unknown_commitment_is_404(client, login_as, officer):
    login_as(officer)
    assert client.get(f"/compromisos/999999/desde-correo?t={links.make_token(officer.id, 999999)}").status_code == 404


def test_a_deactivated_account_cannot_use_its_links(client, login_as, officer, item):
    from gore_tracker.extensions import db

    login_as(officer)
    officer.active = False
    db.session.commit()
    response = client.get(signed_path(officer, item))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_update_links_only_for_commitments_the_recipient_may_update(app, make, item):
    """Emails carry the signed link only where permissions.can_update says yes."""
    viewer = make.user("viewer")
    officer = make.user("regional_officer", "Cusco")
    other_region = make.user("regional_officer", "Puno")
    liaison = make.user("liaison", "MINSA")
    with emails.link_context():
        assert emails.Links(viewer).update(item) is None
        assert emails.Links(other_region).update(item) is None
        assert re.search(r"/desde-correo\?t=", emails.Links(officer).update(item))
        assert emails.Links(liaison).update(item) is not None
