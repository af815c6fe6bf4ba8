"""The `/isops import` modal's submission: every row checked first; bad rows stay in the
modal as `行 3, 列 メール: …` with nothing saved, otherwise the summary replaces the form.

The answer is the `ack` itself, so the import runs before it and must end within Slack's
3 seconds: owners must be registered isops members (by Slack user id or their e-mail on
file) — no `users.lookupByEmail`, whose retries and back-off could take longer than that.
The CLI import (`isops leads import`) still asks Slack for unknown e-mails."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from slack_bolt import Ack

from bot import ids
from bot.blocks.lead_intake import build_import_result, import_errors_text
from bot.deps import Deps
from bot.forms.state import plain_values
from bot.listeners.errors import reports_errors
from isops.csvio import ImportPolicy, import_pasted_csv
from isops.errors import IsopsError
from isops.text import strip_control


class ImportForm(BaseModel):
    """What the admin submitted."""

    model_config = ConfigDict(frozen=True)

    text: str = ""
    dry_run: bool = False

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> ImportForm:
        values = plain_values(view)
        return cls(
            # Control characters (NUL: PostgreSQL refuses it) dropped; tabs and lines stay.
            text=strip_control(values.get(ids.LEADS_IMPORT_CSV) or ""),
            dry_run="dry_run" in (values.get(ids.LEADS_IMPORT_DRY_RUN) or []),
        )


@reports_errors
def handle_leads_import_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """取り込む: import the pasted rows, or show every bad row in the modal."""
    policy = ImportPolicy(tz=deps.settings.tz, inbound_sources=deps.settings.inbound_sources)
    form = ImportForm.from_view(view)
    try:
        # Authorised again from the database: the modal may outlive the admin's role.
        result = import_pasted_csv(
            deps.uow_factory,
            by_slack_user_id=body["user"]["id"],
            text=form.text,
            policy=policy,
            lookup_email=None,  # registered members only: see the module docstring
            dry_run=form.dry_run,
        )
    except IsopsError as exc:
        ack(response_action="errors", errors={ids.LEADS_IMPORT_CSV: str(exc)})
        return
    if result.error_count:
        # The import is all or nothing: any error means nothing was saved.
        message = import_errors_text([str(e) for e in result.errors], result.error_count)
        ack(response_action="errors", errors={ids.LEADS_IMPORT_CSV: message})
        return
    ack(
        response_action="update",
        view=build_import_result(
            summary=result.summary(),
            ignored_columns=result.ignored_columns,
            dry_run=result.dry_run,
        ),
    )
    deps.wake_outbox()  # the Homes of the reps whose leads changed
