"""Loading: what arrives and what is kept of it. The landing index and the ledger of arrivals
and operators' decisions, the parse store, the bounds a parsed report must keep to be loaded,
the quarantine, the operators' corrections, the polars frames and the DuckDB staging writer,
and where the warehouse keeps its files (`layout.Layout`). `ingestion.ingest` runs scan →
parse → load; nothing here parses a report or knows Dagster."""
