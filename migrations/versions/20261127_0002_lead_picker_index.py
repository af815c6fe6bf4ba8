"""lead picker index: a covering index for the /log-call options load"""

from alembic import op

revision: str = '0002_lead_picker'
down_revision: str | None = '0001'

_COLUMNS = [
    'owner_id',
    'status',
    'priority',
    'next_action_date',
    'inbound',
    'first_action_at',
    'call_count',
    'mail_count',
    'cv_at',
    'search_text',
]


def upgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.create_index('ix_leads_picker', _COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('leads', schema=None) as batch_op:
        batch_op.drop_index('ix_leads_picker')
