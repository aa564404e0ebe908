"""govinfo ingestion: read annual-report documents into the 207 canonical cells.

What belongs here: everything that turns a file into numbers and numbers into staging
tables (readers, label matching, agency/year detection, within-report rules, polars
normalisation, the DuckDB staging writer). What does not: Dagster, dbt or Great
Expectations. This package is imported by `govinfo parse`, which must start fast, and a
test proves it never imports dagster.
"""

PARSER_VERSION = "1"
SCHEMA = "govinfo-annual-report/1"
