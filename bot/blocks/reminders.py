"""The morning DM, `/isops today` and their plain-text form (dry runs and the demo).

Pure builders from `isops.services.reminders` values. A message never exceeds Slack's limits:
sections get their most urgent lines first and the rest is counted as "他 N 件" with the
command that lists them all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import texts
from bot.blocks.handoff_list import unrated_text
from bot.blocks.log_button import build_log_button
from bot.blocks.mrkdwn import (
    MAX_FALLBACK_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    context,
    escape,
    plain,
    section,
    truncate,
    unescape,
)
from bot.ids import RESCHEDULE_OVERDUE_BUTTON
from bot.texts import jp_date
from isops.enums import Channel
from isops.services.reminders import (
    AwayRep,
    LeadLine,
    LeadList,
    ManagerDigest,
    MorningDigest,
    RepDigest,
    ReturnedDecision,
)
from isops.services.reschedule import RescheduleResult, overdue_per_day

Block = dict[str, Any]

# The most lines each section shows in the DM (fewer when the message is full).
DM_CAPS = {"inbound": 8, "focus": 8, "5c2m": 10, "returned": 5, "hygiene": 5}
# This many overdue focus leads or more are grouped into one line with a button.
OVERDUE_GROUP_AT = 5
# Away reps listed in a manager's DM, and hot leads shown per away rep.
AWAY_REPS_SHOWN = 5
AWAY_LEADS_SHOWN = 6
COMPANY_CHARS = 60
CONTACT_CHARS = 30
REASON_CHARS = 400
# `/isops today <section>`: lines with a 記録 button, then compact text lines.
LIST_BUTTON_LINES = 30
COMPACT_CHUNK_CHARS = 2800

# `/isops today <key>`: each section's key and its Japanese aliases.
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "inbound": (texts.INBOUND_LABEL, texts.INBOUND_MARK),
    "focus": (texts.FOCUS_LABEL, texts.NEXT_ACTION_MARK),
    "5c2m": (texts.FIVE_C2M_LABEL, texts.FIVE_C2M_MARK),
    "returned": (texts.RETURNED_LABEL, texts.RETURNED_MARK),
    "hygiene": (texts.HYGIENE_LABEL, texts.HYGIENE_MARK),
}
SECTION_TITLES = {
    "inbound": f"{texts.INBOUND_MARK} インバウンド初回対応 (本日期限・期限超過)",
    "focus": f"{texts.NEXT_ACTION_MARK} 注力リード (次回活動予定日が来たもの)",
    "5c2m": f"{texts.FIVE_C2M_MARK} 5C2M 未完了 (未接続)",
    "returned": f"{texts.RETURNED_MARK} 差し戻されたリード",
    "hygiene": f"{texts.HYGIENE_MARK} 注力リードの予定日整備",
}
NOTHING_TODAY = f"今日のやることはありません {texts.CELEBRATE_MARK}"


# -- small formats ---------------------------------------------------------------------------------


def _who(line_company: str, contact: str | None) -> str:
    name = f"*{escape(truncate(line_company, COMPANY_CHARS))}*"
    if contact:
        name += f" {escape(truncate(contact, CONTACT_CHARS))} 様"
    return name


def _channel(channel: Channel | None) -> str:
    if channel is Channel.CALL or channel is Channel.MAIL:
        return f"次は {texts.CHANNEL_MARKS[channel]} {channel.label}"
    return ""


def _lead_block(text: str, lead_id: int) -> Block:
    return section(text, accessory=build_log_button(lead_id))


def _join(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


# -- one line per lead -----------------------------------------------------------------------------


def inbound_text(line: LeadLine, today: dt.date) -> str:
    deadline = line.inbound_deadline
    if deadline is None or deadline >= today:
        due = "期限 *本日*"
    else:
        due = f"{texts.WARNING_MARK} 期限超過 ({jp_date(deadline)})"
    return _join(
        _who(line.company, line.contact_name),
        escape(line.source or "インバウンド"),
        f"CV から {line.days_since_cv} 日" if line.days_since_cv else "本日 CV",
        due,
    )


def focus_text(line: LeadLine, today: dt.date) -> str:
    day = line.next_action_date
    if day is None:
        when = ""
    elif day == today:
        when = "次回 *本日*"
    elif day > today:
        when = f"次回 {jp_date(day)} (休日分)"
    else:
        when = f"次回 {jp_date(day)} ({(today - day).days} 日超過)"
    return _join(_who(line.company, line.contact_name), when, texts.five_c2m_label(line.progress))


def five_c2m_text(line: LeadLine) -> str:
    early = (
        f"{texts.EARLY_MARK} {line.days_since_cv} 日目:"
        f" 7日以内 {line.early_actions}/{line.early_target} アクション"
        if line.early_behind
        else ""
    )
    return _join(
        _who(line.company, line.contact_name),
        texts.five_c2m_label(line.progress),
        f"CV から {line.days_since_cv} 日",
        _channel(line.progress.next_channel()),
        early,
    )


def hygiene_text(line: LeadLine, today: dt.date) -> str:
    day = line.next_action_date
    problem = (
        "次回活動予定日なし"
        if day is None
        else f"次回 {jp_date(day)} ({(day - today).days} 日後: 遠すぎます)"
    )
    return _join(_who(line.company, line.contact_name), problem)


def returned_text(decision: ReturnedDecision) -> str:
    by = f"{escape(decision.returned_by)} さん" if decision.returned_by else "マネージャー"
    reason = escape(truncate(decision.return_reason, REASON_CHARS)) or "(理由なし)"
    return (
        _join(
            _who(decision.company, decision.contact_name),
            f"{by}が差し戻し (申請: {escape(decision.reason_code)})",
        )
        + f"\n> {reason}"
    )


# -- assembling within the block budget ------------------------------------------------------------


@dataclass
class _Part:
    """A section: blocks always shown, optional lines, and the note for hidden ones."""

    key: str
    head: list[Block]
    lines: list[Block]
    total: int
    cap: int
    more: Callable[[int], Block]
    shown: int = 0
    extra: list[Block] = field(default_factory=list)

    def size(self) -> int:
        hidden = self.total - self.shown
        return len(self.head) + self.shown + (1 if hidden > 0 else 0) + len(self.extra)

    def blocks(self) -> list[Block]:
        hidden = self.total - self.shown
        out = [*self.head, *self.lines[: self.shown]]
        if hidden > 0:
            out.append(self.more(hidden))
        return out + self.extra


def _fit(parts: list[_Part], budget: int) -> None:
    """Show up to each part's cap, then take lines back from the least urgent parts."""
    for part in parts:
        part.shown = min(len(part.lines), part.cap)
    while sum(p.size() for p in parts) > budget:
        # Keep one line per section as long as possible; the last sections give first.
        candidates = [p for p in parts if p.shown > 1] or [p for p in parts if p.shown > 0]
        if not candidates:
            raise ValueError("the fixed blocks alone exceed the message budget")
        candidates[-1].shown -= 1


