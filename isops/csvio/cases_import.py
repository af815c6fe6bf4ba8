"""`isops cases import`: cases from a CSV, all or nothing, idempotent by 外部ID.

Each row is one case, found by its 外部ID (a row with a new id adds a case, a known id
updates that case, so importing the same file again changes nothing). A column the file has
sets the field (a blank cell clears an optional one); a column it lacks leaves the field as it
is. The chain columns (課題・機能・接続・便益・数値, one item per line) go together: with 課題
in the file, a row's chains are replaced by what its cells say.

Every row is read and checked, then the whole file is planned and written in ONE transaction:
on any error — a cell (`行 12, 列 課題: …`), a missing required field, the database refusing
something — nothing is written. Cases are few (hundreds), so the rows are held in memory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from isops.case_vocabulary import parse_company_size
from isops.clock import utcnow
from isops.csvio.cases_columns import CASE_BY_KEY, CHAIN_COLUMNS, map_case_headers
from isops.csvio.cells import CellError, parse_role_level, unprotect_formula
from isops.csvio.columns import HeaderMap
from isops.csvio.import_file import EMPTY_FILE, ImportResult, Tally
from isops.csvio.parsing import CONTROL_CHARACTER, CONTROL_CHARACTERS
from isops.csvio.row_errors import RowErrors
from isops.csvio.source import UnreadableFile, detect_encoding, iter_records, normalize_encoding
from isops.errors import InvalidInput
from isops.models import Case
from isops.services import case_drafts
from isops.services.case_drafts import CaseDraft, ChainDraft, clean_draft
from isops.services.cases import load_details, write_case
from isops.text import fold, strip_control
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory

_TRUE = frozenset(
    {"はい", "済", "済み", "yes", "y", "true", "1", "アーカイブ", "archived", "○", "o"}
)
_FALSE = frozenset({"いいえ", "no", "n", "false", "0", "-", "×", "x"})
# One-line text columns: tabs and line breaks become spaces (as in the lead import); their
# lengths are checked by clean_draft, on the column they came from.
_TEXT = frozenset({"title", "customer", "industry", "link"})
_LINE_BREAKS = re.compile("[\t\r\n]")
_CHAIN_PART = {
    "problems": "problem",
    "features": "feature",
    "connections": "connection",
    "benefits": "benefit",
    "figures": "figures",
}
# clean_draft's field names that are not column keys.
_FIELD_COLUMN = {"chains": "problems"}


@dataclass
class _Row:
    line: int
    external_id: str
    values: dict[str, Any]  # the importable columns the file has (None: blank)
    chains: tuple[ChainDraft, ...] | None  # None: the file has no chain columns


def _archived(text: str) -> bool:
    value = unicodedata.normalize("NFKC", text).strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise CellError(f"「{text}」は読めません (はい / いいえ、または true / false)")


def _chains(
    cells: dict[str, str], names: dict[str, str], line: int, errors: RowErrors
) -> tuple[ChainDraft, ...] | None:
    """The n-th line of each chain column forms chain n; None when a cell is refused."""
    columns: dict[str, list[str]] = {}
    for key in CHAIN_COLUMNS:
        lines = [part.strip() for part in cells.get(key, "").replace("\r\n", "\n").split("\n")]
        while lines and not lines[-1]:
            lines.pop()
        columns[key] = lines
    problems = columns["problems"]
    ok = True
    for key in CHAIN_COLUMNS[1:]:
        if len(columns[key]) > len(problems):
            errors.add(
                line,
                names[key],
                f"{CASE_BY_KEY[key].ja}が {len(columns[key])} 行、課題が {len(problems)} 行です"
                f" ({CASE_BY_KEY[key].ja}の n 行目は n 番目の課題に対応します)",
            )
            ok = False
    if not ok:
        return None
    chains = []
    for index in range(len(problems)):
        parts = {
            _CHAIN_PART[key]: columns[key][index] if index < len(columns[key]) else ""
            for key in CHAIN_COLUMNS
        }
        chains.append(ChainDraft(**parts))
    return tuple(chains)


def _parse_row(
    line: int, record: list[str], headers: HeaderMap, width: int, errors: RowErrors
) -> _Row | None:
    if not any(cell.strip() for cell in record):
        return None
    if len(record) > width and any(cell.strip() for cell in record[width:]):
        errors.add(line, None, f"見出しより列が多いです ({len(record)} 列, 見出しは {width} 列)")
        return None
    cells: dict[str, str] = {}
    bad = False
    for key, position in headers.index.items():
        raw = record[position] if position < len(record) else ""
        if CONTROL_CHARACTER.search(raw):
            errors.add(line, headers.names[key], CONTROL_CHARACTERS)
            bad = True
            continue
        cells[key] = unprotect_formula(raw) if raw.startswith("'") else raw
    values: dict[str, Any] = {}
    refused: set[str] = set()
    for key, raw in cells.items():
        if key in CHAIN_COLUMNS:
            continue
        text = raw.strip()
        column = headers.names[key]
        try:
            if key == "external_id":
                # Compared exactly on every re-import: no line breaks, a bounded length.
                if _LINE_BREAKS.search(text):
                    raise CellError("外部ID に改行やタブは使えません")
                if len(text) > case_drafts.EXTERNAL_ID:
                    raise CellError(
                        f"{case_drafts.EXTERNAL_ID} 文字以内にしてください ({len(text)} 文字)"
                    )
                values[key] = text or None
            elif key in _TEXT:
                values[key] = strip_control(text, single_line=True).strip() or None
            elif key == "situation":
                values[key] = raw.replace("\r\n", "\n").strip() or None
            elif key == "company_size":
                values[key] = parse_company_size(text) if text else None
            elif key == "role_level":
                values[key] = parse_role_level(text) if text else None
            elif key == "archived":
                values[key] = _archived(text) if text else False
        except (CellError, ValueError) as exc:
            errors.add(line, column, str(exc))
            bad = True
            refused.add(key)
    external_id = values.pop("external_id", None)
    if not external_id and "external_id" not in refused:
        errors.add(line, headers.names.get("external_id"), "外部ID を入力してください")
        bad = True
    chains = None
    if "problems" in headers.index:
        chains = _chains(cells, headers.names, line, errors)
        bad = bad or chains is None
    if bad:
        return None
    return _Row(line, str(external_id), values, chains)


def _draft(row: _Row, current: CaseDraft | None) -> CaseDraft:
    """The row over the case as it is (a new case starts empty)."""
    base = current or CaseDraft(title="", industry="")
    values = row.values
    return replace(
        base,
        title=(values["title"] or "") if "title" in values else base.title,
        industry=(values["industry"] or "") if "industry" in values else base.industry,
        customer=(values["customer"] or "") if "customer" in values else base.customer,
        company_size=values.get("company_size", base.company_size),
        role_level=values.get("role_level", base.role_level),
        situation=(values["situation"] or "") if "situation" in values else base.situation,
        link=(values["link"] or "") if "link" in values else base.link,
        archived=values.get("archived", base.archived),
        chains=row.chains if row.chains is not None else base.chains,
    )


def _same(a: CaseDraft, b: CaseDraft) -> bool:
    """Equal as stored: tags are compared folded (a tag keeps its first spelling)."""

    def shape(draft: CaseDraft) -> tuple[Any, ...]:
        chains = tuple(
            (fold(c.problem), fold(c.feature), c.connection, fold(c.benefit), c.figures)
            for c in draft.chains
        )
        return (
            draft.title,
            draft.industry,
            draft.customer,
            draft.company_size,
            draft.role_level,
            draft.situation,
            draft.link,
            draft.archived,
            chains,
        )

    return shape(a) == shape(b)


def _field_column(field_name: str, names: dict[str, str]) -> tuple[str | None, str]:
    """The column a draft's field error belongs on, and a prefix for a chain's line."""
    if field_name.startswith("chain."):
        _, index, part = field_name.split(".")
        key = next(k for k, p in _CHAIN_PART.items() if p == part)
        return names.get(key) or CASE_BY_KEY[key].ja, f"{int(index) + 1} 行目: "
    key = _FIELD_COLUMN.get(field_name, field_name)
    column = CASE_BY_KEY.get(key)
    return names.get(key) or (column.ja if column else None), ""


def _plan_and_write(
    uow: UnitOfWork, rows: Sequence[_Row], names: dict[str, str], counts: Tally, write: bool
) -> None:
    session = uow.session
    by_external = {
        case.external_id: case
        for case in session.scalars(
            select(Case).where(Case.external_id.in_(sorted({r.external_id for r in rows})))
        )
    }
    details = load_details(session, [c.id for c in by_external.values()])
    now = utcnow()
    for row in rows:
        case = by_external.get(row.external_id)
        current = details[case.id].draft() if case is not None else None
        try:
            draft = clean_draft(_draft(row, current))
        except InvalidInput as exc:
            for field_name, message in exc.field_errors.items():
                column, prefix = _field_column(field_name, names)
                counts.errors.add(row.line, column, prefix + message)
            continue
        if current is not None and _same(current, draft):
            counts.unchanged += 1
            continue
        if case is None:
            counts.created += 1
        else:
            counts.updated += 1
        if write and not counts.errors.count:
            if case is not None:
                # An editor who opened it before must reopen it (SQL: no lost increment).
                case.revision = Case.revision + 1
            write_case(
                session,
                draft=draft,
                member_id=None,
                now=now,
                case=case,
                external_id=row.external_id,
            )


def import_cases(
    uow_factory: UnitOfWorkFactory,
    *,
    stream: BinaryIO,
    encoding: str = "auto",
    dry_run: bool = False,
) -> ImportResult:
    """Read, check and (unless `dry_run` or any row is bad) write a file of cases."""
    encoding = detect_encoding(stream) if encoding == "auto" else normalize_encoding(encoding)
    counts = Tally()
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    ignored: tuple[str, ...] = ()
    names: dict[str, str] = {}
    records = iter_records(stream, encoding=encoding)
    try:
        first = next(records, None)
        if first is None:
            counts.errors.add(1, None, EMPTY_FILE)
        else:
            header_line, header_row = first
            headers = map_case_headers(header_row)
            ignored, names = headers.ignored, headers.names
            for problem in headers.problems:
                counts.errors.add(header_line, None, problem)
            if not headers.problems:
                for line, record in records:
                    if not any(cell.strip() for cell in record):
                        continue
                    counts.rows += 1
                    row = _parse_row(line, record, headers, len(header_row), counts.errors)
                    if row is None:
                        continue
                    if row.external_id in seen:
                        counts.errors.add(
                            line,
                            names["external_id"],
                            f"外部ID {row.external_id} は 行 {seen[row.external_id]} にもあります",
                        )
                        continue
                    seen[row.external_id] = line
                    rows.append(row)
    except UnreadableFile as exc:
        counts.errors.add(exc.line, None, f"{exc} (この行の付近)")
    finally:
        records.close()
    written = False
    if rows and not counts.errors.count:
        write = not dry_run
        with uow_factory() as uow:
            try:
                _plan_and_write(uow, rows, names, counts, write)
                if write and not counts.errors.count:
                    uow.commit()
                    written = True
            except IntegrityError:
                # A case with one of these ids was added meanwhile (another import).
                counts.errors.add(
                    1,
                    None,
                    "取り込み中にほかの操作で同じ外部ID の事例が作られました。もう一度実行してください",
                )
    return counts.result(
        dry_run=dry_run, written=written, encoding=encoding, ignored_columns=ignored
    )
