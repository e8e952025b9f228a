"""The shared case filter: one value object, its SQL, and its round trip through a URL.

Every page reads the same ``CaseFilter``; the URL holds it so that a copied link reopens the
same view. Parsing is forgiving: unknown or malformed values are dropped with a bilingual
warning and the default is used instead, never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from analytics.codes import COURT_BY_CODE

PENDING = "未结"  # pseudo-outcome: cases without a closing date

# URL keys (short, stable: links are shared and bookmarked).
KEYS = {
    "categories": "cat",
    "cause_groups": "grp",
    "causes": "cause",
    "courts": "court",
    "procedures": "proc",
    "outcomes": "out",
}
YEAR_KEY = "y"
DISTRICT_KEY = "d"
SEP = ","


@dataclass(frozen=True)
class FilterOptions:
    """The values a filter may take, read from the store."""

    categories: tuple[str, ...]
    cause_groups: tuple[str, ...]
    causes: tuple[str, ...]
    courts: tuple[str, ...]
    procedures: tuple[str, ...]
    outcomes: tuple[str, ...]
    year_min: int
    year_max: int
    districts: tuple[int, ...]
    cause_parent: Mapping[str, str] = field(default_factory=dict)  # cause -> cause_group
    # cause_group -> the categories its cases occur in: a civil cause group occurs under 民事 and
    # under 执行 (enforcement cases carry the cause of the judgment they enforce)
    group_category: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseFilter:
    """A filter over cases; empty tuples mean 'all'. Years are filing years, inclusive."""

    year_from: int
    year_to: int
    categories: tuple[str, ...] = ()
    cause_groups: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    courts: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    district: int | None = None

    def with_(self, **changes: object) -> CaseFilter:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def where(self, *, years: bool = True, district: bool = True) -> tuple[str, list[object]]:
        """SQL predicate over ``cases`` and its parameters; ``years``/``district`` can be left out."""
        params: list[object] = []

        def mark(value: object) -> str:
            params.append(value)
            return "?"

        return self._predicate(mark, years, district), params

    def where_named(self, prefix: str = "f", *, years: bool = True,
                    district: bool = True) -> tuple[str, dict[str, object]]:
        """The same predicate with named parameters ``$f0, $f1 ...``, for queries using ``$name``.

        DuckDB cannot mix ``?`` and ``$name`` in one statement, and the indicator queries name
        their many parameters.
        """
        params: dict[str, object] = {}

        def mark(value: object) -> str:
            name = f"{prefix}{len(params)}"
            params[name] = value
            return f"${name}"

        return self._predicate(mark, years, district), params

    def _predicate(self, mark: Callable[[object], str], years: bool, district: bool) -> str:
        """The predicate, with ``mark(value)`` giving each parameter's placeholder."""
        clauses: list[str] = []
        if years:
            # A range on the sort key (filed_date) lets DuckDB skip row groups by zone map.
            clauses.append(f"filed_date >= make_date({mark(self.year_from)}, 1, 1) "
                           f"AND filed_date < make_date({mark(self.year_to + 1)}, 1, 1)")
        for attr, col in (
            ("categories", "category"),
            ("cause_groups", "cause_group"),
            ("causes", "cause"),
            ("courts", "court_code"),
            ("procedures", "procedure"),
        ):
            values = getattr(self, attr)
            if values:
                clauses.append(f"{col}::VARCHAR IN ({', '.join(mark(v) for v in values)})")
        if self.outcomes:
            real = [o for o in self.outcomes if o != PENDING]
            parts = []
            if real:
                parts.append(f"outcome::VARCHAR IN ({', '.join(mark(v) for v in real)})")
            if PENDING in self.outcomes:
                parts.append("closed_date IS NULL")
            clauses.append("(" + " OR ".join(parts) + ")")
        if district and self.district is not None:
            clauses.append(f"adcode = {mark(self.district)}")
        return " AND ".join(clauses) or "TRUE"

    def describe(self, district_names: Mapping[int, str]) -> str | None:
        """The non-default choices in words ('案件类别：民事；审级/程序：一审'; the years are not
        included), None when every case is selected. ``district_names``: adcode -> name."""
        parts = []
        for attr, label in (("categories", "案件类别"), ("cause_groups", "案由/罪名（上级）"),
                            ("causes", "案由/罪名"), ("procedures", "审级/程序"), ("outcomes", "结案方式")):
            values = getattr(self, attr)
            if values:
                parts.append(f"{label}：{'、'.join(values)}")
        if self.courts:
            parts.append("法院：" + "、".join(COURT_BY_CODE[c].short if c in COURT_BY_CODE else c
                                            for c in self.courts))
        if self.district is not None:
            parts.append("区县：" + district_names.get(self.district, str(self.district)))
        return "；".join(parts) if parts else None

    def to_query_params(self, defaults: CaseFilter | None = None) -> dict[str, str]:
        """URL query parameters for this filter (fields equal to the defaults are left out)."""
        out: dict[str, str] = {}
        if defaults is None or (self.year_from, self.year_to) != (defaults.year_from, defaults.year_to):
            out[YEAR_KEY] = f"{self.year_from}-{self.year_to}"
        for attr, key in KEYS.items():
            values = getattr(self, attr)
            if values:
                out[key] = SEP.join(values)
        if self.district is not None:
            out[DISTRICT_KEY] = str(self.district)
        return out


