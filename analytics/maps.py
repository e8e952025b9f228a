"""Aggregations behind the density map: per-district counts and rates, hexagons, headline, trend.

All functions take a DuckDB connection and a ``CaseFilter``; the map itself always shows every
district (the district selection narrows the side panels, not the choropleth).

Speed: each function first asks ``analytics.summary_map`` (queries over the cubes of
``analytics.summary``, built at load) and falls back to the SQL over ``cases`` written here, which
is the reference definition; the ``_*_cases`` functions are that reference, kept callable for the
oracle tests and the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

import geodata
from analytics import summary_map
from analytics.filters import CaseFilter, stored_options
from analytics.privacy import TableSpec


@dataclass(frozen=True)
class YoyWindow:
    """Year-on-year comparison: the last filing year of the filter vs the same span a year before.

    When the data end inside that year (``as_of``), both windows stop at the same day of year,
    so a partial year is never compared with a full one.
    """

    cur_start: date
    cur_end: date  # inclusive
    prev_start: date
    prev_end: date  # inclusive

    @property
    def label(self) -> str:
        """Short Chinese label, e.g. '2025年 同比' or '2025年1-6月 同比'."""
        y = self.cur_start.year
        if self.cur_end == date(y, 12, 31):
            return f"{y}年 同比"
        return f"{y}年1-{self.cur_end.month}月 同比"


def _shift_year(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def yoy_window(flt: CaseFilter, as_of: date) -> YoyWindow:
    """The year-on-year windows for a filter, given the last date in the data."""
    y = flt.year_to
    cur_end = min(date(y, 12, 31), as_of)
    return YoyWindow(date(y, 1, 1), cur_end, date(y - 1, 1, 1), _shift_year(cur_end, -1))


def data_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The last day the store has data for (latest filing or closing date).

    Read from the metadata written at every load and import (``filters.options_metadata``), so
    a page start does not scan the case table; a store written before that metadata is scanned.
    """
    present, _ = stored_options(con)
    if present is not None:
        return date.fromisoformat(present["as_of"]) if present.get("as_of") else date.today()
    row = con.execute("SELECT greatest(max(filed_date), max(closed_date)) FROM cases").fetchone()
    return row[0] if row and row[0] else date.today()


def years_covered(year_from: int, year_to: int, as_of: date) -> float:
    """How many years of data the filing years ``year_from..year_to`` hold, given the data's last day.

    Each whole year counts 1; the year holding ``as_of`` counts (days from 1 January to
    ``as_of``) / (days in that year); years after ``as_of`` count 0. E.g. 2024-2025 with data to
    2025-06-30: 1 + 181/365. Annual rates divide by this, so a partial latest year is not read
    as a whole one (data to 30 June would otherwise halve that year's rate).
    """
    total = 0.0
    for y in range(year_from, year_to + 1):
        start, end = date(y, 1, 1), date(y, 12, 31)
        if as_of < start:
            break
        days_in_year = (end - start).days + 1
        total += ((min(end, as_of) - start).days + 1) / days_in_year
    return total


def _per_10k(cases: np.ndarray | pd.Series, population: np.ndarray | pd.Series, years: float) -> np.ndarray:
    """Cases per 10,000 residents per year (0 when the filter covers no day of data)."""
    if years <= 0:
        return np.zeros(len(cases))
    return np.asarray(cases) / years / np.asarray(population) * 10_000


def yoy_change(cur: float | None, prev: float | None) -> float | None:
    """Relative change (cur − prev) / prev; None when there is no base to compare with."""
    if cur is None or prev is None or prev == 0:
        return None
    return (cur - prev) / prev


