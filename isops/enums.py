"""The domain's closed vocabularies (DOMAIN.md), with their Japanese labels."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    REP = "rep"
    MANAGER = "manager"
    FS = "fs"
    ADMIN = "admin"


class ActionStatus(enum.IntEnum):
    """アクションステータス (DOMAIN.md "Action status")."""

    UNTOUCHED = 1  # 未対応
    NOT_CONNECTED = 2  # 未接続
    CONNECTED = 3  # 接続済
    NO_ACTION_BEFORE_CONNECT = 4  # 対応不要
    MEETING = 5  # 商談化
    NO_ACTION_AFTER_CONNECT = 6  # 接続後不対応

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def needs_review(self) -> bool:
        """4 and 6 stand only once a manager approves (DOMAIN.md rule 3)."""
        return self in NEEDS_REVIEW_STATUSES

    @property
    def is_closed(self) -> bool:
        """Closed leads leave the rep's lists (4 and 6 only once a manager approves)."""
        return self in CLOSED_STATUSES


STATUS_LABELS: dict[ActionStatus, str] = {
    ActionStatus.UNTOUCHED: "未対応",
    ActionStatus.NOT_CONNECTED: "未接続",
    ActionStatus.CONNECTED: "接続済",
    ActionStatus.NO_ACTION_BEFORE_CONNECT: "対応不要",
    ActionStatus.MEETING: "商談化",
    ActionStatus.NO_ACTION_AFTER_CONNECT: "接続後不対応",
}

# The status sets every feature asks about, named once. Tuples in code order: membership in
# Python, and `status IN (…)` in SQL with the same parameters every time.
# Open: on the rep's lists (1 未対応, 2 未接続, 3 接続済).
OPEN_STATUSES: tuple[ActionStatus, ...] = (
    ActionStatus.UNTOUCHED,
    ActionStatus.NOT_CONNECTED,
    ActionStatus.CONNECTED,
)
# Not (yet) connected with the person: 5C2M applies (rule 4).
NOT_CONNECTED_STATUSES: tuple[ActionStatus, ...] = (
    ActionStatus.UNTOUCHED,
    ActionStatus.NOT_CONNECTED,
)
# Never connected: also a lead dropped before connecting (4), for the early-action figure.
NEVER_CONNECTED_STATUSES: tuple[ActionStatus, ...] = (
    *NOT_CONNECTED_STATUSES,
    ActionStatus.NO_ACTION_BEFORE_CONNECT,
)
# "No action needed", before (4) or after (6) connecting: a manager reviews it (rule 3).
NEEDS_REVIEW_STATUSES: tuple[ActionStatus, ...] = (
    ActionStatus.NO_ACTION_BEFORE_CONNECT,
    ActionStatus.NO_ACTION_AFTER_CONNECT,
)
# Off the rep's lists: a meeting set (5), or 4/6 (once approved).
CLOSED_STATUSES: tuple[ActionStatus, ...] = (
    ActionStatus.NO_ACTION_BEFORE_CONNECT,
    ActionStatus.MEETING,
    ActionStatus.NO_ACTION_AFTER_CONNECT,
)


class Priority(enum.IntEnum):
    """優先リード."""

    FOCUS = 1  # 注力
    NON_FOCUS = 2  # 非注力

    @property
    def label(self) -> str:
        return "注力" if self is Priority.FOCUS else "非注力"


PRIORITIES: tuple[Priority, ...] = (Priority.FOCUS, Priority.NON_FOCUS)


class RoleLevel(enum.StrEnum):
    """The contact's level (担当 / マネージャー / 役員)."""

    STAFF = "担当"
    MANAGER = "マネージャー"
    EXECUTIVE = "役員"


class Channel(enum.StrEnum):
    CALL = "call"
    MAIL = "mail"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"call": "架電", "mail": "メール", "other": "その他"}[self.value]


class Outcome(enum.StrEnum):
    """An action's result; values are the Japanese words the team uses."""

    CONNECTED = "接続"
    ABSENT = "不在"
    VOICEMAIL = "留守電"
    REFUSED = "受付拒否"
    BAD_NUMBER = "番号不通"
    SENT = "送信"
    REPLIED = "返信あり"
    BOUNCED = "不達"
    OTHER = "その他"


OUTCOMES_BY_CHANNEL: dict[Channel, tuple[Outcome, ...]] = {
    Channel.CALL: (
        Outcome.CONNECTED,
        Outcome.ABSENT,
        Outcome.VOICEMAIL,
        Outcome.REFUSED,
        Outcome.BAD_NUMBER,
    ),
    Channel.MAIL: (Outcome.SENT, Outcome.REPLIED, Outcome.BOUNCED),
    Channel.OTHER: (Outcome.OTHER,),
}


class ReviewState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class DeliveryState(enum.StrEnum):
    """A claimed outbound message (reminder or notification)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class MeetingMode(enum.StrEnum):
    """How the FS meets the customer (hand-off to FS, issue 12)."""

    ONLINE = "online"
    VISIT = "visit"

    @property
    def label(self) -> str:
        return "オンライン" if self is MeetingMode.ONLINE else "訪問"


class HandoffVerdict(enum.StrEnum):
    """The FS's verdict on a handed-over meeting (有効商談, DOMAIN.md "What managers measure")."""

    VALID = "valid"  # 有効商談
    INVALID = "invalid"  # 有効商談ではない (with a reason)
    RETURNED = "returned"  # IS に戻す: nurture, the lead goes back to the rep as status 3

    @property
    def label(self) -> str:
        return {"valid": "有効商談", "invalid": "有効商談ではない", "returned": "IS に戻す"}[
            self.value
        ]
