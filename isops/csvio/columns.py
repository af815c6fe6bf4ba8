"""CSV columns: Japanese and English headers for the same lead fields, import and export."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from isops.text import fold, strip_control


@dataclass(frozen=True)
class Column:
    key: str
    ja: str
    en: str
    aliases: tuple[str, ...] = ()
    # Computed by isops (action counts, last action): exported, ignored on import.
    importable: bool = True

    def header(self, language: str) -> str:
        return self.ja if language == "ja" else self.en


# Export order. `isops ID` lets an exported file find its leads again even without an
# external id or e-mail (a round trip never duplicates).
COLUMNS: tuple[Column, ...] = (
    Column("isops_id", "isops ID", "isops_id"),
    Column("external_id", "外部ID", "external_id"),
    Column("company", "会社名", "company", ("企業名", "会社")),
    Column("contact_name", "氏名", "contact", ("contact_name", "名前", "お名前")),
    Column("title", "役職", "title"),
    Column("role_level", "役職区分", "role_level"),
    Column("industry", "業種", "industry"),
    Column("company_size", "企業規模", "company_size", ("従業員規模", "従業員数")),
    Column("email", "メール", "email", ("メールアドレス", "e-mail", "mail")),
    Column("phone", "電話", "phone", ("電話番号", "tel")),
    Column("source", "流入元", "source"),
    Column("cv_at", "流入日時", "cv_at"),
    Column("owner", "担当者", "owner"),
    Column("status", "ステータス", "status", ("アクションステータス",)),
    Column("priority", "優先度", "priority", ("優先リード",)),
    Column("next_action_date", "次回活動予定日", "next_action_date"),
    Column("memo", "メモ", "memo", ("アクションメモ",)),
    Column("call_count", "架電数", "calls", importable=False),
    Column("mail_count", "メール数", "mails", importable=False),
    Column("last_action_at", "最終活動日時", "last_action_at", importable=False),
)
BY_KEY = {c.key: c for c in COLUMNS}


def header_key(header: str) -> str:
    """A header as matched to a field: width, case and kana folded; spaces, `_` and `-`
    ignored, so `Contact Name`, `contact_name` and `ＣＯＮＴＡＣＴ－ＮＡＭＥ` are one column."""
    return fold(header).replace("_", "").replace("-", "")


def header_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    """Every name of every column (key, Japanese, English, aliases) → the column."""
    lookup: dict[str, Column] = {}
    for column in columns:
        for name in (column.key, column.ja, column.en, *column.aliases):
            lookup.setdefault(header_key(name), column)
    return lookup


@dataclass(frozen=True)
class HeaderMap:
    """Where each known field is in the file, and the columns left unused."""

    index: dict[str, int]
    names: dict[str, str]  # field key → the header as written in the file (for errors)
    ignored: tuple[str, ...]
    problems: tuple[str, ...]
    columns: Mapping[str, Column] = field(default_factory=dict)  # key → column (all known)

    def name(self, key: str) -> str:
        """The column's header as the file wrote it, else its Japanese name (`行 12, 列 メール`)."""
        return self.names.get(key) or self.columns[key].ja


def match_headers(headers: Sequence[str], lookup: Mapping[str, Column]) -> HeaderMap:
    """A header row matched to `lookup`'s columns (Japanese or English, any width or case):
    unknown headers are ignored (listed), a field named twice is a problem. Each import adds
    the problems of what it requires."""
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for position, raw in enumerate(headers):
        header = raw.strip()
        column = lookup.get(header_key(header)) if header else None
        if column is None:
            if header:
                # Listed on a terminal: no escape codes from a broken file.
                ignored.append(strip_control(header, single_line=True))
            continue
        if column.key in index:
            problems.append(f"見出し「{header}」と「{names[column.key]}」が同じ項目です")
            continue
        if column.importable:
            index[column.key] = position
        names[column.key] = header
    columns = {column.key: column for column in lookup.values()}
    return HeaderMap(index, names, tuple(ignored), tuple(problems), columns)


_LOOKUP = header_lookup(COLUMNS)


def map_headers(headers: Sequence[str]) -> HeaderMap:
    """Match a lead file's header row to lead fields: a company, or a key to find leads by."""
    mapped = match_headers(headers, _LOOKUP)
    if "company" not in mapped.index and not {"isops_id", "external_id", "email"} & set(
        mapped.index
    ):
        return replace(
            mapped,
            problems=(
                *mapped.problems,
                "見出し行に 会社名 (company) がありません"
                " (既存リードの更新だけなら isops ID / 外部ID / メール のどれかが必要です)",
            ),
        )
    return mapped
