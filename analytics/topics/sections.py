"""Figures of a topic's case sections, computed over ``cases`` with the topic's selection and the page filter.

Every function takes a connection, the ``Topic`` and a ``CaseFilter`` (the shared sidebar filter,
whose ``district`` is the district in view) and returns a plain table with English column names;
``LABELS`` gives the Chinese headers for display and download. Definitions follow the courts'
usage and are stated per function; counts are cases (件, one per case number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise

import duckdb
import pandas as pd

from analytics.filters import CaseFilter
from analytics.maps import years_covered, yoy_change, yoy_window
from analytics.topics.config import Marker, Topic, vocabulary_warnings
from analytics.topics.select import side_sql, topic_where

CITY = "全市"
ENFORCE_PROC = "执行实施"  # 执, 执恢: the cases the 终本 rate is taken over
ZHONGBEN = "终结本次执行"

LABELS: dict[str, str] = {
    "period": "期间", "scope": "范围", "cases": "案件数", "year": "年度",
    "topic_cases": "专题案件数", "base_cases": "本地区同类案件数", "share": "占比", "ratio": "相对全市倍数",
    "adcode": "区划代码", "name": "区县", "population": "常住人口(2020)", "per_10k": "每万人案件数(年均)",
    "yoy_cur": "本期", "yoy_prev": "上年同期", "yoy": "同比",
    "cause_group": "案由/罪名（上级）", "cause": "案由/罪名", "role": "诉讼地位",
    "category": "案件类别", "with_amount": "有标的额案件数", "amount_total": "标的额合计(万元)",
    "amount_median": "标的额中位数(万元)", "amount_mean": "标的额平均(万元)",
    "applied": "已结执行案件申请标的(万元)", "recovered": "执行到位(万元)", "recovery_rate": "执行到位率",
    "closed": "结案数", "zhongben": "终本结案数", "zhongben_share": "终本率", "completed": "执行完毕",
    "settled": "执行和解", "procedure": "审级/程序", "mean_days": "平均用时(天)", "median_days": "用时中位数(天)",
    "p90_days": "90%分位用时(天)", "key": "企业代号(假名)", "plaintiff_cases": "作为原告/申请人",
    "defendant_cases": "作为被告/被执行人", "cum_share": "累计占比", "span": "时段", "start": "起", "end": "止",
    "months": "月数", "per_month": "月均案件数",
}


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """A section table with Chinese column headers."""
    return df.rename(columns=LABELS)


def _data_years(con: duckdb.DuckDBPyConnection, flt: CaseFilter, span: str) -> tuple[int, int]:
    """Filing years a section covers: the filter's, or ('all') the store's whole data period."""
    if span == "filter":
        return flt.year_from, flt.year_to
    row = con.execute("SELECT year(min(filed_date)), year(max(filed_date)) FROM cases").fetchone()
    start = con.execute("SELECT value FROM meta WHERE key = 'period_start'").fetchall()
    y0, y1 = int(row[0]), int(row[1])  # type: ignore[index]
    if start:
        y0 = max(y0, int(start[0][0][:4]))  # earlier filings are only pending stock (旧存)
    return y0, y1


_FREQ = {"month": "MS", "quarter": "QS", "year": "YS"}


def trend(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, freq: str = "month",
          span: str = "all", focus: int | None = None, focus_name: str = "") -> pd.DataFrame:
    """Topic cases filed per month/quarter/year, for the whole city and (if given) the focus district.

    Columns: period (first day), scope (全市 or the district's name), cases; periods without
    filings are 0. ``span='all'`` covers the store's whole period whatever the year filter.
    """
    y0, y1 = _data_years(con, flt, span)
    where, params = topic_where(topic.selection, flt, years=False, district=False)
    got = con.execute(
        f"""SELECT date_trunc('{freq}', filed_date)::DATE AS period, adcode = ? AS in_focus, count(*) AS cases
            FROM cases WHERE {where} AND filed_date >= make_date(?, 1, 1) AND filed_date < make_date(?, 1, 1)
            GROUP BY ALL""",
        [focus if focus is not None else -1, *params, y0, y1 + 1],
    ).df()
    periods = pd.date_range(date(y0, 1, 1), date(y1, 12, 31), freq=_FREQ[freq]).date
    got["period"] = pd.to_datetime(got["period"]).dt.date
    frames = [pd.DataFrame({"period": periods, "scope": CITY,
                            "cases": got.groupby("period")["cases"].sum().reindex(periods, fill_value=0).to_numpy()})]
    if focus is not None:
        sub = got[got["in_focus"]].set_index("period")["cases"]
        frames.append(pd.DataFrame({"period": periods, "scope": focus_name or str(focus),
                                    "cases": sub.reindex(periods, fill_value=0).to_numpy()}))
    out = pd.concat(frames, ignore_index=True)
    out["cases"] = out["cases"].astype("int64")
    return out


_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def around_markers(trend_df: pd.DataFrame, markers: tuple[Marker, ...], freq: str = "month",
                   scope: str = CITY) -> pd.DataFrame:
    """Cases per month in the spans the dated markers cut a ``trend`` table into (before, between, after).

    A period (month/quarter/year) belongs to the span its first day falls in; ``per_month`` =
    cases / months covered, so spans of different length compare. Columns: span, start, end
    (first days of the first and last periods), months, cases, per_month.
    """
    df = trend_df[trend_df["scope"] == scope].sort_values("period")
    ordered = sorted(markers, key=lambda m: m.on)
    names = [f"{ordered[0].label}前"]
    names += [f"{a.label}至{b.label}前" for a, b in pairwise(ordered)]
    names.append(f"{ordered[-1].label}后")
    rows = []
    bounds = [None, *(m.on for m in ordered), None]
    for name, lo, hi in zip(names, bounds[:-1], bounds[1:], strict=True):
        part = df[[(lo is None or p >= lo) and (hi is None or p < hi) for p in df["period"]]]
        months = len(part) * _MONTHS[freq]
        rows.append({"span": name, "start": part["period"].min() if len(part) else None,
                     "end": part["period"].max() if len(part) else None, "months": months,
                     "cases": int(part["cases"].sum()), "per_month": part["cases"].sum() / months if months else None})
    return pd.DataFrame(rows)


def _base_sql(topic: Topic) -> tuple[str, list[object]]:
    """Predicate of the share denominator: the base categories (and procedures) of ``[topic]``."""
    params: list[object] = [*topic.base_categories]
    sql = f"category::VARCHAR IN ({', '.join('?' for _ in topic.base_categories)})"
    if topic.base_procedures:
        sql += f" AND procedure::VARCHAR IN ({', '.join('?' for _ in topic.base_procedures)})"
        params += topic.base_procedures
    return sql, params


def share(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, span: str = "all",
          focus: int | None = None, focus_name: str = "") -> pd.DataFrame:
    """Per filing year: topic cases among the base cases (e.g. 民事一审) of the city and the focus district.

    ``topic_cases`` = cases of the base categories/procedures that are in the topic and the page
    filter; ``base_cases`` = all cases of the base categories/procedures (the filter's causes,
    courts etc. do not narrow the denominator, else a cause filter would make every share 100%).
    ``ratio`` = the district's share / the city's share.
    """
    y0, y1 = _data_years(con, flt, span)
    where, params = topic_where(topic.selection, flt, years=False, district=False)
    base, bparams = _base_sql(topic)
    got = con.execute(
        f"""SELECT year(filed_date) AS year, adcode = ? AS in_focus,
                   count(*) FILTER (WHERE {where}) AS topic_cases, count(*) AS base_cases
            FROM cases WHERE {base} AND filed_date >= make_date(?, 1, 1) AND filed_date < make_date(?, 1, 1)
            GROUP BY ALL""",
        [focus if focus is not None else -1, *params, *bparams, y0, y1 + 1],
    ).df()
    years = list(range(y0, y1 + 1))
    city = got.groupby("year")[["topic_cases", "base_cases"]].sum().reindex(years, fill_value=0)
    out = [city.assign(scope=CITY)]
    if focus is not None:
        dist = got[got["in_focus"]].groupby("year")[["topic_cases", "base_cases"]].sum().reindex(years, fill_value=0)
        out.append(dist.assign(scope=focus_name or str(focus)))
    df = pd.concat(out).rename_axis("year").reset_index()
    df["share"] = (df["topic_cases"] / df["base_cases"]).where(df["base_cases"] > 0)
    city_share = df[df["scope"] == CITY].set_index("year")["share"]
    df["ratio"] = df["share"] / df["year"].map(city_share)
    return df[["year", "scope", "topic_cases", "base_cases", "share", "ratio"]].astype(
        {"topic_cases": "int64", "base_cases": "int64"})


def district_counts(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, population: dict[int, int],
                    names: dict[int, str], as_of: date) -> pd.DataFrame:
    """Every district: topic cases in the filter years, annual rate per 10,000 residents, YoY, share of base cases.

    Same definitions as ``analytics.maps.district_stats`` (rate = cases / years covered
    (``maps.years_covered``: a partial latest year counts its days) / population × 10,000; YoY
    over ``yoy_window``); ``share`` = topic cases / the district's base cases.
    Cases count at the place of the dispute/offence (``adcode``), not at the trying court.
    """
    win = yoy_window(flt, as_of)
    where, params = topic_where(topic.selection, flt, years=False, district=False)
    y0, y1 = date(flt.year_from, 1, 1), date(flt.year_to + 1, 1, 1)
    got = con.execute(
        f"""SELECT adcode,
                   count(*) FILTER (WHERE filed_date >= ? AND filed_date < ?) AS cases,
                   count(*) FILTER (WHERE filed_date BETWEEN ? AND ?) AS yoy_cur,
                   count(*) FILTER (WHERE filed_date BETWEEN ? AND ?) AS yoy_prev
            FROM cases WHERE {where} AND filed_date >= ? AND filed_date < ? GROUP BY adcode""",
        [y0, y1, win.cur_start, win.cur_end, win.prev_start, win.prev_end, *params, min(y0, win.prev_start), y1],
    ).df().set_index("adcode")
    out = pd.DataFrame({"adcode": list(population), "population": list(population.values())})
    out["name"] = out["adcode"].map(names)
    for col in ("cases", "yoy_cur", "yoy_prev"):
        out[col] = out["adcode"].map(got[col]).fillna(0).astype("int64")
    years = years_covered(flt.year_from, flt.year_to, as_of)  # a partial latest year counts its days
    out["per_10k"] = (out["cases"] / years / out["population"] * 10_000) if years > 0 else 0.0
    out["yoy"] = [yoy_change(c, p) for c, p in zip(out["yoy_cur"], out["yoy_prev"], strict=True)]
    if topic.base_categories:
        base, bparams = _base_sql(topic)
        got_b = con.execute(
            f"""SELECT adcode, count(*) AS n, count(*) FILTER (WHERE {where}) AS t
                FROM cases WHERE {base} AND filed_date >= ? AND filed_date < ? GROUP BY adcode""",
            [*params, *bparams, y0, y1]).df().set_index("adcode")
        b, t = got_b["n"], got_b["t"]
        out["base_cases"] = out["adcode"].map(b).fillna(0).astype("int64")
        out["share"] = (out["adcode"].map(t).fillna(0) / out["base_cases"]).where(out["base_cases"] > 0)
    return out


def mix(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, by: str = "cause",
        top: int = 15) -> pd.DataFrame:
    """Topic cases by cause (or cause group), most frequent first, with their share of all topic cases."""
    where, params = topic_where(topic.selection, flt)
    cols = "cause_group::VARCHAR AS cause_group, cause::VARCHAR AS cause" if by == "cause" \
        else "cause_group::VARCHAR AS cause_group"
    key = "cause" if by == "cause" else "cause_group"
    return con.execute(
        f"""SELECT {cols}, count(*) AS cases, count(*) / sum(count(*)) OVER () AS share
            FROM cases WHERE {where} GROUP BY ALL ORDER BY cases DESC, {key} LIMIT ?""",
        [*params, top],
    ).df()


ROLES = ("原告/申请人", "被告/被申请人", "申请执行人", "被执行人")


def roles(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter) -> pd.DataFrame:
    """Cases in which a party matching the topic's party rule stands in each role, and the share of topic cases.

    In enforcement cases (category 执行) the plaintiff side is the 申请执行人 and the defendant
    side the 被执行人; elsewhere they are 原告/申请人 and 被告/被申请人 (in criminal cases the
    defendant side is the 被告单位). A case with matching parties on both sides counts in both
    roles, so the shares can add up to more than 100%.
    """
    party = topic.selection.party
    assert party is not None
    ps: list[object] = []
    pl = side_sql(party, "plaintiff", ps)
    df_ = side_sql(party, "defendant", ps)
    pl2 = side_sql(party, "plaintiff", ps)
    df2 = side_sql(party, "defendant", ps)
    where, params = topic_where(topic.selection, flt)
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE {pl} AND category::VARCHAR <> '执行'),
                   count(*) FILTER (WHERE {df_} AND category::VARCHAR <> '执行'),
                   count(*) FILTER (WHERE {pl2} AND category::VARCHAR = '执行'),
                   count(*) FILTER (WHERE {df2} AND category::VARCHAR = '执行'),
                   count(*)
            FROM cases WHERE {where}""",
        [*ps, *params],
    ).fetchone()
    assert row is not None
    total = int(row[4])
    return pd.DataFrame({"role": ROLES, "cases": [int(v) for v in row[:4]],
                         "share": [int(v) / total if total else None for v in row[:4]]})


