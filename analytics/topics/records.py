"""A topic's judgment-record sections: records of the topic's charges (table ``judgments``) by province,
sentences, and rule-based text findings in the fact texts.

Records are CAIL-format criminal judgments imported on the 裁判文书专题 page
(``analytics.judgments``). A record belongs to the topic when one of its charges is in
``[judgments].charges`` (CAIL writes charges without 罪: 非法捕捞水产品); the local scope keeps
records whose place of offence is in ``[judgments].local_city``. CAIL's meta has no 缓刑 flag
and the fact text usually stops before the sentence, so suspended sentences are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics import judgments as J
from analytics.topics.config import Topic
from analytics.topics.text import find

LABELS = {"band": "刑期", "records": "记录数", "share": "占比", "metric": "指标", "value": "数值",
          "rule": "规则", "label": "工具/方式", "province": "省份"}

# Sentence bands in months (CAIL's imprisonment holds 有期徒刑 and 拘役 terms in months).
BANDS = ((0, 0, "无监禁刑（单处罚金、免予刑事处罚等）"), (1, 6, "6个月以下（多为拘役）"), (7, 12, "7–12个月"),
         (13, 36, "1–3年"), (37, 10_000, "3年以上"))
NO_TOOL = "未识别出工具/方式"


def _where(topic: Topic, scope: str) -> tuple[str, list[object]]:
    assert topic.judgments is not None
    sql, params = "list_has_any(charges, ?::VARCHAR[])", [list(topic.judgments.charges)]
    if scope == "local":
        sql += " AND city = ?"
        params.append(topic.judgments.local_city)
    return sql, params


def record_count(con: duckdb.DuckDBPyConnection, topic: Topic, scope: str = "national") -> int:
    """Judgment records of the topic (0 without the table)."""
    if not J.has_table(con):
        return 0
    where, params = _where(topic, scope)
    return int(con.execute(f"SELECT count(*) FROM {J.TABLE} WHERE {where}", params).fetchone()[0])  # type: ignore[index]


def provinces(con: duckdb.DuckDBPyConnection, topic: Topic) -> pd.DataFrame:
    """Records per province of the offence with their share (unrecognised places last), as ``J.by_province``."""
    if not J.has_table(con):
        return pd.DataFrame({"province": pd.Series(dtype=str), "records": pd.Series(dtype="int64"),
                             "share": pd.Series(dtype="float64")})
    where, params = _where(topic, "national")
    return con.execute(
        f"""SELECT coalesce(province, '{J.UNKNOWN_PLACE}') AS place, count(*) AS records,
                   count(*) / sum(count(*)) OVER () AS share
            FROM {J.TABLE} WHERE {where}
            GROUP BY place ORDER BY place = '{J.UNKNOWN_PLACE}', records DESC, place""",
        params,
    ).df().rename(columns={"place": "province"})


@dataclass(frozen=True)
class Sentences:
    """Headline figures (metric, value) and the distribution over sentence bands."""

    summary: pd.DataFrame
    bands: pd.DataFrame


def sentences(con: duckdb.DuckDBPyConnection, topic: Topic, scope: str = "national") -> Sentences:
    """Records, defendants per record, fixed-term sentences (months; life/death left out), fines, bands.

    ``平均刑期`` is over records with a prison or detention term (> 0 months); ``罚金`` over records
    with a fine > 0.
    """
    if not J.has_table(con):
        return Sentences(pd.DataFrame(columns=["metric", "value"]), pd.DataFrame(columns=["band", "records", "share"]))
    where, params = _where(topic, scope)
    row = con.execute(
        f"""SELECT count(*), avg(defendants), count(*) FILTER (WHERE imprisonment_months > 0),
                   avg(imprisonment_months) FILTER (WHERE imprisonment_months > 0),
                   median(imprisonment_months) FILTER (WHERE imprisonment_months > 0),
                   count(*) FILTER (WHERE fine > 0), avg(fine) FILTER (WHERE fine > 0),
                   count(*) FILTER (WHERE life_imprisonment OR death_penalty)
            FROM {J.TABLE} WHERE {where}""",
        params,
    ).fetchone()
    assert row is not None
    n = int(row[0])
    summary = pd.DataFrame({
        "metric": ["记录数", "平均被告人数", "判处监禁刑（有期徒刑/拘役）记录数", "监禁刑平均刑期(月)",
                   "监禁刑刑期中位数(月)", "判处罚金记录数", "平均罚金(元)", "无期徒刑/死刑"],
        "value": [n, row[1], int(row[2]), row[3], row[4], int(row[5]), row[6], int(row[7])],
    })
    months = con.execute(
        f"SELECT imprisonment_months FROM {J.TABLE} WHERE {where} AND imprisonment_months IS NOT NULL", params
    ).df()["imprisonment_months"]
    counts = [int(((months >= lo) & (months <= hi)).sum()) for lo, hi, _ in BANDS]
    bands = pd.DataFrame({"band": [b[2] for b in BANDS], "records": counts,
                          "share": [c / n if n else None for c in counts]})
    return Sentences(summary, bands)


def text_findings(con: duckdb.DuckDBPyConnection, topic: Topic, scope: str = "national") -> pd.DataFrame:
    """Per text rule: records whose fact text it fires on, and their share of the topic's records.

    A record can show several tools/methods; the last row counts records where no rule fired.
    """
    cols = ["rule", "label", "records", "share"]
    if not J.has_table(con) or not topic.text_rules:
        return pd.DataFrame(columns=cols)
    where, params = _where(topic, scope)
    facts = [r[0] or "" for r in con.execute(f"SELECT fact FROM {J.TABLE} WHERE {where}", params).fetchall()]
    found = [find(topic.text_rules, f) for f in facts]
    n = len(facts)
    rows = [(r.id, r.label, sum(r.id in f for f in found)) for r in topic.text_rules]
    rows.append(("none", NO_TOOL, sum(not f for f in found)))
    return pd.DataFrame([(a, b, c, c / n if n else None) for a, b, c in rows], columns=cols)


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """A records table with Chinese headers."""
    return df.rename(columns=LABELS)
