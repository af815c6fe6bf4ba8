"""Hand-off to field sales at status 5 (商談化), issue 12: the step of logging that records it.

Logging status 5 records the action and the hand-off in one transaction: `handoff_step` is the
step `record_action` runs before its commit. Without hand-off data it raises `NeedsHandoff`
(the modal then asks for it); bad data raises `InvalidInput`; either way nothing is saved. The
lead's owner stays the rep; the FS becomes `leads.fs_member_id`. The FS's DM goes through the
outbox (`HANDOFF_CREATED`), and the hand-off is a `lead_history` row (`field = "handoff"`).
What the FS does next is isops.services.handoff_verdicts; reading is handoff_details.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from isops import limits
from isops.calendar import BusinessCalendar, member_zone
from isops.clock import utcnow
from isops.date_labels import date_label
from isops.enums import ActionStatus, MeetingMode, Role
from isops.errors import InvalidInput, IsopsError
from isops.models import Handoff, Lead, Member
from isops.services import outbox
from isops.services.action_results import ActionResult, HandedOff
from isops.services.cases_matching import CaseMatch
from isops.services.handoff_cases import CaseChoice, case_choices, check_case
from isops.services.handoff_details import moment_text, short
from isops.services.handoff_schedule import VerdictSchedule
from isops.services.history import record_change
from isops.services.lookup import require_active_member
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

# Outbox kinds.
HANDOFF_CREATED = "handoff_created"  # the FS's DM: lead card, note, meeting, 受け取りました
HANDOFF_REFRESH = "handoff_refresh"  # update the FS's DM and verdict requests to the state now
HANDOFF_REP_NOTICE = "handoff_rep_notice"  # the rep's DM: acknowledged, rescheduled, verdict

HISTORY_FIELD = "handoff"
MAX_FS_OPTIONS = 100  # Slack's static_select limit

NO_FS_MEMBER = (
    "FS (フィールドセールス) のメンバーが登録されていません。管理者に"
    " `isops member add U… --name 名前 --role fs` で登録してもらってから、"
    "もう一度「記録する」を押してください"
)
OPEN_HANDOFF = (
    "このリードには FS の評価を待っている引き継ぎがあります。"
    "日程の変更は FS が評価依頼の「📅 日程変更」から行います"
)


class NeedsHandoff(IsopsError):
    """Status 5 chosen without the hand-off: the modal must ask for it (nothing saved)."""

    def __init__(self, fs_members: Sequence[FsMember]) -> None:
        self.fs_members = tuple(fs_members)
        super().__init__("FS への引き継ぎを入力してください")


@dataclass(frozen=True)
class FsMember:
    """An active member with role `fs`, as the hand-off's FS select lists them."""

    id: int
    slack_user_id: str
    name: str
    team: str | None


@dataclass(frozen=True)
class HandoffInput:
    """The hand-off section of the log modal, as typed (the service checks it)."""

    fs_member_id: int | None
    meeting_date: dt.date | None
    meeting_time: dt.time | None
    meeting_mode: MeetingMode = MeetingMode.ONLINE
    situation: str = ""  # 現状・理想
    problem: str = ""  # 課題 (required)
    wants: str = ""  # 求めている情報 (required)
    decision_process: str = ""  # 役割・決裁
    budget_timing: str = ""  # 予算・時期
    case_id: int | None = None  # 使った事例 (issue 14): an active case, or none


# Hand-off field → what it is called in messages (field names are the form's too).
NOTE_FIELDS: dict[str, str] = {
    "situation": "現状・理想",
    "problem": "課題",
    "wants": "求めている情報",
    "decision_process": "役割・決裁",
    "budget_timing": "予算・時期",
}
REQUIRED_NOTES = ("problem", "wants")


# -- the hand-off, a step of logging status 5 ------------------------------------------------------


def handoff_step(
    handoff: HandoffInput | None,
    *,
    slack_user_id: str,
    settings: Settings,
    calendar: BusinessCalendar,
) -> Callable[[UnitOfWork, ActionResult], ActionResult | None]:
    """The step `record_action` runs in its transaction (`then`): the hand-off when the action moves
    the lead into status 5 (商談化), returned on the result for the rep's confirmation; nothing
    otherwise."""

    def step(uow: UnitOfWork, result: ActionResult) -> ActionResult | None:
        entering_meeting = (
            result.status_after == ActionStatus.MEETING
            and result.status_before != ActionStatus.MEETING
        )
        if not entering_meeting:
            return None
        handoff_id = create_handoff_in(
            uow,
            lead_id=result.lead_id,
            handoff=handoff,
            slack_user_id=slack_user_id,
            settings=settings,
            calendar=calendar,
        )
        row = uow.session.get_one(Handoff, handoff_id)
        fs = uow.session.get_one(Member, row.fs_member_id)
        return result.model_copy(
            update={
                "handoff": HandedOff(
                    fs_name=fs.name, meeting_at=row.meeting_at, meeting_mode=row.meeting_mode
                )
            }
        )

    return step


def fs_members(session: Session) -> list[FsMember]:
    """Active FS members, by name (at most Slack's 100 options)."""
    rows = session.execute(
        select(Member.id, Member.slack_user_id, Member.name, Member.team)
        .where(Member.role == Role.FS, Member.active.is_(True))
        .order_by(Member.name, Member.id)
        .limit(MAX_FS_OPTIONS)
    ).all()
    return [FsMember(r.id, r.slack_user_id, r.name, r.team) for r in rows]


