"""Publishing: what analysts and maintainers read, made from the built warehouse.

What belongs here: the read-only snapshot of the marts (a DuckDB file swapped in atomically,
and one parquet file per mart) and the static HTML overview. What does not: building the
marts (dbt) or Dagster wiring (orchestration/defs/publish.py). The warehouse is only ever
opened read-only here, so publication never blocks, and is never blocked by, a reader.
"""
