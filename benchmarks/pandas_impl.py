"""A straightforward pandas implementation of the map page's computations (the comparison baseline).

The case table is loaded once into a DataFrame (ENUM columns arrive as pandas categoricals,
dates as datetime64, the H3 cell as nullable UInt64) and every call filters it with boolean
masks and groups with ``groupby``/``value_counts``: what a developer would write without a
database. Results have the same content as ``analytics.maps`` (the benchmark checks it).
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analytics import maps
from analytics.filters import PENDING, CaseFilter

COLUMNS = ("filed_date", "closed_date", "adcode", "court_code", "category", "cause_group", "cause",
           "procedure", "outcome", "h3_r7")
_DIMS = (("categories", "category"), ("cause_groups", "cause_group"), ("causes", "cause"),
         ("courts", "court_code"), ("procedures", "procedure"))


def load_cases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The columns the map page needs, as a DataFrame (categoricals for the ENUM columns)."""
    return con.execute(f"SELECT {', '.join(COLUMNS)} FROM cases").df()


def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d)


class PandasMap:
    """district_stats, hex_density, headline, monthly_trend, top_causes over an in-memory frame."""

    def __init__(self, df: pd.DataFrame) -> None:
        self.df = df

    def mask(self, flt: CaseFilter, years: bool = True, district: bool = True) -> pd.Series:
        df = self.df
        m = pd.Series(True, index=df.index)
        if years:
            m &= (df["filed_date"] >= _ts(date(flt.year_from, 1, 1))) & (
                df["filed_date"] < _ts(date(flt.year_to + 1, 1, 1)))
        for attr, col in _DIMS:
            values = getattr(flt, attr)
            if values:
                m &= df[col].isin(values)
        if flt.outcomes:
            real = [o for o in flt.outcomes if o != PENDING]
            om = df["outcome"].isin(real)
            if PENDING in flt.outcomes:
                om |= df["closed_date"].isna()
            m &= om
        if district and flt.district is not None:
            m &= df["adcode"] == flt.district
        return m

    def district_stats(self, flt: CaseFilter, population: dict[int, int], as_of: date) -> pd.DataFrame:
        win = maps.yoy_window(flt, as_of)
        sub = self.df.loc[self.mask(flt, years=False, district=False), ["adcode", "filed_date"]]
        fd = sub["filed_date"]

        def count(lo: date, hi: date) -> pd.Series:
            return sub[(fd >= _ts(lo)) & (fd <= _ts(hi))].groupby("adcode").size()

        cases = count(date(flt.year_from, 1, 1), date(flt.year_to, 12, 31))
        cur, prev = count(win.cur_start, win.cur_end), count(win.prev_start, win.prev_end)
        out = pd.DataFrame({"adcode": list(population), "population": list(population.values())})
        for name, s in (("cases", cases), ("yoy_cur", cur), ("yoy_prev", prev)):
            out[name] = s.reindex(out["adcode"], fill_value=0).to_numpy(dtype="int64")
        years = flt.year_to - flt.year_from + 1
        out["per_10k"] = out["cases"] / years / out["population"] * 10_000
        out["yoy"] = [maps.yoy_change(c, p) for c, p in zip(out["yoy_cur"], out["yoy_prev"], strict=True)]
        return out

    def hex_density(self, flt: CaseFilter, min_count: int = 1) -> pd.DataFrame:
        cells = self.df.loc[self.mask(flt, district=False), "h3_r7"].dropna()
        vc = cells.value_counts()
        vc = vc[vc >= min_count]
        out = pd.DataFrame({"h3": [format(int(c), "x") for c in vc.index], "cases": vc.to_numpy(dtype="int64")})
        return out.sort_values("h3", ignore_index=True)

    def headline(self, flt: CaseFilter, as_of: date) -> tuple[int, int, int, int]:
        win = maps.yoy_window(flt, as_of)
        sub = self.df.loc[self.mask(flt, years=False), ["filed_date", "closed_date"]]
        fd = sub["filed_date"]
        in_range = (fd >= _ts(date(flt.year_from, 1, 1))) & (fd < _ts(date(flt.year_to + 1, 1, 1)))
        cases = int(in_range.sum())
        closed = int((in_range & sub["closed_date"].notna()).sum())
        cur = int(((fd >= _ts(win.cur_start)) & (fd <= _ts(win.cur_end))).sum())
        prev = int(((fd >= _ts(win.prev_start)) & (fd <= _ts(win.prev_end))).sum())
        return cases, closed, cur, prev

    def monthly_trend(self, flt: CaseFilter) -> pd.DataFrame:
        fd = self.df.loc[self.mask(flt), "filed_date"]
        counts = fd.dt.to_period("M").value_counts()
        months = pd.period_range(f"{flt.year_from}-01", f"{flt.year_to}-12", freq="M")
        return pd.DataFrame({"month": months.to_timestamp(),
                             "cases": counts.reindex(months, fill_value=0).to_numpy(dtype="int64")})

    def top_causes(self, flt: CaseFilter, n: int = 10) -> pd.DataFrame:
        sub = self.df.loc[self.mask(flt), ["cause", "cause_group"]]
        g = sub.groupby(["cause", "cause_group"], observed=True).size().reset_index(name="cases")
        g["cause"] = g["cause"].astype(str)
        g["cause_group"] = g["cause_group"].astype(str)
        g["share"] = g["cases"] / g["cases"].sum() if len(g) else np.array([], dtype="float64")
        return g.sort_values(["cases", "cause"], ascending=[False, True], ignore_index=True).head(n)


def same_results(fast: dict, slow: dict) -> list[str]:
    """Differences between the app's results and the pandas results (empty when they agree)."""
    bad = []
    d1, d2 = fast["district_stats"], slow["district_stats"]
    for col in ("adcode", "cases", "yoy_cur", "yoy_prev"):
        if d1[col].tolist() != d2[col].tolist():
            bad.append(f"district_stats.{col}")
    h1, h2 = fast["hex_density"], slow["hex_density"]
    if dict(zip(h1["h3"], h1["cases"], strict=True)) != dict(zip(h2["h3"], h2["cases"], strict=True)):
        bad.append("hex_density")
    head = fast["headline"]
    if (head.cases, head.closed, head.yoy_cur, head.yoy_prev) != slow["headline"]:
        bad.append("headline")
    if fast["monthly_trend"]["cases"].tolist() != slow["monthly_trend"]["cases"].tolist():
        bad.append("monthly_trend")
    t1, t2 = fast["top_causes"], slow["top_causes"]
    if t1["cases"].tolist() != t2["cases"].tolist() or not np.allclose(t1["share"], t2["share"]):
        bad.append("top_causes")
    return bad
