"""The log and /lead forms say what the services say when they check the same thing."""

from __future__ import annotations

import datetime as dt

from bot.forms import lead as lead_form
from bot.forms import log as log_form
from isops import limits
from isops.enums import Channel, Outcome
from isops.messages import COMPANY_REQUIRED
from isops.rules import Targets, log_problems


def test_the_log_form_uses_the_service_s_words() -> None:
    problems = log_problems(
        channel=Channel.CALL,
        outcome=Outcome.ABSENT,
        status=9,
        priority=3,
        next_action_date=None,
        next_action_date_untouched=False,
        memo="x" * (limits.MEMO + 1),
        current_memo="",
        review=True,
        reason_code="対象外",
        reason_memo="x" * (limits.MEMO + 1),
        reason_codes=("対象外",),
        today=dt.date(2026, 11, 27),
        targets=Targets(),
    )
    for field in ("status", "priority", "memo", "reason_memo"):
        assert log_form.FIELD_MESSAGES[field] == problems[field]


def test_the_lead_form_uses_the_service_s_words() -> None:
    assert lead_form.FIELD_MESSAGES["company"] == COMPANY_REQUIRED
