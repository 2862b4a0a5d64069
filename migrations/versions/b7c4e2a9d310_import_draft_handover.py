"""Import drafts handed over to the coordinators, and their e-mail kind in the outbox

A liaison may not confirm a draft whose PDF names another sector; they pass it to the
coordinators («Pasar a coordinación»), who are e-mailed through the outbox.

Revision ID: b7c4e2a9d310
Revises: c4a11d2e5f01
Create Date: 2026-12-04 20:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c4e2a9d310'
down_revision = 'c4a11d2e5f01'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('reminder','digest','password_reset','other')"
KINDS_AFTER = "kind IN ('reminder','digest','password_reset','handover','other')"
HANDED_OVER = ("(handed_over_at IS NULL AND handed_over_by_id IS NULL) OR "
               "(handed_over_at IS NOT NULL AND handed_over_by_id IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('import_draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handed_over_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('handed_over_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_import_draft_handed_over_by_id'), ['handed_over_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_import_draft_handed_over_by_id_user_account'),
                                    'user_account', ['handed_over_by_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_import_draft_handed_over'), HANDED_OVER)

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_kind'), KINDS_AFTER)


def downgrade():
    op.execute("UPDATE outbox_message SET kind = 'other' WHERE kind = 'handover'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_outbox_message_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_outbox_message_kind'), KINDS_BEFORE)

    with op.batch_alter_table('import_draft', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_import_draft_handed_over'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_import_draft_handed_over_by_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_import_draft_handed_over_by_id'))
        batch_op.drop_column('handed_over_by_id')
        batch_op.drop_column('handed_over_at')
