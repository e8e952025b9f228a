"""Alert settings: defaults here, overridable in ``shuzhu.toml`` under ``[alerts]``.

```toml
[alerts]
fdr_q = 0.05            # Benjamini-Hochberg level across all series of a month
alpha = 0.05            # Farrington upper bound (one-sided)
cusum_k = 1.0
cusum_h = 6.0
b = 3                   # Farrington: years back
w = 2                   # Farrington: months either side of the same month
[alerts.mass_dispute]   # 群体性纠纷: one defendant, many labour suits in a short window
min_cases = 10
window_days = 90
[alerts.professional_lender]   # 职业放贷人: one plaintiff, many 民间借贷 suits in two years
min_cases = 10
window_days = 730
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from analytics.alerts.farrington import FarringtonConfig
from analytics.settings import PROJECT_ROOT


@dataclass(frozen=True)
class PartyRule:
    """Same party in >= ``min_cases`` first-instance suits of ``causes`` within ``window_days``."""

    kind: str  # "mass_dispute" | "professional_lender"
    role: str  # "defendant" | "plaintiff"
    causes: tuple[str, ...]
    min_cases: int
    window_days: int
    label: str


# 群体性纠纷: >= 10 labour suits against one employer in 90 days (the example; a wage
# dispute of 10+ workers is the scale at which Jiangsu courts' 群体性纠纷 reporting starts).
MASS_DISPUTE = PartyRule("mass_dispute", "defendant", ("劳动争议", "追索劳动报酬纠纷"), 10, 90, "群体性劳动争议")
# 职业放贷人: >= 10 民间借贷 suits as plaintiff within 2 years. The Jiangsu High Court's
# 《关于建立疑似职业放贷人名录制度的意见（试行）》(17 May 2019) lists lenders by the number of
# their 民间借贷 suits over a period; its exact figure could not be checked offline, so the default
# takes the national count for 经常性放贷: 10 or more loans within 2 years, from
# 最高法/最高检/公安部/司法部《关于办理非法放贷刑事案件若干问题的意见》(2019) art. 1, and the
# 2-year window of both texts. 九民纪要 (2019) art. 53 gives the civil consequence. Configurable.
PROFESSIONAL_LENDER = PartyRule("professional_lender", "plaintiff", ("民间借贷纠纷",), 10, 730, "疑似职业放贷人")


@dataclass(frozen=True)
class AlertConfig:
    """Everything the detection uses; hashable, so results can be cached per config."""

    # w = 2: 15 reference months (same month ± 2 in each of 3 past years). With ± 1 (9 months)
    # an Anscombe residual can hardly exceed 2.58 (one outlier among 9 inflates phi with it), so
    # past outbreaks were never down-weighted; the city-wide offset carries the seasonal shape.
    farrington: FarringtonConfig = field(default_factory=lambda: FarringtonConfig(w=2))
    fdr_q: float = 0.05
    cusum_k: float = 1.0
    cusum_h: float = 6.0
    procedure: str = "一审"
    # Population offset: the same category's filings in the other districts (see
    # analytics.alerts.series.other_districts_total); False = plain counts as in R's default.
    offset: bool = True
    rules: tuple[PartyRule, ...] = (MASS_DISPUTE, PROFESSIONAL_LENDER)


def load_alert_config(env: dict[str, str] | None = None) -> AlertConfig:
    """Defaults overridden by ``[alerts]`` in shuzhu.toml (same file as ``analytics.settings``)."""
    env = dict(os.environ) if env is None else env
    path = Path(env.get("SHUZHU_CONFIG", PROJECT_ROOT / "shuzhu.toml"))
    raw: dict = {}
    if path.is_file():
        with path.open("rb") as fh:
            raw = tomllib.load(fh).get("alerts", {})
    cfg = AlertConfig()
    far = replace(cfg.farrington, **{k: type(getattr(cfg.farrington, k))(raw[k])
                                     for k in ("alpha", "b", "w") if k in raw})
    rules = tuple(
        replace(r, **{k: int(raw[r.kind][k]) for k in ("min_cases", "window_days") if k in raw.get(r.kind, {})})
        for r in cfg.rules
    )
    return replace(cfg, farrington=far, rules=rules,
                   **{k: float(raw[k]) for k in ("fdr_q", "cusum_k", "cusum_h") if k in raw})
