"""Great Expectations (1.x) suites for the warehouse, and the function that runs them.

What belongs here: the suites (which table must satisfy what, and how bad a failure is)
and validation of a dataframe against a suite. What does not: reading DuckDB or Dagster;
the asset checks in orchestration/defs/checks.py read each table read-only and call
`validate`. GX's SQL datasource on DuckDB is unreliable, so frames are validated instead.
"""
