"""The case library (DOMAIN.md "Service understanding"): cases, their chains 課題 → 機能 → 便益
and the reusable tags they are made of.

Anyone on the team reads cases; reps, managers and admins add them; managers and admins edit
and archive them (decided from the database by who acts). A case is written whole in one
transaction — the case row, its tags and its chains — so a refused or failed save leaves
nothing behind. What a draft is and the check every write runs on it are `case_drafts`;
search, matching, target lists and the weekly post live in the sibling `cases_*` modules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from isops.case_vocabulary import CompanySize, TagKind, benefit_with_figures
from isops.clock import utcnow
from isops.db import affected_rows
from isops.enums import Role, RoleLevel
from isops.errors import Conflict, NotAllowed, NotFound
from isops.models import Case, CaseChain, CaseTag, Member
from isops.projection import from_attributes
from isops.services.case_drafts import (
    CaseDraft,
    ChainDraft,
    clean_draft,
)
from isops.services.cases_outcomes import CaseOutcome, case_outcomes
from isops.services.idempotency import remember_result, stored_result
from isops.services.lookup import require_active_member
from isops.text import fold
from isops.unit_of_work import UnitOfWork

CASE_NOT_FOUND = "事例が見つかりません"
MAY_NOT_ADD = "事例を追加できるのは担当・マネージャー・管理者です"
MAY_NOT_EDIT = "事例の編集・アーカイブはマネージャーと管理者だけができます"
CASE_CREATE_SCOPE = "case_create"  # idempotency scope: Slack's view id of an add submission

ADDERS = frozenset({Role.REP, Role.MANAGER, Role.ADMIN})
EDITORS = frozenset({Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class ChainView:
    problem: str
    feature: str | None
    connection: str | None
    benefit: str | None
    figures: str | None

    @property
    def benefit_text(self) -> str | None:
        """The benefit with its numbers: `受注率の向上 (18% → 24%)`."""
        return benefit_with_figures(self.benefit, self.figures)


@dataclass(frozen=True)
class CaseDetail:
    """A whole case as every surface shows it (search hit, detail, post, edit form)."""

    id: int
    external_id: str
    title: str
    customer: str | None
    industry: str
    company_size: CompanySize | None
    role_level: RoleLevel | None
    situation: str
    chains: tuple[ChainView, ...]
    link: str | None
    archived: bool
    revision: int
    created_by: str | None
    updated_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    last_shared_at: dt.datetime | None
    # Whether the member looking at it may edit and archive it (False for posts).
    may_edit: bool = False
    # What its hand-offs became (issue 14 point 6); None where it was not looked up.
    outcome: CaseOutcome | None = None

    def draft(self) -> CaseDraft:
        """The case as the edit form starts with it."""
        return CaseDraft(
            title=self.title,
            industry=self.industry,
            customer=self.customer or "",
            company_size=self.company_size,
            role_level=self.role_level,
            situation=self.situation,
            chains=tuple(
                ChainDraft(
                    problem=c.problem,
                    feature=c.feature or "",
                    connection=c.connection or "",
                    benefit=c.benefit or "",
                    figures=c.figures or "",
                )
                for c in self.chains
            ),
            link=self.link or "",
            archived=self.archived,
        )


@dataclass(frozen=True)
class CaseSaved:
    case: CaseDetail
    created: bool


# -- tags and the write -------------------------------------------------------------------------


def tag_ids(session: Session, kind: TagKind, names: Iterable[str]) -> dict[str, int]:
    """The tag id of each name (by folded key), creating the tags that are new.

    `INSERT … ON CONFLICT DO NOTHING` then a SELECT, on both databases: two saves adding the
    same new tag at once both end with the one tag (the second waits for the first's commit
    on PostgreSQL; SQLite has one writer), instead of one failing on the unique key."""
    wanted: dict[str, str] = {}
    for name in names:
        key = fold(name)
        if key:
            wanted.setdefault(key, name)
    if not wanted:
        return {}
    found = dict(
        session.execute(
            select(CaseTag.key, CaseTag.id).where(
                CaseTag.kind == kind, CaseTag.key.in_(sorted(wanted))
            )
        ).all()
    )
    missing = sorted(set(wanted) - set(found))
    if missing:
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        now = utcnow()
        session.execute(
            insert(CaseTag)
            .values(
                [{"kind": kind, "name": wanted[k], "key": k, "created_at": now} for k in missing]
            )
            .on_conflict_do_nothing(index_elements=[CaseTag.kind, CaseTag.key])
        )
        found.update(
            session.execute(
                select(CaseTag.key, CaseTag.id).where(
                    CaseTag.kind == kind, CaseTag.key.in_(missing)
                )
            ).all()
        )
    return found


def search_text_of(draft: CaseDraft) -> str:
    """What `cases.search_text` holds: every text of the case folded, bar-separated."""
    parts = [draft.title, draft.customer, draft.industry, draft.situation]
    for chain in draft.chains:
        parts += [chain.problem, chain.feature, chain.connection, chain.benefit, chain.figures]
    return "|".join(fold(p) for p in parts if p)


def new_external_id() -> str:
    """The CSV key of a case added in Slack (unique; imported cases bring their own)."""
    return f"isops-{uuid.uuid4().hex[:12]}"


def write_case(
    session: Session,
    *,
    draft: CaseDraft,
    member_id: int | None,
    now: dt.datetime,
    case: Case | None = None,
    external_id: str | None = None,
) -> Case:
    """Insert (`case` None) or overwrite a case with a cleaned draft, its tags and chains,
    in the caller's transaction (the caller commits). Used by Slack, the import and the demo."""
    if case is None:
        case = Case(
            external_id=external_id or new_external_id(),
            created_by_id=member_id,
            created_at=now,
            revision=1,
        )
        session.add(case)
    case.title = draft.title
    case.customer = draft.customer or None
    case.industry = draft.industry
    case.industry_key = fold(draft.industry)
    case.company_size = draft.company_size
    case.role_level = draft.role_level
    case.situation = draft.situation
    case.link = draft.link or None
    case.archived = draft.archived
    case.search_text = search_text_of(draft)
    case.updated_by_id = member_id
    case.updated_at = now
    session.flush()
    problems = tag_ids(session, TagKind.PROBLEM, (c.problem for c in draft.chains))
    features = tag_ids(session, TagKind.FEATURE, (c.feature for c in draft.chains))
    benefits = tag_ids(session, TagKind.BENEFIT, (c.benefit for c in draft.chains))
    session.execute(delete(CaseChain).where(CaseChain.case_id == case.id))
    session.add_all(
        CaseChain(
            case_id=case.id,
            position=position,
            problem_tag_id=problems[fold(chain.problem)],
            feature_tag_id=features.get(fold(chain.feature)),
            benefit_tag_id=benefits.get(fold(chain.benefit)),
            connection=chain.connection or None,
            figures=chain.figures or None,
        )
        for position, chain in enumerate(draft.chains)
    )
    session.flush()
    return case