def _more_note(key: str) -> Callable[[int], Block]:
    return lambda hidden: context(f"…他 {hidden} 件 — 全件は `/isops today {key}` で表示")


def _heading(text: str) -> Block:
    return section(f"*{text}*")


# A line under a section's heading in the DM.
SECTION_NOTES = {"5c2m": "CV から7日以内で5アクション未満のリードが先頭です"}


def _section_part(digest: MorningDigest, key: str, caps: dict[str, int]) -> _Part | None:
    """A section whose lines are its leads (the focus section groups overdue ones instead)."""
    lines, total = _section_lines(digest, key)
    if not total:
        return None
    head = [_heading(f"{SECTION_TITLES[key]} {total} 件")]
    if key in SECTION_NOTES:
        head.append(context(SECTION_NOTES[key]))
    blocks = [_lead_block(text, lead_id) for text, lead_id in lines]
    return _Part(key, head, blocks, total, caps[key], _more_note(key))


def _focus_part(rep: RepDigest, today: dt.date, caps: dict[str, int]) -> _Part | None:
    """Focus leads due today, then the overdue ones: listed, or grouped behind one button."""
    if not (rep.focus_due.total or rep.overdue.total):
        return None
    head = [_heading(f"{SECTION_TITLES['focus']} {rep.focus_due.total + rep.overdue.total} 件")]
    lines = [_lead_block(focus_text(x, today), x.lead_id) for x in rep.focus_due.items]
    total = rep.focus_due.total
    if rep.overdue.total >= OVERDUE_GROUP_AT:
        head.append(build_overdue_group(rep.overdue, today))
    else:
        lines += [_lead_block(focus_text(x, today), x.lead_id) for x in rep.overdue.items]
        total += rep.overdue.total
    return _Part("focus", head, lines, total, caps["focus"], _more_note("focus"))