def district_stats(
    con: duckdb.DuckDBPyConnection,
    flt: CaseFilter,
    population: dict[int, int],
    as_of: date,
) -> pd.DataFrame:
    """One row per district: cases in the filter, yearly cases per 10,000 residents, YoY change.

    ``per_10k`` = cases / years covered / population × 10,000, an annual rate so that ranges of
    different length compare; years covered counts the days of data (``years_covered``: a
    latest year with data to 30 June counts 181/365). Population: 2020 census
    (``geodata.rate_population``). Districts with no cases get 0, never vanish. Cases without a
    district (``geodata.UNPLACED_ADCODE``) are not in these rows: see ``unplaced_count``.
    """
    win = yoy_window(flt, as_of)
    got = summary_map.window_counts(
        con, flt,
        [summary_map.Window("cases", date(flt.year_from, 1, 1), date(flt.year_to, 12, 31)),
         summary_map.Window("yoy_cur", win.cur_start, win.cur_end),
         summary_map.Window("yoy_prev", win.prev_start, win.prev_end)],
        district=False, by_adcode=True,
    )
    if got is None:
        raw = _district_counts_cases(con, flt, win)
        got = {int(a): [int(c), int(p), int(q)] for a, c, p, q in zip(
            raw["adcode"], raw["cases"], raw["yoy_cur"], raw["yoy_prev"], strict=True)}
    return _district_frame(got, flt, population, as_of)


def _district_stats_cases(
    con: duckdb.DuckDBPyConnection, flt: CaseFilter, population: dict[int, int], as_of: date
) -> pd.DataFrame:
    """Reference ``district_stats`` over ``cases`` (the original merge, kept as the oracle)."""
    got = _district_counts_cases(con, flt, yoy_window(flt, as_of))
    base = pd.DataFrame({"adcode": list(population), "population": list(population.values())})
    out = base.merge(got, on="adcode", how="left")
    for col in ("cases", "yoy_cur", "yoy_prev"):
        out[col] = out[col].fillna(0).astype("int64")
    out["per_10k"] = _per_10k(out["cases"], out["population"], years_covered(flt.year_from, flt.year_to, as_of))
    out["yoy"] = [yoy_change(c, p) for c, p in zip(out["yoy_cur"], out["yoy_prev"], strict=True)]
    return out


def _district_counts_cases(con: duckdb.DuckDBPyConnection, flt: CaseFilter, win: YoyWindow) -> pd.DataFrame:
    """Reference: per-district counts (filter range, YoY windows) straight from ``cases``."""
    where, params = flt.where(years=False, district=False)
    sql = f"""
        SELECT adcode,
               count(*) FILTER (WHERE filed_date >= ? AND filed_date < ?) AS cases,
               count(*) FILTER (WHERE filed_date BETWEEN ? AND ?) AS yoy_cur,
               count(*) FILTER (WHERE filed_date BETWEEN ? AND ?) AS yoy_prev
        FROM cases
        WHERE {where} AND filed_date >= ? AND filed_date < ?
        GROUP BY adcode
    """
    lo = min(date(flt.year_from, 1, 1), win.prev_start)
    args = [
        date(flt.year_from, 1, 1), date(flt.year_to + 1, 1, 1),
        win.cur_start, win.cur_end, win.prev_start, win.prev_end,
        *params, lo, date(flt.year_to + 1, 1, 1),
    ]
    return con.execute(sql, args).df()


def _district_frame(
    got: dict[int | None, list[int]], flt: CaseFilter, population: dict[int, int], as_of: date
) -> pd.DataFrame:
    """Every district once, with its counts (0 when absent), annual rate and YoY change.

    ``got``: adcode -> [cases, yoy_cur, yoy_prev]. Built from numpy arrays in one frame
    constructor rather than a merge or column by column (a pandas merge of 7 rows costs more
    than the whole query, and each added column about a tenth of a millisecond); the values and
    dtypes are those of ``_district_stats_cases``.
    """
    zero = (0, 0, 0)
    rows = [got.get(a, zero) for a in population]
    pop = np.array(list(population.values()), dtype="int64")
    cases, cur, prev = (np.array([r[i] for r in rows], dtype="int64") for i in range(3))
    per_10k = _per_10k(cases, pop, years_covered(flt.year_from, flt.year_to, as_of))
    return pd.DataFrame(
        {
            "adcode": list(population),
            "population": pop,
            "cases": cases,
            "yoy_cur": cur,
            "yoy_prev": prev,
            "per_10k": per_10k,
            "yoy": [yoy_change(c, p) for c, p in zip(cur, prev, strict=True)],
        }
    )


