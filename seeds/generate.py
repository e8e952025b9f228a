"""Deterministic generator of the synthetic default data set (Nantong courts, 2016-2025).

``generate_cases(seed, scale)`` returns one row per case in the schema of
``analytics.schema``; the same seed and scale always give the same frame. First instances and
other independent cases are drawn first; appeals, retrial petitions and enforcement cases are
then derived from closed cases, so the links that indicators follow (上诉, 改判发回, 执行到位)
exist and are consistent.

Run ``python -m seeds.generate [--scale S] [--out PATH]`` to build a store by hand.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from analytics.codes import COURT_BY_CODE, COURTS, TYPE_CODES
from analytics.schema import CASE_COLUMN_NAMES
from seeds import catalog as cat

Progress = Callable[[float, str], None]
GENERATOR_VERSION = "1"
DAY = np.timedelta64(1, "D")


def _noop(_f: float, _m: str) -> None:
    return None


def _choice(rng: np.random.Generator, options: dict, n: int) -> np.ndarray:
    """n draws from a {value: weight} mapping (weights need not sum to 1)."""
    keys = list(options)
    w = np.asarray([options[k] for k in keys], dtype=float)
    idx = rng.choice(len(keys), size=n, p=w / w.sum())
    return np.asarray(keys, dtype=object)[idx]


def day_weights(year: int) -> tuple[np.ndarray, np.ndarray]:
    """Filing intensity for each day of a year: working days, Spring Festival, 2020 closure."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    dow = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    w = np.where(dow < 5, 1.0, np.where(dow == 5, 0.06, 0.04))
    lny = np.datetime64(cat.SPRING_FESTIVAL[year])
    off = (days - lny) / DAY
    w = np.where((off >= -3) & (off <= 6), w * 0.05, w)
    w = np.where(((off >= -10) & (off < -3)) | ((off > 6) & (off <= 14)), w * 0.75, w)
    oct1 = np.datetime64(f"{year}-10-01")
    w = np.where((days >= oct1) & (days < oct1 + 7), w * 0.05, w)
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    # Courts hold back non-urgent filings at year end and catch up in January.
    w = np.where(month == 12, w * 0.85, np.where(month == 1, w * 1.1, w))
    if year == 2020:  # COVID-19: courts suspended most counter filing, Feb to mid-March
        w = np.where((days >= np.datetime64("2020-02-01")) & (days < np.datetime64("2020-03-16")),
                     w * 0.3, w)
    return days, w / w.sum()