def _rep_parts(digest: MorningDigest, caps: dict[str, int]) -> list[_Part]:
    parts = [
        _section_part(digest, "inbound", caps),
        _focus_part(digest.rep, digest.business_date, caps),
        _section_part(digest, "5c2m", caps),
        _section_part(digest, "returned", caps),
        _section_part(digest, "hygiene", caps),
    ]
    return [part for part in parts if part is not None]


def build_overdue_group(overdue: LeadList, today: dt.date) -> Block:
    """`期限切れ 23 件` with one button that spreads their dates over business days."""
    oldest = min((x.next_action_date for x in overdue.items if x.next_action_date), default=None)
    since = f" (最古 {jp_date(oldest)}、{(today - oldest).days} 日超過)" if oldest else ""
    per_day = overdue_per_day(overdue.total)
    return section(
        f"*{texts.DEADLINE_MARK} 期限切れ {overdue.total} 件*{since}\n"
        f"次回活動予定日を今日から営業日に振り分けます (1日 {per_day} 件まで、古い順)。",
        accessory={
            "type": "button",
            "text": plain("営業日に振り分ける"),
            "action_id": RESCHEDULE_OVERDUE_BUTTON,
            "value": today.isoformat(),
            "style": "primary",
            "confirm": {
                "title": plain("振り分けの確認"),
                "text": plain(
                    f"期限切れ {overdue.total} 件の次回活動予定日を、今日から1日 {per_day} 件ずつ"
                    "営業日に振り分けます。"
                ),
                "confirm": plain("振り分ける"),
                "deny": plain("やめる"),
            },
        },
    )


def _manager_parts(manager: ManagerDigest) -> list[_Part]:
    head = [_heading(f"{texts.TEAM_MARK} チーム ({manager.team_size} 名)")]
    pending = manager.pending
    if pending.count:
        oldest = ""
        if pending.oldest_company:
            oldest = f" — 最古: {escape(truncate(pending.oldest_company, COMPANY_CHARS))}"
            if pending.oldest_rep:
                oldest += f" ({escape(pending.oldest_rep)} さん)"
        head.append(
            section(f"{texts.PENDING_MARK} *対応不要の承認待ち {pending.count} 件*{oldest}")
        )
    figures = manager.figures
    if not figures.is_empty:
        lines = [f"{texts.FIGURES_MARK} *{jp_date(figures.day)} の実績*"]
        if figures.inbound_due:
            lines.append(
                f"• インバウンド期限内の初回対応: {figures.inbound_on_time}/{figures.inbound_due}"
            )
        if figures.early_due:
            lines.append(
                f"• CV から7日以内に5アクション: {figures.early_reached}/{figures.early_due}"
            )
        if figures.most_overdue:
            names = "、".join(f"{escape(o.name)} {o.count} 件" for o in figures.most_overdue)
            lines.append(f"• 期限切れが多い担当: {names}")
        head.append(section("\n".join(lines)))
    away = [rep for rep in manager.away if rep.has_hot_leads]
    away_lines = [section(_away_text(rep)) for rep in away]
    return [
        _Part(
            "team",
            head,
            away_lines,
            len(away_lines),
            AWAY_REPS_SHOWN,
            lambda hidden: context(f"…ほかに休暇中の担当 {hidden} 名にも急ぎの案件があります"),
        )
    ]


def _away_text(rep: AwayRep) -> str:
    today_lines: list[str] = []
    for line in rep.inbound.items:
        today_lines.append(
            f"• {texts.INBOUND_MARK} {_who(line.company, line.contact_name)}"
            " (インバウンド未対応)"
        )
    for line in (*rep.focus_due.items, *rep.overdue.items):
        day = line.next_action_date
        when = f"次回 {jp_date(day)}" if day else ""
        today_lines.append(
            f"• {texts.NEXT_ACTION_MARK} {_who(line.company, line.contact_name)} ({when})"
        )
    total = rep.inbound.total + rep.focus_due.total + rep.overdue.total
    shown = today_lines[:AWAY_LEADS_SHOWN]
    more = f"\n…他 {total - len(shown)} 件" if total > len(shown) else ""
    text = (
        f"{texts.AWAY_MARK} *{escape(rep.name)} さんは休暇中 (〜{jp_date(rep.until)})* — 急ぎの案件 {total} 件\n"
        + "\n".join(shown)
        + more
    )
    return truncate(text, MAX_SECTION_TEXT)


