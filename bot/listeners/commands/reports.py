"""`/isops report a|b|c|d|e [@rep]`: the article's five reports (DOMAIN.md a–e).

A manager sees their team's leads, an admin everyone's, a rep their own; `@rep` narrows to one
member of that scope — anyone else, whatever id the text carries, is refused without showing
anything (isops.services.reports reads who may see what from the database). The first lines
come back ephemeral; a longer list also goes to the caller's DM as a CSV file.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from pydantic import BaseModel
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.report import REPORT_TITLES, build_report_message, needs_csv, report_filename
from bot.deps import CommandCall, Deps
from bot.files import UploadFailed, upload_file
from isops.clock import utcnow
from isops.errors import InvalidInput
from isops.services.reports import Report, build_report, parse_report_key, write_report_csv

log = logging.getLogger(__name__)

# `<@U123|name>` (an escaped mention), `<@U123>`, or a bare `U123`.
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^([UW][A-Z0-9]{2,})$")
USAGE = "/isops report a|b|c|d|e [@担当者]"


class ReportArgs(BaseModel):
    key: str
    target: str | None = None

    @classmethod
    def parse(cls, args: str) -> ReportArgs:
        words = args.split()
        if not words:
            raise InvalidInput(
                {"report": "レポートを a・b・c・d・e から選んでください (例: `/isops report a`)"}
            )
        key = parse_report_key(words[0])
        target: str | None = None
        if len(words) > 1:
            match = _MENTION.match(words[1])
            if match is None:
                raise InvalidInput({"target": "担当者は @ でメンションして指定してください"})
            target = match.group(1) or match.group(2)
        return cls(key=key, target=target)


def handle_report(call: CommandCall) -> None:
    """One report for the caller's scope (ephemeral), the full list as CSV when long."""
    args = ReportArgs.parse(call.args)
    call.respond(
        **deliver_report(
            call.deps, call.client, user_id=call.user_id, key=args.key, target=args.target
        )
    )


def deliver_report(
    deps: Deps, client: WebClient, *, user_id: str, key: str, target: str | None
) -> dict[str, Any]:
    """The report's message for `user_id` (their scope), its full list uploaded to their DM as
    CSV when longer than the message shows."""
    report = build_report(
        deps.uow(),
        key=key,
        day=deps.calendar.local_date(utcnow()),
        settings=deps.settings,
        calendar=deps.calendar,
        slack_user_id=user_id,
        target_slack_user_id=target,
    )
    csv_sent = needs_csv(report) and _send_csv(deps, client, user_id, report)
    return build_report_message(report, tz=deps.settings.tz, csv_sent=csv_sent)


def _send_csv(deps: Deps, client: WebClient, user_id: str, report: Report) -> bool:
    """The full list into the caller's DM (UTF-8 with BOM, so Excel opens it)."""
    out = io.StringIO()
    write_report_csv(report, out, tz=deps.settings.tz)
    title = REPORT_TITLES[report.key]
    try:
        upload_file(
            client,
            channel=user_id,
            filename=report_filename(report),
            content=out.getvalue().encode("utf-8-sig"),
            title=title,
            initial_comment=f"{title}: 全 {report.total} 件 ({report.scope})",
        )
    except (SlackApiError, UploadFailed, OSError) as exc:
        log.warning("report %s CSV for %s not sent: %s", report.key, user_id, exc)
        return False
    return True