# -- reading ----------------------------------------------------------------------------------------


def load_details(
    session: Session, case_ids: Sequence[int], *, may_edit: bool = False
) -> dict[int, CaseDetail]:
    """Whole cases by id, in three queries whatever their number."""
    if not case_ids:
        return {}
    creator, editor = aliased(Member), aliased(Member)
    rows = session.execute(
        select(Case, creator.name, editor.name)
        .outerjoin(creator, creator.id == Case.created_by_id)
        .outerjoin(editor, editor.id == Case.updated_by_id)
        .where(Case.id.in_(sorted(set(case_ids))))
    ).all()
    problem, feature, benefit = aliased(CaseTag), aliased(CaseTag), aliased(CaseTag)
    chains: dict[int, list[ChainView]] = {}
    for chain_row in session.execute(
        select(
            CaseChain.case_id,
            problem.name,
            feature.name,
            CaseChain.connection,
            benefit.name,
            CaseChain.figures,
        )
        .join(problem, problem.id == CaseChain.problem_tag_id)
        .outerjoin(feature, feature.id == CaseChain.feature_tag_id)
        .outerjoin(benefit, benefit.id == CaseChain.benefit_tag_id)
        .where(CaseChain.case_id.in_(sorted(set(case_ids))))
        .order_by(CaseChain.case_id, CaseChain.position)
    ):
        chains.setdefault(chain_row[0], []).append(ChainView(*chain_row[1:]))
    return {
        case.id: from_attributes(
            CaseDetail,
            case,
            chains=tuple(chains.get(case.id, ())),
            created_by=created_by,
            updated_by=updated_by,
            may_edit=may_edit,
            outcome=None,
        )
        for case, created_by, updated_by in rows
    }


def _detail(session: Session, case_id: int, *, may_edit: bool = False) -> CaseDetail:
    found = load_details(session, [case_id], may_edit=may_edit).get(case_id)
    if found is None:
        raise NotFound(CASE_NOT_FOUND)
    return with_outcomes(session, [found])[0]


