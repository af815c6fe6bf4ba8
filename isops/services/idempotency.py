"""Keys of requests already handled, so a retry or a second process does nothing twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from isops.db import affected_rows
from isops.models import IdempotencyKey
from isops.unit_of_work import UnitOfWork


def claim_key(uow: UnitOfWork, *, scope: str, key: str, result: str | None = None) -> bool:
    """True when this call is the first to claim (scope, key); False for a repeat."""
    with uow:
        uow.session.add(IdempotencyKey(scope=scope, key=key, result=result))
        try:
            uow.commit()
        except IntegrityError:
            return False
        return True


def stored_result(session: Session, *, scope: str, key: str) -> str | None:
    """What the first request with (scope, key) recorded, inside the caller's transaction."""
    return session.scalar(
        select(IdempotencyKey.result).where(
            IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    )


def remember_result(session: Session, *, scope: str, key: str, result: str) -> None:
    """Record (scope, key) → result in the caller's transaction; the primary key makes a
    concurrent second request fail at commit instead of writing twice."""
    session.add(IdempotencyKey(scope=scope, key=key, result=result))


def purge_keys(uow: UnitOfWork, *, scope: str, older_than: dt.datetime) -> int:
    """Forget claims older than `older_than` (Slack retries events for minutes, not days)."""
    with uow:
        result = uow.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.scope == scope, IdempotencyKey.created_at < older_than
            )
        )
        uow.commit()
        return affected_rows(result)
