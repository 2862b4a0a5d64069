"""Outbox: a password_reset kind of message (its one-time link is sealed, never stored)

Revision ID: c4a11d2e5f01
Revises: c3a5e0d10003
Create Date: 2026-12-04 20:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c4a11d2e5f01'
down_revision = 'c3a5e0d10003'
branch_labels = None
depends_on = None

OLD = "kind IN ('reminder','digest','other')"
NEW = "kind IN ('reminder','digest','password_reset','other')"


def _replace_kind_check(condition: str) -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_message_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_outbox_message_kind'), condition)


def upgrade():
    _replace_kind_check(NEW)


def downgrade():
    op.execute("DELETE FROM outbox_message WHERE kind = 'password_reset'")
    _replace_kind_check(OLD)