class _Places:
    """Samples case locations inside district polygons (town clusters + spread)."""

    def __init__(self, rng: np.random.Generator) -> None:
        import geodata

        self.rng = rng
        self.polys = geodata.district_polygons()
        outline = shapely.unary_union(list(self.polys.values()))
        edge = outline.boundary
        # "Riverside" zone: the part of a district within ~3 km of the city's outer edge,
        # which for most districts is the Yangtze bank or the sea coast.
        self.bank = {
            a: p.intersection(p.boundary.intersection(edge.buffer(0.002)).buffer(0.03))
            for a, p in self.polys.items()
        }
        for a, zone in self.bank.items():
            if zone.is_empty or zone.area < 1e-5:
                self.bank[a] = self.polys[a]

    def sample(self, adcode: int, n: int, riverside: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """n points (lon, lat) inside the district (near the bank if ``riverside``)."""
        poly = self.bank[adcode] if riverside else self.polys[adcode]
        minx, miny, maxx, maxy = poly.bounds
        xs = np.empty(0)
        ys = np.empty(0)
        towns = np.asarray(cat.TOWNS[adcode])
        while len(xs) < n:
            m = max(64, int((n - len(xs)) * 1.6))
            if riverside:
                cx = self.rng.uniform(minx, maxx, m)
                cy = self.rng.uniform(miny, maxy, m)
            else:
                pick = self.rng.choice(len(towns), size=m, p=towns[:, 2] / towns[:, 2].sum())
                spread = self.rng.random(m) < 0.3
                cx = np.where(spread, self.rng.uniform(minx, maxx, m),
                              towns[pick, 0] + self.rng.normal(0, 0.035, m))
                cy = np.where(spread, self.rng.uniform(miny, maxy, m),
                              towns[pick, 1] + self.rng.normal(0, 0.03, m))
            inside = shapely.contains_xy(poly, cx, cy)
            xs = np.concatenate([xs, cx[inside]])
            ys = np.concatenate([ys, cy[inside]])
        return np.round(xs[:n], 5), np.round(ys[:n], 5)


def _district_weights() -> dict[int, float]:
    pop = pd.Series(cat.DISTRICT_POP, dtype=float)
    gdp = pd.Series(cat.DISTRICT_GDP, dtype=float)
    w = 0.7 * pop / pop.sum() + 0.3 * gdp / gdp.sum()
    return w.to_dict()


def _basic_court(adcode: np.ndarray, filed: np.ndarray, rng: np.random.Generator | None) -> np.ndarray:
    """The basic court for a district on a filing date (港闸 until 2020-07, 海安 re-coded 2018).

    With ``rng``, part of 崇川's cases before the merger go to 港闸 court; without, none do.
    """
    court = pd.Series(adcode).map(_CURRENT_COURT).to_numpy(dtype=object)
    haian_old = (adcode == 320685) & (filed < np.datetime64(_HAIAN_NEW.valid_from))
    court[haian_old] = "苏0621"
    if rng is not None:
        gangzha = (adcode == 320613) & _before_gangzha_closed(filed) & (rng.random(len(adcode)) < 0.22)
        court[gangzha] = _GANGZHA.code
    return court


# Court facts come from analytics.codes: today's basic court per district, and the dates of the
# two changes (海安 re-coded 2018, 港闸 merged into 崇川 2020).
_CURRENT_COURT = {c.adcode: c.code for c in COURTS if c.level == "basic" and c.valid_to is None}
_HAIAN_NEW = COURT_BY_CODE["苏0685"]
_GANGZHA = COURT_BY_CODE["苏0611"]


def _before_gangzha_closed(filed: np.ndarray) -> np.ndarray:
    """Filing dates on which 港闸 court still took cases."""
    return filed <= np.datetime64(_GANGZHA.valid_to)


def _finish(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Add closing date and outcome from the duration and outcome models."""
    n = len(df)
    med = np.ones(n)
    sig = np.ones(n)
    # pandas 3 strings are Arrow-backed: convert once, not per comparison.
    types = df["type_code"].to_numpy(dtype=object)
    tracks = df["track"].to_numpy(dtype=object)
    cause_arr = df["cause"].to_numpy(dtype=object)
    for (tc, track), (m, s) in cat.DURATION.items():
        sel = types == tc
        if track is not None:
            sel &= tracks == track
        med[sel], sig[sel] = m, s
    year = df["filed_date"].dt.year.to_numpy()
    med = med * (1 - 0.015 * (year - 2016))  # courts got a little faster every year
    days = rng.lognormal(np.log(med), sig)
    tail = rng.random(n) < cat.LONG_TAIL_SHARE
    days = np.where(tail, days * rng.uniform(2.5, 7, n), days)
    days = np.maximum(np.round(days), 1).astype("int64")
    closed = df["filed_date"].to_numpy() + days * DAY
    # Year-end push (年底结案冲刺): many cases due in early January are closed in late December.
    doy = (closed - closed.astype("datetime64[Y]")) / DAY
    push = (doy < 20) & (rng.random(n) < 0.4)
    pushed = closed.astype("datetime64[Y]").astype("datetime64[D]") - rng.integers(1, 12, n) * DAY
    ok = push & (pushed > df["filed_date"].to_numpy())
    closed = np.where(ok, pushed, closed)
    outcome = np.empty(n, dtype=object)
    for tc, mix in cat.OUTCOMES.items():
        sel = types == tc
        if sel.any():
            outcome[sel] = _choice(rng, mix, int(sel.sum()))
    for cause, mix in cat.CAUSE_OUTCOMES.items():
        sel = (cause_arr == cause) & (types == "民初")
        if sel.any():
            outcome[sel] = _choice(rng, mix, int(sel.sum()))
    return df.assign(closed_date=closed.astype("datetime64[s]"), outcome=outcome)


def _parties(rng: np.random.Generator, df: pd.DataFrame, causes: dict[str, cat.Cause]) -> pd.DataFrame:
    """Party kinds, enterprise industry and a pseudonymous defendant key (repeat parties)."""
    n = len(df)
    pk = np.empty(n, dtype=object)
    dk = np.empty(n, dtype=object)
    ind = np.full(n, None, dtype=object)
    cause_arr = df["cause"].to_numpy(dtype=object)
    for name, c in causes.items():
        sel = cause_arr == name
        m = int(sel.sum())
        if not m:
            continue
        pk[sel] = _choice(rng, c.plaintiff, m)
        dk[sel] = _choice(rng, c.defendant, m)
        ent = sel & (dk == "企业")
        if ent.any():
            ind[ent] = _choice(rng, c.industry or {"其他行业": 1.0}, int(ent.sum()))
    key = np.full(n, -1, dtype="int64")
    person = dk == "自然人"
    # Natural persons: mostly distinct, with a pool of serial debtors/offenders.
    serial = person & (rng.random(n) < 0.08)
    key[person] = rng.integers(10_000_000, 11_500_000, int(person.sum()))
    key[serial] = rng.integers(10_000_000, 10_020_000, int(serial.sum()))
    # Enterprises: Zipf-like within each industry, so a few firms are sued again and again.
    ent = dk == "企业"
    ranks = np.minimum(rng.zipf(1.35, int(ent.sum())), 20_000)
    ind_idx = pd.Series(ind[ent]).map({v: i for i, v in enumerate(sorted(set(ind[ent]) | {"x"}))})
    key[ent] = 20_000_000 + ind_idx.to_numpy(dtype="int64") * 100_000 + ranks
    return df.assign(plaintiff_kind=pk, defendant_kind=dk, defendant_industry=ind,
                     defendant_key=pd.Series(key, index=df.index, dtype="Int64").mask(key < 0))


def _base_cases(rng: np.random.Generator, scale: float) -> pd.DataFrame:
    """First instances and other independent cases for every year."""
    dist_w = _district_weights()
    frames = []
    for year in (cat.LEAD_IN_YEAR, *cat.YEARS):
        days, p = day_weights(year)
        for tc, share in cat.BASE_MIX.items():
            n = round(cat.NEW_FILINGS[year] * scale * share * cat.BASE_SCALE)
            if n == 0:
                continue
            causes = cat.CAUSES_BY_TYPE[tc]
            w = {c.name: c.weight * c.trend.get(year, 1.0) for c in causes}
            cause = _choice(rng, w, n)
            adcode = _choice(rng, dist_w, n).astype("int64")
            for c in causes:
                if c.districts:
                    sel = cause == c.name
                    adcode[sel] = _choice(rng, c.districts, int(sel.sum())).astype("int64")
            filed = np.sort(rng.choice(days, size=n, p=p))
            rng.shuffle(filed)
            track = np.full(n, None, dtype=object)
            if tc == "民初":
                track = _choice(rng, cat.civil_tracks(year), n)
            elif tc == "刑初":
                track = _choice(rng, cat.criminal_tracks(year), n)
            frames.append(pd.DataFrame({"type_code": tc, "cause": cause, "adcode": adcode,
                                        "filed_date": filed.astype("datetime64[s]"), "track": track}))
    df = pd.concat(frames, ignore_index=True)
    filed = df["filed_date"].to_numpy()
    court = _basic_court(df["adcode"].to_numpy(), filed, rng)
    tc = df["type_code"].to_numpy()
    inter = ((tc == "行初") & (rng.random(len(df)) < cat.ADMIN_AT_INTERMEDIATE)) | (
        (tc == "刑更") & (rng.random(len(df)) < 0.9))
    court[inter] = "苏06"
    env = df["cause"].isin(cat.ENV_CENTRALISED).to_numpy() & (filed >= np.datetime64(cat.ENV_FROM))
    court[env] = cat.ENV_COURT
    df["court_code"] = court
    df["origin"] = -1
    return df


def _derive(rng: np.random.Generator, src: pd.DataFrame, sel: np.ndarray, type_code: str,
            lag: tuple[int, int], court: str | None, start_col: str = "closed_date") -> pd.DataFrame:
    """New cases arising from the selected closed cases (appeal, enforcement ...)."""
    rows = src.loc[sel]
    n = len(rows)
    start = rows[start_col].to_numpy()
    filed = start + rng.integers(lag[0], lag[1] + 1, n) * DAY
    out = pd.DataFrame({
        "type_code": type_code, "cause": rows["cause"].to_numpy(), "adcode": rows["adcode"].to_numpy(),
        "filed_date": filed.astype("datetime64[s]"), "track": None,
        "origin": rows.index.to_numpy(),
    })
    if court is None:
        filed_at = out["filed_date"].to_numpy()
        codes = _basic_court(out["adcode"].to_numpy(), filed_at, None)
        # Enforcement stays with the court that decided the case while that court exists.
        gangzha = (rows["court_code"].to_numpy() == _GANGZHA.code) & _before_gangzha_closed(filed_at)
        codes[gangzha] = _GANGZHA.code
        out["court_code"] = codes
    else:
        out["court_code"] = court
    for col in ("plaintiff_kind", "defendant_kind", "defendant_industry", "defendant_key", "amount"):
        if col in rows:
            out[col] = rows[col].to_numpy()
    return out[out["filed_date"] <= np.datetime64(cat.AS_OF)]


def _amounts(rng: np.random.Generator, df: pd.DataFrame, causes: dict[str, cat.Cause]) -> np.ndarray:
    amount = np.full(len(df), np.nan)
    cause_arr = df["cause"].to_numpy(dtype=object)
    for name, c in causes.items():
        if c.amount is None:
            continue
        sel = cause_arr == name
        amount[sel] = np.round(rng.lognormal(np.log(c.amount[0]), c.amount[1], int(sel.sum())), -1)
    return amount


def generate_cases(seed: int = cat.SEED, scale: float = 1.0, progress: Progress = _noop) -> pd.DataFrame:
    """The synthetic case table (one row per case number), deterministic for (seed, scale)."""
    rng = np.random.default_rng(seed)
    causes = {c.name: c for group in cat.CAUSES_BY_TYPE.values() for c in group}
    progress(0.02, "生成一审及其他案件 / drawing first instances")
    base = _base_cases(rng, scale)
    base = _finish(rng, base)
    base = _parties(rng, base, causes)
    base["amount"] = _amounts(rng, base, causes)
    as_of = np.datetime64(cat.AS_OF)

    progress(0.15, "派生上诉、执行案件 / deriving appeals and enforcement")
    closed_ok = base["closed_date"].to_numpy() <= as_of
    judged = base["outcome"].isin(["判决", "驳回起诉"]).to_numpy() & closed_ok
    appeals = []
    for first, second in (("民初", "民终"), ("刑初", "刑终"), ("行初", "行终")):
        sel = judged & (base["type_code"].to_numpy() == first) & (rng.random(len(base)) < cat.APPEAL[first])
        appeals.append(_derive(rng, base, sel, second, cat.APPEAL_LAG, "苏06"))
    app = _finish(rng, pd.concat(appeals))
    app.index = np.arange(len(base), len(base) + len(app))
    df = pd.concat([base, app])

    closed_ok = df["closed_date"].to_numpy() <= as_of
    tc = df["type_code"].to_numpy()
    out = df["outcome"].to_numpy()
    r = rng.random(len(df))
    petition = (tc == "民终") & np.isin(out, ["维持原判", "改判"]) & closed_ok & (r < cat.PETITION_AFTER_APPEAL)
    has_amount = ~np.isnan(df["amount"].to_numpy(dtype=float))
    enforce = (tc == "民初") & closed_ok & has_amount & (
        ((out == "判决") & (r < cat.ENFORCE_AFTER_JUDGMENT)) | ((out == "调解") & (r < cat.ENFORCE_AFTER_MEDIATION)))
    more = [_derive(rng, df, petition, "民申", (30, 180), "苏06"),
            _derive(rng, df, enforce, "执", cat.ENFORCE_LAG, None)]
    der = _finish(rng, pd.concat(more))
    der.index = np.arange(len(df), len(df) + len(der))
    frac = rng.uniform(0.4, 1.0, len(der))
    der["amount"] = np.where(der["type_code"] == "执", np.round(der["amount"] * frac, -1), der["amount"])
    df = pd.concat([df, der])

    closed_ok = df["closed_date"].to_numpy() <= as_of
    is_exec = df["type_code"].to_numpy() == "执"
    resume = is_exec & (df["outcome"].to_numpy() == "终结本次执行") & closed_ok & (
        rng.random(len(df)) < cat.RESUME_AFTER_TERMINATION)
    objection = is_exec & (rng.random(len(df)) < cat.OBJECTION_IN_ENFORCEMENT)
    ex = [_derive(rng, df, resume, "执恢", (90, 720), None),
          _derive(rng, df, objection, "执异", (5, 60), None, start_col="filed_date")]
    ex = _finish(rng, pd.concat(ex))
    ex.index = np.arange(len(df), len(df) + len(ex))
    df = pd.concat([df, ex])

    progress(0.3, "执行到位金额、案号、地点 / amounts, case numbers, places")
    df = _enforcement_money(rng, df)
    pending = df["closed_date"].to_numpy() > as_of
    df.loc[pending, "closed_date"] = pd.NaT
    df.loc[pending, "outcome"] = None
    df = _locate(rng, df, causes)
    df = _number(df)
    return _finalise(df, causes)


def _enforcement_money(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """执行到位金额 by how the enforcement case ended."""
    n = len(df)
    share = np.zeros(n)
    out = df["outcome"].to_numpy()
    share = np.where(out == "执行完毕", 1.0, share)
    share = np.where(out == "执行和解", rng.uniform(0.5, 1.0, n), share)
    share = np.where(out == "终结本次执行", np.where(rng.random(n) < 0.7, 0.0, rng.uniform(0, 0.3, n)), share)
    share = np.where(out == "终结执行", rng.uniform(0, 0.5, n), share)
    pending = df["closed_date"].to_numpy() > np.datetime64(cat.AS_OF)
    share = np.where(pending, rng.uniform(0, 0.3, n), share)
    is_exec = df["type_code"].isin(["执", "执恢"]).to_numpy()
    rec = np.where(is_exec, np.round(df["amount"].to_numpy(dtype=float) * share, -1), np.nan)
    return df.assign(amount_recovered=rec)


def _locate(rng: np.random.Generator, df: pd.DataFrame, causes: dict[str, cat.Cause]) -> pd.DataFrame:
    """Place of dispute/offence: drawn for independent cases, inherited by derived ones."""
    places = _Places(rng)
    lon = np.full(len(df), np.nan)
    lat = np.full(len(df), np.nan)
    own = (df["origin"] < 0).to_numpy()
    riverside = df["cause"].map({n: c.riverside for n, c in causes.items()}).fillna(False).to_numpy(dtype=bool)
    adcode = df["adcode"].to_numpy()
    for a in np.unique(adcode):
        for rv in (False, True):
            sel = own & (adcode == a) & (riverside == rv)
            if sel.any():
                lon[sel], lat[sel] = places.sample(int(a), int(sel.sum()), rv)
    pos = pd.Series(np.arange(len(df)), index=df.index)
    for _ in range(3):  # derived from derived (执恢 from 执 from 民初): follow the chain
        need = ~own & np.isnan(lon)
        src = pos.loc[df["origin"].to_numpy()[need]].to_numpy()
        lon[need], lat[need] = lon[src], lat[src]
    # About 3% of real records carry no usable address.
    missing = rng.random(len(df)) < 0.03
    lon[missing] = np.nan
    lat[missing] = np.nan
    return df.assign(lon=lon, lat=lat)


def _number(df: pd.DataFrame) -> pd.DataFrame:
    """案号 like (2021)苏0682民初1234号: numbered per court, type and year in filing order."""
    df = df.sort_values(["filed_date", "origin"], kind="stable")
    year = df["filed_date"].dt.year
    seq = df.groupby([year, df["court_code"], df["type_code"]], sort=False).cumcount() + 1
    df["case_no"] = ("(" + year.astype(str) + ")" + df["court_code"] + df["type_code"]
                     + seq.astype(str) + "号")
    return df


def _finalise(df: pd.DataFrame, causes: dict[str, cat.Cause]) -> pd.DataFrame:
    """Schema columns: category/procedure from the type code, cause group, origin case number."""
    tc = df["type_code"]
    df["category"] = tc.map({t: v[0] for t, v in TYPE_CODES.items()})
    df["procedure"] = tc.map({t: v[1] for t, v in TYPE_CODES.items()})
    df["cause_group"] = df["cause"].map({name: c.group for name, c in causes.items()})
    df["origin_case_no"] = df["origin"].map(df["case_no"]).where(df["origin"] >= 0)
    df["source"] = "synthetic"
    df["h3_r7"] = pd.NA
    start = pd.Timestamp(cat.YEARS[0], 1, 1)
    # Lead-in year: keep only what was still pending when the data period starts (旧存);
    # links to dropped 2015 cases stay, as they would in a real extract.
    keep = (df["filed_date"] >= start) | df["closed_date"].isna() | (df["closed_date"] >= start)
    df = df[keep].reset_index(drop=True)
    return df[list(CASE_COLUMN_NAMES)]


def store_meta(seed: int, scale: float, n: int, seconds: float) -> dict[str, str]:
    """Metadata written into a generated store (the app reads ``dataset`` to label it synthetic)."""
    return {
        "dataset": "synthetic",
        "generator_version": GENERATOR_VERSION,
        "seed": str(seed),
        "scale": str(scale),
        "rows": str(n),
        "as_of": cat.AS_OF.isoformat(),
        "period_start": f"{cat.YEARS[0]}-01-01",
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generation_seconds": f"{seconds:.1f}",
    }


def build_default_store(path: Path, seed: int = cat.SEED, scale: float = 1.0,
                        progress: Progress = _noop) -> Path:
    """Generate the synthetic data set and write it as a DuckDB store at ``path``."""
    from analytics.store import build_store

    t0 = time.perf_counter()
    df = generate_cases(seed, scale, lambda f, m: progress(f * 0.6, m))
    meta = store_meta(seed, scale, len(df), time.perf_counter() - t0)
    return build_store(path, df, meta, lambda f, m: progress(0.6 + 0.4 * f, m))


def main() -> None:
    """Command line: build a store from the generator."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=cat.SEED)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from analytics.settings import load_settings

    out = args.out or load_settings().db_path
    t0 = time.perf_counter()
    build_default_store(out, args.seed, args.scale, lambda f, m: print(f"{f:4.0%} {m}", flush=True))
    print(f"wrote {out} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
