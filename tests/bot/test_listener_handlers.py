"""Listeners as plain functions: every registered one is a module-level `handle_*` wrapped in
`reports_errors`, and a handler can be called directly with fake `ack`/`respond`/`client`."""

from __future__ import annotations

import importlib
import logging
import pkgutil
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

import bot.listeners
from bot import texts
from bot.deps import Deps
from bot.listeners import register_all
from bot.listeners.actions.log_button import handle_log_button
from bot.listeners.actions.reschedule import handle_reschedule_overdue
from bot.listeners.commands.lead import handle_lead
from bot.listeners.errors import reports_errors_of
from bot.listeners.options.lead_select import handle_lead_options
from bot.listeners.views.lead_create import handle_lead_submission
from isops.enums import Role
from isops.messages import LEAD_NOT_FOUND
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories
from tests.harness import bot_settings

NOWHERE = "http://127.0.0.1:9/api/"  # no Slack behind it: these tests call no Web API
RESPONSE_URL = "http://127.0.0.1:9/response/unit"


# -- plain Python stand-ins for what Bolt passes ---------------------------------------------------


@dataclass
class Recorder:
    """`ack` or `respond`: records the keyword arguments of each call."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@dataclass
class FakeClient:
    """The few Web API methods listeners call; `failure` is raised by each of them."""

    failure: Exception | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _call(self, method: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((method, kwargs))
        if self.failure is not None:
            raise self.failure
        return {"ok": True}

    def views_open(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("views.open", kwargs)

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("chat.postMessage", kwargs)


@pytest.fixture
def deps(database_url: str, uow_factory: UnitOfWorkFactory) -> Deps:
    return Deps.build(bot_settings(database_url, NOWHERE), uow_factory)


def _click(user_id: str, **action: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user_id},
        "response_url": RESPONSE_URL,
        "trigger_id": "1.1.t",
        "actions": [action],
    }


# -- no listener can forget the error policy -------------------------------------------------------


@dataclass
class RecordingApp:
    """Stands in for Bolt's App in `register_all`: records what each kind registers."""

    listeners: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)
    constraints: list[tuple[str, str | re.Pattern[str]]] = field(default_factory=list)

    def _kind(self, kind: str) -> Callable[..., Callable[[Callable[..., Any]], Any]]:
        def constraint(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
            def register(function: Callable[..., Any]) -> Callable[..., Any]:
                self.listeners.append((kind, function))
                self.constraints.extend((kind, arg) for arg in args)
                return function

            return register

        return constraint

    def __getattr__(self, kind: str) -> Any:
        kinds = (
            "action",
            "command",
            "view",
            "view_closed",
            "options",
            "event",
            "shortcut",
            "message",
        )
        if kind in kinds:
            return self._kind(kind)
        raise AttributeError(kind)

    def error(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return function  # the global handler is not a listener


def test_every_listener_is_a_module_level_handler_that_reports_its_errors(
    deps: Deps,
) -> None:
    app = RecordingApp()
    register_all(app, deps)  # type: ignore[arg-type]
    assert len(app.listeners) >= 15
    for kind, listener in app.listeners:
        where = f"{kind} listener {listener.__module__}.{listener.__qualname__}"
        assert listener.__module__.startswith("bot.listeners."), where
        assert listener.__name__.startswith("handle_"), where
        # Module-level (no closure defined inside register) and wrapped in the decorator.
        assert getattr(sys.modules[listener.__module__], listener.__name__) is listener, where
        assert "<locals>" not in listener.__qualname__, where
        assert reports_errors_of(listener), where
    for sub in deps.subcommands.by_name.values():  # run inside the wrapped /isops listener
        assert getattr(sys.modules[sub.handler.__module__], sub.handler.__name__) is sub.handler


def test_every_handler_in_the_listener_modules_is_registered(deps: Deps) -> None:
    """A handler left out of its kind's register() would never run: each module-level
    `handle_*` under bot.listeners is a listener or an /isops sub-command."""
    app = RecordingApp()
    register_all(app, deps)  # type: ignore[arg-type]
    registered = {id(listener) for _, listener in app.listeners}
    registered |= {id(sub.handler) for sub in deps.subcommands.by_name.values()}
    defined = [
        f"{info.name}.{name}"
        for info in pkgutil.walk_packages(bot.listeners.__path__, "bot.listeners.")
        for name, value in vars(importlib.import_module(info.name)).items()
        if name.startswith("handle_")
        and callable(value)
        and getattr(value, "__module__", None) == info.name
        and id(value) not in registered
    ]
    assert defined == []


def test_no_listener_is_shadowed_by_an_earlier_one_of_its_kind(deps: Deps) -> None:
    """Bolt runs the first listener that matches: an id registered twice, or one that an
    earlier pattern of the same kind also matches, would silently never reach its own."""
    app = RecordingApp()
    register_all(app, deps)  # type: ignore[arg-type]
    for position, (kind, constraint) in enumerate(app.constraints):
        earlier = [c for k, c in app.constraints[:position] if k == kind]
        where = f"{kind} {constraint!r}"
        assert constraint not in earlier, where
        if isinstance(constraint, str):
            shadows = [p for p in earlier if isinstance(p, re.Pattern) and p.search(constraint)]
            assert shadows == [], where


# -- handlers called directly ----------------------------------------------------------------------


def test_a_non_member_clicking_spread_is_acked_and_told_why(deps: Deps) -> None:
    ack, respond = Recorder(), Recorder()
    handle_reschedule_overdue(ack=ack, body=_click("U404"), respond=respond, deps=deps)
    assert ack.calls == [{}]
    (told,) = respond.calls
    assert "メンバー登録されていません" in told["text"]
    assert (told["response_type"], told["replace_original"]) == ("ephemeral", False)


def test_a_log_button_with_an_id_out_of_range_is_refused(deps: Deps) -> None:
    factories.member(deps.uow(), "UR1")
    ack, respond, client = Recorder(), Recorder(), FakeClient()
    value = str(2**63)  # one past the largest bigint
    handle_log_button(
        ack=ack,
        body=_click("UR1", value=value),
        action={"value": value},
        respond=respond,
        client=client,
        deps=deps,
    )
    assert ack.calls == [{}]
    assert [LEAD_NOT_FOUND in c["text"] for c in respond.calls] == [True]
    assert client.calls == []


def test_an_options_request_of_a_non_member_gets_no_options(deps: Deps) -> None:
    ack = Recorder()
    body = {"type": "block_suggestion", "user": {"id": "U404"}, "value": "abc"}
    handle_lead_options(ack=ack, body=body, deps=deps)
    assert ack.calls == [{"options": []}]


def test_an_options_request_with_nul_still_finds_the_lead(deps: Deps) -> None:
    factories.member(deps.uow(), "UR1")
    lead_id = factories.lead(deps.uow(), owner="UR1", company="普通商事")
    ack = Recorder()
    body = {"type": "block_suggestion", "user": {"id": "UR1"}, "value": "普通\x00商事"}
    handle_lead_options(ack=ack, body=body, deps=deps)
    ((answer,),) = [list(call.values()) for call in ack.calls]
    assert [option["value"] for option in answer] == [str(lead_id)]


def test_an_unexpected_failure_is_logged_and_the_user_gets_the_generic_message(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    factories.member(deps.uow(), "UR1", role=Role.REP)
    ack, respond = Recorder(), Recorder()
    client = FakeClient(failure=RuntimeError("db password in a message"))
    command = {"user_id": "UR1", "text": "", "trigger_id": "1.1.t", "response_url": RESPONSE_URL}
    with caplog.at_level(logging.ERROR, logger="bot.listeners.errors"):
        handle_lead(
            ack=ack,
            command=command,
            body=command,
            respond=respond,
            client=client,
            deps=deps,
        )
    assert ack.calls == [{}]
    assert respond.calls[0]["text"] == texts.GENERIC_ERROR
    assert "db password" not in str(respond.calls)
    (logged,) = caplog.records
    assert logged.exc_info is not None  # the traceback is in the log, not in Slack


def test_a_refusal_before_ack_in_a_modal_goes_on_its_first_input(deps: Deps) -> None:
    factories.member(deps.uow(), "UR1")
    view = {
        "id": "V" + "A" * 299,  # too long for an idempotency key
        "private_metadata": "{}",
        "blocks": [
            {"type": "section", "block_id": "intro"},
            {"type": "input", "block_id": "lead_company"},
        ],
        "state": {
            "values": {
                "lead_company": {"company": {"type": "plain_text_input", "value": "株式会社"}},
                "lead_cv_date": {"d": {"type": "datepicker", "selected_date": "2026-11-27"}},
                "lead_cv_time": {"t": {"type": "timepicker", "selected_time": "10:00"}},
            }
        },
    }
    ack = Recorder()
    body = {"type": "view_submission", "user": {"id": "UR1"}, "view": view}
    handle_lead_submission(ack=ack, body=body, view=view, deps=deps)
    assert ack.calls == [
        {"response_action": "errors", "errors": {"lead_company": texts.UNREADABLE_VIEW}}
    ]