def amounts(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter) -> pd.DataFrame:
    """Amounts in 万元 by category and cause, with a subtotal (cause '小计') per category.

    ``amount`` is 标的额 for litigation and 申请执行标的 for enforcement, so categories are kept
    apart (an enforcement case repeats the amount of the judgment it enforces). ``applied`` and
    ``recovered`` cover closed 执行实施 cases only; ``recovery_rate`` = recovered / applied
    (执行到位率 in the usual sense of 实际执行到位金额 / 申请执行标的金额).
    """
    where, params = topic_where(topic.selection, flt)
    df = con.execute(
        f"""SELECT category::VARCHAR AS category, coalesce(cause::VARCHAR, '小计') AS cause, count(*) AS cases,
                   count(amount) AS with_amount, sum(amount) / 1e4 AS amount_total,
                   median(amount) / 1e4 AS amount_median, avg(amount) / 1e4 AS amount_mean,
                   sum(amount) FILTER (WHERE procedure::VARCHAR = '{ENFORCE_PROC}' AND closed_date IS NOT NULL) / 1e4
                       AS applied,
                   sum(amount_recovered) FILTER (WHERE procedure::VARCHAR = '{ENFORCE_PROC}'
                       AND closed_date IS NOT NULL) / 1e4 AS recovered
            FROM cases WHERE {where}
            GROUP BY GROUPING SETS ((category, cause), (category))
            ORDER BY category, cause IS NULL, amount_total DESC NULLS LAST, cause""",
        params,
    ).df()
    df["recovery_rate"] = (df["recovered"] / df["applied"]).where(df["applied"] > 0)
    return df


