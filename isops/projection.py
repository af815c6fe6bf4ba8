"""Read-only views of rows: a frozen dataclass filled from an ORM object or a result row.

Most service results are a row seen through a dataclass whose fields share the row's names.
Copying them by hand (`id=member.id, name=member.name, …`) hid the few fields that differ;
`from_attributes` copies the same-named ones and takes only those that differ as arguments,
as pydantic's `from_attributes` does for its models.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def from_attributes(cls: type[T], source: object, /, **given: Any) -> T:
    """`cls(**given, <every other init field>=getattr(source, <its name>))`.

    A field that `source` lacks raises AttributeError naming it, so a renamed column fails
    the first test that builds the view rather than filling in a default.
    """
    if not is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a dataclass")
    copied = {
        field.name: getattr(source, field.name)
        for field in fields(cls)
        if field.init and field.name not in given
    }
    return cls(**copied, **given)
