"""Case counts per index, district and year; empirical Bayes shrinkage; exact intervals.

Counting: one scan of ``cases`` per date basis (filing year, or closing year for shares of
closed cases), every index a ``count(*) FILTER`` over its selections (OR of ANDs). Values a
selection names that the store's ENUM types lack are dropped before the SQL (they cannot match;
``config.validate`` reports them), so the comparisons stay on ENUM codes, not strings. While the
summary is current, the same predicates run over the index summary tables instead
(``analytics/summary_index.py``: cases per quarter, district and selection columns, and the cases
of repeat defendants); the case-table SQL stays the reference and answers otherwise.

Shrinkage (small counts pulled towards the city value):
* rates: Poisson-Gamma empirical Bayes, global method-of-moments estimator of Marshall (1991,
  "Mapping disease and mortality rates using empirical Bayes estimators", Applied Statistics
  40:283-294), the moment form of Clayton & Kaldor (1987, Biometrics 43:671-681):
  m = sum(y)/sum(e); s2 = sum(e (r - m)^2)/sum(e); A = max(0, s2 - m/mean(e));
  shrunk_i = m + C_i (r_i - m) with C_i = A / (A + m/e_i).
* shares: the same estimator for proportions (beta-binomial moments): p = sum(x)/sum(n);
  s2 = sum(n (p_i - p)^2)/sum(n); A = max(0, s2 - p(1-p)/mean(n)); C_i = A / (A + p(1-p)/n_i).
Intervals: exact Poisson (Garwood 1936, Biometrika 28:437-442) for counts, exact binomial
(Clopper-Pearson 1934) for shares, on the raw (unshrunk) values.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from analytics import summary, summary_index
from analytics.index.config import IndexConfig, Selection

# Selection field -> (cases column, its ENUM type).
COLUMNS: dict[str, tuple[str, str]] = {
    "type_codes": ("type_code", "type_code_t"),
    "categories": ("category", "category_t"),
    "procedures": ("procedure", "procedure_t"),
    "cause_groups": ("cause_group", "cause_group_t"),
    "causes": ("cause", "cause_t"),
    "defendant_kinds": ("defendant_kind", "party_kind_t"),
    "outcomes": ("outcome", "outcome_t"),
}


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def enum_members(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Members of the ENUM types the selections use (what the store can hold)."""
    out: dict[str, set[str]] = {}
    for _, type_name in COLUMNS.values():
        rows = con.execute(f"SELECT enum_range(NULL::{type_name})::VARCHAR[]").fetchall()
        out[type_name] = set(rows[0][0]) if rows else set()
    return out


def _predicate(sel: Selection, members: dict[str, set[str]], series_alias: str | None = None) -> str:
    """SQL condition for one selection over ``cases c`` (FALSE when a field can match nothing)."""
    parts: list[str] = []
    for fld, (col, type_name) in COLUMNS.items():
        wanted = getattr(sel, fld)
        if not wanted:
            continue
        have = [v for v in wanted if v in members.get(type_name, set())]
        if not have:
            return "FALSE"
        parts.append(f"c.{col} IN ({', '.join(_quote(v) for v in have)})")
    if series_alias is not None:
        parts.append(f"{series_alias}.k IS NOT NULL")
    return "(" + " AND ".join(parts or ["TRUE"]) + ")"


def _plain(sel: Selection) -> Selection:
    """The selection without its series condition."""
    return Selection(**{f: getattr(sel, f) for f in COLUMNS}, kind="cases")


@dataclass(frozen=True)
class _Source:
    """What ``_count`` reads as ``c``: the case table (a row per case) or an index summary table
    (a row per counted cell), as SQL over its columns."""

    table: str
    n: str  # the cases a row stands for, as an aggregate: count(*) or sum(c.n)
    where: str  # the rows of the date basis from the first year on (and the freshness guard)
    period: str  # the reported period: the year, or year * 10 + quarter (20241 = 2024 Q1)
    filed_year: str  # the filing year (a repeat defendant's year)
    key: str  # the defendant key
    key_where: str  # the rows whose defendant may repeat: filed from the first year on, with a key