def outcomes(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, span: str = "all") -> pd.DataFrame:
    """Closed 执行实施 cases (执, 执恢) of the topic per closing year: 终本 count and 终本率.

    终本率 = cases closed by 终结本次执行 / 执行实施 cases closed, by closing year (the
    enforcement quality indicator; 终本 per 最高人民法院《关于严格规范终结本次执行程序的规定
    （试行）》(法〔2016〕373号) means no property available for enforcement: inability to pay).
    """
    y0, y1 = _data_years(con, flt, span)
    where, params = topic_where(topic.selection, flt, years=False)
    df = con.execute(
        f"""SELECT year(closed_date) AS year, count(*) AS closed,
                   count(*) FILTER (WHERE outcome::VARCHAR = '{ZHONGBEN}') AS zhongben,
                   count(*) FILTER (WHERE outcome::VARCHAR = '执行完毕') AS completed,
                   count(*) FILTER (WHERE outcome::VARCHAR = '执行和解') AS settled
            FROM cases WHERE {where} AND procedure::VARCHAR = '{ENFORCE_PROC}' AND closed_date IS NOT NULL
                 AND closed_date >= make_date(?, 1, 1) AND closed_date < make_date(?, 1, 1)
            GROUP BY year ORDER BY year""",
        [*params, y0, y1 + 1],
    ).df()
    df["zhongben_share"] = (df["zhongben"] / df["closed"]).where(df["closed"] > 0)
    return df


