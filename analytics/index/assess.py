"""The 经济社会运行评估 pipeline: counts -> rates -> shrinkage -> scores -> dimensions -> composite -> ranks.

``history`` computes every index's raw, interval and shrunk values for every district and year
(one scan of ``cases`` per date basis). ``assess`` scores one year: goalposts from the reference
window before it, the same goalposts for the previous year (同比), dimension and composite
scores, the city values, and the Monte Carlo rank bands. Both take a connection first so that
pages call them through ``ctx.run`` (cached per year and weighting scheme: the index does not
depend on the shared case filters, whose causes and categories it defines itself).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from analytics import codes, govdata
from analytics.filters import CaseFilter
from analytics.index import aggregate, montecarlo, normalise, rates, weights
from analytics.index.config import CONFIG_PATH, IndexConfig, IndexDef, load_config, validate
from geodata import DISTRICT_ADCODES, district_names

INSUFFICIENT = "样本不足"
UNSTABLE = "排名不稳定"


def data_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Filing years of the data period (cases filed before ``period_start`` are only pending stock)."""
    row = con.execute("SELECT min(year(filed_date)), max(year(filed_date)) FROM cases").fetchone()
    if not row or row[0] is None:
        return []
    lo, hi = int(row[0]), int(row[1])
    start = con.execute("SELECT value FROM meta WHERE key = 'period_start'").fetchall()
    if start:
        lo = max(lo, int(str(start[0][0])[:4]))
    return list(range(lo, hi + 1))


_HISTORY: dict[tuple[object, ...], pd.DataFrame] = {}
_HISTORY_LOCK = threading.Lock()


def data_version(con: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
    """What the history depends on: the store file, its cases, imports, and the index config."""
    db = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()").fetchall()
    n = con.execute("SELECT count(*) FROM cases").fetchall()[0][0]
    meta = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('built_at', 'last_import', 'gov_last_import')")
                .fetchall())
    return (db[0][0] if db else "", int(n), tuple(sorted(meta.items())), CONFIG_PATH.stat().st_mtime_ns)


def cached_history(con: duckdb.DuckDBPyConnection, cfg: IndexConfig) -> pd.DataFrame:
    """``history`` computed once per data version (shared by every year and weighting scheme)."""
    key = data_version(con)
    with _HISTORY_LOCK:
        hit = _HISTORY.get(key)
    if hit is not None:
        return hit
    hist = history(con, cfg)
    with _HISTORY_LOCK:
        if len(_HISTORY) >= 4:
            _HISTORY.pop(next(iter(_HISTORY)))
        _HISTORY[key] = hist
    return hist


def history(con: duckdb.DuckDBPyConnection, cfg: IndexConfig | None = None) -> pd.DataFrame:
    """Raw value, exact interval, shrunk value, city value per index x district x year."""
    cfg = cfg or load_config()
    years = data_years(con)
    counts = rates.complete(rates.case_counts(con, cfg, years[0]), cfg, DISTRICT_ADCODES, years)
    den = govdata.denominators(govdata.load(con), years)
    return rates.rates(counts, den, cfg)


@dataclass(frozen=True)
class Panel:
    """``history`` as arrays: [index, year, district] (district order = DISTRICT_ADCODES)."""

    years: list[int]
    shrunk: np.ndarray
    enough: np.ndarray
    city: np.ndarray  # [index, year]

    @classmethod
    def of(cls, hist: pd.DataFrame, cfg: IndexConfig) -> Panel:
        years = sorted(int(y) for y in hist["year"].unique())
        ii = {ix.id: i for i, ix in enumerate(cfg.indices)}
        yi = {y: i for i, y in enumerate(years)}
        di = {a: i for i, a in enumerate(DISTRICT_ADCODES)}
        shape = (len(ii), len(years), len(di))
        shrunk, enough, city = np.full(shape, np.nan), np.zeros(shape, bool), np.full(shape[:2], np.nan)
        i = hist["index"].map(ii).to_numpy()
        y = hist["year"].map(yi).to_numpy()
        d = hist["adcode"].map(di).to_numpy()
        shrunk[i, y, d] = hist["shrunk"].to_numpy(float)
        enough[i, y, d] = hist["enough"].to_numpy(bool)
        city[i, y] = hist["city"].to_numpy(float)
        return cls(years, shrunk, enough, city)


