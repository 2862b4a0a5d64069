"""Optional TOTP second factor: secret, replay guard and recovery-code hashes on user_account

Revision ID: c3a5e0d10003
Revises: c3a5e0d10002
Create Date: 2026-12-04 20:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3a5e0d10003'
down_revision = 'c3a5e0d10002'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable columns are added in place (no rebuild of user_account, whose rebuild on SQLite
    # would cascade-delete the rows that reference it).
    op.add_column('user_account', sa.Column('mfa_secret', sa.String(length=64), nullable=True))
    op.add_column('user_account', sa.Column('mfa_last_step', sa.BigInteger(), nullable=True))
    op.add_column('user_account', sa.Column('mfa_recovery', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('user_account', 'mfa_recovery')
    op.drop_column('user_account', 'mfa_last_step')
    op.drop_column('user_account', 'mfa_secret')
