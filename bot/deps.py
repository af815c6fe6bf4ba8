"""What every listener and job needs, built once at start-up (no module-level state)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.home_figures import HomeFigures
from isops.calendar import BusinessCalendar
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True)
class CommandCall:
    """One `/isops <name> args` invocation, already acknowledged."""

    deps: Deps
    user_id: str
    channel_id: str
    args: str
    trigger_id: str
    respond: Respond
    client: WebClient


SubcommandHandler = Callable[[CommandCall], None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    handler: SubcommandHandler


@dataclass
class Subcommands:
    """`/isops` sub-commands, registered in bot.listeners.commands (in help order)."""

    by_name: dict[str, Subcommand] = field(default_factory=dict)

    def add(self, name: str, *, usage: str, summary: str, handler: SubcommandHandler) -> None:
        if name in self.by_name:
            raise ValueError(f"/isops {name} registered twice")
        self.by_name[name] = Subcommand(name, usage, summary, handler)


# The context key under which the middleware puts the `Deps`. Bolt passes a listener every
# context key its signature names (slack_bolt.kwargs_injection's build_required_kwargs merges
# the context into the arguments), so a listener asks for `deps: Deps` as for `ack` or `body`.
DEPS = "deps"


@dataclass(frozen=True)
class Deps:
    settings: Settings
    uow_factory: UnitOfWorkFactory
    calendar: BusinessCalendar
    subcommands: Subcommands = field(default_factory=Subcommands)
    # How long the Web API client waits between retries; tests pass a recorder.
    sleep: Callable[[float], None] = time.sleep
    # Set after a commit that enqueued notifications, so the outbox sends them now.
    outbox_wakeup: threading.Event = field(default_factory=threading.Event)
    # App Home's habit figures, kept a few minutes per member (bot.home_figures).
    home_figures: HomeFigures = field(default_factory=HomeFigures)

    def wake_outbox(self) -> None:
        self.outbox_wakeup.set()

    def uow(self) -> UnitOfWork:
        return self.uow_factory()

    @classmethod
    def build(
        cls,
        settings: Settings,
        uow_factory: UnitOfWorkFactory,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Deps:
        calendar = BusinessCalendar(tz=settings.tz, company_holidays=settings.company_holidays)
        return cls(settings=settings, uow_factory=uow_factory, calendar=calendar, sleep=sleep)