def reference_years(years: list[int], year: int, k: int) -> list[int]:
    """The k years before ``year`` that have data; the first k years when none precede it."""
    prev = [y for y in years if year - k <= y < year]
    return prev or years[:k]


def score_year(panel: Panel, cfg: IndexConfig, targets: list[int], k: int, low: float, high: float
               ) -> tuple[np.ndarray, np.ndarray, list[normalise.Goalposts]]:
    """Scores [target, index, district] and city scores [target, index] with the goalposts of
    the reference window before ``targets[0]``; index-district values below the minimum count are NaN."""
    m = cfg.method
    ref = [panel.years.index(y) for y in reference_years(panel.years, targets[0], k)]
    tpos = [panel.years.index(y) if y in panel.years else None for y in targets]
    n_i, n_d = panel.shrunk.shape[0], panel.shrunk.shape[2]
    out = np.full((len(targets), n_i, n_d), np.nan)
    city = np.full((len(targets), n_i), np.nan)
    gps = []
    for i, ix in enumerate(cfg.indices):
        gp = normalise.goalposts(panel.shrunk[i, ref, :].ravel(), low, high, m.skew_threshold, m.kurtosis_threshold)
        gps.append(gp)
        for t, pos in enumerate(tpos):
            if pos is None:
                continue
            s = normalise.score(panel.shrunk[i, pos], gp, ix.direction)
            out[t, i] = np.where(panel.enough[i, pos], s, np.nan)
            city[t, i] = normalise.score(np.array([panel.city[i, pos]]), gp, ix.direction)[0]
    return out, city, gps


def membership(cfg: IndexConfig) -> np.ndarray:
    """(dimensions, indices) 0/1 matrix."""
    return np.array([[1.0 if ix.dimension == d else 0.0 for ix in cfg.indices] for d, _ in cfg.dimensions])


def index_weights(panel: Panel, cfg: IndexConfig, scheme: str) -> np.ndarray:
    """Weights of the indices within their dimension (each dimension sums to 1).

    ``entropy``: computed from the shrunk values of the fixed release window
    ``[weights].entropy_years`` (all districts; district-years below the minimum count left out).
    """
    w = np.zeros(len(cfg.indices))
    lo, hi = cfg.method.entropy_years
    pos = [i for i, y in enumerate(panel.years) if lo <= y <= hi] or list(range(len(panel.years)))
    memb = membership(cfg)
    for k in range(len(cfg.dimensions)):
        members = np.flatnonzero(memb[k] > 0)
        if scheme == "entropy":
            vals = np.where(panel.enough[members][:, pos, :], panel.shrunk[members][:, pos, :], np.nan)
            matrix = vals.reshape(len(members), -1).T
            positive = np.array([cfg.indices[j].direction == "positive" for j in members])
            w[members] = weights.entropy_weights(matrix, positive)
        else:
            w[members] = weights.equal_weights(len(members))
    return w


def combine(scores: np.ndarray, cfg: IndexConfig, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dimension scores [dim, district], composite [district]) from index scores [index, district]."""
    m = cfg.method
    memb = membership(cfg)
    dims = np.vstack([aggregate.arithmetic(scores[memb[k] > 0], w[memb[k] > 0], m.min_dimension_share)
                      for k in range(len(cfg.dimensions))])
    comp = aggregate.geometric(dims, weights.equal_weights(len(cfg.dimensions)), m.geo_floor, m.min_dimensions)
    return dims, comp


@dataclass(frozen=True)
class Assessment:
    """One year's assessment; frames keyed by index id / dimension id and adcode."""

    year: int
    scheme: str
    indices: pd.DataFrame  # index x district
    city: pd.DataFrame  # index: city raw, shrunk-free city value, city score (cur, prev)
    dimensions: pd.DataFrame  # dimension x district
    composite: pd.DataFrame  # district: score, prev, rank, MC bands, stability
    weights: pd.DataFrame  # index, weight within its dimension
    denominators: pd.DataFrame
    warnings: tuple[str, ...] = field(default=())


