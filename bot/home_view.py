"""One member's App Home as it is now: the rep's live list (issue 11), then the team view of a
manager or a rep's own scorecard line (issue 13) in what is left of Slack's 100 blocks.

Both paths that publish Home use it: `app_home_opened` and the outbox's refresh after a change
to the member's leads, so the two never differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.blocks.home import build_home, with_extra_parts
from bot.blocks.lead_list import LIST_LINES
from bot.blocks.manager_home import build_home_extra_blocks
from bot.blocks.mrkdwn import MAX_VIEW_BLOCKS
from bot.deps import Deps
from isops.services.home import home_content
from isops.services.scorecard_home import home_overview


def home_view(deps: Deps, *, slack_user_id: str, now: dt.datetime) -> dict[str, Any]:
    """The Home view to publish for `slack_user_id`."""
    content = home_content(
        deps.uow(),
        slack_user_id=slack_user_id,
        now=now,
        settings=deps.settings,
        calendar=deps.calendar,
        limit=LIST_LINES,
    )
    view = build_home(content)
    if content.digest is None:  # not a member (or inactive): the list's refusal is all
        return view
    overview = home_overview(
        deps.uow_factory,
        slack_user_id=slack_user_id,
        now=now,
        settings=deps.settings,
        calendar=deps.calendar,
        store=deps.home_figures,
    )
    extra = build_home_extra_blocks(
        overview,
        tz=deps.settings.tz,
        reapproach_months=deps.settings.reapproach_months,
        budget=MAX_VIEW_BLOCKS - len(view["blocks"]),
    )
    return with_extra_parts(view, [extra]) if extra else view
