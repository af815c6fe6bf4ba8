"""Listeners, one module per feature and kind; `register_all` wires them into the app."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners import errors
from bot.listeners.actions import cases as case_actions
from bot.listeners.actions import handoffs as handoff_actions
from bot.listeners.actions import lead_picked, log_button, log_form, quick_log
from bot.listeners.actions import reassign as reassign_actions
from bot.listeners.actions import reschedule as reschedule_actions
from bot.listeners.actions import reviews as review_actions
from bot.listeners.actions import team as team_actions
from bot.listeners.commands import cases as case_commands
from bot.listeners.commands import handoffs as handoff_commands
from bot.listeners.commands import isops_command, lead, log
from bot.listeners.commands import leads_import as leads_import_command
from bot.listeners.commands import reminders as reminder_commands
from bot.listeners.commands import reports as report_commands
from bot.listeners.commands import reviews as review_commands
from bot.listeners.commands import team as team_commands
from bot.listeners.events import app_home
from bot.listeners.events import manager_home as manager_home_events
from bot.listeners.options import lead_select
from bot.listeners.views import cases as case_views
from bot.listeners.views import handoffs as handoff_views
from bot.listeners.views import lead_create, log_action, log_confirm, review_return
from bot.listeners.views import leads_import as leads_import_view
from bot.listeners.views import reassign as reassign_views
from bot.listeners.views import team as team_views


def register_all(app: App, deps: Deps) -> None:
    errors.register(app, deps)
    isops_command.register(app, deps)
    app_home.register(app, deps)
    review_commands.register(app, deps)
    review_actions.register(app, deps)
    review_return.register(app, deps)
    # Issue #3: /log-call, /log-mail, /lead and the 記録 button.
    log.register(app, deps)
    lead.register(app, deps)
    lead_select.register(app, deps)
    log_button.register(app, deps)
    lead_picked.register(app, deps)
    log_form.register(app, deps)
    log_action.register(app, deps)
    log_confirm.register(app, deps)
    lead_create.register(app, deps)
    # Issue #4: /isops import (admins paste a CSV of leads).
    leads_import_command.register(app, deps)
    leads_import_view.register(app, deps)
    # Issue #5: /isops today, /isops away and the morning DM's 振り分け button.
    reminder_commands.register(app, deps)
    reschedule_actions.register(app, deps)
    # Issue #11: one-tap logging on every list, its undo, the list modal.
    quick_log.register(app, deps)
    # Issue #14: the case library (/case, /isops targets).
    case_commands.register(app, deps)
    case_actions.register(app, deps)
    case_views.register(app, deps)
    # Issue #12: hand-off to FS, acknowledgement, verdicts, /isops handoffs.
    handoff_commands.register(app, deps)
    handoff_actions.register(app, deps)
    handoff_views.register(app, deps)
    # Issue #13: the managers' view (reports a–e, 担当を振り替える, /isops team).
    report_commands.register(app, deps)
    reassign_actions.register(app, deps)
    reassign_views.register(app, deps)
    manager_home_events.register(app, deps)
    team_commands.register(app, deps)
    team_actions.register(app, deps)
    team_views.register(app, deps)