def unplaced_count(con: duckdb.DuckDBPyConnection, flt: CaseFilter) -> int:
    """Cases in the filter (its district ignored, as on the choropleth) that have no district.

    Those are the cases stored with ``geodata.UNPLACED_ADCODE`` (320600, "未定/全市") or any
    code outside the seven districts: they count in the city's totals and the court figures,
    and the map states their number instead of drawing them.
    """
    win = [summary_map.Window("cases", date(flt.year_from, 1, 1), date(flt.year_to, 12, 31))]
    got = summary_map.window_counts(con, flt, win, district=False, by_adcode=True)
    if got is None:
        return _unplaced_count_cases(con, flt)
    return sum(v[0] for a, v in got.items() if a not in geodata.DISTRICT_ADCODES)


def _unplaced_count_cases(con: duckdb.DuckDBPyConnection, flt: CaseFilter) -> int:
    """Reference ``unplaced_count`` over ``cases``."""
    where, params = flt.where(district=False)
    placed = ", ".join(str(int(a)) for a in geodata.DISTRICT_ADCODES)
    row = con.execute(
        f"SELECT count(*) FROM cases WHERE {where} AND (adcode IS NULL OR adcode NOT IN ({placed}))", params
    ).fetchone()
    return int(row[0]) if row else 0


def hex_density(con: duckdb.DuckDBPyConnection, flt: CaseFilter, min_count: int = 1) -> pd.DataFrame:
    """Case counts per H3 cell (string ids) for cases with a location: aggregated, never points."""
    got = summary_map.hex_density(con, flt, min_count)
    return got if got is not None else _hex_density_cases(con, flt, min_count)


def _hex_density_cases(con: duckdb.DuckDBPyConnection, flt: CaseFilter, min_count: int = 1) -> pd.DataFrame:
    """Reference ``hex_density`` over ``cases``."""
    where, params = flt.where(district=False)
    sql = f"""
        SELECT lower(hex(h3_r7)) AS h3, count(*) AS cases
        FROM cases WHERE {where} AND h3_r7 IS NOT NULL
        GROUP BY h3_r7 HAVING count(*) >= ?
        ORDER BY h3
    """
    return con.execute(sql, [*params, min_count]).df()


@dataclass(frozen=True)
class Headline:
    """Headline figures for the current selection."""

    cases: int
    closed: int
    pending: int
    yoy_cur: int
    yoy_prev: int
    window: YoyWindow

    @property
    def closed_share(self) -> float | None:
        """Share of the selection's cases that are closed."""
        return self.closed / self.cases if self.cases else None

    @property
    def yoy(self) -> float | None:
        """Year-on-year change of filings in the last year of the range."""
        return yoy_change(self.yoy_cur, self.yoy_prev)


def headline(con: duckdb.DuckDBPyConnection, flt: CaseFilter, as_of: date) -> Headline:
    """Cases filed in the filter, how many are closed / pending, and the YoY change."""
    win = yoy_window(flt, as_of)
    y0, y1 = date(flt.year_from, 1, 1), date(flt.year_to, 12, 31)
    got = summary_map.window_counts(
        con, flt,
        [summary_map.Window("cases", y0, y1), summary_map.Window("closed", y0, y1, closed=True),
         summary_map.Window("yoy_cur", win.cur_start, win.cur_end),
         summary_map.Window("yoy_prev", win.prev_start, win.prev_end)],
        district=True, by_adcode=False,
    )
    if got is None:
        return _headline_cases(con, flt, as_of)
    cases, closed, cur, prev = got[None]
    return Headline(cases, closed, cases - closed, cur, prev, win)


def _headline_cases(con: duckdb.DuckDBPyConnection, flt: CaseFilter, as_of: date) -> Headline:
    """Reference ``headline`` over ``cases``."""
    win = yoy_window(flt, as_of)
    where, params = flt.where(years=False)
    sql = f"""
        SELECT count(*) FILTER (WHERE filed_date >= ? AND filed_date < ?),
               count(*) FILTER (WHERE filed_date >= ? AND filed_date < ? AND closed_date IS NOT NULL),
               count(*) FILTER (WHERE filed_date BETWEEN ? AND ?),
               count(*) FILTER (WHERE filed_date BETWEEN ? AND ?)
        FROM cases WHERE {where} AND filed_date >= ? AND filed_date < ?
    """
    y0, y1 = date(flt.year_from, 1, 1), date(flt.year_to + 1, 1, 1)
    lo = min(y0, win.prev_start)
    row = con.execute(
        sql,
        [y0, y1, y0, y1, win.cur_start, win.cur_end, win.prev_start, win.prev_end, *params, lo, y1],
    ).fetchone()
    assert row is not None
    cases, closed, cur, prev = (int(v or 0) for v in row)
    return Headline(cases, closed, cases - closed, cur, prev, win)


