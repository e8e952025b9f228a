"""Monthly count series per district x cause (and x cause group) of new first-instance filings.

Series chosen: first instances (``procedure = '一审'``) by filing month (``filed_date``). A first
instance is a new dispute or prosecution reaching the court; appeals, retrial petitions and
enforcement follow earlier cases with their own delays and would echo a surge months later.
Both levels are tested: the cause (案由/罪名) and its parent group, per district (``adcode``,
the place of the dispute). A group holding a single cause in a district would duplicate that
cause's series and is left out.

Source: the month cube ``summary_m_full`` (``analytics.summary``: filings per month, district,
cause and procedure) while the summary is current, under the map's freshness guard; the SQL over
``cases`` (``_rows_cases``, ``_period_cases``) stays the reference and answers otherwise. The
cube has months, not days: whether the data's last month is complete needs the last filing day,
read from ``cases`` for that one month only (the table is sorted by filing date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics import summary

CAUSE, GROUP = "cause", "cause_group"


@dataclass(frozen=True)
class SeriesCube:
    """Counts (series x months) and what each row is."""

    months: tuple[str, ...]  # "YYYY-MM", consecutive
    keys: pd.DataFrame  # series_id, level, adcode, cause_group, name (the cause or the group), category
    counts: np.ndarray  # int64, len(keys) x len(months)

    def month_index(self, month: str) -> int:
        """Index of a "YYYY-MM" month; ValueError (bilingual) when outside the data."""
        try:
            return self.months.index(month)
        except ValueError:
            raise ValueError(f"月份 {month} 不在数据范围内 / month {month} is outside the data "
                             f"({self.months[0]}–{self.months[-1]})") from None


def store_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple:
    """Which store and which content (for in-memory caches): file, case count, last filing, and the
    meta data version (``analytics.store.bump_data_version``) and import counter when present."""
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    row = con.execute("SELECT count(*), max(filed_date) FROM cases").fetchone()
    has_meta = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'").fetchone()
    meta: list = []
    if has_meta and has_meta[0]:
        meta = con.execute("SELECT key, value FROM meta WHERE key IN ('data_version', 'imported_rows') "
                           "ORDER BY key").fetchall()
    return (path[0] if path else None, *(row or ()), *meta)


def month_label(d: date) -> str:
    """'YYYY-MM' of a date."""
    return f"{d.year:04d}-{d.month:02d}"


def _months(start: date, end: date) -> tuple[str, ...]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def _complete(con: duckdb.DuckDBPyConnection, lo: date, hi: date) -> tuple[date, date]:
    """The reference's period rule from the first and last filing day of the procedure.

    The first month is that of ``lo``, or of the meta ``period_start`` when later; the last is
    the month of ``hi`` when ``hi`` is its last day, else the month before (a month the data stop
    inside is incomplete: its count would look like a drop).
    """
    meta = con.execute("SELECT value FROM meta WHERE key = 'period_start'").fetchone()
    if meta and meta[0]:
        lo = max(lo, date.fromisoformat(str(meta[0])[:10]))
    nxt = date(hi.year + (hi.month == 12), hi.month % 12 + 1, 1)
    if hi < nxt - date.resolution:
        hi = date(hi.year, hi.month, 1) - date.resolution
    return date(lo.year, lo.month, 1), hi


def _period_cases(con: duckdb.DuckDBPyConnection, procedure: str) -> tuple[date, date] | None:
    """``_period`` from ``cases`` (the reference): min and max filing day of the procedure."""
    row = con.execute("SELECT min(filed_date), max(filed_date) FROM cases WHERE procedure::VARCHAR = ?",
                      [procedure]).fetchone()
    if not row or row[0] is None:
        return None
    return _complete(con, row[0], row[1])


def _period_summary(con: duckdb.DuckDBPyConnection, inf: summary.Info, procedure: str
                    ) -> tuple[bool, tuple[date, date] | None]:
    """``_period`` from a month cube: first and last filing month of the procedure.

    The rule needs the last filing *day* (is the last month complete?), which no cube holds: one
    query over ``cases`` restricted to that month answers it (``cases`` is sorted by filing date,
    so the zone maps skip all but a month of rows). Returns (answered, period): answered is False
    when the summary cannot answer.
    """
    code = inf.codes.get("procedure", {}).get(procedure)
    cube = inf.cube("month", ("procedure",))
    if code is None or cube is None:
        return False, None
    got = summary._run(con, f"SELECT min(m), max(m) FROM {cube} WHERE procedure = {int(code)} AND {inf.guard()}")
    if got is None:
        return False, None
    if not got or got[0][0] is None:  # no such cases (asked of ``cases``: a guard over no rows proves nothing)
        return False, None
    first, _ = summary._month_bounds(int(got[0][0]))
    last, end = summary._month_bounds(int(got[0][1]))
    row = con.execute("SELECT max(filed_date) FROM cases WHERE filed_date BETWEEN ? AND ? AND procedure::VARCHAR = ?",
                      [last, end, procedure]).fetchone()
    if not row or row[0] is None:  # the cube and the cases disagree: cannot happen while fresh
        return False, None
    return True, _complete(con, first, row[0])


def _period(con: duckdb.DuckDBPyConnection, procedure: str, inf: summary.Info | None) -> tuple[date, date] | None:
    """First month of the data period (meta ``period_start``) and the last complete month (from
    the summary ``inf`` when it can answer, else from ``cases``)."""
    if inf is not None:
        answered, got = _period_summary(con, inf, procedure)
        if answered:
            return got
    return _period_cases(con, procedure)


_COLUMNS = ["adcode", "category", "cause_group", "cause", "month", "n"]


def _rows_cases(con: duckdb.DuckDBPyConnection, procedure: str, start: date, end: date) -> pd.DataFrame:
    """Filings per district, cause and month from ``cases`` (the reference)."""
    return con.execute(
        # Group on the ENUM codes and an integer month; cast to text only on the aggregate.
        """WITH g AS (
               SELECT adcode, category, cause_group, cause, year(filed_date) * 12 + month(filed_date) AS ym,
                      count(*) AS n
               FROM cases
               WHERE procedure = ? AND filed_date >= ? AND filed_date <= ?
               GROUP BY ALL)
           SELECT adcode, category::VARCHAR AS category, cause_group::VARCHAR AS cause_group,
                  cause::VARCHAR AS cause, printf('%04d-%02d', (ym - 1) // 12, (ym - 1) % 12 + 1) AS month, n
           FROM g""",
        [procedure, start, end],
    ).df()


def _rows_summary(con: duckdb.DuckDBPyConnection, inf: summary.Info, procedure: str, start: date,
                  end: date) -> pd.DataFrame | None:
    """The same rows from the month cube ``summary_m_full`` (None when it cannot answer).

    ``start`` is a month's first day and ``end`` a month's last day (``_period``), so the
    filing-date range is a range of whole months ``m``.
    """
    dims = ("adcode", "category", "cause_group", "cause", "procedure")
    cube = inf.cube("month", dims)
    code = inf.codes.get("procedure", {}).get(procedure)
    if cube is None or code is None or start.day != 1 or end.month == (end + date.resolution).month:
        return None
    lo, hi = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    got = summary._run(con, f"""SELECT adcode, category, cause_group, cause, m, sum(n)::BIGINT AS n FROM {cube}
                                WHERE procedure = {int(code)} AND m BETWEEN {lo} AND {hi} AND {inf.guard()}
                                GROUP BY ALL""", numpy=True)
    if got is None:
        return None

    def text(dim: str) -> object:
        codes = got[dim]
        mask = np.ma.getmaskarray(codes)
        names = inf.names[dim]
        values = [None if bad else names[int(c)] for c, bad in zip(np.ma.getdata(codes), mask, strict=True)]
        return pd.array(values, dtype="str") if len(values) else np.array([], dtype=object)

    m = np.asarray(got["m"], dtype="int64")
    return pd.DataFrame({
        "adcode": np.asarray(got["adcode"]),
        "category": text("category"),
        "cause_group": text("cause_group"),
        "cause": text("cause"),
        "month": [f"{v // 12:04d}-{v % 12 + 1:02d}" for v in m.tolist()],
        "n": np.asarray(got["n"], dtype="int64"),
    }, columns=_COLUMNS)


def build_cube(con: duckdb.DuckDBPyConnection, procedure: str = "一审", *, use_summary: bool = True) -> SeriesCube:
    """All district x cause and district x group monthly series (months without filings = 0).

    Read from the month cube ``summary_m_full`` while the summary is current (the map's freshness
    guard, ``analytics.summary``), else from ``cases`` (the reference); ``use_summary=False``
    forces the reference.
    """
    inf = summary.info(con) if use_summary else None
    period = _period(con, procedure, inf)
    if period is None:
        return SeriesCube((), pd.DataFrame(columns=["series_id", "level", "adcode", "cause_group", "name", "category"]),
                          np.zeros((0, 0), dtype="int64"))
    start, end = period
    months = _months(start, end)
    df = _rows_summary(con, inf, procedure, start, end) if inf is not None else None
    if df is None:
        df = _rows_cases(con, procedure, start, end)
    return _assemble(months, df)


def _assemble(months: tuple[str, ...], df: pd.DataFrame) -> SeriesCube:
    """The cube from rows (adcode, category, cause_group, cause, month, n)."""
    col = {m: i for i, m in enumerate(months)}
    r = df.groupby(["adcode", "cause_group", "cause"], sort=True).ngroup().to_numpy()
    first = np.unique(r, return_index=True)[1]
    cause_keys = df.iloc[first][["adcode", "cause_group", "cause", "category"]].reset_index(drop=True)
    counts = np.zeros((len(cause_keys), len(months)), dtype="int64")
    counts[r, df["month"].map(col).to_numpy(dtype=int)] = df["n"].to_numpy(dtype="int64")

    keys = [pd.DataFrame({"level": CAUSE, "adcode": cause_keys["adcode"].astype(int),
                          "cause_group": cause_keys["cause_group"], "name": cause_keys["cause"],
                          "category": cause_keys["category"]})]
    blocks = [counts]
    grouped = cause_keys.groupby(["adcode", "cause_group"], sort=True).indices
    g_keys, g_rows = [], []
    for (a, g), rows in grouped.items():
        if len(rows) > 1:
            g_keys.append((int(a), g, cause_keys["category"].iloc[rows[0]]))
            g_rows.append(counts[rows].sum(0))
    if g_keys:
        keys.append(pd.DataFrame({"level": GROUP, "adcode": [a for a, _, _ in g_keys],
                                  "cause_group": [g for _, g, _ in g_keys], "name": [g for _, g, _ in g_keys],
                                  "category": [c for _, _, c in g_keys]}))
        blocks.append(np.vstack(g_rows))
    out = pd.concat(keys, ignore_index=True)
    out.insert(0, "series_id", [f"{a}|{lv}|{n}" for a, lv, n in zip(out["adcode"], out["level"], out["name"],
                                                                        strict=True)])
    return SeriesCube(months, out, np.vstack(blocks))


def other_districts_total(cube: SeriesCube) -> np.ndarray:
    """Per series and month: first instances of the series' category (刑事/民事/行政) filed in the
    *other* districts. Used as the Farrington population offset, so that city-wide movements (the
    2020 epidemic dip, a year of higher intake everywhere, a changed Spring Festival month) move
    the baseline and only what is local to the district and cause is flagged. At least 1."""
    keys = cube.keys
    causes = (keys["level"] == CAUSE).to_numpy()
    out = np.ones(cube.counts.shape, dtype=float)
    for cat in keys["category"].unique():
        in_cat = causes & (keys["category"] == cat).to_numpy()
        city = cube.counts[in_cat].sum(0)
        for a in keys["adcode"].unique():
            own = cube.counts[in_cat & (keys["adcode"] == a).to_numpy()].sum(0)
            rows = ((keys["category"] == cat) & (keys["adcode"] == a)).to_numpy()
            out[rows] = np.maximum(city - own, 1)
    return out