def durations(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter) -> pd.DataFrame:
    """Days from filing to closing (立案至结案) of closed topic cases filed in the filter years, per procedure."""
    where, params = topic_where(topic.selection, flt)
    return con.execute(
        f"""SELECT procedure::VARCHAR AS procedure, count(*) AS closed,
                   avg(date_diff('day', filed_date, closed_date)) AS mean_days,
                   median(date_diff('day', filed_date, closed_date)) AS median_days,
                   quantile_cont(date_diff('day', filed_date, closed_date), 0.9) AS p90_days
            FROM cases WHERE {where} AND closed_date IS NOT NULL
            GROUP BY procedure ORDER BY closed DESC, procedure""",
        params,
    ).df()


@dataclass(frozen=True)
class Repeat:
    """Repeat enterprises: keys, cases per key, and how many keys hold half the key-case pairs."""

    keys: int  # distinct pseudonymous keys of matching parties
    pairs: int  # (key, case) pairs: a case with two matching parties counts twice
    keys_for_half: int  # fewest keys whose pairs reach half of all pairs
    top: pd.DataFrame  # key, cases, plaintiff_cases, defendant_cases, share, cum_share

    @property
    def key_share_for_half(self) -> float | None:
        """keys_for_half / keys."""
        return self.keys_for_half / self.keys if self.keys else None