def monthly_trend(con: duckdb.DuckDBPyConnection, flt: CaseFilter) -> pd.DataFrame:
    """Filings per month in the filter (months without filings are 0)."""
    got = summary_map.monthly_trend(con, flt)
    return got if got is not None else _monthly_trend_cases(con, flt)


def _monthly_trend_cases(con: duckdb.DuckDBPyConnection, flt: CaseFilter) -> pd.DataFrame:
    """Reference ``monthly_trend`` over ``cases``."""
    where, params = flt.where()
    sql = f"""
        WITH months AS (
            SELECT unnest(generate_series(make_date(?, 1, 1), make_date(?, 12, 1), INTERVAL 1 MONTH))::DATE AS month
        ), got AS (
            SELECT date_trunc('month', filed_date)::DATE AS month, count(*) AS cases
            FROM cases WHERE {where} GROUP BY 1
        )
        SELECT m.month, coalesce(g.cases, 0) AS cases
        FROM months m LEFT JOIN got g USING (month) ORDER BY m.month
    """
    return con.execute(sql, [flt.year_from, flt.year_to, *params]).df()


def top_causes(con: duckdb.DuckDBPyConnection, flt: CaseFilter, n: int = 10) -> pd.DataFrame:
    """The n most frequent causes (案由/罪名) in the filter, with their group and share."""
    got = summary_map.top_causes(con, flt, n)
    return got if got is not None else _top_causes_cases(con, flt, n)


def _top_causes_cases(con: duckdb.DuckDBPyConnection, flt: CaseFilter, n: int = 10) -> pd.DataFrame:
    """Reference ``top_causes`` over ``cases``."""
    where, params = flt.where()
    sql = f"""
        SELECT cause::VARCHAR AS cause, cause_group::VARCHAR AS cause_group, count(*) AS cases,
               count(*) / sum(count(*)) OVER () AS share
        FROM cases WHERE {where}
        GROUP BY ALL ORDER BY cases DESC, cause LIMIT ?
    """
    return con.execute(sql, [*params, n]).df()


DISTRICT_TABLE_LABELS = {
    "adcode": "区划代码", "name": "区县", "population": "常住人口(2020)", "cases": "案件数",
    "per_10k": "每万人案件数(年化)", "yoy_cur": "本期", "yoy_prev": "上年同期", "yoy": "同比",
}


# How the publication gate reads ``district_table`` (外部 users): counts, and the figures computed
# from them; codes and population are public. Used by the map page and the meeting map slide.
DISTRICT_SPEC = TableSpec(counts=("案件数", "本期", "上年同期"), dependent=("每万人案件数(年化)", "同比"),
                          public=("区划代码", "常住人口(2020)"))


def district_table(stats: pd.DataFrame, names: dict[int, str], unplaced: int = 0) -> pd.DataFrame:
    """``district_stats`` with district names and Chinese headers, for display and download.

    ``unplaced`` (``unplaced_count``) adds a last row 320600 "未定/全市" with that count and no
    population, rate or change, so the rows add up to the city total.
    """
    out = stats.assign(name=stats["adcode"].map(lambda a: names.get(int(a), str(a))))
    out = out[list(DISTRICT_TABLE_LABELS)]
    if unplaced:
        extra = pd.DataFrame({"adcode": [geodata.UNPLACED_ADCODE],
                              "name": [names.get(geodata.UNPLACED_ADCODE, geodata.UNPLACED_NAME)],
                              "cases": [int(unplaced)]})
        out = pd.concat([out.astype({"population": "Int64", "yoy_cur": "Int64", "yoy_prev": "Int64"}), extra],
                        ignore_index=True)
    return out.rename(columns=DISTRICT_TABLE_LABELS)