def assess(con: duckdb.DuckDBPyConnection, year: int, scheme: str = "equal") -> Assessment:
    """Score ``year`` (and the previous year with the same goalposts) and the rank uncertainty."""
    cfg = load_config()
    return assess_history(cached_history(con, cfg), cfg, year, scheme, _warnings(con, cfg))


def _warnings(con: duckdb.DuckDBPyConnection, cfg: IndexConfig) -> tuple[str, ...]:
    causes = [r[0] for r in con.execute("SELECT cause FROM causes").fetchall()]
    groups = [r[0] for r in con.execute("SELECT DISTINCT cause_group FROM causes").fetchall()]
    return tuple(validate(cfg, causes, groups))


def assess_history(hist: pd.DataFrame, cfg: IndexConfig, year: int, scheme: str = "equal",
                   warnings: tuple[str, ...] = ()) -> Assessment:
    """``assess`` from a precomputed ``history`` frame (pure; used by tests and the benchmark)."""
    m = cfg.method
    panel = Panel.of(hist, cfg)
    if year not in panel.years:
        raise ValueError(f"没有 {year} 年的数据 / no data for {year}")
    targets = [year, year - 1]
    s, city_s, gps = score_year(panel, cfg, targets, m.reference_years, m.goalpost_low, m.goalpost_high)
    w = index_weights(panel, cfg, scheme)
    dims_cur, comp_cur = combine(s[0], cfg, w)
    dims_prev, comp_prev = combine(s[1], cfg, w)
    city_dims, city_comp = combine(city_s[0][:, None], cfg, w)
    city_dims_prev, city_comp_prev = combine(city_s[1][:, None], cfg, w)

    mc = m.monte_carlo
    sets = np.stack([score_year(panel, cfg, [year], k, lo, hi)[0][0]
                     for k in mc.windows for lo, hi in mc.percentiles])
    bands, _ = montecarlo.simulate(sets, membership(cfg), w, draws=mc.draws, seed=mc.seed, spread=mc.weight_spread,
                                   aggregations=mc.aggregations, floor=m.geo_floor,
                                   min_share=m.min_dimension_share, min_dimensions=m.min_dimensions)

    ids = [ix.id for ix in cfg.indices]
    n_d = len(DISTRICT_ADCODES)
    frame = pd.DataFrame({
        "index": np.repeat(ids, n_d), "dimension": np.repeat([ix.dimension for ix in cfg.indices], n_d),
        "adcode": np.tile(DISTRICT_ADCODES, len(ids)), "score": s[0].ravel(), "score_prev": s[1].ravel(),
        "goal_low": np.repeat([g.low for g in gps], n_d), "goal_high": np.repeat([g.high for g in gps], n_d),
        "log": np.repeat([g.log for g in gps], n_d),
    })
    cols = ["index", "adcode", "count", "sample", "raw", "lo", "hi", "shrunk", "enough"]
    cur = hist.loc[hist["year"] == year, cols]
    prev = hist.loc[hist["year"] == year - 1, ["index", "adcode", "raw"]].rename(columns={"raw": "raw_prev"})
    indices = frame.merge(cur, on=["index", "adcode"], how="left").merge(prev, on=["index", "adcode"], how="left")
    indices["count"] = indices["count"].astype("int64")
    indices["enough"] = indices["enough"].astype(bool)
    indices["score_yoy"] = indices["score"] - indices["score_prev"]
    city_cur = hist.loc[hist["year"] == year].groupby("index", sort=False).agg(city=("city", "first"),
                                                                               city_sample=("sample", "sum"))
    city_prev = hist.loc[hist["year"] == year - 1].groupby("index", sort=False)["city"].first()
    city = pd.DataFrame({"index": ids, "city": city_cur["city"].reindex(ids).to_numpy(),
                         "city_prev": city_prev.reindex(ids).to_numpy(), "city_score": city_s[0],
                         "city_score_prev": city_s[1], "city_sample": city_cur["city_sample"].reindex(ids).to_numpy()})
    dim_rows = []
    for k, (dim, _) in enumerate(cfg.dimensions):
        for d, a in enumerate(DISTRICT_ADCODES):
            dim_rows.append({"dimension": dim, "adcode": a, "score": dims_cur[k, d], "score_prev": dims_prev[k, d]})
        dim_rows.append({"dimension": dim, "adcode": 0, "score": city_dims[k, 0], "score_prev": city_dims_prev[k, 0]})
    n_ranked = int(np.sum(~np.isnan(comp_cur)))
    comp = pd.DataFrame({
        "adcode": list(DISTRICT_ADCODES), "score": comp_cur, "score_prev": comp_prev,
        "rank": montecarlo.ranks(comp_cur), "mc_median": bands.median, "mc_p5": bands.p5, "mc_p95": bands.p95,
        "mc_ranked_share": bands.ranked_share,
    })
    width = comp["mc_p95"] - comp["mc_p5"] + 1
    comp["stable"] = width <= m.unstable_band_share * max(n_ranked, 1)
    comp.loc[comp["score"].isna(), "stable"] = False
    comp = pd.concat([comp, pd.DataFrame([{"adcode": 0, "score": city_comp[0], "score_prev": city_comp_prev[0]}])],
                     ignore_index=True)
    wt = pd.DataFrame({"index": [ix.id for ix in cfg.indices], "dimension": [ix.dimension for ix in cfg.indices],
                       "weight": w})
    return Assessment(year, scheme, indices, city, pd.DataFrame(dim_rows), comp, wt, _denominators(hist, year),
                      warnings)


