"""`/isops reviews`: a manager's pending "no action needed" reviews with the same buttons."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.mrkdwn import escape
from bot.blocks.review import MAX_LISTED, build_review_list
from bot.deps import CommandCall, Deps
from isops.errors import NotAllowed
from isops.services.reviews import ReviewConfig, pending_reviews_for


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "reviews",
        usage="/isops reviews",
        summary="承認待ちの「対応不要」(ステータス 4・6) を古い順に表示し、承認・差し戻し",
        handler=handle_reviews,
    )


def handle_reviews(call: CommandCall) -> None:
    """The caller's pending reviews, oldest first (ephemeral), with 承認 / 差し戻し."""
    settings = call.deps.settings
    try:
        listing = pending_reviews_for(
            call.deps.uow(),
            slack_user_id=call.user_id,
            config=ReviewConfig.from_settings(settings),
            limit=MAX_LISTED,
        )
    except NotAllowed as exc:  # not a member; see bot.listeners.errors on why not raised
        call.respond(text=escape(str(exc)), response_type="ephemeral")
        return
    call.respond(
        **build_review_list(listing, tz=settings.tz, reapproach_months=settings.reapproach_months)
    )
