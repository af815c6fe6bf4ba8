"""CSV columns of the case library (`isops cases import|export`): Japanese headers with
English aliases, matched like the lead import's (width, case, kana, `_`/`-`/spaces folded).

A case's chains 課題 → 機能 (接続) → 便益 (数値) are five columns with one item per line:
the n-th line of each column forms the n-th chain; a blank line leaves that part empty."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from isops.csvio.columns import Column, HeaderMap, header_lookup, match_headers

# Export order.
CASE_COLUMNS: tuple[Column, ...] = (
    Column("external_id", "外部ID", "external_id", ("ID", "事例ID")),
    Column("title", "タイトル", "title", ("事例名", "件名")),
    Column("customer", "顧客", "customer", ("顧客名", "会社名", "企業名")),
    Column("industry", "業種", "industry"),
    Column("company_size", "企業規模", "company_size", ("規模", "従業員規模", "従業員数")),
    Column("role_level", "役職区分", "role_level", ("役職", "役職レベル")),
    Column("situation", "現状", "situation", ("導入前", "before")),
    Column("problems", "課題", "problems", ("problem",)),
    Column("features", "機能", "features", ("feature",)),
    Column("connections", "接続", "connections", ("connection",)),
    Column("benefits", "便益", "benefits", ("benefit",)),
    Column("figures", "数値", "figures", ("効果", "figure")),
    Column("link", "リンク", "link", ("URL",)),
    Column("archived", "アーカイブ", "archived", ("アーカイブ済み",)),
    Column("updated_at", "更新日時", "updated_at", importable=False),
    Column("last_shared_at", "最終共有日時", "last_shared_at", importable=False),
)
CASE_BY_KEY = {c.key: c for c in CASE_COLUMNS}
# The chain columns, in chain order.
CHAIN_COLUMNS = ("problems", "features", "connections", "benefits", "figures")

_LOOKUP = header_lookup(CASE_COLUMNS)


def map_case_headers(headers: Sequence[str]) -> HeaderMap:
    """Match a header row to case fields; 外部ID is required (it makes re-imports update)."""
    mapped = match_headers(headers, _LOOKUP)
    index, problems = mapped.index, list(mapped.problems)
    if "external_id" not in index:
        problems.append(
            "見出し行に 外部ID (external_id) がありません (再取り込みで同じ事例を更新するためのキーです)"
        )
    chain_columns = set(CHAIN_COLUMNS) & set(index)
    if chain_columns and not {"problems", "benefits"} <= chain_columns:
        problems.append(
            "課題・機能・接続・便益・数値 の列は 課題 と 便益 を含めて組で指定してください"
        )
    return replace(mapped, problems=tuple(problems))
