"""Read-only views of rows: a frozen dataclass filled from ORM objects or a result row.

Most service results are a row seen through a dataclass whose fields share the row's names.
Copying them by hand (`id=member.id, name=member.name, …`) hid the few fields that differ;
`from_attributes` copies the same-named ones and takes only those that differ as arguments,
as pydantic's `from_attributes` does for its models.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def from_attributes(cls: type[T], /, *sources: object, **given: Any) -> T:
    """`cls(**given, <every other init field>=<the source that has it>.<its name>)`.

    A field that no source has raises AttributeError naming it, so a renamed column fails the
    first test that builds the view rather than filling in a default. With several sources
    (a review and its lead, say), a field that more than one of them has must be given: which
    `id` or `memo` a view shows is never decided by the order of the arguments. A view's field
    must not share its name with a relationship of an ORM source: reading it would load, or
    raise for `lazy="raise"` — views are of columns. A method is not a value: a result row's
    `count` or `index` (tuple methods) without such a column counts as missing.
    """
    copied: dict[str, Any] = {}
    for name in _init_fields(cls):
        if name in given:
            continue
        if len(sources) == 1:  # the common case, per row of a list: no list built
            value = _value(sources[0], name)
            found = 0 if value is _NONE else 1
        else:
            values = [v for source in sources if (v := _value(source, name)) is not _NONE]
            found, value = len(values), values[0] if values else _NONE
        if found != 1:
            if not found:
                raise AttributeError(f"no source of {cls.__name__} has {name!r}")
            raise TypeError(f"{cls.__name__}.{name} is on {found} sources: give it")
        copied[name] = value
    return cls(**copied, **given)


_NONE = object()  # what `_value` returns for a name a source has no value under


def _value(source: object, name: str) -> Any:
    value = getattr(source, name, _NONE)
    return _NONE if callable(value) else value  # views hold values, never a source's methods


# Views are built per row (App Home's list among them): each class's fields are read once.
# Filling this from several threads at once only writes the same value twice.
_INIT_FIELDS: dict[type, tuple[str, ...]] = {}


def _init_fields(cls: type) -> tuple[str, ...]:
    names = _INIT_FIELDS.get(cls)
    if names is None:
        if not is_dataclass(cls):
            raise TypeError(f"{cls.__name__} is not a dataclass")
        names = _INIT_FIELDS[cls] = tuple(field.name for field in fields(cls) if field.init)
    return names
