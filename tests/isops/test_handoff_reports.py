"""Verdict requests queued once per due moment, FS 未評価 for the morning DM, the managers'
figures (checked against an independent computation) and the CSV export — on both databases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import statistics
import threading
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from isops.calendar import BusinessCalendar
from isops.enums import HandoffVerdict, Role
from isops.models import Handoff, Member, Notification
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import create_case
from isops.services.handoff_reports import (
    EXPORT_HEADERS,
    export_handoffs,
    handoff_figures,
    handoffs_for,
    unrated_for_recipients,
)
from isops.services.handoff_requests import (
    HANDOFF_VERDICT_REQUEST,
    due_requests,
    queue_request,
    request_key,
)
from isops.services.handoff_verdicts import decide_handoff, reschedule_handoff
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories
from tests.factories import TOKYO, jst

TUE = dt.date(2026, 12, 1)
WED = dt.date(2026, 12, 2)
THU = dt.date(2026, 12, 3)
FRI = dt.date(2026, 12, 4)


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(jst(dt.date(2026, 11, 30), 10), tick=False)


# Members by Slack id; `team` creates them in this order on an empty database.
IDS = {"M1": 1, "R1": 2, "R2": 3, "F1": 4, "F2": 5, "A1": 6, "M2": 7, "R9": 8}


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """M1 manages reps R1, R2 and FS F1; F2 is an FS without a manager; A1 an admin; M2 a
    manager of nobody here."""
    factories.member(uow_factory(), "M1", role=Role.MANAGER, name="山田")
    factories.member(uow_factory(), "R1", manager="M1", name="佐藤")
    factories.member(uow_factory(), "R2", manager="M1", name="伊藤")
    factories.member(uow_factory(), "F1", role=Role.FS, manager="M1", name="田中")
    factories.member(uow_factory(), "F2", role=Role.FS, name="鈴木")
    factories.member(uow_factory(), "A1", role=Role.ADMIN, name="管理者")
    factories.member(uow_factory(), "M2", role=Role.MANAGER, name="木村")
    return uow_factory


def handoff(
    uow_factory: UnitOfWorkFactory,
    *,
    rep: str = "R1",
    fs: str = "F1",
    meeting_at: dt.datetime | None = None,
    created_at: dt.datetime | None = None,
    company: str | None = None,
    **fields: Any,
) -> int:
    """A hand-off on a lead of its own (factories.handoff: due 2 h after the meeting)."""
    return factories.handoff(
        uow_factory(),
        factories.lead(uow_factory(), owner=rep, status=5, company=company),
        rep=rep,
        fs=fs,
        meeting_at=meeting_at or jst(TUE, 14),
        created_at=created_at or jst(dt.date(2026, 11, 30), 10),
        **fields,
    )


def _queue_due(
    uow_factory: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar, at: dt.datetime
) -> list[str]:
    stored = []
    for request in due_requests(uow_factory, now=at, settings=settings, calendar=calendar):
        if queue_request(
            uow_factory, request=request, now=at, settings=settings, calendar=calendar
        ):
            stored.append(request.key)
    return stored


def _rate_valid(
    team: UnitOfWorkFactory, handoff_id: int, settings: Settings, calendar: BusinessCalendar
) -> None:
    """FS F1 gives the hand-off its verdict: valid."""
    decide_handoff(
        team(),
        handoff_id=handoff_id,
        slack_user_id="F1",
        verdict=HandoffVerdict.VALID,
        settings=settings,
        calendar=calendar,
    )


def _keys(uow_factory: UnitOfWorkFactory) -> list[str]:
    with uow_factory() as uow:
        return list(
            uow.session.scalars(
                select(Notification.delivery_key)
                .where(Notification.kind == HANDOFF_VERDICT_REQUEST)
                .order_by(Notification.id)
            )
        )


# -- verdict requests --------------------------------------------------------------------------


def test_requests_are_queued_once_per_due_moment_at_most_three(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    handoff_id = handoff(team)
    assert _queue_due(team, settings, calendar, jst(TUE, 15, 59)) == []
    assert _queue_due(team, settings, calendar, jst(TUE, 16)) == [request_key(handoff_id, 1, 1)]
    assert _queue_due(team, settings, calendar, jst(TUE, 17)) == []  # the same moment's
    assert _queue_due(team, settings, calendar, jst(WED, 9)) == [request_key(handoff_id, 1, 2)]
    assert _queue_due(team, settings, calendar, jst(THU, 9)) == [request_key(handoff_id, 1, 3)]
    assert _queue_due(team, settings, calendar, jst(FRI, 9)) == []
    with team() as uow:
        row = uow.session.get_one(Handoff, handoff_id)
        assert (row.verdict_requests, row.next_request_at) == (3, jst(FRI, 9))
    assert len(_keys(team)) == 3


def test_a_run_that_missed_mornings_sends_only_the_latest_request(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    handoff_id = handoff(team)
    assert _queue_due(team, settings, calendar, jst(THU, 11)) == [request_key(handoff_id, 1, 3)]


def test_two_runs_at_once_queue_one_request(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    """Two processes' runs at the same moment: the unique key lets one win (ON CONFLICT)."""
    ids = [handoff(team, company=f"株式会社{i}") for i in range(5)]
    barrier = threading.Barrier(2)
    stored: list[list[str]] = []

    def run() -> None:
        due = due_requests(team, now=jst(TUE, 16), settings=settings, calendar=calendar)
        barrier.wait(10)
        stored.append(
            [
                r.key
                for r in due
                if queue_request(
                    team, request=r, now=jst(TUE, 16), settings=settings, calendar=calendar
                )
            ]
        )

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(stored[0] + stored[1]) == sorted(request_key(i, 1, 1) for i in ids)
    assert Counter(_keys(team)) == Counter(request_key(i, 1, 1) for i in ids)


