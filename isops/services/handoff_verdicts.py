"""The FS's side of a hand-off (issue 12): 受け取りました, 📅 日程変更 and the verdict (有効商談).

Only the FS named on the hand-off or an admin, read from the database by who clicked; anyone
else (the rep, another FS, a manager) is refused and nothing changes. The verdict is a
compare-and-set, `UPDATE handoffs … WHERE verdict IS NULL`, taken after the lead's row lock
(the lock logging an action takes): on PostgreSQL the second of two clicks waits for the first
to commit and then finds the verdict (or updates nothing: READ COMMITTED re-checks the WHERE);
on SQLite BEGIN IMMEDIATE serialises them. The loser is told who decided, and nothing of
theirs is saved. An admin may change a verdict later (`change=True`): a compare-and-set on the
verdict they found, recorded in the history as a change; `decided_at` stays the first
verdict's time, the FS's response. Each is a `lead_history` row (`field = "handoff"`), and
the FS's messages and the rep's DM follow through the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import Session, aliased

from isops import limits
from isops.calendar import BusinessCalendar, member_zone
from isops.clock import utcnow
from isops.date_labels import date_label
from isops.db import affected_rows
from isops.enums import ActionStatus, HandoffVerdict, Role
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.models import Handoff, Lead, Member
from isops.rules import next_action_date_problem
from isops.services import outbox
from isops.services.handoff_details import HandoffDetail, detail_of, moment_text, short
from isops.services.handoff_schedule import VerdictSchedule
from isops.services.handoffs import (
    HANDOFF_REFRESH,
    HANDOFF_REP_NOTICE,
    HISTORY_FIELD,
    meeting_moment,
)
from isops.services.history import record_change
from isops.services.lookup import require_active_member
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

OTHER_REASON = "その他"  # the invalid reason that needs a comment
HANDOFF_NOT_FOUND = "この引き継ぎは見つかりません (リードが削除された可能性があります)"
NOT_THE_FS = "この商談を受け取り・評価できるのは、引き継ぎ先の FS ({name} さん) か管理者だけです"
ONLY_ADMIN_CHANGES = "評価を変更できるのは管理者だけです"
RETURNED_IS_FINAL = (
    "IS に戻したリードの評価は変更できません。もう一度商談化するときは担当者が記録します"
)


@dataclass(frozen=True)
class Acknowledged:
    detail: HandoffDetail
    newly: bool  # False: it had been acknowledged already (nothing changed)


def acknowledge_handoff(uow: UnitOfWork, *, handoff_id: int, slack_user_id: str) -> Acknowledged:
    """受け取りました: the FS (or an admin) has read the hand-off. Once: a second click changes
    nothing. Updates the FS's DM and tells the rep (through the outbox)."""
    now = utcnow()
    with uow:
        session = uow.session
        member, handoff = _authorized(session, handoff_id, slack_user_id)
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff.id, Handoff.acknowledged_at.is_(None))
            .values(acknowledged_at=now)
            .execution_options(synchronize_session=False)
        )
        newly = affected_rows(result) == 1
        if newly:
            record_change(
                session,
                lead_id=handoff.lead_id,
                member_id=member.id,
                field=HISTORY_FIELD,
                old="handed_off",
                new="acknowledged",
                note=f"{member.name} さんが引き継ぎを受け取りました",
                at=now,
            )
            _queue_notices(uow, handoff.id, "acknowledged", by_slack_user_id=member.slack_user_id)
        detail = detail_of(session, handoff.id)
        uow.commit()
    return Acknowledged(detail, newly)


def handoff_for_verdict(
    uow: UnitOfWork,
    *,
    handoff_id: int,
    slack_user_id: str,
    calendar: BusinessCalendar,
    change: bool = False,
) -> HandoffDetail:
    """The hand-off, if this member may give (or, as an admin, change) its verdict now —
    before a modal opens; raises NotAllowed, NotFound or Conflict (naming who decided)."""
    with uow:
        member, handoff = _authorized(uow.session, handoff_id, slack_user_id)
        _check_open_or_change(uow.session, handoff, member, change, calendar.tz)
        return detail_of(uow.session, handoff_id)


def handoff_for_reschedule(
    uow: UnitOfWork, *, handoff_id: int, slack_user_id: str, calendar: BusinessCalendar
) -> HandoffDetail:
    """The hand-off, if this member may move its meeting now (undecided only)."""
    with uow:
        _member, handoff = _authorized(uow.session, handoff_id, slack_user_id)
        if handoff.verdict is not None:
            raise Conflict(_already_decided(uow.session, handoff.id, calendar.tz))
        return detail_of(uow.session, handoff_id)


