"""风险预警: statistical detection of surges, sustained shifts and repeat parties in court filings.

Modules (UI-free, each method documented with its reference):
- ``series``: monthly counts of new first instances per district x cause (and cause group);
- ``farrington``: Farrington-flexible baselines and thresholds (Noufaily et al. 2013, as R's
  ``surveillance::farringtonFlexible``), past-only reference months;
- ``multiple``: Benjamini-Hochberg across all series tested in a month;
- ``cusum``: CUSUM of standardised baseline residuals (sustained shifts);
- ``parties``: DuckDB window queries for 群体性纠纷 and 职业放贷人 over pseudonymous keys;
- ``detect``: the monthly run (cached per store), ranking and explanations (``explain``);
- ``status``: alert status and its history in the store; ``evaluate``: planted-event evaluation;
- ``config``: defaults and ``[alerts]`` in shuzhu.toml.
"""
