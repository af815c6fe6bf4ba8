"""Who owns a new inbound lead (DOMAIN.md rule 1: an owner the moment it arrives).

Order: an explicit owner (active, not away) → the first matching routing rule (by position)
naming a member or a team → round-robin among all active reps. Away reps never get new leads.

Round-robin keeps its cursor in the database (`members.last_assigned_seq`), so it survives
restarts and is shared by every process: the eligible rep with the smallest number gets the
lead and is moved behind everyone with a compare-and-set to `max + 1`. Two requests at once
read the same smallest rep, only one compare-and-set succeeds, the other reads again. A rep
back from leave has a small number, so they get the next lead and then go to the back — one
lead, not a catch-up flood.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased

from isops.db import affected_rows
from isops.enums import Role
from isops.errors import Conflict, InvalidInput, NotFound
from isops.models import AssignmentRule, Member
from isops.services.lookup import member_by_slack_id
from isops.text import fold
from isops.unit_of_work import UnitOfWork

# Outbox kinds: the owner's DM, and the managers' note when nobody could take the lead.
LEAD_ASSIGNED = "lead_assigned"
LEAD_UNASSIGNED = "lead_unassigned"

# A compare-and-set loses only to a concurrent winner, so this is never reached in practice.
MAX_CAS_ATTEMPTS = 100
_SLACK_USER_ID = re.compile(r"^[UW][A-Za-z0-9]+$")  # as members.add_member accepts


@dataclass(frozen=True)
class RuleSpec:
    """A routing rule as typed by an operator: `member` is a Slack user id or an e-mail."""

    source: str | None = None
    industry: str | None = None
    team: str | None = None
    member: str | None = None


@dataclass(frozen=True)
class RuleView:
    id: int
    position: int
    source: str | None
    industry: str | None
    team: str | None
    member_slack_user_id: str | None
    member_name: str | None

    def describe(self) -> str:
        """`流入元=資料請求, 業種=* → チーム 東京` for lists and notes."""
        target = " / ".join(
            part
            for part in (
                f"メンバー {self.member_name or self.member_slack_user_id}"
                if self.member_slack_user_id
                else "",
                f"チーム {self.team}" if self.team else "",
            )
            if part
        )
        return f"流入元={self.source or '*'}, 業種={self.industry or '*'} → {target}"


@dataclass(frozen=True)
class Assignment:
    """The chosen owner (None when nobody is available) and why, in Japanese."""

    member_id: int | None
    slack_user_id: str | None
    name: str | None
    how: str  # "explicit" | "rule" | "rotation" | "none"
    reason: str


@dataclass(frozen=True)
class OwnerMatch:
    member_id: int
    slack_user_id: str
    name: str
    active: bool


def is_slack_user_id(text: str) -> bool:
    return bool(_SLACK_USER_ID.match(text))


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


# -- owners ---------------------------------------------------------------------------------------


def _member_by_ref(session: Session, ref: str) -> Member | None:
    """A member by Slack user id, or by e-mail (case-insensitive)."""
    ref = ref.strip()
    if "@" in ref:
        return session.scalars(
            select(Member).where(func.lower(Member.email) == ref.lower()).order_by(Member.id)
        ).first()
    return member_by_slack_id(session, ref)


def find_owner(uow: UnitOfWork, *, owner: str) -> OwnerMatch | None:
    """The member an owner reference (Slack user id or e-mail) names, if registered."""
    with uow:
        member = _member_by_ref(uow.session, owner)
        if member is None:
            return None
        return OwnerMatch(member.id, member.slack_user_id, member.name, member.active)


def owners_by_ref(uow: UnitOfWork, *, refs: Iterable[str]) -> dict[str, OwnerMatch]:
    """Many owner references at once (CSV import): ref → member, for those registered."""
    wanted = {r.strip() for r in refs if r and r.strip()}
    ids = {r for r in wanted if "@" not in r}
    emails = {r.lower(): r for r in wanted if "@" in r}
    found: dict[str, OwnerMatch] = {}
    with uow:
        if ids:
            for m in uow.session.scalars(select(Member).where(Member.slack_user_id.in_(ids))):
                found[m.slack_user_id] = OwnerMatch(m.id, m.slack_user_id, m.name, m.active)
        if emails:
            rows = uow.session.scalars(
                select(Member)
                .where(func.lower(Member.email).in_(list(emails)))
                .order_by(Member.id.desc())  # the oldest member wins a shared address
            )
            for m in rows:
                ref = emails[(m.email or "").lower()]
                found[ref] = OwnerMatch(m.id, m.slack_user_id, m.name, m.active)
    return found


# -- rules ----------------------------------------------------------------------------------------


def _rule_views(session: Session) -> list[RuleView]:
    rows = session.execute(
        select(AssignmentRule, Member.slack_user_id, Member.name)
        .outerjoin(Member, Member.id == AssignmentRule.member_id)
        .order_by(AssignmentRule.position, AssignmentRule.id)
    ).all()
    return [
        RuleView(r.id, r.position, r.source, r.industry, r.team, slack_id, name)
        for r, slack_id, name in rows
    ]


def list_rules(uow: UnitOfWork) -> list[RuleView]:
    """Routing rules in the order they are tried."""
    with uow:
        return _rule_views(uow.session)


def _validated(session: Session, specs: Sequence[RuleSpec]) -> list[AssignmentRule]:
    """Rules ready to insert, or InvalidInput naming every bad one (`規則 2: …`)."""
    errors: dict[str, str] = {}
    rules: list[AssignmentRule] = []
    for number, spec in enumerate(specs, start=1):
        label = f"rule{number}" if len(specs) > 1 else "rule"
        prefix = f"規則 {number}: " if len(specs) > 1 else ""
        source, industry = _clean(spec.source), _clean(spec.industry)
        team, member_ref = _clean(spec.team), _clean(spec.member)
        if team is None and member_ref is None:
            errors[label] = f"{prefix}振り分け先 (team か member) を指定してください"
            continue
        too_long = [
            name
            for name, value, limit in (
                ("source", source, 100),
                ("industry", industry, 100),
                ("team", team, 100),
            )
            if value is not None and len(value) > limit
        ]
        if too_long:
            errors[label] = f"{prefix}{', '.join(too_long)} は 100 文字以内にしてください"
            continue
        member_id: int | None = None
        if member_ref is not None:
            member = _member_by_ref(session, member_ref)
            if member is None:
                errors[label] = f"{prefix}メンバー {member_ref} は登録されていません"
                continue
            member_id = member.id
        rules.append(
            AssignmentRule(source=source, industry=industry, team=team, member_id=member_id)
        )
    if errors:
        raise InvalidInput(errors)
    return rules


def add_rule(uow: UnitOfWork, *, spec: RuleSpec, position: int | None = None) -> RuleView:
    """Add one routing rule at `position` (1 = tried first; default: last)."""
    with uow:
        session = uow.session
        (rule,) = _validated(session, [spec])
        count = session.scalar(select(func.count()).select_from(AssignmentRule)) or 0
        slot = count + 1 if position is None else max(1, min(position, count + 1))
        # Renumber so positions stay 1..n with the new rule at `slot`.
        ordered = list(
            session.scalars(
                select(AssignmentRule).order_by(AssignmentRule.position, AssignmentRule.id)
            )
        )
        ordered.insert(slot - 1, rule)
        session.add(rule)
        for number, item in enumerate(ordered, start=1):
            item.position = number
        session.flush()
        view = next(v for v in _rule_views(session) if v.id == rule.id)
        uow.commit()
        return view


def remove_rule(uow: UnitOfWork, *, rule_id: int) -> None:
    """Delete a routing rule (the others keep their order)."""
    with uow:
        result = uow.session.execute(delete(AssignmentRule).where(AssignmentRule.id == rule_id))
        if affected_rows(result) == 0:
            raise NotFound(f"規則 {rule_id} はありません")
        uow.commit()


def replace_rules(uow: UnitOfWork, *, specs: Sequence[RuleSpec]) -> list[RuleView]:
    """Replace every routing rule with `specs`, in order; nothing changes if one is bad."""
    with uow:
        session = uow.session
        rules = _validated(session, specs)
        session.execute(delete(AssignmentRule))
        for number, rule in enumerate(rules, start=1):
            rule.position = number
            session.add(rule)
        session.flush()
        views = _rule_views(session)
        uow.commit()
        return views


def read_rules_file(path: Path) -> list[RuleSpec]:
    """Rules from a YAML file: `rules: [{source, industry, team | member}, ...]`."""
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput({"file": f"{path} を読めません: {exc}"}) from None
    items = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InvalidInput({"file": f"{path}: `rules:` の下に規則の一覧を書いてください"})
    specs: list[RuleSpec] = []
    errors: dict[str, str] = {}
    allowed = {"source", "industry", "team", "member"}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not set(item) <= allowed:
            errors[f"rule{number}"] = (
                f"規則 {number}: source / industry / team / member だけを書けます"
            )
            continue
        specs.append(
            RuleSpec(**{k: None if item.get(k) is None else str(item[k]) for k in sorted(allowed)})
        )
    if errors:
        raise InvalidInput(errors)
    return specs


# -- choosing an owner ----------------------------------------------------------------------------


def _matches(rule: AssignmentRule, source: str | None, industry: str | None) -> bool:
    # Width, case and kana are folded, so "ｾﾐﾅｰ" from a form tool matches a "セミナー" rule.
    if rule.source is not None and fold(rule.source) != fold(source):
        return False
    return rule.industry is None or fold(rule.industry) == fold(industry)


def _rotate(session: Session, *, team: str | None, exclude: set[int]) -> Member | None:
    """Round-robin: the eligible rep assigned longest ago, claimed by compare-and-set."""
    others = aliased(Member)
    next_seq = select(func.coalesce(func.max(others.last_assigned_seq), 0) + 1).scalar_subquery()
    for _ in range(MAX_CAS_ATTEMPTS):
        query = select(Member.id, Member.last_assigned_seq).where(
            Member.active.is_(True), Member.role == Role.REP
        )
        if team is not None:
            query = query.where(Member.team == team)
        if exclude:
            query = query.where(Member.id.not_in(exclude))
        row = session.execute(query.order_by(Member.last_assigned_seq, Member.id).limit(1)).first()
        if row is None:
            return None
        member_id, seen = row
        # A savepoint per attempt: on PostgreSQL an UPDATE that waited for a concurrent
        # winner locks the row's new version before finding that it no longer matches, and
        # keeps that lock. Two losers retrying on each other's rows would then deadlock;
        # rolling back to the savepoint releases it.
        attempt = session.begin_nested()
        result = session.execute(
            update(Member)
            .where(Member.id == member_id, Member.last_assigned_seq == seen)
            .values(last_assigned_seq=next_seq)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(result) == 1:
            attempt.commit()
            return session.get_one(Member, member_id)
        attempt.rollback()
    raise Conflict("担当者の割り当てが混み合っています。もう一度お試しください")


def _chosen(member: Member, how: str, reason: str) -> Assignment:
    return Assignment(member.id, member.slack_user_id, member.name, how, reason)


def assign_owner(
    uow: UnitOfWork,
    *,
    source: str | None,
    industry: str | None,
    explicit_owner: str | None,
    away_ids: set[int],
) -> Assignment:
    """Pick the owner of a new lead inside the caller's open unit of work (caller commits,
    so a rolled-back lead gives its rotation turn back)."""
    session = uow.session
    notes: list[str] = []
    if explicit_owner:
        member = _member_by_ref(session, explicit_owner)
        if member is not None and member.active and member.id not in away_ids:
            return _chosen(member, "explicit", "担当者の指定")
        why = (
            "未登録"
            if member is None
            else ("休暇中" if member.id in away_ids else "無効なメンバー")
        )
        notes.append(f"指定の担当者 {explicit_owner} は{why}のため自動で割り当て")
    prefix = "".join(f"{n}: " for n in notes)
    rules = session.scalars(
        select(AssignmentRule).order_by(AssignmentRule.position, AssignmentRule.id)
    ).all()
    for rule in rules:
        if not _matches(rule, source, industry):
            continue
        if rule.member_id is not None:
            member = session.get(Member, rule.member_id)
            if member is not None and member.active and member.id not in away_ids:
                return _chosen(
                    member, "rule", f"{prefix}振り分け規則 {rule.position} (メンバー指定)"
                )
        if rule.team is not None:
            picked = _rotate(session, team=rule.team, exclude=away_ids)
            if picked is not None:
                return _chosen(
                    picked,
                    "rule",
                    f"{prefix}振り分け規則 {rule.position} → チーム {rule.team} のローテーション",
                )
    picked = _rotate(session, team=None, exclude=away_ids)
    if picked is not None:
        return _chosen(picked, "rotation", f"{prefix}ローテーション")
    return Assignment(None, None, None, "none", f"{prefix}割り当てられる担当者がいません")


def notify_targets(uow: UnitOfWork) -> list[str]:
    """Slack ids of active managers and admins (told when nobody could take a lead)."""
    return list(
        uow.session.scalars(
            select(Member.slack_user_id)
            .where(Member.active.is_(True), Member.role.in_([Role.MANAGER, Role.ADMIN]))
            .order_by(Member.id)
        )
    )
