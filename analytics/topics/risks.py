"""Risk points of a topic: rules from the topic file, evaluated on the year-on-year windows, ranked.

Each rule compares the last filing year of the page filter with the same span a year before
(``analytics.maps.yoy_window``: a partial last year is compared with the same months), on the
topic's cases in the page filter (district included) narrowed by the rule's ``base`` and ``part``
selections:

- ``rising`` + ``count``: cases of ``part`` grew by at least ``min_change`` (relative), with at
  least ``min_cases`` a year before;
- ``rising`` + ``share``: the share of ``part`` within ``base`` rose by at least ``min_points``
  (0.02 = 2 percentage points), with at least ``min_cases`` base cases in both windows;
- ``level`` + ``share``: the share of ``part`` within ``base`` is at least ``min_share`` now;
- ``concentration``: the keys holding half the (key, case) pairs are at most ``max_key_share`` of
  all keys (filter years), with at least ``min_cases`` pairs.

``date = "closed"`` counts cases by closing date (e.g. for the 终本 rate). The score is the
measured value over its threshold; raised risks are ranked by score, the rule text says why.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.filters import CaseFilter
from analytics.maps import YoyWindow, yoy_change, yoy_window
from analytics.topics.config import Risk, Selection, Topic
from analytics.topics.sections import repeat
from analytics.topics.select import selection_sql, topic_where

LABELS = {"rank": "排序", "title": "风险点", "raised": "是否触发", "value": "测得值", "threshold": "阈值",
          "rule": "触发规则", "score": "强度(测得值/阈值)", "why": "说明"}


def _counts(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, risk: Risk,
            win: YoyWindow) -> tuple[int, int, int, int]:
    """(part_cur, part_prev, base_cur, base_prev) in the two windows."""
    col = "closed_date" if risk.date == "closed" else "filed_date"
    where, params = topic_where(topic.selection, flt, years=False, extra=risk.base)
    part, pparams = selection_sql(risk.part)
    row = con.execute(
        f"""SELECT count(*) FILTER (WHERE {part} AND {col} BETWEEN ? AND ?),
                   count(*) FILTER (WHERE {part} AND {col} BETWEEN ? AND ?),
                   count(*) FILTER (WHERE {col} BETWEEN ? AND ?),
                   count(*) FILTER (WHERE {col} BETWEEN ? AND ?)
            FROM cases WHERE {where} AND {col} BETWEEN ? AND ?""",
        [*pparams, win.cur_start, win.cur_end, *pparams, win.prev_start, win.prev_end,
         win.cur_start, win.cur_end, win.prev_start, win.prev_end, *params, win.prev_start, win.cur_end],
    ).fetchone()
    assert row is not None
    return tuple(int(v) for v in row)  # type: ignore[return-value]


def _describe(sel: Selection) -> str:
    """Short Chinese description of a sub-selection."""
    bits = []
    for attr in ("causes", "cause_groups", "categories", "procedures", "type_codes", "outcomes"):
        bits += list(getattr(sel, attr))
    if sel.party is not None:
        side = {"plaintiff": "原告/申请人", "defendant": "被告/被执行人", "either": "任一方"}[sel.party.side]
        bits.append(f"{side}为{'/'.join(sel.party.industries or sel.party.kinds)}")
    return "、".join(bits) or "全部专题案件"


def evaluate(con: duckdb.DuckDBPyConnection, topic: Topic, flt: CaseFilter, as_of: date) -> pd.DataFrame:
    """One row per risk rule: measured value, threshold, whether raised, score and the rule text; raised first."""
    win = yoy_window(flt, as_of)
    period = win.label.replace(" 同比", "")
    rows = []
    for r in topic.risks:
        value: float | None
        if r.kind == "concentration":
            rep = repeat(con, topic, flt)
            value = rep.key_share_for_half
            ok = value is not None and rep.pairs >= r.min_cases and value > 0
            raised = ok and value <= r.max_key_share
            score = (r.max_key_share / value) if ok and value else 0.0
            years = f"{flt.year_to}年" if flt.year_from == flt.year_to else f"{flt.year_from}–{flt.year_to}年"
            rule = (f"{rep.keys_for_half} 个企业代号（占全部 {rep.keys} 个的 {value or 0:.1%}）涉及一半的企业-案件对"
                    f"（{years}，≥{r.min_cases} 对时判断）；阈值 ≤ {r.max_key_share:.0%}")
            threshold = r.max_key_share
        else:
            pc, pp, bc, bp = _counts(con, topic, flt, r, win)
            what = _describe(r.part)
            datew = "结案" if r.date == "closed" else "收案"
            if r.kind == "rising" and r.measure == "count":
                value = yoy_change(pc, pp)
                ok = value is not None and pp >= r.min_cases
                raised = ok and value >= r.min_change  # type: ignore[operator]
                score = value / r.min_change if ok and r.min_change else 0.0  # type: ignore[operator]
                threshold = r.min_change
                change = "—" if value is None else f"{value:+.1%}"
                rule = (f"{what}{datew} {period} {pc} 件，上年同期 {pp} 件，变化 {change}；"
                        f"阈值 ≥ {r.min_change:+.0%}（上年同期 ≥ {r.min_cases} 件）")
            else:
                cur = pc / bc if bc else None
                prev = pp / bp if bp else None
                base = _describe(r.base)
                if r.kind == "rising":
                    value = None if cur is None or prev is None else cur - prev
                    ok = value is not None and min(bc, bp) >= r.min_cases
                    raised = ok and value >= r.min_points  # type: ignore[operator]
                    score = value / r.min_points if ok and r.min_points else 0.0  # type: ignore[operator]
                    threshold = r.min_points
                    rule = (f"{what}占{base}{datew}的比例 {period} {_pct(cur)}，上年同期 {_pct(prev)}，"
                            f"变化 {_pts(value)}；阈值 ≥ {r.min_points * 100:+.1f} 个百分点"
                            f"（两期各 ≥ {r.min_cases} 件）")
                else:
                    value = cur
                    ok = value is not None and bc >= r.min_cases
                    raised = ok and value >= r.min_share  # type: ignore[operator]
                    score = value / r.min_share if ok and r.min_share else 0.0  # type: ignore[operator]
                    threshold = r.min_share
                    rule = (f"{what}占{base}{datew}的比例 {period} {_pct(cur)}（{pc}/{bc} 件）；"
                            f"阈值 ≥ {r.min_share:.0%}（≥ {r.min_cases} 件时判断）")
        if not ok:
            rule += "；样本不足或无基期，未作判断"
        rows.append({"title": r.title, "raised": bool(raised), "value": value, "threshold": threshold,
                     "score": round(float(score), 3), "rule": rule, "why": r.why, "id": r.id})
    df = pd.DataFrame(rows, columns=["id", "title", "raised", "value", "threshold", "score", "rule", "why"])
    df = df.sort_values(["raised", "score"], ascending=[False, False], kind="stable").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _pts(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:+.1f} 个百分点"


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """The risk table with Chinese headers (raised shown as 是/否), without the internal id."""
    out = df.drop(columns=["id"]).assign(raised=df["raised"].map({True: "是", False: "否"}))
    return out.rename(columns=LABELS)
