"""outbox exactly once: delivery keys, fencing tokens, leases; morning DMs move into the outbox

`notifications` gains a unique `delivery_key` (sent to Slack as message metadata), a fencing
`claim_token`, a `lease_until`, `maybe_posted` (a send whose outcome is unknown), `expires_at`,
and where the delivered message lives (`sent_channel`, `sent_ts`). Rows already there get the
key `n:<id>`; rows left "sending" by the old code may have been posted, so they are marked
`maybe_posted` with the old 5-minute takeover as their lease.

`reminder_deliveries` is folded into `notifications` (kind `morning`, key
`morning:<member id>:<YYYY-MM-DD>`) and dropped. Its settled rows (sent, found empty, failed
for good) move over; rows still "sending" or failed-but-retryable have no stored message to
retry with, so they are left out and the next morning run sends them afresh, as the old code
would have. The downgrade moves morning rows back (unsent ones as failed-but-retryable, so the
old code's next run sends them) and removes the columns.
"""

import datetime as dt
import sqlalchemy as sa
from alembic import op

import isops.db

revision: str = "0004_outbox_exactly_once"
down_revision: str | None = "0003_email_search_text"

MORNING = "morning"
# The old code's retry limit for a morning DM: a failed row below it was retried.
OLD_MAX_SEND_ATTEMPTS = 5
OLD_STALE_CLAIM = dt.timedelta(minutes=5)
STATE = sa.Enum(
    "pending",
    "sending",
    "sent",
    "failed",
    "skipped",
    name="deliverystate",
    native_enum=False,
    length=16,
)

notifications = sa.table(
    "notifications",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("delivery_key", sa.String),
    sa.column("payload", sa.JSON),
    sa.column("state", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("next_attempt_at", isops.db.UTCDateTime),
    sa.column("lease_until", isops.db.UTCDateTime),
    sa.column("maybe_posted", sa.Boolean),
    sa.column("last_error", sa.Text),
    sa.column("created_at", isops.db.UTCDateTime),
    sa.column("sent_at", isops.db.UTCDateTime),
)
reminder_deliveries = sa.table(
    "reminder_deliveries",
    sa.column("member_id", sa.Integer),
    sa.column("business_date", sa.Date),
    sa.column("kind", sa.String),
    sa.column("state", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("claimed_at", isops.db.UTCDateTime),
    sa.column("sent_at", isops.db.UTCDateTime),
    sa.column("last_error", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_key", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("claim_token", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("lease_until", isops.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "maybe_posted", sa.Boolean(), server_default=sa.text("false"), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("expires_at", isops.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("sent_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sent_ts", sa.String(length=32), nullable=True))

    bind = op.get_bind()
    bind.execute(
        sa.update(notifications).values(
            delivery_key=sa.literal("n:") + sa.cast(notifications.c.id, sa.String)
        )
    )
    for row_id, next_at in bind.execute(
        sa.select(notifications.c.id, notifications.c.next_attempt_at).where(
            notifications.c.state == "sending"
        )
    ).all():
        bind.execute(
            sa.update(notifications)
            .where(notifications.c.id == row_id)
            .values(lease_until=next_at + OLD_STALE_CLAIM, maybe_posted=True)
        )

    settled = [
        row
        for row in bind.execute(sa.select(reminder_deliveries)).mappings()
        if row["state"] in ("sent", "skipped")
        or (row["state"] == "failed" and row["attempts"] >= OLD_MAX_SEND_ATTEMPTS)
    ]
    if settled:
        bind.execute(
            sa.insert(notifications),
            [
                {
                    "kind": MORNING,
                    "delivery_key": (
                        f"{row['kind']}:{row['member_id']}:{row['business_date'].isoformat()}"
                    ),
                    "payload": {
                        "member_id": row["member_id"],
                        "business_date": row["business_date"].isoformat(),
                        "migrated_from": "reminder_deliveries",
                    },
                    "state": row["state"],
                    "attempts": row["attempts"],
                    "next_attempt_at": row["claimed_at"],
                    "maybe_posted": False,
                    "last_error": row["last_error"],
                    "created_at": row["claimed_at"],
                    "sent_at": row["sent_at"],
                }
                for row in settled
            ],
        )

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.alter_column("delivery_key", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_notifications_delivery_key"), ["delivery_key"]
        )
    op.drop_table("reminder_deliveries")


def downgrade() -> None:
    op.create_table(
        "reminder_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", STATE, nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("claimed_at", isops.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", isops.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_reminder_deliveries_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint(
            "member_id",
            "business_date",
            "kind",
            name=op.f("uq_reminder_deliveries_member_id_business_date_kind"),
        ),
    )
    bind = op.get_bind()
    members = set(bind.execute(sa.text("SELECT id FROM members")).scalars())
    moved = []
    for row in bind.execute(
        sa.select(notifications).where(notifications.c.kind == MORNING)
    ).mappings():
        kind, member, day = str(row["delivery_key"]).split(":")
        if int(member) not in members:
            continue
        state, attempts = row["state"], row["attempts"]
        if state == "failed":
            attempts = max(attempts, OLD_MAX_SEND_ATTEMPTS)  # stays given up
        elif state == "pending":
            state, attempts = "failed", min(attempts, OLD_MAX_SEND_ATTEMPTS - 1)  # retried
        moved.append(
            {
                "member_id": int(member),
                "business_date": dt.date.fromisoformat(day),
                "kind": kind,
                "state": state,
                "attempts": attempts,
                "claimed_at": row["created_at"],
                "sent_at": row["sent_at"],
                "last_error": row["last_error"],
            }
        )
    if moved:
        bind.execute(sa.insert(reminder_deliveries), moved)
    bind.execute(sa.delete(notifications).where(notifications.c.kind == MORNING))

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_notifications_delivery_key"), type_="unique")
        batch_op.drop_column("sent_ts")
        batch_op.drop_column("sent_channel")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("maybe_posted")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("claim_token")
        batch_op.drop_column("delivery_key")
