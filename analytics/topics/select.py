"""A topic's case selection as SQL over ``cases``, combined with the shared page filter.

All placeholders are positional (``?``), in the order the predicate text uses them, so a
selection predicate and ``CaseFilter.where`` can be joined with AND and their parameter lists
concatenated.
"""

from __future__ import annotations

from analytics.filters import CaseFilter
from analytics.topics.config import PartyRule, Selection

_ENUM_COLUMNS = (
    ("causes", "cause"),
    ("cause_groups", "cause_group"),
    ("categories", "category"),
    ("type_codes", "type_code"),
    ("procedures", "procedure"),
    ("outcomes", "outcome"),
)


def _in(col: str, values: tuple[object, ...], params: list[object], cast: bool = True) -> str:
    params.extend(values)
    marks = ", ".join("?" for _ in values)
    return f"{col}{'::VARCHAR' if cast else ''} IN ({marks})"


def side_sql(party: PartyRule, side: str, params: list[object]) -> str:
    """Predicate: the party on one side ('plaintiff' or 'defendant') matches the rule."""
    parts = []
    if party.kinds:
        parts.append(_in(f"{side}_kind", party.kinds, params))
    if party.industries:
        parts.append(_in(f"{side}_industry", party.industries, params))
    return "(" + " AND ".join(parts) + ")"


def party_sql(party: PartyRule, params: list[object], side: str | None = None) -> str:
    """Predicate for the party rule; ``side`` overrides the rule's own side."""
    side = side or party.side
    if side == "either":
        return f"({side_sql(party, 'plaintiff', params)} OR {side_sql(party, 'defendant', params)})"
    return side_sql(party, side, params)


def selection_sql(sel: Selection, party: PartyRule | None = None, side: str | None = None) -> tuple[str, list[object]]:
    """(predicate, params) for a selection. ``party`` (the topic's rule) applies when the selection has none."""
    params: list[object] = []
    clauses = []
    for attr, col in _ENUM_COLUMNS:
        values = getattr(sel, attr)
        if values:
            clauses.append(_in(col, values, params))
    if sel.places:
        clauses.append(_in("adcode", sel.places, params, cast=False))
    rule = sel.party or party
    if rule is not None:
        clauses.append(party_sql(rule, params, side))
    return " AND ".join(clauses) or "TRUE", params


def topic_where(
    sel: Selection,
    flt: CaseFilter,
    *,
    years: bool = True,
    district: bool = True,
    extra: Selection | None = None,
    side: str | None = None,
) -> tuple[str, list[object]]:
    """The topic's selection AND the page filter (AND an optional sub-selection), with parameters."""
    a, pa = selection_sql(sel, side=side)
    b, pb = flt.where(years=years, district=district)
    where, params = f"({a}) AND ({b})", [*pa, *pb]
    if extra is not None:
        c, pc = selection_sql(extra)
        where, params = f"{where} AND ({c})", [*params, *pc]
    return where, params