def _denominators(hist: pd.DataFrame, year: int) -> pd.DataFrame:
    cols = ["adcode", "population", "population_source", "enterprises", "enterprises_source", "enterprises_fallback"]
    return hist[hist["year"] == year][cols].drop_duplicates("adcode").reset_index(drop=True)


# --- what the page says ------------------------------------------------------------------------


def best_and_worst(a: Assessment) -> tuple[int | None, int | None]:
    """The district ranked first and last by the composite, each only if its rank band is stable
    and it does not share the rank."""
    comp = a.composite[(a.composite["adcode"] != 0) & a.composite["score"].notna()]
    if comp.empty:
        return None, None
    def single(rank: float) -> int | None:
        """The district alone at this rank with a stable band, else None (ties are not singled out)."""
        at = comp[comp["rank"] == rank]
        return int(at["adcode"].iloc[0]) if len(at) == 1 and bool(at["stable"].iloc[0]) else None

    return single(comp["rank"].min()), single(comp["rank"].max())


def drill_filter(ix: IndexDef, year: int, district: int | None,
                 known_causes: frozenset[str] | None = None) -> tuple[CaseFilter, bool]:
    """A shared case filter that opens the density map / trial page on an index's cases.

    Returns the filter and whether it is exact. The shared filter has no party-kind, series or
    closing-year condition and combines fields across selections, so some indices open on a
    superset of their cases (the page says so). ``known_causes``: causes the store holds (others
    would be dropped from the URL with a warning).
    """
    sels = ix.count
    exact = ix.measure == "rate" and ix.date == "filed"
    cats: list[str] = []
    procs: list[str] = []
    for sel in sels:
        for t in sel.type_codes:
            cat, proc = codes.TYPE_CODES.get(t, (None, None))
            if cat and cat not in cats:
                cats.append(cat)
            if proc and proc not in procs:
                procs.append(proc)
        cats += [c for c in sel.categories if c not in cats]
        procs += [p for p in sel.procedures if p not in procs]
        if sel.defendant_kinds or sel.kind == "series" or not sel.type_codes:
            exact = False
        if any(codes.TYPE_CODES.get(t, ("", ""))[1] == "执行实施" for t in sel.type_codes):
            exact = exact and set(sel.type_codes) >= {"执", "执恢"}
    causes = [c for sel in sels for c in sel.causes
              if known_causes is None or c in known_causes] if all(sel.causes for sel in sels) else []
    groups = [g for sel in sels for g in sel.cause_groups] if all(sel.cause_groups for sel in sels) else []
    outcomes = [o for sel in sels for o in sel.outcomes] if all(sel.outcomes for sel in sels) else []
    if len(sels) > 1:
        exact = False  # fields of different selections are combined (e.g. civil causes x criminal procedure)
    if causes or groups:
        # A cause already implies its category; the shared filter also prunes causes whose group it
        # files under another category (enforcement cases carry their origin's cause).
        cats = []
    flt = CaseFilter(year_from=year, year_to=year, categories=tuple(dict.fromkeys(cats)),
                     procedures=tuple(dict.fromkeys(procs)), causes=tuple(dict.fromkeys(causes)),
                     cause_groups=tuple(dict.fromkeys(groups)), outcomes=tuple(dict.fromkeys(outcomes)),
                     district=district)
    return flt, exact


