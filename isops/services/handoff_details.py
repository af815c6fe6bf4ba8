"""Hand-offs as the messages, lists and senders show them (values only, no ORM), and where
the FS's hand-off DM lives (recorded by the sender that posted it, never from a request)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from isops.date_labels import moment_label
from isops.db import affected_rows
from isops.enums import HandoffVerdict, MeetingMode
from isops.models import Case, Handoff, Lead, Member
from isops.projection import from_attributes
from isops.services.cases_matching import with_first_chain
from isops.services.handoff_cases import UsedCase
from isops.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Person:
    slack_user_id: str
    name: str
    timezone: str | None = None


@dataclass(frozen=True)
class HandoffDetail:
    """One hand-off with its lead card, people and verdict (values only, no ORM)."""

    id: int
    version: int
    lead_id: int
    company: str
    contact_name: str | None
    title: str | None
    role_level: str | None
    industry: str | None
    source: str | None
    cv_at: dt.datetime
    calls: int
    mails: int
    lead_status: int
    lead_next_action_date: dt.date | None
    rep: Person
    fs: Person
    fs_manager_id: int | None
    meeting_at: dt.datetime
    meeting_mode: MeetingMode
    situation: str
    problem: str
    wants: str
    decision_process: str
    budget_timing: str
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    verdict: HandoffVerdict | None
    invalid_reason: str | None
    comment: str | None
    decided_by: Person | None
    decided_at: dt.datetime | None
    changed_by: Person | None
    changed_at: dt.datetime | None
    verdict_due_at: dt.datetime
    verdict_requests: int
    next_request_at: dt.datetime
    fs_message_channel: str | None
    fs_message_ts: str | None
    # The case the rep talked from (issue 14), if they named one and it still exists.
    case: UsedCase | None = None

    @property
    def decided(self) -> bool:
        return self.verdict is not None

    def notes(self) -> list[tuple[str, str]]:
        """The note's filled-in parts, (label, text), in the article's order."""
        parts = [
            ("課題", self.problem),
            ("求めている情報", self.wants),
            ("現状・理想", self.situation),
            ("役割・決裁", self.decision_process),
            ("予算・時期", self.budget_timing),
        ]
        return [(label, text) for label, text in parts if text.strip()]


@dataclass(frozen=True)
class RecordedFsMessage:
    detail: HandoffDetail
    stored: bool  # False: an earlier delivery of the same DM recorded it already


def handoff_detail(uow: UnitOfWork, *, handoff_id: int) -> HandoffDetail | None:
    """The hand-off as the messages show it; None if it is gone (lead deleted)."""
    with uow:
        if uow.session.get(Handoff, handoff_id) is None:
            return None
        return detail_of(uow.session, handoff_id)


def record_fs_message(
    uow: UnitOfWork, *, handoff_id: int, channel: str, ts: str
) -> RecordedFsMessage | None:
    """Remember where the FS's hand-off DM was posted (the first one wins); None if gone."""
    with uow:
        result = uow.session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.fs_message_ts.is_(None))
            .values(fs_message_channel=channel, fs_message_ts=ts)
            .execution_options(synchronize_session=False)
        )
        if uow.session.get(Handoff, handoff_id) is None:
            return None
        recorded = RecordedFsMessage(detail_of(uow.session, handoff_id), affected_rows(result) == 1)
        uow.commit()
    return recorded


def detail_of(session: Session, handoff_id: int) -> HandoffDetail:
    return details(session, [handoff_id])[handoff_id]


def details(session: Session, handoff_ids: Sequence[int]) -> dict[int, HandoffDetail]:
    """Hand-offs with their lead, people and case, read fresh (one statement)."""
    if not handoff_ids:
        return {}
    rep, fs, decider, changer = (aliased(Member, name=n) for n in ("rep", "fs", "dec", "chg"))
    stmt = (
        select(Handoff, Lead, rep, fs, decider, changer, Case.title)
        .join(Lead, Lead.id == Handoff.lead_id)
        .join(rep, rep.id == Handoff.rep_id)
        .join(fs, fs.id == Handoff.fs_member_id)
        .outerjoin(decider, decider.id == Handoff.decided_by_id)
        .outerjoin(changer, changer.id == Handoff.changed_by_id)
        .outerjoin(Case, Case.id == Handoff.case_id)
    )
    rows = session.execute(
        with_first_chain(stmt, Case.id)
        .where(Handoff.id.in_(sorted(set(handoff_ids))))
        .execution_options(populate_existing=True)
    ).all()
    out: dict[int, HandoffDetail] = {}
    for row in rows:
        handoff, lead, rep_row, fs_row, dec_row, chg_row = row[:6]
        case_title, case_problem, case_benefit, case_figures = row[6:]
        out[handoff.id] = from_attributes(
            HandoffDetail,
            handoff,
            lead,
            id=handoff.id,
            created_at=handoff.created_at,
            role_level=lead.role_level.value if lead.role_level else None,
            calls=lead.call_count,
            mails=lead.mail_count,
            lead_status=lead.status,
            lead_next_action_date=lead.next_action_date,
            rep=_person(rep_row),
            fs=_person(fs_row),
            fs_manager_id=fs_row.manager_id,
            decided_by=_person(dec_row) if dec_row is not None else None,
            changed_by=_person(chg_row) if chg_row is not None else None,
            case=(
                UsedCase(
                    id=handoff.case_id,
                    title=case_title,
                    problem=case_problem,
                    benefit=case_benefit,
                    figures=case_figures,
                )
                if handoff.case_id is not None and case_title is not None
                else None
            ),
        )
    return out


def _person(member: Member) -> Person:
    return Person(member.slack_user_id, member.name, member.timezone)


def moment_text(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """`12/3(木) 14:00` in `tz` (history notes and refusals)."""
    return moment_label(moment.astimezone(tz))


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
