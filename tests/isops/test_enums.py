"""The domain's words, named once: the status sets, and typed columns that read as enums."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import select

from isops.enums import (
    CLOSED_STATUSES,
    NEEDS_REVIEW_STATUSES,
    NEVER_CONNECTED_STATUSES,
    NOT_CONNECTED_STATUSES,
    OPEN_STATUSES,
    PRIORITIES,
    ActionStatus,
    Outcome,
    Priority,
)
from isops.models import Action, Lead, NoActionReview
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f

ISOPS = Path(__file__).resolve().parents[2] / "isops"


def test_the_status_sets_are_domain_md_s() -> None:
    assert OPEN_STATUSES == (1, 2, 3)
    assert NOT_CONNECTED_STATUSES == (1, 2)
    assert NEVER_CONNECTED_STATUSES == (1, 2, 4)
    assert NEEDS_REVIEW_STATUSES == (4, 6)
    assert CLOSED_STATUSES == (4, 5, 6)
    assert set(OPEN_STATUSES) | set(CLOSED_STATUSES) == set(ActionStatus)
    assert not set(OPEN_STATUSES) & set(CLOSED_STATUSES)
    assert [s for s in ActionStatus if s.needs_review] == list(NEEDS_REVIEW_STATUSES)
    assert [s for s in ActionStatus if s.is_closed] == list(CLOSED_STATUSES)
    assert PRIORITIES == (Priority.FOCUS, Priority.NON_FOCUS)


def test_status_priority_and_outcome_columns_read_back_as_enums(
    uow_factory: UnitOfWorkFactory,
) -> None:
    f.member(uow_factory(), "U1")
    # Plain numbers and strings go in (a CSV row, a test): the enum comes out.
    lead_id = f.lead(uow_factory(), owner="U1", status=2, priority=1)
    f.action(uow_factory(), lead_id, by="U1", outcome="留守電")
    review_id = f.review(uow_factory(), lead_id, by="U1", status=4)
    with uow_factory() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        assert lead.status is ActionStatus.NO_ACTION_BEFORE_CONNECT
        assert lead.priority is Priority.FOCUS
        assert lead.last_outcome is Outcome.VOICEMAIL
        action = uow.session.scalars(select(Action).where(Action.lead_id == lead_id)).one()
        assert action.outcome is Outcome.VOICEMAIL
        review = uow.session.get_one(NoActionReview, review_id)
        assert review.requested_status is ActionStatus.NO_ACTION_BEFORE_CONNECT
        assert review.previous_status is ActionStatus.NOT_CONNECTED
        # Comparisons in SQL bind the enum as the number / the string it stands for.
        found = uow.session.scalars(
            select(Lead.id).where(
                Lead.status.in_(NEEDS_REVIEW_STATUSES), Lead.priority == Priority.FOCUS
            )
        ).all()
        assert found == [lead_id]


def _numbers(node: ast.expr) -> list[int]:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [n for element in node.elts for n in _numbers(element)]
    return []


def _named_status(node: ast.expr) -> bool:
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name.endswith(("status", "priority"))


def test_no_status_or_priority_is_compared_with_a_literal_number() -> None:
    """`status in (1, 2, 3)` or `priority == 1` reads as nothing: the enums and the status
    sets of `isops.enums` say what is meant."""
    found = []
    for path in sorted(ISOPS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            if any(_named_status(side) for side in sides) and any(_numbers(s) for s in sides):
                found.append(f"{path.relative_to(ISOPS.parent)}:{node.lineno}")
    assert found == []
