"""A landing folder → the warehouse's staging tables, in three steps that can run apart:

1. `LandingIndex.scan` (ingestion.landing): which files exist, by content hash.
2. `parse_documents`: parse documents (by sha256) into the parse store, in parallel
   processes if asked; a bad file becomes a `rejected` record with its one-line reason, a
   transient failure (a converter timing out) is reported for a retry, never quarantined.
3. `load_staging`: load every record not yet loaded into DuckDB's `raw` schema, in one
   transaction per batch, and bring `raw.document_sources` up to date with the index.

Dagster runs them as the sensor, the partitioned `parsed_documents` asset and the `raw`
assets; `ingest_folder` runs all three for a library user or a test. Each step is
idempotent: the same bytes under two names are one document, a rerun loads nothing twice,
and a crash at any point leaves what was loaded intact and the rest to the next run.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from .parser import PARSER_VERSION
from .parser.document import RejectedDocument, TransientReadError
from .landing import LandingIndex
from .layout import Layout
from .normalise import document_frames, quarantine_frame, reference_frames
from .parser.parse import parse_file
from .parse_store import ParseStore
from .warehouse import connect, ensure_raw_schema, load_log, sync_sources, write_batch

BATCH = 200
Progress = Callable[[int, int, str, str], None]


@dataclass
class ParseSummary:
    parsed: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    transient: list[tuple[str, str]] = field(default_factory=list)  # (file, error): retry later
    vanished: list[str] = field(default_factory=list)  # sha256 whose files changed or went away


@dataclass
class LoadSummary:
    loaded: int = 0
    quarantined: int = 0
    documents_in_warehouse: int = 0
    quarantined_in_warehouse: int = 0


@dataclass
class IngestSummary:
    discovered: int = 0
    parsed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    transient: list[tuple[str, str]] = field(default_factory=list)
    documents_in_warehouse: int = 0
    quarantined_in_warehouse: int = 0


def parse_record(path: str, sha: str, name: str) -> dict:
    """One document's parse record (module level: it runs in worker processes)."""
    record = {"document_id": sha, "parser_version": PARSER_VERSION, "file": name}
    try:
        result = parse_file(path)
    except RejectedDocument as exc:
        return {**record, "status": "rejected", "reason": str(exc)}
    except TransientReadError:
        raise
    except Exception as exc:  # a parser bug on one file must not stop the batch
        return {**record, "status": "rejected", "reason": f"internal parser error ({type(exc).__name__}: {exc})"}
    if result["source"]["sha256"] != sha:
        return {**record, "status": "changed"}
    result["source"]["file"] = name
    return {**record, "status": "parsed", "result": result}


def _task(args: tuple[str, str, str]) -> dict:
    try:
        return parse_record(*args)
    except TransientReadError as exc:
        return {"document_id": args[1], "file": args[2], "status": "transient", "reason": str(exc)}


def parse_documents(raw_dir: Path, shas: Iterable[str], sources: dict[str, list[str]], store: ParseStore,
                    workers: int = 1, progress: Progress | None = None) -> ParseSummary:
    """Parse each document (sha256) from the first of its files that still holds its bytes
    and store its record. `sources` maps sha256 → file names relative to `raw_dir`."""
    raw_dir = Path(raw_dir)
    summary = ParseSummary()
    tasks = []
    for sha in shas:
        name = next((n for n in sources.get(sha, []) if (raw_dir / n).is_file()), None)
        if name is None:
            summary.vanished.append(sha)
        else:
            tasks.append((str(raw_dir / name), sha, name))
    if workers > 1 and len(tasks) > 1:
        pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=multiprocessing.get_context("forkserver"))
        results = pool.map(_task, tasks, chunksize=8)
    else:
        pool, results = None, map(_task, tasks)
    try:
        for i, record in enumerate(results, start=1):
            status = record["status"]
            if status in ("parsed", "rejected"):
                store.put(record)
            if status == "parsed":
                summary.parsed += 1
            elif status == "rejected":
                summary.rejected.append((record["file"], record["reason"]))
            elif status == "transient":
                summary.transient.append((record["file"], record["reason"]))
            else:
                summary.vanished.append(record["document_id"])
            if progress:
                progress(i, len(tasks), record["file"], status if status != "rejected" else "rejected: " + record["reason"])
    finally:
        if pool is not None:
            pool.shutdown()
    return summary


