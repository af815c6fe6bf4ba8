"""Fake Slack for end-to-end tests: a Web API server and a signed request sender."""

from .server import FakeSlack, RecordedCall
from .signed import SentResponse, SlackRequestSender, state_value

__all__ = ["FakeSlack", "RecordedCall", "SentResponse", "SlackRequestSender", "state_value"]