def _summary(digest: MorningDigest) -> str:
    rep = digest.rep
    counts = [
        (f"{texts.INBOUND_MARK} {texts.INBOUND_LABEL}", rep.inbound.total),
        (f"{texts.NEXT_ACTION_MARK} {texts.FOCUS_LABEL}", rep.focus_due.total + rep.overdue.total),
        (f"{texts.FIVE_C2M_MARK} {texts.FIVE_C2M_LABEL}", rep.five_c2m.total),
        (f"{texts.RETURNED_MARK} {texts.RETURNED_LABEL}", len(rep.returned)),
        (f"{texts.HYGIENE_MARK} {texts.HYGIENE_LABEL}", rep.hygiene.total),
    ]
    if digest.manager is not None:
        counts.append(
            (f"{texts.PENDING_MARK} {texts.PENDING_LABEL}", digest.manager.pending.count)
        )
    counts.append((f"{texts.FS_UNRATED_MARK} FS 未評価", len(digest.fs_unrated)))
    listed = " · ".join(f"{label} {n} 件" for label, n in counts if n)
    return truncate(
        f"{jp_date(digest.business_date)} 今日のやること: {listed or 'なし'}", MAX_FALLBACK_TEXT
    )


def build_morning_dm(
    digest: MorningDigest,
    *,
    caps: dict[str, int] | None = None,
    max_blocks: int = MAX_MESSAGE_BLOCKS,
) -> dict[str, Any]:
    """The morning DM (`text` + `blocks`): the manager's part, then the rep's sections."""
    caps = {**DM_CAPS, **(caps or {})}
    top: list[Block] = [
        {
            "type": "header",
            "text": plain(
                f"{texts.MORNING_MARK} {jp_date(digest.business_date)} 今日のやること", 150
            ),
        }
    ]
    parts: list[_Part] = []
    if digest.manager is not None and not digest.manager.is_empty:
        parts += _manager_parts(digest.manager)
    if digest.fs_unrated:  # issue 12: FS 未評価, one section (its lines are capped inside)
        head = [section(unrated_text(digest.fs_unrated))]
        parts.append(_Part("fs_unrated", head, [], 0, 0, _more_note("fs_unrated")))
    parts += _rep_parts(digest, caps)
    footer = ["`/isops today` でいつでも最新の一覧を表示します"]
    if digest.rep.awaiting_review:
        footer.insert(
            0,
            f"{texts.PENDING_MARK} {texts.PENDING_LABEL} {digest.rep.awaiting_review} 件は"
            "マネージャーの判断待ちのため外しています",
        )
    bottom = [{"type": "divider"}, context(*footer)]
    _fit(parts, max_blocks - len(top) - len(bottom))
    blocks = top + [b for part in parts for b in part.blocks()] + bottom
    return {"text": _summary(digest), "blocks": blocks}


def build_today(digest: MorningDigest) -> dict[str, Any]:
    """`/isops today`: the same list as the morning DM, as of now, only for the caller."""
    if digest.is_empty:
        message: dict[str, Any] = {"text": NOTHING_TODAY, "blocks": [section(NOTHING_TODAY)]}
        if digest.rep.awaiting_review:
            message["blocks"].append(
                context(
                    f"{texts.PENDING_MARK} {texts.PENDING_LABEL} {digest.rep.awaiting_review} 件"
                    " (マネージャーの判断待ち)"
                )
            )
    else:
        message = build_morning_dm(digest)
    return {**message, "response_type": "ephemeral"}


def section_key(word: str) -> str | None:
    """The section a `/isops today <word>` asks for (English key or Japanese alias)."""
    folded = word.strip().lower()
    for key, aliases in SECTION_KEYS.items():
        if folded == key or folded in (a.lower() for a in aliases):
            return key
    return None


def _section_lines(digest: MorningDigest, key: str) -> tuple[list[tuple[str, int]], int]:
    """(text, lead id) for every line of one section, and the section's total."""
    rep, today = digest.rep, digest.business_date
    if key == "inbound":
        return [(inbound_text(x, today), x.lead_id) for x in rep.inbound.items], rep.inbound.total
    if key == "focus":
        items = [*rep.focus_due.items, *rep.overdue.items]
        return [(focus_text(x, today), x.lead_id) for x in items], (
            rep.focus_due.total + rep.overdue.total
        )
    if key == "5c2m":
        return [(five_c2m_text(x), x.lead_id) for x in rep.five_c2m.items], rep.five_c2m.total
    if key == "returned":
        return [(returned_text(x), x.lead_id) for x in rep.returned], len(rep.returned)
    return [(hygiene_text(x, today), x.lead_id) for x in rep.hygiene.items], rep.hygiene.total


