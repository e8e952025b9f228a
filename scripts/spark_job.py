"""spark-submit entry point: build the summary cubes on a cluster from a Parquet case table.

    spark-submit --master spark://host:7077 --py-files shuzhu_analytics.zip \\
        scripts/spark_job.py --cases hdfs:///shuzhu/export/cases --out hdfs:///shuzhu/cubes

The master, executors and memory come from spark-submit; see README "Scale-out on Apache Spark".
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if (ROOT / "analytics").is_dir() and str(ROOT) not in sys.path:  # run from a checkout
    sys.path.insert(0, str(ROOT))

from analytics.engine.spark_build import main  # noqa: E402

if __name__ == "__main__":
    main(default_master=None)