def _count(con: duckdb.DuckDBPyConnection, counts: _Source, series: _Source, exprs: dict[str, list[Selection]],
           members: dict[str, set[str]]) -> pd.DataFrame | None:
    """Count per (adcode, period) for each named list of selections (OR of them); None when a
    summary table's guard found it stale.

    Plain selections are counted in one scan. A series selection (at most one per name) is
    counted by a second query that joins only its own rows to the defendants with enough cases,
    counting the rows that no plain selection of the same name already counted (exact OR).
    """
    cols = []
    for name, sels in exprs.items():
        plain = [_predicate(x, members, None) for x in sels if x.kind != "series"]
        cols.append(f'coalesce({counts.n} FILTER (WHERE {" OR ".join(plain) or "FALSE"}), 0)::BIGINT AS "{name}"')
    got = summary._run(con, f"""SELECT c.adcode, {counts.period} AS year, {", ".join(cols)}
                                FROM {counts.table} c WHERE {counts.where} GROUP BY ALL""", numpy=True)
    if got is None:
        return None
    out = pd.DataFrame({k: np.asarray(v) for k, v in got.items()}).set_index(["adcode", "year"])
    for name, sels in exprs.items():
        for sel in (x for x in sels if x.kind == "series"):
            plain = " OR ".join(_predicate(x, members, None) for x in sels if x.kind != "series") or "FALSE"
            own = _predicate(_plain(sel), members, None)
            rows = summary._run(con, f"""
                WITH s AS (SELECT {series.filed_year} AS y, {series.key} AS k FROM {series.table} c
                           WHERE {own} AND {series.key_where}
                           GROUP BY ALL HAVING {series.n} >= {int(sel.min_cases)})
                SELECT c.adcode, {series.period} AS year,
                       coalesce({series.n} FILTER (WHERE NOT ({plain})), 0)::BIGINT AS n
                FROM {series.table} c JOIN s ON s.y = {series.filed_year} AND s.k = {series.key}
                WHERE {own} AND {series.where} GROUP BY ALL""", numpy=True)
            if rows is None:
                return None
            add = pd.Series(np.asarray(rows["n"], dtype="int64"), index=pd.MultiIndex.from_arrays(
                [np.asarray(rows["adcode"]), np.asarray(rows["year"])], names=["adcode", "year"]))
            out[name] = out[name].add(add.reindex(out.index).fillna(0), fill_value=0).astype("int64")
    return out.reset_index()


def _summary_sources(con: duckdb.DuckDBPyConnection, exprs: dict[str, list[Selection]], date_col: str,
                     year_from: int, quarterly: bool) -> tuple[_Source, _Source] | None:
    """The index summary tables as ``_count`` sources; None when they cannot answer (missing
    summary, a series counted by closing date or with fewer ``min_cases`` than the table holds)."""
    inf = summary.info(con)
    if inf is None:
        return None
    si = summary_index
    counts = inf.cube(si.COUNTS_GRAIN, ("basis", "p", "adcode", *(c for c, _ in COLUMNS.values())))
    if counts is None:
        return None
    series = [x for sels in exprs.values() for x in sels if x.kind == "series"]
    table = counts  # (not read without a series selection)
    if series:
        found = [c for c in inf.trial_cubes if c.grain == si.SERIES_GRAIN
                 and {"p", "k", "adcode", *(col for col, _ in COLUMNS.values())} <= c.dims]
        least = si.series_threshold(found[0].dims) if found else None
        if date_col != "filed_date" or least is None or any(x.min_cases < least for x in series):
            return None
        table = found[0].name
    basis = si.FILED if date_col == "filed_date" else si.CLOSED
    since = f"c.p >= {int(year_from) * 10}"
    period = "c.p::BIGINT" if quarterly else "(c.p // 10)::BIGINT"
    return (_Source(counts, "sum(c.n)", f"c.basis = {basis} AND {since} AND {inf.guard()}", period,
                    "c.p // 10", "c.k", since),
            _Source(table, "sum(c.n)", f"{since} AND {inf.guard()}", period, "c.p // 10", "c.k", since))


def _scan_summary(con: duckdb.DuckDBPyConnection, exprs: dict[str, list[Selection]], date_col: str,
                  year_from: int, members: dict[str, set[str]], quarterly: bool = False) -> pd.DataFrame | None:
    """``_count`` over the index summary tables; None when they cannot answer or are stale."""
    sources = _summary_sources(con, exprs, date_col, year_from, quarterly)
    return None if sources is None else _count(con, *sources, exprs, members)


def _scan(con: duckdb.DuckDBPyConnection, exprs: dict[str, list[Selection]], date_col: str, year_from: int,
          members: dict[str, set[str]], quarterly: bool = False, use_summary: bool = True) -> pd.DataFrame:
    """Count per (adcode, year of ``date_col``) for each named list of selections (``_count``):
    from the index summary tables while they can answer (``use_summary``), else from ``cases``."""
    if use_summary:
        got = _scan_summary(con, exprs, date_col, year_from, members, quarterly)
        if got is not None:
            return got
    first = f"make_date({int(year_from)}, 1, 1)"
    # "year" is the period: the year, or year * 10 + quarter (20241 = 2024 Q1) when quarterly
    period = f"year(c.{date_col}) * 10 + quarter(c.{date_col})" if quarterly else f"year(c.{date_col})"
    cases = _Source("cases", "count(*)", f"c.{date_col} >= {first}", period, "year(c.filed_date)",
                    "c.defendant_key", f"c.defendant_key IS NOT NULL AND c.filed_date >= {first}")
    got = _count(con, cases, cases, exprs, members)
    assert got is not None  # no guard on the case table
    return got


