"""`/isops team` (admins, issue 13 point 5): members, roles, managers and away periods, each with
a 変更 button that opens a modal to change the role or the manager."""

from __future__ import annotations

from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from isops.enums import Role
from isops.services.team import TeamMember, TeamOverview

Block = dict[str, Any]

ROLE_LABELS = {
    Role.REP: "IS 担当",
    Role.MANAGER: "マネージャー",
    Role.FS: "FS",
    Role.ADMIN: "管理者",
}
NO_MANAGER = "none"
# Members with a button; the rest as text lines (`isops member set` on the command line).
WITH_BUTTONS = mrkdwn.MAX_MESSAGE_BLOCKS - 6


def member_text(member: TeamMember) -> str:
    parts = [f"*{mrkdwn.escape(member.name)}* `{member.slack_user_id}`", ROLE_LABELS[member.role]]
    if member.manager_name:
        parts.append(f"上長: {mrkdwn.escape(member.manager_name)}")
    if member.team:
        parts.append(f"チーム: {mrkdwn.escape(member.team)}")
    if member.reports:
        parts.append(f"部下 {member.reports} 名")
    if not member.active:
        parts.append("(無効)")
    for start, end in member.away[:2]:
        parts.append(f"{texts.AWAY_MARK} {texts.jp_date(start)}〜{texts.jp_date(end)}")
    return " · ".join(parts)


def edit_button(member: TeamMember) -> Block:
    return {
        "type": "button",
        "action_id": ids.TEAM_EDIT_BUTTON,
        "text": mrkdwn.plain(f"{texts.EDIT_MARK} 変更"),
        "value": str(member.id),
    }


def build_team_list(overview: TeamOverview) -> dict[str, Any]:
    """The team (ephemeral), active members first."""
    title = f"{texts.ADMIN_MARK} チーム ({sum(1 for m in overview.members if m.active)} 名)"
    blocks: list[Block] = [mrkdwn.section(f"*{title}*")]
    members = list(overview.members)
    for member in members[:WITH_BUTTONS]:
        blocks.append(mrkdwn.section(member_text(member), accessory=edit_button(member)))
    rest = members[WITH_BUTTONS:]
    if rest:
        blocks.append(
            mrkdwn.section(mrkdwn.truncate("\n".join(member_text(m) for m in rest), 2900))
        )
    blocks.append(
        mrkdwn.context(
            "役割・上長はボタンで変更できます (コマンドラインでは"
            " `isops member set SLACK_ID --role … --manager …`)"
        )
    )
    return {"response_type": "ephemeral", "text": title, "blocks": blocks}


def build_team_edit_modal(member: TeamMember, overview: TeamOverview) -> dict[str, Any]:
    roles = [
        {"text": mrkdwn.plain(label), "value": role.value} for role, label in ROLE_LABELS.items()
    ]
    managers = [
        {
            "text": mrkdwn.plain(
                mrkdwn.truncate(m.name, mrkdwn.MAX_OPTION_TEXT), mrkdwn.MAX_OPTION_TEXT
            ),
            "value": str(m.id),
        }
        for m in overview.managers()
        if m.id != member.id
    ][:99]
    no_manager = {"text": mrkdwn.plain("上長なし"), "value": NO_MANAGER}
    current_manager = next(
        (o for o in managers if o["value"] == str(member.manager_id)), no_manager
    )
    return {
        "type": "modal",
        "callback_id": ids.TEAM_EDIT_VIEW,
        "private_metadata": str(member.id),
        "title": mrkdwn.plain("役割・上長の変更"),
        "submit": mrkdwn.plain("変更する"),
        "close": mrkdwn.plain(texts.CANCEL),
        "blocks": [
            mrkdwn.section(f"*{mrkdwn.escape(member.name)}* `{member.slack_user_id}`"),
            {
                "type": "input",
                "block_id": ids.TEAM_ROLE_BLOCK,
                "label": mrkdwn.plain("役割"),
                "element": {
                    "type": "static_select",
                    "action_id": ids.TEAM_ROLE_BLOCK,
                    "options": roles,
                    "initial_option": next(o for o in roles if o["value"] == member.role.value),
                },
            },
            {
                "type": "input",
                "block_id": ids.TEAM_MANAGER_BLOCK,
                "label": mrkdwn.plain("上長 (マネージャー)"),
                "element": {
                    "type": "static_select",
                    "action_id": ids.TEAM_MANAGER_BLOCK,
                    "options": [no_manager, *managers],
                    "initial_option": current_manager,
                },
            },
        ],
    }


def build_team_changed(member: TeamMember) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": mrkdwn.plain("役割・上長の変更"),
        "close": mrkdwn.plain(texts.CLOSE),
        "blocks": [mrkdwn.section(f"{texts.DONE_MARK} 変更しました\n{member_text(member)}")],
    }
