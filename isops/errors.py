"""Domain errors. The Slack adapter turns these into Japanese messages in one place."""

from __future__ import annotations


class IsopsError(Exception):
    """Base class; `str(error)` is a message fit to show the user (Japanese)."""


class ConfigError(IsopsError):
    """A required setting is missing or malformed."""


class NotFound(IsopsError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class NotAllowed(IsopsError):
    """The caller may not do this."""


class Conflict(IsopsError):
    """The state changed under the caller (already decided, duplicate, ...)."""


class InvalidInput(IsopsError):
    """Input failed a domain rule; `field_errors` maps field names to Japanese messages."""

    def __init__(self, field_errors: dict[str, str]) -> None:
        self.field_errors = dict(field_errors)
        super().__init__(" / ".join(field_errors.values()))