def default_filter(options: FilterOptions) -> CaseFilter:
    """All cases of the most recent filing year: the view a meeting opens on."""
    return CaseFilter(year_from=options.year_max, year_to=options.year_max)


def _first(value: str | Sequence[str] | None) -> str | None:
    """Query values may arrive as a string or a list (repeated keys): take the last one."""
    if value is None or isinstance(value, str):
        return value
    return value[-1] if value else None


def parse_query_params(
    params: Mapping[str, str | Sequence[str]], options: FilterOptions
) -> tuple[CaseFilter, list[str]]:
    """Filter from URL parameters, plus warnings for every value that was dropped."""
    base = default_filter(options)
    warnings: list[str] = []
    changes: dict[str, object] = {}

    raw_years = _first(params.get(YEAR_KEY))
    if raw_years:
        years = _parse_years(raw_years, options)
        if years is None:
            warnings.append(
                f"年份参数无效，已使用默认值 / invalid year range '{raw_years}', using the default"
            )
        else:
            changes["year_from"], changes["year_to"] = years

    allowed = {
        "categories": options.categories,
        "cause_groups": options.cause_groups,
        "causes": options.causes,
        "courts": options.courts,
        "procedures": options.procedures,
        "outcomes": (*options.outcomes, PENDING),
    }
    for attr, key in KEYS.items():
        raw = _first(params.get(key))
        if not raw:
            continue
        values = [v.strip() for v in raw.split(SEP) if v.strip()]
        good = tuple(dict.fromkeys(v for v in values if v in allowed[attr]))
        bad = [v for v in values if v not in allowed[attr]]
        if bad:
            warnings.append(
                f"已忽略未知的筛选值 / ignored unknown value(s) for '{key}': {', '.join(bad)}"
            )
        changes[attr] = good

    raw_d = _first(params.get(DISTRICT_KEY))
    if raw_d:
        try:
            adcode = int(raw_d)
        except ValueError:
            adcode = None
        if adcode in options.districts:
            changes["district"] = adcode
        else:
            warnings.append(f"未知的区县代码，已忽略 / unknown district '{raw_d}', ignored")
    return base.with_(**changes), warnings


def _parse_years(raw: str, options: FilterOptions) -> tuple[int, int] | None:
    """'2019-2021' or '2020' -> (from, to) clipped to the data; None when malformed."""
    parts = raw.replace("~", "-").split("-")
    try:
        nums = [int(p) for p in parts if p.strip()]
    except ValueError:
        return None
    if len(nums) not in (1, 2):
        return None
    lo, hi = (nums[0], nums[-1])
    if lo > hi or hi < options.year_min or lo > options.year_max:
        return None
    return max(lo, options.year_min), min(hi, options.year_max)


OPTIONS_META_KEY = "options"  # meta key of the JSON written by ``options_metadata`` at every write


