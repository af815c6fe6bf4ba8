"""Errors in listeners, handled in one place: the `reports_errors` decorator.

Domain errors (`isops.errors`) are the user's business: their Japanese message goes back to
the person who acted. No listener raises them to Bolt: when a listener raises right after
`ack()`, Bolt 1.30's thread runner sets `ack.response` back to None (thread_runner.py, "if
ack.response is not None: response = None" … "ack.response = response"); if that happens
before its 10 ms poll saw the ack, the HTTP request waits 3 s and answers 404, and Slack
shows "dispatch_failed" on top of our message. So every listener is wrapped in
`reports_errors`, which reports instead of raising (a test checks that none is left out).

Bolt's global error handler (`register`) is left with what happens outside listeners, in
middleware; it answers only requests our middleware has seen, i.e. verified ones.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot import texts
from bot.blocks.errors import build_error_reply
from bot.middleware import AUTHENTIC
from isops.errors import IsopsError

log = logging.getLogger(__name__)

P = ParamSpec("P")

# What reporting needs from Bolt, asked for even when the listener itself does not use it.
_REPORTING_ARGS = ("ack", "body", "respond", "client")
_REPORTS_ERRORS = "__isops_reports_errors__"


def tell_user(
    error: IsopsError | str,
    *,
    body: Mapping[str, Any],
    respond: Respond | None,
    client: WebClient | None,
) -> None:
    """The error's message to the person who acted: ephemeral via response_url, else a DM."""
    reply = build_error_reply(str(error))
    user_id = (body.get("user") or {}).get("id") or body.get("user_id")
    if respond is not None and (body.get("response_url") or body.get("response_urls")):
        respond(**reply, response_type="ephemeral", replace_original=False)
    elif client is not None and user_id:
        client.chat_postMessage(channel=str(user_id), **reply)
    else:  # pragma: no cover - Slack always says who acted
        log.warning("cannot tell anyone: %s", error)


class _RecordingAck:
    """Bolt's `ack`, remembering whether the listener called it."""

    def __init__(self, ack: Callable[..., Any] | None) -> None:
        self._ack = ack
        self.called = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self._ack(*args, **kwargs) if self._ack is not None else None
        self.called = True
        return result


def reports_errors(listener: Callable[P, None]) -> Callable[P, None]:
    """Wrap a listener so that nothing it raises reaches Bolt.

    - A domain error (`IsopsError`) is the user's answer: its message goes to whoever acted.
    - Anything else is a bug: logged with its traceback here, and the user gets the generic
      Japanese message (never the traceback). It is not re-raised, because Bolt could do no
      more with it than this, and raising after `ack()` loses the ack (see the module
      docstring): Slack would show a 3-second timeout instead of our message.

    A listener that had not acked yet is acked the way its request needs: a view submission
    with the message on the modal's first input, an options request with no options,
    anything else with an empty ack and the message sent after it. Events (acked by Bolt
    before the listener runs) have nobody waiting: their errors are only logged.

    Bolt passes listeners the arguments their signature names; the wrapper's signature adds
    `ack`, `body`, `respond` and `client` so it can report, and passes on only the
    listener's own."""
    own = inspect.signature(listener)
    added = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)
        for name in _REPORTING_ARGS
        if name not in own.parameters
    ]
    signature = own.replace(parameters=[*own.parameters.values(), *added])

    def handle(*args: P.args, **kwargs: P.kwargs) -> None:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        given = dict(bound.arguments)
        ack = _RecordingAck(given.get("ack"))
        passed = {name: given[name] for name in own.parameters}
        if "ack" in passed:
            passed["ack"] = ack
        try:
            listener(**passed)  # type: ignore[call-arg]
        except IsopsError as exc:
            log.info("%s refused: %s", listener.__name__, type(exc).__name__)
            _report(str(exc), ack=ack, given=given)
        except Exception:
            log.exception("unexpected error in listener %s", listener.__name__)
            _report(texts.GENERIC_ERROR, ack=ack, given=given)

    # Not functools.wraps: Bolt reads the arguments to pass through `__wrapped__`, which
    # would hide the added ones.
    handle.__name__ = listener.__name__
    handle.__qualname__ = listener.__qualname__
    handle.__module__ = listener.__module__
    handle.__doc__ = listener.__doc__
    handle.__signature__ = signature  # type: ignore[attr-defined]
    setattr(handle, _REPORTS_ERRORS, True)
    return handle


def reports_errors_of(listener: Callable[..., Any]) -> bool:
    """Whether `listener` is wrapped in `reports_errors`."""
    return bool(getattr(listener, _REPORTS_ERRORS, False))


def _report(message: str, *, ack: _RecordingAck, given: Mapping[str, Any]) -> None:
    body: Mapping[str, Any] = given.get("body") or {}
    kind = body.get("type")
    try:
        if kind == "event_callback":
            return
        if not ack.called:
            if kind == "block_suggestion":
                ack(options=[])
                return
            if kind == "view_submission":
                block_id = _first_input_block(body.get("view") or {})
                if block_id is not None:
                    ack(response_action="errors", errors={block_id: message})
                    return
            ack()
        tell_user(message, body=body, respond=given.get("respond"), client=given.get("client"))
    except Exception:  # the report itself failing must not raise into Bolt either
        log.exception("could not report an error to the user")


def _first_input_block(view: Mapping[str, Any]) -> str | None:
    for block in view.get("blocks") or []:
        if isinstance(block, Mapping) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def register(app: App) -> None:
    @app.error
    def handle_error(
        error: Exception,
        body: dict[str, Any],
        context: BoltContext,
        respond: Respond,
        client: WebClient,
    ) -> BoltResponse | None:
        """Errors outside listeners (middleware): logged; the user of a verified request gets
        the generic message. An unverified request's body is never acted on: its
        response_url or user id could be anyone's."""
        if isinstance(error, IsopsError):
            log.info("request refused: %s", type(error).__name__)
        else:
            log.error("unhandled error in Bolt", exc_info=error)
        if not context.get(AUTHENTIC):
            return None
        try:
            tell_user(
                error if isinstance(error, IsopsError) else texts.GENERIC_ERROR,
                body=body,
                respond=respond,
                client=client,
            )
        except Exception:  # the error report itself failing must not raise again
            log.exception("could not report an error to the user")
        return None
