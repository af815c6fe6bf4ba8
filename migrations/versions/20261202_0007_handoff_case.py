"""the case a hand-off was told with: `handoffs.case_id` (issue 14 points 3 and 6)

Nullable: hand-offs made before have none, and a deleted case leaves its hand-offs with none
(ON DELETE SET NULL). Indexed for the per-case counts of the case library.
"""

import sqlalchemy as sa
from alembic import op

revision: str = "0007_handoff_case"
down_revision: str | None = "0006_cases"


def upgrade() -> None:
    # On SQLite the foreign key means a rebuild of `handoffs` (batch mode); nothing references
    # `handoffs`, so dropping its old copy cascades nowhere (migrations/env.py runs with
    # foreign keys off and checks for dangling rows afterwards).
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_handoffs_case_id_cases"),
            "cases",
            ["case_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_handoffs_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoffs_case_id"))
        batch_op.drop_constraint(batch_op.f("fk_handoffs_case_id_cases"), type_="foreignkey")
        batch_op.drop_column("case_id")