def options_metadata(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The values present in ``cases`` and the data span: one scan, run when the data change.

    Written to ``meta`` (key ``options``) by ``analytics.store.bump_data_version`` at every load
    and import, and read by :func:`load_options` and ``maps.data_as_of`` when a page starts, so
    that a start never scans the case table. ``as_of`` is the latest filing or closing date.
    """
    # One scan, grouped by (cause group, category): a few hundred rows, merged here. The inner
    # grouping on the stored ENUM codes comes first: casting every row's values to text was ~85%
    # of the scan (1.1 s -> 0.15 s at 10M cases), and it sits inside every import's transaction.
    rows = con.execute(
        """SELECT cause_group::VARCHAR, category::VARCHAR, list(DISTINCT court_code::VARCHAR),
                  list(DISTINCT procedure::VARCHAR), list(DISTINCT outcome::VARCHAR), list(DISTINCT adcode),
                  min(first_filed), max(last_filed), max(last_closed)
           FROM (SELECT cause_group, category, court_code, procedure, outcome, adcode,
                        min(filed_date) AS first_filed, max(filed_date) AS last_filed,
                        max(closed_date) AS last_closed
                 FROM cases GROUP BY ALL)
           GROUP BY ALL"""
    ).fetchall()
    group_cats: dict[str, set[str]] = {}
    courts: set[str] = set()
    procs: set[str] = set()
    outs: set[str] = set()
    adcodes: set[int] = set()
    for grp, cat, g_courts, g_procs, g_outs, g_adcodes, *_ in rows:
        if grp is not None:
            group_cats.setdefault(grp, set()).add(cat)
        courts.update(g_courts)
        procs.update(g_procs)
        outs.update(o for o in g_outs if o is not None)
        adcodes.update(int(a) for a in g_adcodes if a is not None)
    first = [r[6] for r in rows if r[6] is not None]
    last = [d for r in rows for d in r[7:] if d is not None]
    return {
        "group_categories": {g: sorted(c) for g, c in group_cats.items()},
        "categories": sorted({r[1] for r in rows if r[1] is not None}),
        "courts": sorted(courts),
        "procedures": sorted(procs),
        "outcomes": sorted(outs),
        "year_min": min(first).year if first else None,
        "year_max": max(r[7] for r in rows if r[7] is not None).year if first else None,
        "districts": sorted(adcodes),
        "as_of": max(last).isoformat() if last else None,
    }


def stored_options(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The options metadata written at the last write (None for an older store) and the meta table."""
    meta = {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall()}
    raw = meta.get(OPTIONS_META_KEY)
    return (json.loads(raw) if raw else None), meta


def load_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    """Filter options (values in ENUM order, i.e. the fixed display order) from store metadata.

    Reads the metadata written when the data last changed (``options_metadata``): catalog and
    small-table queries only, never a scan of ``cases``. A store written before that metadata
    existed is scanned once instead.
    """

    def members(type_name: str) -> tuple[str, ...]:
        rows = con.execute(f"SELECT enum_range(NULL::{type_name})::VARCHAR[]").fetchall()
        return tuple(rows[0][0]) if rows else ()

    present, meta = stored_options(con)
    if present is None:
        present = options_metadata(con)
    ymin, ymax = present["year_min"], present["year_max"]
    start = meta.get("period_start")
    if start and ymin is not None:
        # Cases filed before the data period are only there as pending stock (旧存).
        ymin = max(int(ymin), int(start[:4]))
    pairs = con.execute("SELECT cause, cause_group, category FROM causes").fetchall()
    parent = {c: g for c, g, _ in pairs}
    group_cat: dict[str, tuple[str, ...]] = {}
    if "group_categories" in present:
        group_cat = {g: tuple(c) for g, c in present["group_categories"].items()}
    else:  # metadata written before group categories were recorded: each cause's own category
        for _, g, cat in pairs:
            group_cat[g] = tuple(sorted({*group_cat.get(g, ()), cat}))
    in_use = set(parent)
    cats, courts, procs, outs = (set(present[k]) for k in ("categories", "courts", "procedures", "outcomes"))
    return FilterOptions(
        categories=tuple(v for v in members("category_t") if v in cats),
        cause_groups=tuple(v for v in members("cause_group_t") if v in set(parent.values())),
        causes=tuple(v for v in members("cause_t") if v in in_use),
        courts=tuple(v for v in members("court_code_t") if v in courts),
        procedures=tuple(v for v in members("procedure_t") if v in procs),
        outcomes=tuple(v for v in members("outcome_t") if v in outs),
        year_min=int(ymin or 0),
        year_max=int(ymax or 0),
        districts=tuple(present["districts"]),
        cause_parent=parent,
        group_category=group_cat,
    )