def quarantine_transient(store: ParseStore, failures: list[tuple[str, str]], sources: dict[str, list[str]]) -> None:
    """After the last retry, a transient failure is quarantined like any unreadable file."""
    sha_of = {n: sha for sha, names in sources.items() for n in names}
    for name, reason in failures:
        store.put({"document_id": sha_of[name], "parser_version": PARSER_VERSION, "file": name,
                   "status": "rejected", "reason": f"{reason} (gave up after retries)"})


def load_staging(store: ParseStore, index: LandingIndex, warehouse: Path,
                 progress: Callable[[int, int], None] | None = None) -> LoadSummary:
    """Load every parse record not loaded yet (or rewritten since) into raw.*; bring
    raw.document_sources and the quarantine's file names up to date with the index."""
    summary = LoadSummary()
    listing = store.listing()
    sources = index.sources()
    with connect(warehouse) as con:
        ensure_raw_schema(con)
        loaded = load_log(con)
        todo = sorted(sha for sha, mtime in listing.items() if loaded.get(sha) != mtime)
        reference = reference_frames()
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        for start in range(0, len(todo), BATCH) or [0]:
            batch = todo[start:start + BATCH]
            records = [r for r in (store.get(sha) for sha in batch) if r is not None]
            parsed = [r["result"] for r in records if r["status"] == "parsed"]
            arrived = {sha: min(s.mtime for s in sources[sha]) for sha in batch if sources.get(sha)}
            rejected = [{"sha256": r["document_id"], "source_file": s.path, "reason": r["reason"], "quarantined_at": now}
                        for r in records if r["status"] == "rejected"
                        for s in sources.get(r["document_id"], [])]
            write_batch(con, document_frames(parsed, now, arrived), quarantine_frame(rejected), reference,
                        replaced=[r["document_id"] for r in records],
                        log=[(r["document_id"], listing[r["document_id"]]) for r in records])
            summary.loaded += len(parsed)
            summary.quarantined += len(records) - len(parsed)
            if progress:
                progress(min(start + BATCH, len(todo)), len(todo))
        sync_sources(con, sources)
        summary.documents_in_warehouse = con.execute("SELECT count(*) FROM raw.documents").fetchall()[0][0]
        summary.quarantined_in_warehouse = con.execute(
            "SELECT count(DISTINCT sha256) FROM raw.quarantine").fetchall()[0][0]
    return summary


def ingest_folder(raw_dir: Path, warehouse: Path, progress: Progress | None = None, workers: int = 1) -> IngestSummary:
    """Scan, parse what the store lacks (for this parser version), load: the whole path."""
    layout = Layout(warehouse)
    store = ParseStore(layout.parse_store)
    with LandingIndex(layout.landing_index) as index:
        scan = index.scan(raw_dir)
        have = store.listing()
        todo = [sha for sha in scan.by_sha if sha not in have]
        parsed = parse_documents(raw_dir, todo, scan.by_sha, store, workers=workers, progress=progress)
        loaded = load_staging(store, index, warehouse)
    return IngestSummary(discovered=scan.files, parsed=parsed.parsed, unchanged=len(scan.by_sha) - len(todo),
                         duplicates=scan.duplicates, rejected=parsed.rejected, transient=parsed.transient,
                         documents_in_warehouse=loaded.documents_in_warehouse,
                         quarantined_in_warehouse=loaded.quarantined_in_warehouse)

