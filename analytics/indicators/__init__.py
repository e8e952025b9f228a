"""审判执行运行情况: the standard court operation indicators, exact for any filter and period.

The package is split by responsibility:

* ``definitions`` -- the catalogue: vocabularies, each indicator's formula, label, help text with
  its legal or official source, reasonable range and direction (one place to change a definition);
* ``periods``     -- period validation and the 同比/环比 comparison periods;
* ``queries``     -- the SQL strategies that compute every ingredient (per group, per month, per
  compared period) and ``summary``/``monthly_trend``/``compare``;
* ``cubes``       -- the same ingredients read from the summary cubes (``analytics/summary_trial.py``)
  when the store has a current summary and a cube holds the filter (whole months from the
  month cubes, days at a period's edges from the day-level detail tables);
* ``ratios``      -- every indicator from its ingredients (typed columns, ``definitions.evaluate``),
  over a pandas frame (the case-table SQL) or numpy columns (the cubes, no frames in between);
* ``drilldown``   -- the case list behind a figure and the ad-hoc pivot table;
* ``presentation`` -- names in fixed order, formatting, display and comparison tables.

Everything public is re-exported here: ``from analytics import indicators; indicators.summary(...)``.
"""

from analytics.indicators.definitions import *  # noqa: F403
from analytics.indicators.drilldown import *  # noqa: F403
from analytics.indicators.periods import *  # noqa: F403
from analytics.indicators.presentation import *  # noqa: F403
from analytics.indicators.queries import *  # noqa: F403