def decide_handoff(
    uow: UnitOfWork,
    *,
    handoff_id: int,
    slack_user_id: str,
    verdict: HandoffVerdict,
    reason: str | None = None,
    comment: str = "",
    next_action_date: dt.date | None = None,
    change: bool = False,
    settings: Settings,
    calendar: BusinessCalendar,
) -> HandoffDetail:
    """The FS's verdict: ✅ 有効商談, ❌ 有効商談ではない (`reason` from ISOPS_INVALID_REASONS, a
    `comment` required for その他) or ↩️ IS に戻す (a `comment` and a `next_action_date` within
    rule 5's window: the lead goes back to the rep as status 3 and leaves the FS).

    One verdict per meeting (see the module docstring); `change=True` is an admin changing an
    earlier verdict. Bad input raises InvalidInput (fields `reason`, `comment`,
    `next_action_date`) and nothing is saved. The FS's messages are updated and the rep is told
    through the outbox."""
    comment = (comment or "").strip()
    reason = (reason or "").strip() or None
    now = utcnow()
    with uow:
        session = uow.session
        member, handoff = _authorized(session, handoff_id, slack_user_id)
        lead = _locked_lead(session, handoff.lead_id)
        handoff = _fresh(session, handoff_id)
        _check_open_or_change(session, handoff, member, change, calendar.tz)
        today = now.astimezone(member_zone(member.timezone, calendar.tz)).date()
        _check_verdict(verdict, reason, comment, next_action_date, lead, today, settings)
        old = handoff.verdict
        values: dict[str, Any] = {
            "verdict": verdict,
            "invalid_reason": reason if verdict is HandoffVerdict.INVALID else None,
            "comment": comment or None,
        }
        guard: ColumnElement[bool]
        if old is None:
            guard = Handoff.verdict.is_(None)
            values.update(decided_by_id=member.id, decided_at=now)
        else:
            guard = and_(
                Handoff.verdict == old, Handoff.changed_at.is_not_distinct_from(handoff.changed_at)
            )
            values.update(changed_by_id=member.id, changed_at=now)
        result = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff.id, guard)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(result) != 1:
            # Decided meanwhile (PostgreSQL re-checks the WHERE once the winner commits).
            uow.rollback()
            raise Conflict(_already_decided(session, handoff_id, calendar.tz))
        note = _verdict_note(verdict, reason, comment, next_action_date)
        if old is not None:
            note = f"管理者 {member.name} さんが評価を変更 ({old.label} → {verdict.label}): {note}"
        record_change(
            session,
            lead_id=lead.id,
            member_id=member.id,
            field=HISTORY_FIELD,
            old=old.value if old else "open",
            new=verdict.value,
            note=note,
            at=now,
        )
        if verdict is HandoffVerdict.RETURNED:
            _return_to_rep(session, lead, member.id, next_action_date, now)
        _queue_notices(
            uow,
            handoff_id,
            "changed" if old is not None else "decided",
            verdict=verdict.value,
            previous=old.value if old else None,
            reason=values["invalid_reason"],
            comment=comment,
            next_action_date=(
                next_action_date.isoformat()
                if verdict is HandoffVerdict.RETURNED and next_action_date
                else None
            ),
            by=member.name,
            by_slack_user_id=member.slack_user_id,
            at=now.isoformat(),
        )
        detail = detail_of(session, handoff_id)
        uow.commit()
    return detail


