"""The case modals' forms: the add/edit modal's metadata and values, and the search modal's
filters, read from a view's state (submitted or as a block action sees it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from pydantic import Field

from bot import ids
from bot.forms import state as form_state
from bot.forms.payload_ids import DbId
from bot.forms.state import ModalMetadata, state_values
from isops.case_vocabulary import CompanySize
from isops.enums import RoleLevel
from isops.services.case_drafts import MAX_CHAINS, CaseDraft, ChainDraft
from isops.services.cases_search import CaseFilters

E = TypeVar("E", bound=Enum)

ANY = "*"  # a filter select's "すべて"
UNSET = "-"  # the edit modal's "指定なし"

FIELD_BLOCKS: dict[str, str] = {
    "title": ids.CASE_TITLE_BLOCK,
    "customer": ids.CASE_CUSTOMER_BLOCK,
    "industry": ids.CASE_INDUSTRY_BLOCK,
    "company_size": ids.CASE_SIZE_BLOCK,
    "role_level": ids.CASE_ROLE_BLOCK,
    "situation": ids.CASE_SITUATION_BLOCK,
    "link": ids.CASE_LINK_BLOCK,
    "problems": ids.chain_block("problem", 0),
    "benefits": ids.chain_block("benefit", 0),
    **{
        f"chain.{index}.{part}": ids.chain_block(part, index)
        for index in range(MAX_CHAINS)
        for part in ids.CASE_CHAIN_BLOCKS
    },
}


class CaseEditMeta(ModalMetadata):
    """private_metadata of the add/edit modal: which case at which revision, how many chain
    groups are shown, and whether it was pushed over another modal."""

    case_id: DbId | None = None
    revision: int | None = Field(default=None, ge=1, le=2**31 - 1)
    chains: int = Field(default=1, ge=1, le=MAX_CHAINS)
    pushed: bool = False

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True, exclude_defaults=True)


@dataclass(frozen=True)
class ParsedCase:
    """The draft as typed (always, for re-showing the modal) and the inline errors of
    values that are not ours (a select's value); empty when it may be saved."""

    draft: CaseDraft
    errors: dict[str, str]


def _text(values: Mapping[str, form_state.FieldValue], block: str) -> str:
    field = values.get(block)
    return str(field.value) if field is not None and isinstance(field.value, str) else ""


def _choice(values: Mapping[str, form_state.FieldValue], block: str) -> str | None:
    field = values.get(block)
    value = field.value if field is not None else None
    return value if isinstance(value, str) and value not in (UNSET, ANY) else None


def _enum_choice(
    values: Mapping[str, form_state.FieldValue],
    block: str,
    kind: type[E],
    errors: dict[str, str],
    key: str,
    label: str,
) -> E | None:
    """The chosen option as `kind` (None: none chosen); an unknown value (a stale modal) is an
    error on `key`."""
    raw = _choice(values, block)
    if raw is None:
        return None
    try:
        return kind(raw)
    except ValueError:
        errors[key] = f"{label}を選び直してください"
        return None


def draft_from_view(view: Mapping[str, Any], chains: int) -> ParsedCase:
    """The modal's values as a draft (not yet checked: `clean_draft` does that)."""
    values = state_values(view)
    errors: dict[str, str] = {}
    size = _enum_choice(
        values, ids.CASE_SIZE_BLOCK, CompanySize, errors, "company_size", "企業規模"
    )
    role = _enum_choice(values, ids.CASE_ROLE_BLOCK, RoleLevel, errors, "role_level", "役職区分")
    archived_field = values.get(ids.CASE_ARCHIVED_BLOCK)
    archived = bool(archived_field and archived_field.value)
    draft = CaseDraft(
        title=_text(values, ids.CASE_TITLE_BLOCK),
        industry=_text(values, ids.CASE_INDUSTRY_BLOCK),
        customer=_text(values, ids.CASE_CUSTOMER_BLOCK),
        company_size=size,
        role_level=role,
        situation=_text(values, ids.CASE_SITUATION_BLOCK),
        link=_text(values, ids.CASE_LINK_BLOCK),
        archived=archived,
        chains=tuple(
            ChainDraft(
                **{
                    part: _text(values, ids.chain_block(part, index))
                    for part in ids.CASE_CHAIN_BLOCKS
                }
            )
            for index in range(chains)
        ),
    )
    return ParsedCase(draft, errors_for_case_view(view, errors) if errors else {})


def errors_for_case_view(
    view: Mapping[str, Any], field_errors: Mapping[str, str]
) -> dict[str, str]:
    """Service field errors → `{block_id: message}` (anything else goes on the title)."""
    return form_state.errors_for_view(
        view, field_errors, field_blocks=FIELD_BLOCKS, default=ids.CASE_TITLE_BLOCK
    )


def filters_from_view(view: Mapping[str, Any]) -> CaseFilters:
    """The search modal's filters as they are now (inputs and the selects' block)."""
    values = state_values(view)
    # The selects sit in one actions block: its state holds each select by action_id.
    raw = ((view.get("state") or {}).get("values") or {}).get(ids.CASE_SEARCH_FILTERS_BLOCK) or {}

    def selected(action_id: str) -> str | None:
        element = raw.get(action_id) if isinstance(raw, Mapping) else None
        option = element.get("selected_option") if isinstance(element, Mapping) else None
        value = option.get("value") if isinstance(option, Mapping) else None
        return value if isinstance(value, str) and value != ANY else None

    def archived() -> bool:
        element = raw.get(ids.CASE_SEARCH_ARCHIVED) if isinstance(raw, Mapping) else None
        chosen = element.get("selected_options") if isinstance(element, Mapping) else None
        return bool(chosen)

    role = selected(ids.CASE_SEARCH_ROLE)
    size = selected(ids.CASE_SEARCH_SIZE)
    return CaseFilters(
        keyword=_text(values, ids.CASE_SEARCH_KEYWORD),
        problem=_text(values, ids.CASE_SEARCH_PROBLEM),
        industry=selected(ids.CASE_SEARCH_INDUSTRY),
        role_level=RoleLevel(role) if role and role in RoleLevel._value2member_map_ else None,
        company_size=(
            CompanySize(size) if size and size in CompanySize._value2member_map_ else None
        ),
        include_archived=archived(),
    )
