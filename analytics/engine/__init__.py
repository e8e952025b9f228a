"""Optional scale-out engine: the summary cubes built by Apache Spark from a Parquet case table.

Nothing here imports PySpark at import time: the default app (engine ``duckdb``) never needs it.

* ``export``      -- the DuckDB case table to Parquet (partitioned by filing year), with the ENUM
                     dictionary (``dict.parquet``) and a manifest (case count, data version);
* ``spark_build`` -- the Spark job: map and trial cubes from the Parquet case table, as Parquet
                     (``python -m analytics.engine.spark_build`` in local mode, or spark-submit
                     ``scripts/spark_job.py`` on a cluster);
* ``load``        -- the Parquet aggregates into a DuckDB store as the same summary tables with a
                     valid freshness tag, so every page serves them unchanged.
"""
