"""A CSV problem as the person who fixes the file reads it: `行 12, 列 メール: …`.

Shared by both CSV imports (leads and activity history)."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_ERRORS_KEPT = 200


@dataclass(frozen=True)
class RowError:
    line: int  # as a spreadsheet counts: the header is row 1
    column: str | None  # the header as the file wrote it
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"行 {self.line}, 列 {self.column}: {self.message}"
        return f"行 {self.line}: {self.message}"


@dataclass
class RowErrors:
    """Every error counted, the first MAX_ERRORS_KEPT kept (a broken 1,000,000-row file must
    not fill memory with messages)."""

    kept: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, line: int, column: str | None, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_ERRORS_KEPT:
            self.kept.append(RowError(line, column, message))

    def sorted(self) -> tuple[RowError, ...]:
        return tuple(sorted(self.kept, key=lambda error: error.line))
