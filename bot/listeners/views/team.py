"""The role and manager modal submitted: one change, checked by the service (admins only, no
loops, a manager keeps a role that can manage); bad choices come back on their field."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot import ids
from bot.blocks.manager_reassign import build_reassign_notice
from bot.blocks.manager_team import NO_MANAGER, build_team_changed
from bot.deps import Deps
from bot.forms.payload_ids import PayloadRefused, db_id
from bot.forms.state import plain_values
from bot.listeners.actions.team import team_member
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.enums import Role
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.services.team import change_member

FIELD_BLOCKS = {"role": ids.TEAM_ROLE_BLOCK, "manager": ids.TEAM_MANAGER_BLOCK}


@reports_errors
def handle_team_edit_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    actor = body["user"]["id"]
    today = deps.calendar.local_date(utcnow())
    values = plain_values(view)
    try:
        overview, member = team_member(
            deps, actor=actor, member_id=view.get("private_metadata"), today=today
        )
        try:
            role = Role(str(values.get(ids.TEAM_ROLE_BLOCK)))
        except ValueError:
            raise InvalidInput({"role": "役割を選んでください"}) from None
        chosen = values.get(ids.TEAM_MANAGER_BLOCK)
        manager = None
        if chosen and chosen != NO_MANAGER:
            target = overview.get(db_id(chosen, refusal="マネージャーが見つかりません"))
            if target is None:
                raise InvalidInput({"manager": "マネージャーが見つかりません"})
            manager = target.slack_user_id
        changed = change_member(
            deps.uow(),
            member_slack_user_id=member.slack_user_id,
            role=role,
            manager_slack_user_id=manager,
            clear_manager=manager is None,
            actor_slack_user_id=actor,
            today=today,
        )
    except InvalidInput as exc:
        errors = {FIELD_BLOCKS.get(k, ids.TEAM_ROLE_BLOCK): v for k, v in exc.field_errors.items()}
        ack(response_action="errors", errors=errors)
        return
    except (NotAllowed, NotFound, PayloadRefused) as exc:
        ack(response_action="update", view=build_reassign_notice(str(exc)))
        return
    ack(response_action="update", view=build_team_changed(changed))
