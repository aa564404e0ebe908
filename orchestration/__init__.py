"""Dagster definitions for govinfo: assets, checks, jobs, resources. Nothing else.

Every asset calls a library function (`ingestion`, `expectations`) or dbt; the parsing and
validation logic never lives here. Configuration comes from the environment
(GOVINFO_RAW_DIR, GOVINFO_WAREHOUSE), which dbt's profile reads too.
"""
