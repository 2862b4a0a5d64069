"""Sessions that end and tokens that expire: a per-account session epoch, API token expiry

Revision ID: c3a5e0d10002
Revises: a1d17e0c0001
Create Date: 2026-12-04 20:25:00

"""
import os
import secrets
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3a5e0d10002'
down_revision = 'a1d17e0c0001'
branch_labels = None
depends_on = None

user_account = sa.table('user_account', sa.column('id', sa.Integer), sa.column('session_epoch', sa.String))
api_token = sa.table('api_token', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                     sa.column('expires_at', sa.DateTime))


def upgrade():
    # NOT NULL with a server default, added in place: rebuilding user_account on SQLite would
    # cascade-delete the rows that reference it (foreign keys are on). The empty default is
    # never a valid epoch (the user loader refuses it); every row gets a random one below.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.String(length=32), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))

    conn = op.get_bind()
    # A random epoch per account. Cookies issued before this migration hold only the id and
    # are refused, so everyone signs in once more.
    for user_id in conn.execute(sa.select(user_account.c.id)).scalars().all():
        conn.execute(user_account.update().where(user_account.c.id == user_id)
                     .values(session_epoch=secrets.token_hex(16)))
    # Existing tokens expire API_TOKEN_DAYS after they were issued (naive UTC, as stored).
    days = int(os.environ.get('API_TOKEN_DAYS') or 365)
    for token_id, created in conn.execute(sa.select(api_token.c.id, api_token.c.created_at)).all():
        conn.execute(api_token.update().where(api_token.c.id == token_id)
                     .values(expires_at=created + timedelta(days=days)))

    with op.batch_alter_table('api_token', schema=None) as batch_op:  # nothing references api_token
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_index(batch_op.f('ix_api_token_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_expires_at'))
        batch_op.drop_column('expires_at')
    # DROP COLUMN in place (SQLite >= 3.35), not a table rebuild that would cascade.
    op.drop_column('user_account', 'session_epoch')
