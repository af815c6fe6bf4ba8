"""`/isops today` (the morning list as of now) and `/isops away` (休暇)."""

from __future__ import annotations

from pydantic import BaseModel

from bot.blocks.away import build_away_cancelled, build_away_list, build_away_saved
from bot.blocks.lead_list import LIST_LINES, SECTION_KEYS
from bot.blocks.today_list import build_section_list, build_today, section_key
from bot.deps import CommandCall
from isops.clock import utcnow
from isops.errors import InvalidInput
from isops.services.away import cancel_away, parse_away_range, set_away, upcoming_away
from isops.services.reminders import digest_for_member

CANCEL_WORDS = frozenset({"cancel", "取消", "取り消し", "解除"})
TODAY_USAGE = "/isops today [" + "|".join(SECTION_KEYS) + "]"


class TodayArgs(BaseModel):
    """`/isops today [section]`: no section is the DM's list, a section lists all its leads."""

    section: str | None = None

    @classmethod
    def parse(cls, args: str) -> TodayArgs:
        words = args.split()
        if not words:
            return cls()
        key = section_key(words[0])
        if key is None:
            names = "・".join(f"{k} ({aliases[0]})" for k, aliases in SECTION_KEYS.items())
            raise InvalidInput({"section": f"一覧の種類は {names} のどれかを指定してください"})
        return cls(section=key)


def handle_today(call: CommandCall) -> None:
    """The caller's digest as of now, or every lead of one section."""
    args = TodayArgs.parse(call.args)
    digest = digest_for_member(
        call.deps.uow(),
        slack_user_id=call.user_id,
        now=utcnow(),
        settings=call.deps.settings,
        calendar=call.deps.calendar,
        limit=None if args.section else LIST_LINES,
        own_lists_only=True,
    )
    if args.section:
        call.respond(**build_section_list(digest, args.section))
    else:
        call.respond(**build_today(digest))


def handle_away(call: CommandCall) -> None:
    """Register, list or cancel the caller's away periods."""
    deps, args = call.deps, call.args.strip()
    today = deps.calendar.local_date(utcnow())
    if not args:
        call.respond(
            **build_away_list(upcoming_away(deps.uow(), slack_user_id=call.user_id, today=today))
        )
    elif args.lower() in CANCEL_WORDS:
        count = cancel_away(deps.uow(), slack_user_id=call.user_id, on=today)
        call.respond(**build_away_cancelled(count))
    else:
        start, end = parse_away_range(args, today=today)
        period = set_away(deps.uow(), slack_user_id=call.user_id, start_date=start, end_date=end)
        call.respond(**build_away_saved(period))