def test_a_verdict_or_a_reschedule_in_between_stops_the_request(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    decided = handoff(team, company="株式会社評価済")
    moved = handoff(team, company="株式会社日程変更")
    due = due_requests(team, now=jst(TUE, 16), settings=settings, calendar=calendar)
    assert {r.handoff_id for r in due} == {decided, moved}
    _rate_valid(team, decided, settings, calendar)
    reschedule_handoff(
        team(),
        handoff_id=moved,
        slack_user_id="F1",
        meeting_date=THU,
        meeting_time=dt.time(10),
        settings=settings,
        calendar=calendar,
    )
    for request in due:
        assert not queue_request(
            team, request=request, now=jst(TUE, 16), settings=settings, calendar=calendar
        )
    assert _keys(team) == []
    # The moved meeting's request comes with its new version, after the new meeting.
    assert _queue_due(team, settings, calendar, jst(THU, 12)) == [request_key(moved, 2, 1)]


# -- FS 未評価 for the morning DM -----------------------------------------------------------------


def _unrated(team: UnitOfWorkFactory, at: dt.datetime, *members: str) -> dict[str, list[str]]:
    with team() as uow:
        found = unrated_for_recipients(
            uow.session, member_ids=[IDS[m] for m in members], as_of=at, tz=TOKYO
        )
    names = {v: k for k, v in IDS.items()}
    return {names[m]: [i.company for i in items] for m, items in found.items()}


def test_three_unanswered_requests_go_to_the_fs_manager_or_an_admin(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    managed = handoff(team, company="株式会社A", fs="F1")
    handoff(team, company="株式会社B", fs="F2")  # an FS without a manager
    for day, hour in ((TUE, 16), (WED, 9), (THU, 9)):
        _queue_due(team, settings, calendar, jst(day, hour))
    everyone = ("M1", "M2", "A1", "F1", "R1")
    assert _unrated(team, jst(THU, 23, 59), *everyone) == {}  # the third is unanswered only
    assert _unrated(team, jst(FRI, 9), *everyone) == {"M1": ["株式会社A"], "A1": ["株式会社B"]}
    assert _unrated(team, jst(FRI, 9), "M2") == {}
    # The manager leaves: the admin gets it. A verdict ends it.
    with team() as uow:
        uow.session.get_one(Member, IDS["M1"]).active = False
        uow.commit()
    assert _unrated(team, jst(FRI, 9), *everyone) == {"A1": ["株式会社A", "株式会社B"]}
    _rate_valid(team, managed, settings, calendar)
    assert _unrated(team, jst(FRI, 9), *everyone) == {"A1": ["株式会社B"]}


def test_unrated_is_two_statements_at_most(team: UnitOfWorkFactory, engine: Engine) -> None:
    for i in range(20):
        handoff(team, company=f"株式会社{i}", fs="F1" if i % 2 else "F2", verdict_requests=3)
    with factories.sql_statements(engine) as statements:
        found = _unrated(team, jst(FRI, 9), "M1", "A1")
    assert len(found["M1"]) == 10 and len(found["A1"]) == 10
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 2


# -- the managers' figures ------------------------------------------------------------------------


def test_figures_per_rep_match_an_independent_computation(
    team: UnitOfWorkFactory, engine: Engine
) -> None:
    rng = random.Random(12)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    now = jst(dt.date(2026, 12, 2), 12)
    rows: list[dict[str, Any]] = []
    reasons = ["ニーズなし", "予算なし", "時期が先", "その他"]
    for i in range(60):
        created = jst(dt.date(2026, 10, 25), 9) + dt.timedelta(hours=rng.randint(0, 24 * 45))
        due = created + dt.timedelta(days=rng.randint(1, 5), hours=2)
        verdict = rng.choice([None, *HandoffVerdict])
        decided_at = due + dt.timedelta(minutes=rng.randint(-60, 3000)) if verdict else None
        row = {
            "rep": rng.choice(["R1", "R2"]),
            "created_at": created,
            "verdict_due_at": due,
            "next_request_at": due,
            "verdict": verdict,
            "invalid_reason": rng.choice(reasons) if verdict is HandoffVerdict.INVALID else None,
            "decided_at": decided_at,
        }
        rows.append(row)
        handoff(
            team,
            rep=row["rep"],
            created_at=created,
            meeting_at=due - dt.timedelta(hours=2),
            company=f"株式会社{i}",
            **{k: v for k, v in row.items() if k not in ("rep", "created_at")},
        )
    with factories.sql_statements(engine) as statements:
        figures = handoff_figures(team(), start=start, end=end, tz=TOKYO, now=now)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3

    since = dt.datetime.combine(start, dt.time(0), tzinfo=TOKYO)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=TOKYO)
    expected: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "n": 0,
            "valid": 0,
            "invalid": 0,
            "returned": 0,
            "unrated": 0,
            "deltas": [],
            "reasons": Counter(),
        }
    )
    for row in rows:
        if not since <= row["created_at"] < until:
            continue
        e = expected[row["rep"]]
        e["n"] += 1
        if row["verdict"] is None:
            e["unrated"] += row["verdict_due_at"] <= now
        else:
            e[row["verdict"].value] += 1
            e["deltas"].append((row["decided_at"] - row["verdict_due_at"]).total_seconds())
        if row["verdict"] is HandoffVerdict.INVALID:
            e["reasons"][row["invalid_reason"]] += 1
    assert {f.rep_slack_user_id for f in figures} == set(expected)
    for f in figures:
        e = expected[f.rep_slack_user_id]
        assert (f.handoffs, f.valid, f.invalid, f.returned, f.unrated) == (
            e["n"],
            e["valid"],
            e["invalid"],
            e["returned"],
            e["unrated"],
        )
        assert dict(f.invalid_by_reason) == dict(e["reasons"])
        assert f.responded == len(e["deltas"])
        assert f.response_median_seconds == pytest.approx(statistics.median(e["deltas"]), abs=1.0)


