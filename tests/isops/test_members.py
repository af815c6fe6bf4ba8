"""Members: add, update, list, and bad input refused with nothing written."""

from __future__ import annotations

import pytest

from isops.enums import Role
from isops.errors import InvalidInput, NotFound
from isops.services.members import add_member, find_member, list_members
from isops.unit_of_work import UnitOfWorkFactory


def test_add_and_list(uow_factory: UnitOfWorkFactory) -> None:
    add_member(uow_factory(), slack_user_id="U100", name="山田", role=Role.MANAGER, team="東京")
    rep = add_member(
        uow_factory(),
        slack_user_id="U200",
        name="佐藤",
        role=Role.REP,
        manager_slack_user_id="U100",
    )
    assert rep.manager_slack_user_id == "U100"
    assert rep.team == "東京"  # inherited from the manager
    assert [m.slack_user_id for m in list_members(uow_factory())] == ["U100", "U200"]


def test_adding_again_updates(uow_factory: UnitOfWorkFactory) -> None:
    add_member(uow_factory(), slack_user_id="U100", name="山田", role=Role.REP)
    add_member(uow_factory(), slack_user_id="U100", name="山田 太郎", role=Role.MANAGER)
    (member,) = list_members(uow_factory())
    assert (member.name, member.role) == ("山田 太郎", Role.MANAGER)


def test_unknown_manager_writes_nothing(uow_factory: UnitOfWorkFactory) -> None:
    with pytest.raises(NotFound):
        add_member(
            uow_factory(),
            slack_user_id="U200",
            name="佐藤",
            role=Role.REP,
            manager_slack_user_id="U999",
        )
    assert list_members(uow_factory()) == []
    assert find_member(uow_factory(), slack_user_id="U200") is None


@pytest.mark.parametrize("user_id", ["", "abc", "U1 2", "C123"])
def test_bad_user_id(uow_factory: UnitOfWorkFactory, user_id: str) -> None:
    with pytest.raises(InvalidInput):
        add_member(uow_factory(), slack_user_id=user_id, name="x", role=Role.REP)
