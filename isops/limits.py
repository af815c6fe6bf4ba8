"""How long a lead's fields may be, and the one stored form of its e-mail.

Every write path (/lead, the webhook, the CSV import, logging an action) takes its limits
from here, so a value one path accepts is never refused by another. The text lengths are the
column sizes in `isops.models` (a test keeps them in step).
"""

from __future__ import annotations

COMPANY = 200
CONTACT_NAME = 200
TITLE = 200
INDUSTRY = 100
EMAIL = 320  # RFC 5321: 64 local + @ + 255 domain, rounded as most CRMs do
PHONE = 50
SOURCE = 100
EXTERNAL_ID = 200
OWNER_REF = 320  # a member's Slack user id or e-mail

# What a rep submits as an action memo at once: issue 3's limit, and Slack's own limit for a
# plain_text_input. The stored memo (a Text column) may be longer — an imported CRM memo, or
# one the rep appended to — and is then shown as "too long to edit" with typed text appended.
MEMO = 3000
# A memo as a CRM export may carry it (CSV import only).
IMPORTED_MEMO = 20_000


def normalize_email(email: str) -> str:
    """The form a lead's e-mail is stored and matched in: trimmed and lower-cased, so that
    `Lead.email = :email` (indexed) finds `Taro@Example.com` from any path.

    The local part is case-sensitive in theory; in practice no mail system is, and CRMs
    deduplicate the same way."""
    return email.strip().lower()