def test_figures_of_an_empty_period_are_empty(team: UnitOfWorkFactory) -> None:
    handoff(team)
    assert (
        handoff_figures(
            team(), start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), tz=TOKYO, now=jst(TUE, 9)
        )
        == []
    )


# -- /isops handoffs scope and the export ------------------------------------------------------------


def test_each_role_sees_its_own_scope(team: UnitOfWorkFactory) -> None:
    mine = handoff(team, rep="R1", fs="F1", company="株式会社R1")
    theirs = handoff(team, rep="R2", fs="F2", company="株式会社R2")
    factories.member(team(), "R9", name="他チーム")
    other = handoff(team, rep="R9", fs="F2", company="株式会社R9")
    now = jst(WED, 9)

    def scope(user: str) -> set[int]:
        return {d.id for d in handoffs_for(team(), slack_user_id=user, now=now).items}

    assert scope("R1") == {mine}
    assert scope("F1") == {mine} and scope("F2") == {theirs, other}
    assert scope("M1") == {mine, theirs}  # the team's: its reps and its FS
    assert scope("A1") == {mine, theirs, other}
    assert scope("M2") == set()


def test_the_export_has_japanese_headers_and_neutralised_formulas(team: UnitOfWorkFactory) -> None:
    handoff(
        team,
        company='=HYPERLINK("https://evil.example")',
        verdict=HandoffVerdict.INVALID,
        invalid_reason="予算なし",
        comment="+81 から電話",
        decided_at=jst(TUE, 17),
        decided_by_id=IDS["F1"],
    )
    handoff(team, company="株式会社ふつう")
    out = io.StringIO(newline="")
    assert export_handoffs(team(), out=out, tz=TOKYO) == 2
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == EXPORT_HEADERS and "商談日時" in rows[0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["会社名"] == '\'=HYPERLINK("https://evil.example")'
    assert first["コメント"] == "'+81 から電話"
    assert (first["評価"], first["無効理由"], first["評価者"]) == (
        "有効商談ではない",
        "予算なし",
        "田中",
    )
    assert first["商談日時"] == "2026-12-01T14:00:00+09:00" and first["形式"] == "オンライン"
    plain = dict(zip(rows[0], rows[2], strict=True))
    # Every column of an undecided hand-off, so a column read from the wrong field shows.
    assert plain == {
        **{h: plain[h] for h in ("引き継ぎID", "isops ID", "外部ID", "氏名")},
        "会社名": "株式会社ふつう",
        "担当者": "佐藤",
        "担当者 Slack ID": "R1",
        "FS": "田中",
        "FS Slack ID": "F1",
        "商談日時": "2026-12-01T14:00:00+09:00",
        "形式": "オンライン",
        "課題": "課題",
        "求めている情報": "事例",
        "現状・理想": "",
        "役割・決裁": "",
        "予算・時期": "",
        "引き継ぎ日時": "2026-11-30T10:00:00+09:00",
        "受取日時": "",
        "評価": "未評価",
        "無効理由": "",
        "コメント": "",
        "評価者": "",
        "評価日時": "",
        "評価期限": "2026-12-01T16:00:00+09:00",
        "事例": "",
    }
    assert plain["引き継ぎID"].isdigit() and plain["isops ID"].isdigit()
    with team() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Handoff)) == 2


def test_the_export_appends_the_case_used_after_the_existing_columns(
    team: UnitOfWorkFactory,
) -> None:
    case_id = create_case(
        team(),
        slack_user_id="M1",
        draft=CaseDraft(
            title="=製造業の受注率改善",
            industry="製造",
            chains=(ChainDraft("課題", benefit="便益"),),
        ),
    ).case.id
    handoff(team, case_id=case_id)
    handoff(team)
    out = io.StringIO(newline="")
    assert export_handoffs(team(), out=out, tz=TOKYO) == 2
    header, told, untold = list(csv.reader(io.StringIO(out.getvalue())))
    assert header[-2:] == ["評価期限", "事例"]  # appended: scripts read the others by position
    assert header.index("引き継ぎID") == 0 and header.index("評価") == 18
    assert (told[-1], untold[-1]) == ("'=製造業の受注率改善", "")
    assert len(told) == len(untold) == len(header)
