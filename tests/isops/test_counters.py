"""Counters recomputed in SQL agree with the ones kept action by action."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from isops.enums import Channel
from isops.models import Action
from isops.rules import Targets
from isops.services.counters import recompute_counters
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f

CV = dt.datetime(2026, 11, 20, 1, 2, 3, 456789, tzinfo=dt.UTC)


def test_recomputed_counters_match_the_ones_kept_one_action_at_a_time(
    uow_factory: UnitOfWorkFactory,
) -> None:
    f.member(uow_factory(), "U1")
    window = dt.timedelta(days=7)
    touches = [
        (Channel.CALL, "不在", CV - dt.timedelta(microseconds=1)),  # before CV: not early
        (Channel.MAIL, "送信", CV),  # at CV: early
        (Channel.OTHER, "その他", CV + dt.timedelta(days=2)),
        (Channel.CALL, "留守電", CV + window),  # the window's last microsecond: early
        (Channel.CALL, "接続", CV + window + dt.timedelta(microseconds=1)),  # just outside
        (Channel.MAIL, "返信あり", CV + window + dt.timedelta(microseconds=1)),  # a tie: later id
    ]
    kept = f.lead(uow_factory(), owner="U1", cv_at=CV)
    recomputed = f.lead(uow_factory(), owner="U1", cv_at=CV)
    untouched = f.lead(uow_factory(), owner="U1", cv_at=CV)
    for channel, outcome, acted_at in touches:
        f.action(uow_factory(), kept, by="U1", channel=channel, outcome=outcome, acted_at=acted_at)
    with uow_factory() as uow:
        # Inserted newest first with no counters: only the recomputation can get them right.
        for channel, outcome, acted_at in touches:
            uow.session.add(
                Action(lead_id=recomputed, channel=channel, outcome=outcome, acted_at=acted_at)
            )
        uow.commit()
    with uow_factory() as uow:
        assert (
            recompute_counters(uow.session, lead_ids=[recomputed, untouched], targets=Targets())
            == 2
        )
        uow.commit()
    expected = f.lead_counters(uow_factory, kept)
    assert expected[:3] == (3, 2, 3)
    assert expected[5] == "返信あり"
    assert f.lead_counters(uow_factory, recomputed) == expected
    assert f.lead_counters(uow_factory, untouched) == (0, 0, 0, None, None, None)
    with uow_factory() as uow:
        assert len(uow.session.scalars(select(Action.id)).all()) == 12