def district_label(adcode: int) -> str:
    """Short name, 全市 for 0."""
    return "全市" if adcode == 0 else district_names().get(adcode, str(adcode))


def quarterly(con: duckdb.DuckDBPyConnection, index_id: str, year: int, years: int = 3) -> pd.DataFrame:
    """One index by quarter for the ``years`` years up to ``year``: districts and the city (adcode 0).

    Rates are annualised (quarter count x 4 / denominator); no shrinkage. A district-quarter with
    fewer cases than the index's minimum count (base cases for a share) has ``enough`` False and
    is left out of the chart: quarters are shown only where counts allow.
    """
    cfg = load_config()
    ix = cfg.index(index_id)
    first = year - years + 1
    raw = rates.case_counts(con, cfg, first, quarterly=True, only=index_id)
    raw = raw[(raw["year"] // 10 >= first) & (raw["year"] // 10 <= year)]
    quarters = [y * 10 + q for y in range(first, year + 1) for q in (1, 2, 3, 4)]
    idx = pd.MultiIndex.from_product([list(DISTRICT_ADCODES), quarters], names=["adcode", "year"])
    df = raw.set_index(["adcode", "year"])[["count", "base"]].reindex(idx).reset_index()
    df["count"] = df["count"].fillna(0).astype("int64")
    df["base"] = df["base"].fillna(0) if ix.measure == "share" else np.nan
    city = df.groupby("year", as_index=False)[["count", "base"]].sum(min_count=1).assign(adcode=0)
    df = pd.concat([df, city], ignore_index=True)
    df["y"] = df["year"] // 10
    den = govdata.denominators(govdata.load(con), list(range(first, year + 1)))
    den = pd.concat([den, den.groupby("year", as_index=False)[["population", "enterprises"]].sum().assign(adcode=0)])
    df = df.merge(den[["adcode", "year", "population", "enterprises"]].rename(columns={"year": "y"}),
                  on=["adcode", "y"], how="left")
    if ix.measure == "share":
        df["value"] = np.where(df["base"] > 0, df["count"] / df["base"].where(df["base"] > 0, 1), np.nan)
        df["enough"] = df["base"] >= ix.min_count
    else:
        df["value"] = df["count"] * 4 / (df[ix.denominator] / ix.per)
        df["enough"] = df["count"] >= ix.min_count
    df["quarter"] = df["y"].astype(str) + "Q" + (df["year"] % 10).astype(str)
    df["district"] = df["adcode"].map(district_label)
    return df[["quarter", "adcode", "district", "count", "base", "value", "enough"]]