def case_counts(con: duckdb.DuckDBPyConnection, cfg: IndexConfig, year_from: int, quarterly: bool = False,
                only: str | None = None, use_summary: bool = True) -> pd.DataFrame:
    """Long frame: index, adcode, year, count (numerator) and base (share denominator; NaN for rates).

    ``quarterly``: ``year`` holds year * 10 + quarter; ``only``: one index id; ``use_summary``:
    False counts from ``cases`` (the reference) even when the summary tables could answer.
    """
    members = enum_members(con)
    frames = []
    for date_col, basis in (("filed_date", "filed"), ("closed_date", "closed")):
        group = [ix for ix in cfg.indices if ix.date == basis and (only is None or ix.id == only)]
        if not group:
            continue
        exprs: dict[str, list[Selection]] = {}
        for ix in group:
            exprs[f"{ix.id}|count"] = list(ix.count)
            if ix.measure == "share":
                exprs[f"{ix.id}|base"] = list(ix.base)
        wide = _scan(con, exprs, date_col, year_from, members, quarterly, use_summary)
        long = wide.melt(id_vars=["adcode", "year"], var_name="key", value_name="n")
        long[["index", "what"]] = long["key"].str.split("|", expand=True)
        frames.append(long.pivot_table(index=["index", "adcode", "year"], columns="what", values="n",
                                       aggfunc="sum").reset_index())
    out = pd.concat(frames, ignore_index=True)
    if "base" not in out:
        out["base"] = np.nan
    out["count"] = out["count"].fillna(0).astype("int64")
    out["adcode"] = out["adcode"].astype("int64")
    out["year"] = out["year"].astype("int64")
    return out[["index", "adcode", "year", "count", "base"]]


def complete(counts: pd.DataFrame, cfg: IndexConfig, adcodes: tuple[int, ...], years: list[int]) -> pd.DataFrame:
    """Every index x district x year once (absent combinations are 0 cases; shares 0 of 0)."""
    idx = pd.MultiIndex.from_product([[ix.id for ix in cfg.indices], list(adcodes), years],
                                     names=["index", "adcode", "year"])
    got = counts.set_index(["index", "adcode", "year"])[["count", "base"]]
    out = got.reindex(idx).reset_index()
    out["count"] = out["count"].fillna(0).astype("int64")
    shares = {ix.id for ix in cfg.indices if ix.measure == "share"}
    out["base"] = np.where(out["index"].isin(shares), out["base"].fillna(0), np.nan)
    return out


# --- shrinkage and intervals --------------------------------------------------------------------


