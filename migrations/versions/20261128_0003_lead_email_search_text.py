"""lead e-mails stored lower-cased; an index for the /lead duplicate check by name

Every write path now stores a lead's e-mail trimmed and lower-cased and matches it with
`leads.email = :email` (ix_leads_email); rows written before are brought to the same form.
The duplicate check by company + contact is `leads.search_text = :text`, which needs its
own index (ix_leads_picker starts with owner_id).
"""

from alembic import op

revision: str = "0003_email_search_text"
down_revision: str | None = "0002_lead_picker"


def upgrade() -> None:
    # lower() folds ASCII on SQLite and all of Unicode on PostgreSQL; e-mail addresses in
    # the wild are ASCII, and the application normalises with str.lower() from now on.
    op.execute(
        "UPDATE leads SET email = lower(trim(email))"
        " WHERE email IS NOT NULL AND email <> lower(trim(email))"
    )
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.create_index("ix_leads_search_text", ["search_text"], unique=False)


def downgrade() -> None:
    # The e-mails' original case is not kept: they stay lower-cased.
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_index("ix_leads_search_text")