def repeat(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, top: int = 10) -> Repeat:
    """Enterprises (pseudonymous keys of the parties that match the party rule) ranked by cases.

    Only the sides the party rule names are counted, and only their own key (plaintiff_key on the
    plaintiff side, defendant_key on the defendant side). Keys are shown as they are stored:
    pseudonymous numbers, never names.
    """
    party = topic.selection.party
    assert party is not None
    where, params = topic_where(topic.selection, flt)
    parts, args = [], []
    for side, tag in (("plaintiff", "p"), ("defendant", "d")):
        if party.side in (side, "either"):
            ps: list[object] = []
            s = side_sql(party, side, ps)
            parts.append(f"SELECT {side}_key AS key, case_no, '{tag}' AS side FROM cases "
                         f"WHERE {where} AND {s} AND {side}_key IS NOT NULL")
            args += [*params, *ps]
    df = con.execute(
        f"""SELECT key, count(DISTINCT case_no) AS cases,
                   count(DISTINCT case_no) FILTER (WHERE side = 'p') AS plaintiff_cases,
                   count(DISTINCT case_no) FILTER (WHERE side = 'd') AS defendant_cases
            FROM ({' UNION ALL '.join(parts)}) GROUP BY key ORDER BY cases DESC, key""",
        args,
    ).df()
    pairs = int(df["cases"].sum())
    df["share"] = df["cases"] / pairs if pairs else 0.0
    df["cum_share"] = df["share"].cumsum()
    half = int((df["cases"].cumsum() < pairs / 2).sum()) + 1 if pairs else 0
    return Repeat(len(df), pairs, half, df.head(top).reset_index(drop=True))



def store_warnings(con: duckdb.DuckDBPyConnection, topic: Topic) -> list[str]:
    """Bilingual warnings for configured causes, cause groups, type codes and places this store lacks."""
    causes, groups, types, places = con.execute(
        """SELECT list(DISTINCT cause::VARCHAR), list(DISTINCT cause_group::VARCHAR),
                  list(DISTINCT type_code::VARCHAR), list(DISTINCT adcode) FROM cases"""
    ).fetchone()  # type: ignore[misc]
    return vocabulary_warnings(topic, tuple(causes or ()), tuple(groups or ()), tuple(types or ()),
                               tuple(places or ()))