def eb_poisson_rows(y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Marshall's global EB estimator applied to each row of (groups, areas) arrays.

    Returns (shrunk rates, city rate m per row). Areas with exposure 0 get NaN.
    """
    y, e = np.atleast_2d(np.asarray(y, float)), np.atleast_2d(np.asarray(e, float))
    ok = e > 0
    e0 = np.where(ok, e, 0.0)
    tot_e = e0.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = np.where(ok, y, 0.0).sum(axis=1) / tot_e
        r = np.where(ok, y / np.where(ok, e, 1.0), np.nan)
        s2 = np.where(ok, e0 * (r - m[:, None]) ** 2, 0.0).sum(axis=1) / tot_e
        mean_e = tot_e / ok.sum(axis=1)
        a = np.maximum(0.0, s2 - m / mean_e)
        c = np.where(a[:, None] > 0, a[:, None] / (a[:, None] + m[:, None] / np.where(ok, e, np.inf)), 0.0)
    shrunk = np.where(ok, m[:, None] + c * (r - m[:, None]), np.nan)
    return shrunk, m


def eb_poisson(y: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Marshall's global EB rates for one set of areas: (shrunk rates, city rate m, variance A).

    ``y`` counts, ``e`` exposures (e.g. population / 10,000): rates are y / e.
    """
    shrunk, m = eb_poisson_rows(y, e)
    y1, e1 = np.asarray(y, float), np.asarray(e, float)
    ok = e1 > 0
    r = y1[ok] / e1[ok]
    s2 = float((e1[ok] * (r - m[0]) ** 2).sum() / e1[ok].sum()) if ok.any() else 0.0
    a = max(0.0, s2 - m[0] / float(e1[ok].mean())) if ok.any() else 0.0
    return shrunk[0], float(m[0]), a


def eb_binomial_rows(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The moment estimator for proportions x / n, per row: (shrunk shares, city share p per row)."""
    x, n = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(n, float))
    ok = n > 0
    n0 = np.where(ok, n, 0.0)
    tot = n0.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(ok, x, 0.0).sum(axis=1) / tot
        pi = np.where(ok, x / np.where(ok, n, 1.0), np.nan)
        s2 = np.where(ok, n0 * (pi - p[:, None]) ** 2, 0.0).sum(axis=1) / tot
        var = p * (1 - p)
        a = np.maximum(0.0, s2 - var / (tot / ok.sum(axis=1)))
        c = np.where(a[:, None] > 0, a[:, None] / (a[:, None] + var[:, None] / np.where(ok, n, np.inf)), 0.0)
    return np.where(ok, p[:, None] + c * (pi - p[:, None]), np.nan), p


def eb_binomial(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Shrunk shares for one set of areas: (shrunk, city share p, between-area variance A)."""
    shrunk, p = eb_binomial_rows(x, n)
    x1, n1 = np.asarray(x, float), np.asarray(n, float)
    ok = n1 > 0
    pv = float(p[0])
    s2 = float((n1[ok] * (x1[ok] / n1[ok] - pv) ** 2).sum() / n1[ok].sum()) if ok.any() else 0.0
    a = max(0.0, s2 - pv * (1 - pv) / float(n1[ok].mean())) if ok.any() else 0.0
    return shrunk[0], pv, a


def garwood(y: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson interval for counts y: (lower, upper) of the expected count."""
    y = np.asarray(y, float)
    a = 1 - level
    lo = np.where(y > 0, stats.chi2.ppf(a / 2, 2 * np.maximum(y, 1e-12)) / 2, 0.0)
    hi = stats.chi2.ppf(1 - a / 2, 2 * y + 2) / 2
    return lo, hi


def clopper_pearson(x: np.ndarray, n: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial interval for x successes in n trials (NaN where n = 0)."""
    x, n = np.asarray(x, float), np.asarray(n, float)
    a = 1 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, stats.beta.ppf(a / 2, np.maximum(x, 1e-12), n - x + 1), 0.0)
        hi = np.where(x < n, stats.beta.ppf(1 - a / 2, x + 1, np.maximum(n - x, 1e-12)), 1.0)
    bad = n <= 0
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def rates(counts: pd.DataFrame, denominators: pd.DataFrame, cfg: IndexConfig,
          level: float | None = None) -> pd.DataFrame:
    """Raw value, exact interval and shrunk value per index, district and year.

    ``counts``: from ``complete`` (every index x district x year); ``denominators``:
    govdata.denominators (adcode, year, population, enterprises, ...). Rates are per ``per``
    units of the denominator per year; shares are fractions (0-1). Adds the city value
    (``city``) of each index-year. Vectorised over (index, year) groups of all districts.
    """
    level = cfg.method.interval if level is None else level
    order = {ix.id: i for i, ix in enumerate(cfg.indices)}
    df = counts.merge(denominators, on=["adcode", "year"], how="left")
    n_d = df["adcode"].nunique()
    df = df.assign(_i=df["index"].map(order), _d=df["adcode"].map({a: i for i, a in enumerate(
        sorted(df["adcode"].unique()))})).sort_values(["_i", "year", "_d"], kind="stable").reset_index(drop=True)
    defs = {ix.id: ix for ix in cfg.indices}
    share = df["index"].map(lambda i: defs[i].measure == "share").to_numpy(bool)
    per = df["index"].map(lambda i: defs[i].per).to_numpy(float)
    use_ent = df["index"].map(lambda i: defs[i].denominator == "enterprises").to_numpy(bool)
    minimum = df["index"].map(lambda i: defs[i].min_count).to_numpy(float)
    y = df["count"].to_numpy(float)
    base = df["base"].to_numpy(float)
    e = np.where(use_ent, df["enterprises"].to_numpy(float), df["population"].to_numpy(float)) / per
    exposure = np.where(share, base, e)
    g = len(df) // n_d
    sr, mr = eb_poisson_rows(y.reshape(g, n_d), np.where(share, 1.0, exposure).reshape(g, n_d))
    sb, pb = eb_binomial_rows(np.where(share, y, 0.0).reshape(g, n_d), np.where(share, base, 1.0).reshape(g, n_d))
    row_share = share.reshape(g, n_d)[:, 0]
    shrunk = np.where(row_share[:, None], sb, sr).ravel()
    city = np.repeat(np.where(row_share, pb, mr), n_d)
    glo, ghi = garwood(y, level)
    clo, chi = clopper_pearson(np.where(share, y, 0.0), np.where(share, base, 1.0), level)
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(exposure > 0, y / np.where(exposure > 0, exposure, 1.0), np.nan)
        lo = np.where(share, clo, glo / e)
        hi = np.where(share, chi, ghi / e)
    sample = np.where(share, base, y)
    return df.drop(columns=["_i", "_d"]).assign(
        exposure=exposure, raw=raw, sample=sample, lo=lo, hi=hi, shrunk=shrunk, city=city, enough=sample >= minimum)
