"""govinfo ingestion: the parser and the path from a landing folder to staging tables.

`ingestion.parser` turns one file into the cells of its report template (readers,
templates, mapping, agency and year); the rest of this package moves documents from the
landing folder to the warehouse (landing index, parse store, polars normalisation, the
DuckDB staging writer, agency regions). What does not belong here: Dagster, dbt or Great
Expectations. This package is imported by `govinfo parse`, which must start fast, and a
test proves it never imports dagster.
"""
