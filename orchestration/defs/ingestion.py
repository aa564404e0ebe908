"""The ingestion asset: landing folder → staging tables (schema raw), via ingestion.ingest."""

import dagster as dg

from ingestion.ingest import ingest_folder
from ingestion.warehouse import RAW_TABLES

from .resources import WarehousePaths

_DESCRIPTIONS = {
    "documents": "One row per parsed report (sha256 of its bytes).",
    "document_sources": "Every file name a report's bytes arrived under.",
    "report_cells": "The 207 canonical cells per report, long, blank = NULL, with provenance.",
    "parse_warnings": "What the parser was unsure of.",
    "quarantine": "Rejected files with the reason and time.",
    "fields": "The 207-cell contract.",
    "agencies": "Every printed agency name with its alias key, region, level and kind (ingestion.agencies).",
    "rule_terms": "Within-report rules as terms (ingestion.rules).",
}
PROGRESS_EVERY = 25  # log a progress line every this many parsed documents
def _raw_specs() -> list[dg.AssetSpec]:
    return [dg.AssetSpec(["raw", t], group_name="ingestion", kinds={"python", "polars", "duckdb"},
                          description=_DESCRIPTIONS[t]) for t in RAW_TABLES]

@dg.multi_asset(specs=_raw_specs(), name="raw_reports",
                description="Parse every new file in the landing folder and load the staging tables.")
def raw_reports(context: dg.AssetExecutionContext, paths: WarehousePaths):
    def progress(i: int, n: int, name: str, status: str) -> None:
        if status != "parsed":
            context.log.warning(f"[{i}/{n}] {name}: {status}")
        elif i == n or i % PROGRESS_EVERY == 0:
            context.log.info(f"parsed {i}/{n} new documents")

    s = ingest_folder(paths.raw_path, paths.warehouse_path, progress=progress)
    context.log.info(f"landing folder: {s.discovered} files, {s.parsed} parsed, {s.unchanged} unchanged, "
                     f"{len(s.rejected)} rejected, {s.duplicates} duplicate copies")
    common = {"files_discovered": s.discovered, "parsed_this_run": s.parsed, "unchanged": s.unchanged,
              "rejected_this_run": len(s.rejected), "duplicate_copies": s.duplicates,
              "documents_in_warehouse": s.documents_in_warehouse,
              "quarantined_in_warehouse": s.quarantined_in_warehouse}
    for spec in context.assets_def.specs:
        meta = dict(common)
        if spec.key.path[-1] == "quarantine" and s.rejected:
            meta["rejected"] = dg.MetadataValue.md(
                "\n".join(f"- `{name}`: {reason}" for name, reason in s.rejected[:100]))
        yield dg.MaterializeResult(asset_key=spec.key, metadata=meta)
