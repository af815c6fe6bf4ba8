"""Fake Slack for end-to-end tests: a Web API server and a signed request sender."""

from .server import FakeSlack, Hold, RecordedCall
from .signed import SentResponse, SlackRequestSender, state_value

__all__ = ["FakeSlack", "Hold", "RecordedCall", "SentResponse", "SlackRequestSender", "state_value"]
