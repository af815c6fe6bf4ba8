"""CSV columns: Japanese and English headers for the same lead fields, import and export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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


def _norm(header: str) -> str:
    # Width, case and kana folded; spaces, '_' and '-' ignored: "Contact Name" = "contact_name".
    return fold(header).replace("_", "").replace("-", "")


_LOOKUP: dict[str, Column] = {}
for _column in COLUMNS:
    for _name in (_column.key, _column.ja, _column.en, *_column.aliases):
        _LOOKUP.setdefault(_norm(_name), _column)


@dataclass(frozen=True)
class HeaderMap:
    """Where each known field is in the file, and the columns left unused."""

    index: dict[str, int]
    names: dict[str, str]  # field key → the header as written in the file (for errors)
    ignored: tuple[str, ...]
    problems: tuple[str, ...]


def map_headers(headers: Sequence[str]) -> HeaderMap:
    """Match a header row to lead fields (Japanese or English, any width or case)."""
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    for position, raw in enumerate(headers):
        header = raw.strip()
        column = _LOOKUP.get(_norm(header)) if header else None
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
    if "company" not in index and not {"isops_id", "external_id", "email"} & set(index):
        problems.append(
            "見出し行に 会社名 (company) がありません"
            " (既存リードの更新だけなら isops ID / 外部ID / メール のどれかが必要です)"
        )
    return HeaderMap(index, names, tuple(ignored), tuple(problems))
