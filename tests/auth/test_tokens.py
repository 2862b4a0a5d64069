"""API tokens expire, are listed and revoked, and die with a deactivation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gore_tracker.db import utcnow
from gore_tracker.exceptions import PermissionDenied
from gore_tracker.extensions import db
from gore_tracker.users import operations as users
from gore_tracker.users.models import ApiToken


def _status(client, token: str) -> int:
    return client.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code


def _row(token: str) -> ApiToken:
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == users._hash(token)))


def test_tokens_expire_after_api_token_days(app, client, make):
    user = make.user("viewer")
    token = users.issue_token(user)
    db.session.commit()
    row = _row(token)
    assert row.expires_at - row.created_at == timedelta(days=app.config["API_TOKEN_DAYS"]) == timedelta(days=365)
    assert _status(client, token) == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and "venció" in response.get_json()["error"]["message"]
    assert row.state() == "expired" and row.state_label == "Vencido"


def test_api_token_days_setting(app, make):
    app.config["API_TOKEN_DAYS"] = 7
    token = users.issue_token(make.user("viewer"))
    row = _row(token)
    assert row.expires_at - row.created_at == timedelta(days=7)


def test_list_and_revoke_by_owner_and_admin_only(app, client, make):
    owner, other, admin = make.user("viewer"), make.user("coordinator"), make.user("admin")
    first, second = users.issue_token(owner), users.issue_token(owner)
    db.session.commit()
    listed = users.list_tokens(owner)
    assert [t.id for t in listed] == [_row(second).id, _row(first).id]  # newest first
    with pytest.raises(PermissionDenied):
        users.revoke_token(listed[0], other)
    users.revoke_token(listed[0], owner)
    users.revoke_token(listed[1], admin)
    db.session.commit()
    assert _status(client, first) == 401 and _status(client, second) == 401
    assert users.list_tokens(owner, include_inactive=False) == []
    assert [t.state() for t in users.list_tokens(owner)] == ["revoked", "revoked"]


def test_cli_revoke_all_revokes_every_token_and_issues_none(app, client, runner, make):
    user = make.user("viewer", email="tokens@example.pe")
    tokens = [users.issue_token(user) for _ in range(3)]
    users.revoke_token(_row(tokens[0]), user)
    db.session.commit()
    before = db.session.scalar(select(func.count(ApiToken.id)))
    result = runner.invoke(args=["users", "token", "TOKENS@example.pe", "--revoke-all"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Tokens revocados: 2"
    assert db.session.scalar(select(func.count(ApiToken.id))) == before
    assert all(_status(client, t) == 401 for t in tokens)
    again = runner.invoke(args=["users", "token", "tokens@example.pe", "--revoke-all"])
    assert again.output.strip() == "Tokens revocados: 0"
    missing = runner.invoke(args=["users", "token", "nadie@example.pe", "--revoke-all"])
    assert missing.exit_code != 0 and "No existe" in missing.output


def test_cli_revocation_is_audited_as_cli(app, runner, make):
    from gore_tracker.audit.models import AuditEntry

    user = make.user("viewer", email="audit-tokens@example.pe")
    users.issue_token(user)
    db.session.commit()
    runner.invoke(args=["users", "token", user.email, "--revoke-all"])
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "api_token",
                                                        AuditEntry.action == "update")).one()
    assert entry.ip == "cli" and entry.changes == {"revoked": {"before": False, "after": True}}


def test_deactivation_revokes_tokens_for_good(app, client, make):
    user = make.user("viewer")
    token = users.issue_token(user)
    db.session.commit()
    assert _status(client, token) == 200
    users.update_user(user, name=user.name, role=user.role, active=False)
    db.session.commit()
    assert _status(client, token) == 401
    users.update_user(user, name=user.name, role=user.role, active=True)
    db.session.commit()
    assert _status(client, token) == 401
    assert _row(token).revoked


def test_admin_password_reset_revokes_tokens(app, client, make):
    user = make.user("viewer")
    token = users.issue_token(user)
    db.session.commit()
    users.reset_password(user)
    db.session.commit()
    assert _status(client, token) == 401


def test_migration_gives_existing_tokens_an_expiry(tmp_path):
    """Tokens issued before the expiry column get created_at + API_TOKEN_DAYS."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from gore_tracker import create_app
    from tests.conftest import _base_config

    app = create_app(_base_config(tmp_path, f"sqlite:///{tmp_path / 'm.sqlite3'}"))
    with app.app_context():
        upgrade(revision="a1d17e0c0001")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO user_account (email, name, role, password_hash, active, created_at, "
                                 "reminders_enabled) VALUES ('a@example.pe', 'A', 'viewer', 'x', 1, "
                                 "'2025-01-02 03:04:05', 1)"))
            conn.execute(sa.text("INSERT INTO api_token (user_id, token_hash, created_at, revoked) "
                                 "VALUES (1, 'h', '2025-01-02 03:04:05', 0)"))
        upgrade()
        with db.engine.connect() as conn:
            expires = conn.execute(sa.text("SELECT expires_at FROM api_token")).scalar()
            epoch = conn.execute(sa.text("SELECT session_epoch FROM user_account")).scalar()
        assert str(expires).startswith("2026-01-02 03:04:05")
        assert len(epoch) == 32
        downgrade(revision="a1d17e0c0001")
        with db.engine.connect() as conn:  # the downgrade keeps the rows too
            assert conn.execute(sa.text("SELECT count(*) FROM api_token")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
