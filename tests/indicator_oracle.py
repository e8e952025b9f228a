"""An independent pandas implementation of every indicator, written from the definitions' text.

It shares no code with ``analytics.indicators``: only the statutory-limit *table*
(``schema.STATUTORY_LIMITS``, data rather than code) and the vocabulary words are common. Each
figure is computed the way a statistician would with a spreadsheet: boolean masks per definition.
"""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pandas as pd

from analytics import schema

CHALLENGE = {"二审", "再审审查", "再审"}
NOT_TRIAL = {"执行实施", "执行审查", "保全审查"}
COHORT_WINDOW = 365


def load_cases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The whole case table with plain object columns (None for missing categoricals)."""
    df = con.execute("SELECT * FROM cases").df()
    for col in df.columns:
        if isinstance(df[col].dtype, pd.CategoricalDtype):
            df[col] = df[col].astype(object).where(df[col].notna(), None)
    return df


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT


def _on_time(cl: pd.DataFrame, cases: pd.DataFrame) -> pd.Series:
    """Per closed case: True/False within the statutory limit, None when the limit is unknown."""
    origin_outcome = dict(zip(cases["case_no"], cases["outcome"], strict=True))
    out = []
    for tc, track, origin, filed, closed in zip(cl["type_code"], cl["track"], cl["origin_case_no"],
                                                cl["filed_date"], cl["closed_date"], strict=True):
        qual = None if _blank(track) else track
        if qual is None and tc == "民终" and not _blank(origin) and origin in origin_outcome:
            ruling = origin_outcome[origin] == "驳回起诉"
            qual = schema.APPEAL_AGAINST_RULING if ruling else schema.APPEAL_AGAINST_JUDGMENT
        lim = schema.STATUTORY_LIMITS.get((tc, qual), schema.STATUTORY_LIMITS.get((tc, None)))
        if lim is None:
            out.append(None)
            continue
        n, unit = lim
        days = (closed - filed).days
        if unit == "month":
            out.append(bool(closed <= filed + pd.DateOffset(months=n)))
        else:
            out.append(days * 24 <= n if unit == "hour" else days <= n)
    return pd.Series(out, index=cl.index, dtype=object)


def oracle(cases: pd.DataFrame, sel: pd.Series, s: dt.date, e: dt.date, data_end: dt.date,
           out_ok: pd.Series | None = None) -> dict[str, object]:
    """Every indicator by its written definition over the rows of ``cases`` where ``sel``.

    ``out_ok`` is the 结案方式 filter: it selects closed cases only (stocks and intake ignore it).
    """
    out_ok = pd.Series(True, index=cases.index) if out_ok is None else out_ok
    start, end = pd.Timestamp(s), pd.Timestamp(e)
    c = cases[sel]
    filed, closed = c["filed_date"], c["closed_date"]
    pe = (filed <= end) & (closed.isna() | (closed > end))
    o: dict[str, object] = {
        "pending_start": int(((filed < start) & (closed.isna() | (closed >= start))).sum()),
        "filed": int(((filed >= start) & (filed <= end)).sum()),
        "pending_end": int(pe.sum()),
        "over_12m_pending": int(((end - c.loc[pe, "filed_date"]).dt.days > 365).sum()),
    }
    cl = cases[sel & out_ok & cases["closed_date"].between(start, end)]
    o["closed"] = len(cl)
    days = (cl["closed_date"] - cl["filed_date"]).dt.days
    proc = cl["procedure"]
    trial = days[~proc.isin(NOT_TRIAL)]
    o["trial_closed"] = len(trial)
    o["mean_days"] = trial.mean() if len(trial) else None
    o["median_days"] = trial.quantile(0.5) if len(trial) else None
    o["p90_days"] = trial.quantile(0.9) if len(trial) else None
    enf_days, pres_days = days[proc == "执行实施"], days[proc == "保全审查"]
    o["enforcement_mean_days"] = enf_days.mean() if len(enf_days) else None
    o["preservation_mean_days"] = pres_days.mean() if len(pres_days) else None
    ok = list(_on_time(cl, cases))
    o["limit_known_closed"] = sum(v is not None for v in ok)
    o["limit_unknown_closed"] = sum(v is None for v in ok)
    o["on_time_closed"] = sum(v is True for v in ok)
    fi = cl[proc == "一审"]
    mw = fi["outcome"].isin(["调解", "撤诉"])
    o["first_instance_closed"] = len(fi)
    o["first_instance_mediation_withdrawal"] = int(mw.sum())
    o["civil_first_instance_closed"] = int((fi["category"] == "民事").sum())
    o["mediation_withdrawal"] = int((mw & (fi["category"] == "民事")).sum())
    o["admin_first_instance_closed"] = int((fi["category"] == "行政").sum())
    o["admin_mediation_withdrawal"] = int((mw & (fi["category"] == "行政")).sum())
    ap = cl[proc == "二审"]
    o["appeal_closed"] = len(ap)
    o["appeal_mediation_withdrawal"] = int(ap["outcome"].isin(["调解", "撤回上诉", "撤诉"]).sum())
    o["appeal_reversed"] = int(ap["outcome"].isin(["改判", "发回重审"]).sum())
    # cohort: later links of this period's first instances, whenever filed
    links = cases[cases["procedure"].isin(CHALLENGE) & cases["origin_case_no"].notna()]
    appeals = links[links["procedure"] == "二审"]
    reversals = appeals[appeals["outcome"].isin(["改判", "发回重审"])]
    o["first_instance_challenged"] = int(fi["case_no"].isin(set(links["origin_case_no"])).sum())
    o["first_instance_appealed"] = int(fi["case_no"].isin(set(appeals["origin_case_no"])).sum())
    o["first_instance_reversed"] = int(fi["case_no"].isin(set(reversals["origin_case_no"])).sum())
    # flow: links of first instances passing the whole filter, dated in the period
    fo = set(cases.loc[sel & out_ok & (cases["procedure"] == "一审"), "case_no"])
    mine = links[links["origin_case_no"].isin(fo)]
    filed_in = mine["filed_date"].between(start, end)
    o["appeals_filed"] = int((filed_in & (mine["procedure"] == "二审")).sum())
    o["challenges_filed"] = int(filed_in.sum())
    rev = mine[(mine["procedure"] == "二审") & mine["outcome"].isin(["改判", "发回重审"])]
    o["reversals_decided"] = int(rev["closed_date"].between(start, end).sum())
    # enforcement: an 执恢 counts only what its origin left unrecovered
    enf = cl[proc == "执行实施"]
    amounts, recovered = [], []
    by_no = cases[cases["case_no"].isin(set(enf["origin_case_no"].dropna()))].set_index("case_no")
    for _, r in enf.iterrows():
        amt = r["amount"]
        if _blank(amt):
            continue
        rec = 0.0 if _blank(r["amount_recovered"]) else float(r["amount_recovered"])
        origin = r["origin_case_no"]
        if r["type_code"] == "执恢" and not _blank(origin) and origin in by_no.index:
            o_amt, o_rec = by_no.loc[origin, "amount"], by_no.loc[origin, "amount_recovered"]
            left = (amt if _blank(o_amt) else o_amt) - (0.0 if _blank(o_rec) else o_rec)
            amt = min(amt, max(left, 0.0))
            rec = min(rec, amt)
        amounts.append(float(amt))
        recovered.append(rec)
    o["enforcement_closed"] = len(enf)
    o["enforcement_amount"] = float(sum(amounts))
    o["enforcement_recovered"] = float(sum(recovered))
    o["enforcement_actual"] = int(enf["outcome"].isin(["执行完毕", "执行和解"]).sum())

    def div(a: float, b: float) -> float | None:
        return None if b == 0 else a / b

    o["closure_rate"] = div(o["closed"], o["pending_start"] + o["filed"])
    o["clearance_ratio"] = div(o["closed"], o["filed"])
    o["cepej_clearance_rate"] = None if o["filed"] == 0 else 100 * o["closed"] / o["filed"]
    length = (e - s).days + 1
    o["cepej_disposition_time"] = None if o["closed"] == 0 else length * o["pending_end"] / o["closed"]
    o["on_time_rate"] = div(o["on_time_closed"], o["limit_known_closed"])
    o["over_12m_pending_ratio"] = div(o["over_12m_pending"], o["pending_end"])
    o["mediation_withdrawal_rate"] = div(o["mediation_withdrawal"], o["civil_first_instance_closed"])
    o["admin_mediation_withdrawal_rate"] = div(o["admin_mediation_withdrawal"], o["admin_first_instance_closed"])
    o["first_instance_mediation_withdrawal_rate"] = div(o["first_instance_mediation_withdrawal"],
                                                        o["first_instance_closed"])
    o["appeal_mediation_withdrawal_rate"] = div(o["appeal_mediation_withdrawal"], o["appeal_closed"])
    o["appeal_reversal_rate"] = div(o["appeal_reversed"], o["appeal_closed"])
    n_fi = o["first_instance_closed"]
    o["appeal_rate"] = div(o["appeals_filed"], n_fi)
    o["service_acceptance_rate"] = div(n_fi - o["challenges_filed"], n_fi)
    o["reversal_remand_rate"] = div(o["reversals_decided"], n_fi)
    closed_window = e + dt.timedelta(days=COHORT_WINDOW) <= data_end
    o["service_acceptance_rate_cohort"] = div(n_fi - o["first_instance_challenged"], n_fi) if closed_window else None
    o["appeal_rate_cohort"] = div(o["first_instance_appealed"], n_fi) if closed_window else None
    o["reversal_remand_rate_cohort"] = div(o["first_instance_reversed"], n_fi) if closed_window else None
    o["recovery_rate"] = div(o["enforcement_recovered"], o["enforcement_amount"])
    o["actual_enforcement_rate"] = div(o["enforcement_actual"], o["enforcement_closed"])
    return o


def data_end(cases: pd.DataFrame) -> dt.date:
    """The last filing or closing date in the table."""
    return max(cases["filed_date"].max(), cases["closed_date"].max()).date()