def reschedule_handoff(
    uow: UnitOfWork,
    *,
    handoff_id: int,
    slack_user_id: str,
    meeting_date: dt.date | None,
    meeting_time: dt.time | None,
    settings: Settings,
    calendar: BusinessCalendar,
) -> HandoffDetail:
    """📅 日程変更: the meeting moves and the verdict request moves with it — a new version
    (requests queued for the old one are not sent), the due moment recomputed, the request
    count back to 0. Undecided hand-offs only. Bad input raises InvalidInput (fields
    `meeting_date`, `meeting_time`)."""
    now = utcnow()
    with uow:
        session = uow.session
        member, handoff = _authorized(session, handoff_id, slack_user_id)
        _locked_lead(session, handoff.lead_id)
        handoff = _fresh(session, handoff_id)
        if handoff.verdict is not None:
            raise Conflict(_already_decided(session, handoff_id, calendar.tz))
        errors: dict[str, str] = {}
        zone = member_zone(member.timezone, calendar.tz)
        meeting_at = meeting_moment(
            meeting_date,
            meeting_time,
            zone=zone,
            now=now,
            errors=errors,
            date_field="meeting_date",
            time_field="meeting_time",
        )
        if meeting_at is not None and meeting_at == handoff.meeting_at:
            errors["meeting_date"] = "いまの商談日時と同じです。新しい日時を選んでください"
        if errors:
            raise InvalidInput(errors)
        assert meeting_at is not None
        fs_zone = session.scalar(select(Member.timezone).where(Member.id == handoff.fs_member_id))
        due_at = VerdictSchedule.of(settings, calendar, fs_zone).verdict_due_at(meeting_at)
        old_at, version = handoff.meeting_at, handoff.version
        result = session.execute(
            update(Handoff)
            .where(
                Handoff.id == handoff_id,
                Handoff.verdict.is_(None),
                Handoff.version == version,
            )
            .values(
                meeting_at=meeting_at,
                verdict_due_at=due_at,
                next_request_at=due_at,
                verdict_requests=0,
                version=version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if affected_rows(result) != 1:
            uow.rollback()
            raise Conflict(_already_decided(session, handoff_id, calendar.tz))
        record_change(
            session,
            lead_id=handoff.lead_id,
            member_id=member.id,
            field=HISTORY_FIELD,
            old=old_at.isoformat(),
            new=meeting_at.isoformat(),
            note=(
                f"{member.name} さんが日程変更: {moment_text(old_at, calendar.tz)}"
                f" → {moment_text(meeting_at, calendar.tz)}"
            ),
            at=now,
        )
        _queue_notices(
            uow,
            handoff_id,
            "rescheduled",
            previous_meeting_at=old_at.isoformat(),
            by=member.name,
            by_slack_user_id=member.slack_user_id,
        )
        detail = detail_of(session, handoff_id)
        uow.commit()
    return detail


def _check_verdict(
    verdict: HandoffVerdict,
    reason: str | None,
    comment: str,
    next_action_date: dt.date | None,
    lead: Lead,
    today: dt.date,
    settings: Settings,
) -> None:
    errors: dict[str, str] = {}
    if len(comment) > limits.HANDOFF_COMMENT:
        errors["comment"] = f"コメントは {limits.HANDOFF_COMMENT} 文字以内にしてください"
    if verdict is HandoffVerdict.INVALID:
        if reason not in settings.invalid_reasons:
            errors["reason"] = "有効商談ではない理由を選んでください"
        elif reason == OTHER_REASON and not comment:
            errors["comment"] = "「その他」のときはコメントを書いてください"
    if verdict is HandoffVerdict.RETURNED:
        if not comment:
            errors["comment"] = "IS に戻す理由 (担当者に伝えること) を書いてください"
        if next_action_date is None:
            errors["next_action_date"] = "担当者の次回活動予定日を選んでください"
        else:
            # Rule 5's window for the nurture that follows, whatever the lead's priority.
            limit = today + dt.timedelta(days=settings.focus_max_days)
            problem = next_action_date_problem(
                next_action_date=next_action_date,
                priority=lead.priority,
                today=today,
                targets=settings.targets,
                status=ActionStatus.CONNECTED,
            )
            if problem is None and next_action_date > limit:
                problem = (
                    f"次回活動予定日は {settings.focus_max_days} 日以内"
                    f" ({date_label(limit, today=today)} まで) にしてください"
                )
            if problem:
                errors["next_action_date"] = problem
    if errors:
        raise InvalidInput(errors)


def _return_to_rep(
    session: Session,
    lead: Lead,
    member_id: int,
    next_action_date: dt.date | None,
    now: dt.datetime,
) -> None:
    """↩️ IS に戻す: the lead is the rep's again as 接続済 (nurture), with the FS's next
    action date; it is no longer with the FS (`fs_member_id` cleared — the hand-off row keeps
    who had it)."""
    changes: list[tuple[str, Any, Any]] = []
    if lead.status != ActionStatus.CONNECTED:
        changes.append(("status", lead.status, int(ActionStatus.CONNECTED)))
        lead.status = ActionStatus.CONNECTED
    if next_action_date is not None and next_action_date != lead.next_action_date:
        changes.append(("next_action_date", lead.next_action_date, next_action_date))
        lead.next_action_date = next_action_date
    lead.fs_member_id = None
    for name, old, new in changes:
        record_change(
            session,
            lead_id=lead.id,
            member_id=member_id,
            field=name,
            old=old,
            new=new,
            note="FS から IS に戻す",
            at=now,
        )


def _queue_notices(uow: UnitOfWork, handoff_id: int, event: str, **notice: Any) -> None:
    """After a change to a hand-off: the FS's messages brought up to date, and the rep told."""
    outbox.enqueue(uow, kind=HANDOFF_REFRESH, payload={"handoff_id": handoff_id})
    outbox.enqueue(
        uow,
        kind=HANDOFF_REP_NOTICE,
        payload={"handoff_id": handoff_id, "event": event, **notice},
    )


def _verdict_note(
    verdict: HandoffVerdict,
    reason: str | None,
    comment: str,
    next_action_date: dt.date | None,
) -> str:
    parts = [verdict.label]
    if verdict is HandoffVerdict.INVALID and reason:
        parts.append(f"理由: {reason}")
    if verdict is HandoffVerdict.RETURNED and next_action_date:
        parts.append(f"次回活動予定日 {date_label(next_action_date)}")
    if comment:
        parts.append(f"コメント: {short(comment, 200)}")
    return " / ".join(parts)


def _check_open_or_change(
    session: Session, handoff: Handoff, member: Member, change: bool, tz: dt.tzinfo
) -> None:
    """A first verdict needs an open hand-off; a change needs an admin and a verdict other
    than ↩️ (the lead is the rep's again: a new hand-off is the way back)."""
    if handoff.verdict is None:
        return
    if not change:
        raise Conflict(_already_decided(session, handoff.id, tz))
    if member.role is not Role.ADMIN:
        raise NotAllowed(ONLY_ADMIN_CHANGES)
    if handoff.verdict is HandoffVerdict.RETURNED:
        raise Conflict(RETURNED_IS_FINAL)


def _authorized(session: Session, handoff_id: int, slack_user_id: str) -> tuple[Member, Handoff]:
    """The caller and the hand-off, if the caller is its FS or an admin (from the database).
    Anyone else (the rep, another FS, a manager, a stranger) is refused and learns nothing
    but whose it is."""
    try:
        member = require_active_member(session, slack_user_id)
    except NotFound as exc:
        raise NotAllowed(str(exc)) from None
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(HANDOFF_NOT_FOUND)
    if member.role is not Role.ADMIN and member.id != handoff.fs_member_id:
        fs_name = session.scalar(select(Member.name).where(Member.id == handoff.fs_member_id))
        raise NotAllowed(NOT_THE_FS.format(name=fs_name or "?"))
    return member, handoff


def _locked_lead(session: Session, lead_id: int) -> Lead:
    """The lead, fresh and row-locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers): the lock logging an action takes, so verdicts, reschedules and new
    actions on one lead run one after the other."""
    return session.scalars(
        select(Lead)
        .where(Lead.id == lead_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _fresh(session: Session, handoff_id: int) -> Handoff:
    """The hand-off as committed now (read after the lead's lock was granted)."""
    return session.scalars(
        select(Handoff).where(Handoff.id == handoff_id).execution_options(populate_existing=True)
    ).one()


def _already_decided(session: Session, handoff_id: int, tz: dt.tzinfo) -> str:
    """What the loser of a race (or a late click) is told: who decided what, and when (the
    admin who changed it last, if one did)."""
    decider, changer = aliased(Member), aliased(Member)
    row = session.execute(
        select(
            Handoff.verdict,
            Handoff.invalid_reason,
            Handoff.decided_at,
            decider.name,
            Handoff.changed_at,
            changer.name,
        )
        .outerjoin(decider, decider.id == Handoff.decided_by_id)
        .outerjoin(changer, changer.id == Handoff.changed_by_id)
        .where(Handoff.id == handoff_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        return HANDOFF_NOT_FOUND
    verdict, reason, decided_at, name, changed_at, changer_name = row
    if verdict is None:  # a reschedule won the race
        return "この引き継ぎは直前に日程変更されました。新しい評価依頼からもう一度操作してください"
    label = verdict.label + (f" ({reason})" if reason else "")
    if changed_at is not None:
        name, decided_at = changer_name, changed_at
    when = moment_text(decided_at, tz) if decided_at else ""
    return f"この商談はすでに {name} さんが {when} に「{label}」と評価しています"
