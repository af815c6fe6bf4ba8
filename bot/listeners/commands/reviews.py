"""`/isops reviews`: a manager's pending "no action needed" reviews with the same buttons."""

from __future__ import annotations

from typing import Any

from bot.blocks.review import MAX_LISTED, build_review_list
from bot.deps import CommandCall, Deps
from isops.services.reviews import ReviewConfig, pending_reviews_for


def handle_reviews(call: CommandCall) -> None:
    """The caller's pending reviews, oldest first (ephemeral), with 承認 / 差し戻し (a
    non-member is told why not by the `/isops` listener's `reports_errors`)."""
    call.respond(**review_list(call.deps, slack_user_id=call.user_id))


def review_list(deps: Deps, *, slack_user_id: str) -> dict[str, Any]:
    """The reviews this member may decide, oldest first, with 承認 / 差し戻し (an ephemeral
    message; also the manager DM's 承認待ちを開く)."""
    settings = deps.settings
    listing = pending_reviews_for(
        deps.uow(),
        slack_user_id=slack_user_id,
        config=ReviewConfig.from_settings(settings),
        limit=MAX_LISTED,
    )
    return build_review_list(listing, tz=settings.tz, reapproach_months=settings.reapproach_months)