def build_section_list(digest: MorningDigest, key: str) -> dict[str, Any]:
    """`/isops today <section>`: every lead of one section, the first ones with a 記録 button,
    the rest as compact lines, all within one message's limits."""
    lines, total = _section_lines(digest, key)
    title = f"{SECTION_TITLES[key]} {total} 件"
    blocks: list[Block] = [_heading(title)]
    if not lines:
        blocks.append(section("該当するリードはありません"))
        return {"text": title, "blocks": blocks, "response_type": "ephemeral"}
    budget = MAX_MESSAGE_BLOCKS - 2  # the heading and a possible "他 N 件" note
    with_button = lines[: min(LIST_BUTTON_LINES, budget)]
    blocks += [_lead_block(text, lead_id) for text, lead_id in with_button]
    shown = len(with_button)
    chunk: list[str] = []
    for text, lead_id in lines[shown:]:
        entry = f"• {text.replace(chr(10), ' ')} (#{lead_id})"
        if chunk and len("\n".join([*chunk, entry])) > COMPACT_CHUNK_CHARS:
            if len(blocks) >= budget + 1:
                break
            blocks.append(section("\n".join(chunk)))
            shown += len(chunk)
            chunk = []
        chunk.append(entry)
    if chunk and len(blocks) < budget + 1:
        blocks.append(section("\n".join(chunk)))
        shown += len(chunk)
    if total > shown:
        blocks.append(
            context(
                f"…他 {total - shown} 件 (1 通に収まりません。上から対応すると次が表示されます)"
            )
        )
    return {"text": title, "blocks": blocks, "response_type": "ephemeral"}


def build_reschedule_result(result: RescheduleResult) -> dict[str, Any]:
    """The answer to the 振り分け button, shown only to the rep."""
    if result.moved == 0:
        text = "期限切れの注力リードはありません (すでに振り分け済みです)"
    else:
        assert result.first_date is not None and result.last_date is not None
        span = (
            jp_date(result.first_date)
            if result.first_date == result.last_date
            else f"{jp_date(result.first_date)}〜{jp_date(result.last_date)}"
        )
        text = (
            f"{texts.DONE_MARK} 期限切れ {result.moved} 件の次回活動予定日を {span} の営業日に"
            f"振り分けました (1日 {result.per_day} 件まで)"
        )
        if result.skipped:
            text += f"。{result.skipped} 件は同時に更新されていたためそのままです"
    return {"text": text, "response_type": "ephemeral", "replace_original": False}


# -- plain text (dry runs, the demo) ---------------------------------------------------------------

_LINK = re.compile(r"<(?:[^|>]+\|)?([^>]+)>")


def _unmrkdwn(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    return unescape(text)


def render_text(message: dict[str, Any]) -> str:
    """A message as readable text: what Slack would show, without the markup."""
    out: list[str] = []
    for block in message.get("blocks") or []:
        kind = block.get("type")
        if kind == "header":
            out.append(f"■ {block['text']['text']}")
        elif kind == "section":
            text = _unmrkdwn(block.get("text", {}).get("text", ""))
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                text += f"  [{accessory['text']['text']}]"
            out.append(text)
        elif kind == "context":
            out.append("  " + " ".join(_unmrkdwn(e.get("text", "")) for e in block["elements"]))
        elif kind == "divider":
            out.append("─" * 20)
        elif kind == "actions":
            out.append(" ".join(f"[{e['text']['text']}]" for e in block.get("elements", [])))
    if not out:
        out.append(str(message.get("text", "")))
    return "\n".join(out)


def render_digests_text(messages: Sequence[tuple[str, dict[str, Any] | None]]) -> str:
    """Several members' messages as text, each under the member's name (None: no DM)."""
    chunks = []
    for who, message in messages:
        body = "(DM なし: 今日のやることはありません)" if message is None else render_text(message)
        chunks.append(f"=== {who} ===\n{body}")
    return "\n\n".join(chunks)
