"""`from_attributes`: a dataclass view filled from a row's same-named attributes."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from isops.projection import from_attributes


@dataclass(frozen=True)
class View:
    id: int
    name: str
    label: str
    derived: int = field(init=False, default=0)


def test_copies_same_named_attributes_and_takes_the_rest_as_given() -> None:
    row = SimpleNamespace(id=7, name="山田", label="row's label", extra="ignored")
    view = from_attributes(View, row, label="given")
    assert view == View(id=7, name="山田", label="given")


def test_a_missing_attribute_fails_naming_it() -> None:
    with pytest.raises(AttributeError, match="label"):
        from_attributes(View, SimpleNamespace(id=1, name="x"))


def test_refuses_a_class_that_is_not_a_dataclass() -> None:
    with pytest.raises(TypeError, match="not a dataclass"):
        from_attributes(dict, SimpleNamespace())


@dataclass(frozen=True)
class Named:
    cls: str
    source: str


def test_fields_may_be_named_like_its_parameters() -> None:
    row = SimpleNamespace(cls="row's", source="CSV")
    assert from_attributes(Named, row, cls="given") == Named(cls="given", source="CSV")


def test_several_sources_each_give_the_fields_only_they_have() -> None:
    review = SimpleNamespace(id=1, name="レビュー")
    lead = SimpleNamespace(id=2, label="A社")
    assert from_attributes(View, review, lead, id=review.id) == View(1, "レビュー", "A社")


def test_a_field_on_two_sources_must_be_given() -> None:
    review = SimpleNamespace(id=1, name="レビュー")
    lead = SimpleNamespace(id=2, label="A社")
    with pytest.raises(TypeError, match=r"View\.id is on 2 sources"):
        from_attributes(View, review, lead)
    with pytest.raises(AttributeError, match="no source of View has 'label'"):
        from_attributes(View, review, SimpleNamespace(), id=1)


@dataclass(frozen=True)
class Tally:
    name: str
    count: int


def test_a_result_rows_tuple_methods_are_not_its_columns() -> None:
    from sqlalchemy import create_engine, literal, select

    with create_engine("sqlite://").connect() as connection:
        row = connection.execute(select(literal("A社").label("name"))).one()
        counted = connection.execute(
            select(literal("A社").label("name"), literal(3).label("count"))
        ).one()
    with pytest.raises(AttributeError, match="'count'"):
        from_attributes(Tally, row)  # `row.count` is tuple.count, not a column
    assert from_attributes(Tally, counted) == Tally("A社", 3)