def with_outcomes(session: Session, cases: Sequence[CaseDetail]) -> list[CaseDetail]:
    """The cases with what their hand-offs became (one grouped statement for all)."""
    outcomes = case_outcomes(session, [c.id for c in cases])
    return [replace(c, outcome=outcomes.get(c.id, CaseOutcome())) for c in cases]


def case_detail(uow: UnitOfWork, *, case_id: int, slack_user_id: str | None = None) -> CaseDetail:
    """The whole case for a member of the team (`slack_user_id`; they may all read it, and
    `may_edit` says whether they may edit), or for a post by the bot (None)."""
    with uow:
        may_edit = False
        if slack_user_id is not None:
            member = require_active_member(uow.session, slack_user_id)
            may_edit = member.role in EDITORS
        return _detail(uow.session, case_id, may_edit=may_edit)


def case_for_edit(uow: UnitOfWork, *, slack_user_id: str, case_id: int) -> CaseDetail:
    """The case for the edit form; only a manager or an admin may open it."""
    with uow:
        member = require_active_member(uow.session, slack_user_id)
        if member.role not in EDITORS:
            raise NotAllowed(MAY_NOT_EDIT)
        return _detail(uow.session, case_id, may_edit=True)


@dataclass(frozen=True)
class CaseAccess:
    """What a member may do in the library (read is everyone's)."""

    member_id: int
    role: Role
    may_add: bool
    may_edit: bool


def case_access(uow: UnitOfWork, *, slack_user_id: str) -> CaseAccess:
    """The caller's rights in the library, from the database (a stranger: NotFound)."""
    with uow:
        member = require_active_member(uow.session, slack_user_id)
        return CaseAccess(
            member_id=member.id,
            role=member.role,
            may_add=member.role in ADDERS,
            may_edit=member.role in EDITORS,
        )


# -- writing from Slack ---------------------------------------------------------------------------


def create_case(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    draft: CaseDraft,
    idempotency_key: str | None = None,
) -> CaseSaved:
    """Add a case (reps, managers, admins). The same submission twice adds one case."""
    draft = clean_draft(replace(draft, archived=False))
    with uow:
        session = uow.session
        member = require_active_member(session, slack_user_id)
        if member.role not in ADDERS:
            raise NotAllowed(MAY_NOT_ADD)
        if idempotency_key:
            earlier = stored_result(session, scope=CASE_CREATE_SCOPE, key=idempotency_key)
            if earlier is not None:  # a double click or a retry of the same modal
                return CaseSaved(
                    _detail(session, int(earlier), may_edit=member.role in EDITORS), True
                )
        case = write_case(session, draft=draft, member_id=member.id, now=utcnow())
        if idempotency_key:
            remember_result(
                session, scope=CASE_CREATE_SCOPE, key=idempotency_key, result=str(case.id)
            )
        detail = _detail(session, case.id, may_edit=member.role in EDITORS)
        uow.commit()
        return CaseSaved(detail, created=True)


def update_case(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    case_id: int,
    draft: CaseDraft,
    revision: int,
) -> CaseSaved:
    """Overwrite a case and its chains, or archive / restore it (`draft.archived`);
    managers and admins only. `revision` is what the editor started from: a case changed
    meanwhile is a Conflict (the later editor reopens it) rather than a silent overwrite.

    The revision check is one conditional UPDATE: on PostgreSQL a concurrent save waits for
    the row lock and then finds the revision moved (0 rows); SQLite runs one writer at a
    time (BEGIN IMMEDIATE)."""
    draft = clean_draft(draft)
    with uow:
        session = uow.session
        member = require_active_member(session, slack_user_id)
        if member.role not in EDITORS:
            raise NotAllowed(MAY_NOT_EDIT)
        claimed = session.execute(
            update(Case)
            .where(Case.id == case_id, Case.revision == revision)
            .values(revision=Case.revision + 1)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(claimed) != 1:
            current = session.execute(
                select(Case.id, Member.name, Case.updated_at)
                .outerjoin(Member, Member.id == Case.updated_by_id)
                .where(Case.id == case_id)
            ).first()
            if current is None:
                raise NotFound(CASE_NOT_FOUND)
            who = f"{current.name} さんが" if current.name else "ほかの人が"
            raise Conflict(
                f"この事例は編集中に{who}更新しました。閉じて開き直してから編集してください"
            )
        case = session.get_one(Case, case_id, populate_existing=True)
        write_case(session, draft=draft, member_id=member.id, now=utcnow(), case=case)
        detail = _detail(session, case_id, may_edit=True)
        uow.commit()
        return CaseSaved(detail, created=False)
