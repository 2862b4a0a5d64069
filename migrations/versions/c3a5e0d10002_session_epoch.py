"""Per-account session epoch: ending sessions invalidates every cookie of the account

Revision ID: c3a5e0d10002
Revises: a1d17e0c0001
Create Date: 2026-12-04 20:25:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a5e0d10002'
down_revision = 'a1d17e0c0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.String(length=32), nullable=True))
    # A random epoch per account. Cookies issued before this migration hold only the id and
    # are refused, so everyone signs in once more.
    conn = op.get_bind()
    ids = conn.execute(sa.text("SELECT id FROM user_account")).scalars().all()
    for user_id in ids:
        conn.execute(sa.text("UPDATE user_account SET session_epoch = :e WHERE id = :i"),
                     {"e": secrets.token_hex(16), "i": user_id})
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.alter_column('session_epoch', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
