"""A hand-made case store for the topic tests: 23 cases whose figures are worked out by hand in the tests.

海安 = 320685 (H), 崇川 = 320613 (C), 如皋 = 320682, 启东 = 320681. Construction enterprises
(企业/建筑业) carry keys 1-5. Rows are numbered as in the comments of tests/test_topics_sections.py.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analytics.store import build_store

H, C, RG, QD = 320685, 320613, 320682, 320681
CON, WAGE, LOAN, DIV, FISH, THEFT = ("建设工程施工合同纠纷", "追索劳动报酬纠纷", "金融借款合同纠纷", "离婚纠纷",
                                     "非法捕捞水产品罪", "盗窃罪")
GROUP = {CON: "合同、准合同纠纷", WAGE: "劳动争议、人事争议", LOAN: "合同、准合同纠纷", DIV: "婚姻家庭、继承纠纷",
         FISH: "妨害社会管理秩序罪", THEFT: "侵犯财产罪"}
CIV = ("民事", "民初", "一审")
EXE = ("执行", "执", "执行实施")
CRI = ("刑事", "刑初", "一审")
ENT_B = ("企业", "建筑业")
MFG = ("企业", "制造业")
PERSON = ("自然人", None)

# (row, adcode, (category, type_code, procedure), cause, filed, closed, outcome, amount, recovered,
#  (plaintiff kind, industry), plaintiff key, (defendant kind, industry), defendant key)
ROWS = [
    (1, H, CIV, CON, "2023-03-10", "2023-06-10", "判决", 100_000, None, ENT_B, 1, ("企业", "房地产业"), 900),
    (2, H, CIV, CON, "2024-02-05", "2024-04-05", "调解", 300_000, None, PERSON, None, ENT_B, 1),
    (3, H, CIV, WAGE, "2023-05-01", "2023-05-31", "判决", 20_000, None, PERSON, None, ENT_B, 2),
    (4, H, CIV, WAGE, "2024-01-15", "2024-02-14", "判决", 30_000, None, PERSON, None, ENT_B, 1),
    (5, H, CIV, WAGE, "2024-06-01", None, None, 10_000, None, PERSON, None, ENT_B, 3),
    (6, H, CIV, DIV, "2023-04-01", "2023-07-01", "判决", None, None, PERSON, None, PERSON, None),
    (7, H, CIV, DIV, "2024-04-01", "2024-06-01", "调解", None, None, PERSON, None, PERSON, None),
    (8, H, CIV, CON, "2024-03-01", "2024-09-01", "判决", 500_000, None, MFG, 700, MFG, 701),
    (9, H, EXE, CON, "2023-08-01", "2023-12-01", "终结本次执行", 100_000, 0, PERSON, None, ENT_B, 1),
    (10, H, EXE, WAGE, "2023-07-01", "2023-10-01", "执行完毕", 20_000, 20_000, PERSON, None, ENT_B, 2),
    (11, H, EXE, CON, "2024-05-01", "2024-08-01", "终结本次执行", 300_000, 30_000, PERSON, None, ENT_B, 1),
    (12, H, EXE, WAGE, "2024-03-01", "2024-05-01", "终结本次执行", 30_000, 0, PERSON, None, ENT_B, 1),
    (13, H, CIV, LOAN, "2024-07-01", "2024-10-01", "判决", 800_000, None, ("企业", "金融业"), 500, ENT_B, 3),
    (14, C, CIV, CON, "2024-05-05", "2024-07-05", "调解", 200_000, None, ENT_B, 4, ENT_B, 5),
    (15, C, CIV, DIV, "2024-01-01", "2024-03-01", "判决", None, None, PERSON, None, PERSON, None),
    (16, C, CIV, DIV, "2024-02-01", "2024-04-01", "判决", None, None, PERSON, None, PERSON, None),
    (17, C, CIV, DIV, "2024-03-01", "2024-05-01", "判决", None, None, PERSON, None, PERSON, None),
    (18, C, CIV, DIV, "2023-03-01", "2023-05-01", "判决", None, None, PERSON, None, PERSON, None),
    (19, C, ("民事", "民终", "二审"), CON, "2024-09-01", "2024-11-01", "维持原判", 200_000, None, ENT_B, 4, ENT_B, 5),
    (20, RG, CRI, FISH, "2023-06-01", "2023-07-01", "判决", None, None, ("检察机关", None), None, PERSON, None),
    (21, RG, CRI, FISH, "2024-06-01", "2024-07-01", "判决", None, None, ("检察机关", None), None, PERSON, None),
    (22, QD, CRI, FISH, "2024-08-01", None, None, None, None, ("检察机关", None), None, PERSON, None),
    (23, QD, CRI, THEFT, "2024-02-01", "2024-03-01", "判决", None, None, ("检察机关", None), None, PERSON, None),
]
COURT = {H: "苏0685", C: "苏0602", RG: "苏0682", QD: "苏0681"}


def frame() -> pd.DataFrame:
    """The rows as a cases frame."""
    recs = []
    for n, ad, (cat, tc, proc), cause, filed, closed, out, amt, rec, (pk, pi), pkey, (dk, di), dkey in ROWS:
        recs.append({
            "case_no": f"({filed[:4]}){COURT[ad] if tc != '民终' else '苏06'}{tc}{n}号",
            "court_code": COURT[ad] if tc != "民终" else "苏06", "adcode": ad, "category": cat, "type_code": tc,
            "procedure": proc, "cause_group": GROUP[cause], "cause": cause, "filed_date": filed, "closed_date": closed,
            "outcome": out, "amount": amt, "amount_recovered": rec, "plaintiff_kind": pk, "plaintiff_industry": pi,
            "plaintiff_key": pkey, "defendant_kind": dk, "defendant_industry": di, "defendant_key": dkey,
            "source": "synthetic",
        })
    df = pd.DataFrame(recs)
    for col in ("plaintiff_key", "defendant_key"):
        df[col] = df[col].astype("Int64")
    for col in ("amount", "amount_recovered"):
        df[col] = df[col].astype("Float64")
    return df


def build(path: Path) -> Path:
    """Build the store at ``path``."""
    meta = {"dataset": "synthetic", "period_start": "2023-01-01", "as_of": "2024-12-31"}
    return build_store(path, frame(), meta)


def test_hand_store_builds(tmp_path: Path) -> None:
    """The store holds the 23 rows as written (counted by hand from ROWS)."""
    import duckdb

    con = duckdb.connect(str(build(tmp_path / "s.duckdb")), read_only=True)
    got = dict(con.execute("SELECT category::VARCHAR, count(*) FROM cases GROUP BY 1").fetchall())
    assert got == {"民事": 15, "执行": 4, "刑事": 4}  # rows 1-8,13-19 | 9-12 | 20-23
    assert con.execute("SELECT count(*) FROM cases WHERE closed_date IS NULL").fetchone()[0] == 2  # rows 5, 22
    con.close()