@dataclass(frozen=True)
class HandoffChoices:
    """What the hand-off section offers: the FS and the cases (`best_case_id` suggested first
    as おすすめ, never preselected: a case counts as used only when the rep says so)."""

    fs_members: tuple[FsMember, ...]
    cases: tuple[CaseChoice, ...]
    best_case_id: int | None


def handoff_choices(uow: UnitOfWork, *, best: CaseMatch | None) -> HandoffChoices:
    """The FS to hand off to and the cases to name, `best` (the lead's best-matching case,
    as the caller read it with the lead) first; one unit of work."""
    with uow:
        cases = case_choices(uow.session, best=best)
        best_id = best.case_id if best is not None else None
        return HandoffChoices(
            fs_members=tuple(fs_members(uow.session)),
            cases=tuple(cases),
            best_case_id=best_id if any(c.id == best_id for c in cases) else None,
        )


def create_handoff_in(
    uow: UnitOfWork,
    *,
    lead_id: int,
    handoff: HandoffInput | None,
    slack_user_id: str,
    settings: Settings,
    calendar: BusinessCalendar,
) -> int:
    """Record the hand-off of `lead_id` in the caller's open unit of work (the caller holds
    the lead's row lock and commits) and queue the FS's DM. Returns the hand-off's id.

    Raises `NeedsHandoff` when `handoff` is None, `InvalidInput` (fields `status`,
    `handoff_fs`, `handoff_date`, `handoff_time`, `handoff_case` and the note's
    `handoff_<part>`) otherwise."""
    session = uow.session
    available = fs_members(session)
    if not available:
        raise InvalidInput({"status": NO_FS_MEMBER})
    if handoff is None:
        raise NeedsHandoff(available)
    actor = require_active_member(session, slack_user_id)
    lead = session.get_one(Lead, lead_id)
    now = utcnow()
    zone = member_zone(actor.timezone, calendar.tz)
    errors: dict[str, str] = {}
    fs = _fs_member(session, handoff.fs_member_id)
    if fs is None:
        errors["handoff_fs"] = "引き継ぐ FS を選んでください (登録が無効になった可能性があります)"
    meeting_at = meeting_moment(
        handoff.meeting_date, handoff.meeting_time, zone=zone, now=now, errors=errors
    )
    notes = _clean_notes(handoff, errors)
    case_id = check_case(session, handoff.case_id, errors)
    open_id = session.scalar(
        select(Handoff.id).where(Handoff.lead_id == lead_id, Handoff.verdict.is_(None))
    )
    if open_id is not None:
        errors["status"] = OPEN_HANDOFF
    if errors:
        raise InvalidInput(errors)
    assert fs is not None and meeting_at is not None
    schedule = VerdictSchedule.of(settings, calendar, fs.timezone)
    due_at = schedule.verdict_due_at(meeting_at)
    row = Handoff(
        lead_id=lead_id,
        rep_id=lead.owner_id if lead.owner_id is not None else actor.id,
        created_by_id=actor.id,
        fs_member_id=fs.id,
        meeting_at=meeting_at,
        meeting_mode=handoff.meeting_mode,
        created_at=now,
        verdict_due_at=due_at,
        next_request_at=due_at,
        verdict_requests=0,
        version=1,
        case_id=case_id,
        **notes,
    )
    session.add(row)
    session.flush()
    if lead.fs_member_id != fs.id:
        lead.fs_member_id = fs.id
    record_change(
        session,
        lead_id=lead_id,
        member_id=actor.id,
        field=HISTORY_FIELD,
        old=None,
        new="handed_off",
        note=(
            f"FS {fs.name} さんへ引き継ぎ: {moment_text(meeting_at, calendar.tz)}"
            f" {handoff.meeting_mode.label} / 課題: {short(notes['problem'])}"
        ),
        at=now,
    )
    outbox.enqueue(uow, kind=HANDOFF_CREATED, payload={"handoff_id": row.id})
    return row.id


def _fs_member(session: Session, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = session.get(Member, member_id)
    if member is None or not member.active or member.role is not Role.FS:
        return None
    return member


def meeting_moment(
    day: dt.date | None,
    time: dt.time | None,
    *,
    zone: dt.tzinfo,
    now: dt.datetime,
    errors: dict[str, str],
    date_field: str = "handoff_date",
    time_field: str = "handoff_time",
) -> dt.datetime | None:
    """The meeting as aware UTC, typed in `zone`: today or later (a meeting earlier today may
    be logged after the fact), within a year."""
    if day is None:
        errors[date_field] = "商談日を選んでください"
    if time is None:
        errors[time_field] = "商談の開始時刻を選んでください"
    if day is None or time is None:
        return None
    today = now.astimezone(zone).date()
    if day < today:
        errors[date_field] = "商談日に過去の日付は指定できません (今日以降を選んでください)"
        return None
    latest = today + dt.timedelta(days=limits.MEETING_DAYS_AHEAD)
    if day > latest:
        errors[date_field] = f"商談日は {date_label(latest, today=today)} までにしてください"
        return None
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def _clean_notes(handoff: HandoffInput, errors: dict[str, str]) -> dict[str, str]:
    notes: dict[str, str] = {}
    for name, label in NOTE_FIELDS.items():
        text = str(getattr(handoff, name) or "").strip()
        if name in REQUIRED_NOTES and not text:
            errors[f"handoff_{name}"] = f"{label}を入力してください"
        elif len(text) > limits.HANDOFF_NOTE:
            errors[f"handoff_{name}"] = f"{label}は {limits.HANDOFF_NOTE} 文字以内にしてください"
        notes[name] = text
    return notes
