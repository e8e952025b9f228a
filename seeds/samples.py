"""Small committed samples of the synthetic data, in the shape of a court case-list export.

``python -m seeds.samples`` rewrites ``seeds/samples/cases_sample.csv`` (UTF-8 with BOM, Chinese
headers as the import page expects them). A test regenerates it and compares, so the sample
cannot drift from the generator, and imports it, so it stays importable.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from seeds.generate import generate_cases

SAMPLE_PATH = Path(__file__).resolve().parent / "samples" / "cases_sample.csv"
SAMPLE_SEED = 20250101
SAMPLE_ROWS = 300

# Export headers (中文表头) for the sample. The pseudonymous party keys are left out on purpose: a
# real export carries names, which the importer turns into keys itself.
HEADERS: dict[str, str] = {
    "case_no": "案号", "court_name": "承办法院", "adcode": "行政区划代码", "category": "案件类别",
    "procedure": "审判程序", "track": "适用程序", "cause_group": "案由分类", "cause": "案由",
    "filed_date": "立案日期", "closed_date": "结案日期", "outcome": "结案方式", "amount": "标的额",
    "amount_recovered": "执行到位金额", "plaintiff_kind": "原告类型", "plaintiff_industry": "原告行业",
    "defendant_kind": "被告类型", "defendant_industry": "行业", "origin_case_no": "原审案号",
    "lon": "经度", "lat": "纬度",
}


def sample_frame() -> pd.DataFrame:
    """A deterministic sample of 300 synthetic cases filed from 2016 on, export-shaped."""
    from analytics.codes import COURT_BY_CODE

    df = generate_cases(seed=SAMPLE_SEED, scale=0.003)
    df = df[df["filed_date"] >= "2016-01-01"]
    step = max(len(df) // SAMPLE_ROWS, 1)
    df = df.iloc[::step].head(SAMPLE_ROWS).copy()
    df["court_name"] = df["court_code"].map({c: v.name for c, v in COURT_BY_CODE.items()})
    for col in ("filed_date", "closed_date"):
        df[col] = df[col].dt.strftime("%Y-%m-%d")
    return df[list(HEADERS)].rename(columns=HEADERS).reset_index(drop=True)


def sample_bytes() -> bytes:
    """The sample as the bytes of the committed CSV."""
    return sample_frame().to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def main() -> None:
    """Rewrite the committed sample."""
    SAMPLE_PATH.parent.mkdir(parents=True, exist_ok=True)
    SAMPLE_PATH.write_bytes(sample_bytes())
    print(f"wrote {SAMPLE_PATH}")


if __name__ == "__main__":
    main()
