"""Sends the weekly scorecard (outbox kind `scorecard`, one per member and week): the DM, then
its 8-week trend chart uploaded into the same DM through Slack's external upload flow.

Both steps are safe to repeat: the DM is posted once by its delivery key (bot.outbox), and a
try after an earlier one (a 429, a lost answer) first looks for the chart's file name — unique
to the member and week — in the DM's history before uploading it again.
"""

from __future__ import annotations

from typing import Any

from bot.charts import alt_text, render_trend_png
from bot.deps import Deps
from bot.files import find_shared_file, upload_file
from bot.outbox import HISTORY_MARGIN_SECONDS, Delivery, OutboxDispatcher
from isops.services.scorecard_delivery import KIND_SCORECARD
from isops.services.scorecard_values import TrendChart

CHART_COMMENT = "8週間の推移"


def chart_filename(payload: dict[str, Any]) -> str:
    """`isops-scorecard-2026-W48-12.png`: one name per member and week (the lookup key)."""
    return f"isops-scorecard-{payload['week']}-{payload['member_id']}.png"


def send_scorecard(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Post the stored DM, then upload the chart into it (once)."""
    if "blocks" not in payload:
        return  # settled without a message (away all week)
    posted = delivery.post_message(
        channel=str(payload["slack_user_id"]),
        text=str(payload["text"]),
        blocks=payload["blocks"],
        unfurl_links=False,
        unfurl_media=False,
    )
    chart = payload.get("chart")
    if not chart:
        return
    filename = chart_filename(payload)
    claim = delivery.claim
    if claim.attempts > 0 or claim.maybe_posted:
        # An earlier try got this far: its upload may have been completed.
        delivery.renew()
        oldest = claim.created_at.timestamp() - HISTORY_MARGIN_SECONDS
        if find_shared_file(
            delivery.client, channel=posted.channel, filename=filename, oldest=oldest
        ):
            return
    trend = TrendChart.from_payload(chart)
    heading = str(payload.get("chart_heading") or CHART_COMMENT)
    png = render_trend_png(trend, heading=heading)
    delivery.renew()
    upload_file(
        delivery.client,
        channel=posted.channel,
        filename=filename,
        content=png,
        title=heading,
        alt_text=alt_text(trend, heading=heading),
        initial_comment=CHART_COMMENT,
    )


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(KIND_SCORECARD, send_scorecard)
