"""hand-off to field sales: `handoffs` and `leads.fs_member_id` (issue 12)

One row per hand-off of a lead to an FS member (status 5 商談化): the meeting, the hand-off
note, the acknowledgement, the verdict (有効商談 / not / back to IS) and the verdict requests'
schedule. `leads.fs_member_id` names the FS the lead is with now. No data moves: existing
status-5 leads have no hand-off (they were handed over before isops asked for one).
"""

import sqlalchemy as sa
from alembic import op

import isops.db

revision: str = "0005_handoffs"
down_revision: str | None = "0004_outbox_exactly_once"

MEETING_MODE = sa.Enum("online", "visit", name="meetingmode", native_enum=False, length=16)
VERDICT = sa.Enum(
    "valid", "invalid", "returned", name="handoffverdict", native_enum=False, length=16
)


def _member(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        _member("rep_id"),
        _member("created_by_id"),
        _member("fs_member_id"),
        sa.Column("meeting_at", isops.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("meeting_mode", MEETING_MODE, nullable=False),
        sa.Column("situation", sa.Text(), server_default="", nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("wants", sa.Text(), nullable=False),
        sa.Column("decision_process", sa.Text(), server_default="", nullable=False),
        sa.Column("budget_timing", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", isops.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", isops.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verdict", VERDICT, nullable=True),
        sa.Column("invalid_reason", sa.String(length=50), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _member("decided_by_id", nullable=True),
        sa.Column("decided_at", isops.db.UTCDateTime(timezone=True), nullable=True),
        _member("changed_by_id", nullable=True),
        sa.Column("changed_at", isops.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verdict_due_at", isops.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verdict_requests", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_request_at", isops.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("fs_message_channel", sa.String(length=32), nullable=True),
        sa.Column("fs_message_ts", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "verdict_requests BETWEEN 0 AND 3", name=op.f("ck_handoffs_verdict_requests_range")
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["leads.id"], name=op.f("fk_handoffs_lead_id_leads"), ondelete="CASCADE"
        ),
        *(
            sa.ForeignKeyConstraint(
                [column], ["members.id"], name=op.f(f"fk_handoffs_{column}_members")
            )
            for column in (
                "rep_id",
                "created_by_id",
                "fs_member_id",
                "decided_by_id",
                "changed_by_id",
            )
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoffs_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_handoffs_fs_member_id"), ["fs_member_id"], unique=False
        )
        batch_op.create_index("ix_handoffs_verdict_next", ["verdict", "next_request_at"])
        batch_op.create_index("ix_handoffs_rep_created", ["rep_id", "created_at"])
        batch_op.create_index(
            "uq_handoffs_open_lead",
            ["lead_id"],
            unique=True,
            sqlite_where=sa.text("verdict IS NULL"),
            postgresql_where=sa.text("verdict IS NULL"),
        )

    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fs_member_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_leads_fs_member_id_members"), "members", ["fs_member_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_leads_fs_member_id_members"), type_="foreignkey")
        batch_op.drop_column("fs_member_id")
    op.drop_table("handoffs")
