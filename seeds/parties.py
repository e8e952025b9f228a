"""Parties of the synthetic cases: kinds, enterprise industries and pseudonymous keys, both sides.

Keys are pseudonyms (never names) so that repeat parties can be followed:
- enterprises: one pool of ``catalog.ENTERPRISE_POOL`` firms per (district, industry), drawn from
  a Zipf-Mandelbrot law, so a few firms appear in many cases, as plaintiff or defendant; 金融业
  parties (banks, insurers) come from one small city-wide pool;
- natural persons: mostly distinct, with a small pool of serial litigants on each side;
- public bodies (检察机关, 国家机关): no key.
Key ranges: 10.0M-11.5M natural defendants, 11.5M-13.0M natural plaintiffs, 20M-28M enterprises
(20M + district index x 1M + industry index x 50k + rank), 29M banks, 88M planted parties
(``seeds.plants``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.schema import INDUSTRIES
from seeds import catalog as cat

PARTY_COLUMNS = ("plaintiff_kind", "plaintiff_industry", "plaintiff_key",
                 "defendant_kind", "defendant_industry", "defendant_key")
_ADCODES = tuple(sorted(cat.DISTRICT_POP))


def _choice(rng: np.random.Generator, options: dict, n: int) -> np.ndarray:
    keys = list(options)
    w = np.asarray([options[k] for k in keys], dtype=float)
    return np.asarray(keys, dtype=object)[rng.choice(len(keys), size=n, p=w / w.sum())]


def zipf_mandelbrot(n: int, s: float, q: float) -> np.ndarray:
    """Probabilities of ranks 1..n proportional to (k + q)^-s."""
    w = (np.arange(1, n + 1) + q) ** -s
    return w / w.sum()


def _enterprise_keys(rng: np.random.Generator, adcode: np.ndarray, industry: np.ndarray) -> np.ndarray:
    """Keys of enterprise parties: a firm of the district's pool for the industry (banks: city pool)."""
    n = len(adcode)
    ranks = rng.choice(cat.ENTERPRISE_POOL, size=n, p=zipf_mandelbrot(cat.ENTERPRISE_POOL, *cat.ENTERPRISE_ZIPF))
    d_idx = pd.Series(adcode).map({a: i for i, a in enumerate(_ADCODES)}).to_numpy(dtype="int64")
    i_idx = pd.Series(industry).map({v: i for i, v in enumerate(INDUSTRIES)}).to_numpy(dtype="int64")
    keys = 20_000_000 + d_idx * 1_000_000 + i_idx * 50_000 + ranks + 1
    bank = industry == "金融业"
    keys[bank] = 29_000_000 + rng.choice(cat.BANK_POOL, size=int(bank.sum()),
                                         p=zipf_mandelbrot(cat.BANK_POOL, *cat.BANK_ZIPF)) + 1
    return keys


def _person_keys(rng: np.random.Generator, n: int, lo: int, serial_share: float) -> np.ndarray:
    """Natural persons: mostly distinct (a 1.5M range), a share from a pool of 20,000 repeaters."""
    keys = rng.integers(lo, lo + 1_500_000, n)
    serial = rng.random(n) < serial_share
    keys[serial] = rng.integers(lo, lo + 20_000, int(serial.sum()))
    return keys


def assign_parties(rng: np.random.Generator, df: pd.DataFrame, causes: dict[str, cat.Cause]) -> pd.DataFrame:
    """Both sides' kind, industry (enterprises) and key; values already set in ``df`` are kept."""
    n = len(df)
    codes, uniques = pd.factorize(df["cause"].to_numpy(dtype=object))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    rows_of = {v: order[bounds[i]:bounds[i + 1]] for i, v in enumerate(uniques)}
    adcode = df["adcode"].to_numpy(dtype="int64")
    kind = {"plaintiff": np.empty(n, dtype=object), "defendant": np.empty(n, dtype=object)}
    ind = {"plaintiff": np.full(n, None, dtype=object), "defendant": np.full(n, None, dtype=object)}
    can_build = {"plaintiff": np.zeros(n, bool), "defendant": np.zeros(n, bool)}
    for name, c in causes.items():
        idx = rows_of.get(name)
        if idx is None:
            continue
        sides = (("plaintiff", c.plaintiff, c.plaintiff_industry or cat.DEFAULT_PLAINTIFF_INDUSTRY),
                 ("defendant", c.defendant, c.industry or {"其他行业": 1.0}))
        for side, kinds, industries in sides:
            drawn = _choice(rng, kinds, len(idx))
            kind[side][idx] = drawn
            ent = idx[drawn == "企业"]
            if len(ent):
                ind[side][ent] = _choice(rng, industries, len(ent))
                can_build[side][ent] = "建筑业" in industries
    out = {}
    for side, lo, serial in (("plaintiff", 11_500_000, 0.05), ("defendant", 10_000_000, 0.08)):
        k, i = kind[side], ind[side]
        # 海安's building industry: enterprise parties there are builders more often.
        shift = can_build[side] & (adcode == cat.HAIAN) & (rng.random(n) < cat.HAIAN_CONSTRUCTION_SHIFT)
        i[shift] = "建筑业"
        key = np.full(n, -1, dtype="int64")
        person = k == "自然人"
        key[person] = _person_keys(rng, int(person.sum()), lo, serial)
        ent = k == "企业"
        key[ent] = _enterprise_keys(rng, adcode[ent], i[ent])
        out[f"{side}_kind"] = pd.Series(k, index=df.index, dtype=object)
        out[f"{side}_industry"] = pd.Series(i, index=df.index, dtype=object)
        out[f"{side}_key"] = pd.Series(key, index=df.index, dtype="Int64").mask(key < 0)
    for col in PARTY_COLUMNS:  # preset values (planted events) win
        if col in df:
            preset = df[col]
            merged = out[col].where(preset.isna(), preset)
            out[col] = merged.astype("Int64") if col.endswith("_key") else merged.astype(object)
    for side in ("plaintiff", "defendant"):  # only enterprises have an industry
        out[f"{side}_industry"] = out[f"{side}_industry"].where(out[f"{side}_kind"] == "企业", None)
    return df.assign(**out)
