"""A landing folder → the warehouse's staging tables, in three steps that can run apart:

1. `LandingIndex.scan` (ingestion.load.landing): which files exist, by content hash.
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
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .load import corrections, limits
from .load.landing import LandingIndex, let_go, object_path
from .load.layout import Layout
from .load.normalise import document_frames, quarantine_frame, reference_frames
from .load.parse_store import ParseStore
from .parser import PARSER_VERSION, for_parsing
from .parser.document import RejectedDocument, TransientReadError
from .parser.parse import parse_file
from .load.warehouse import (
    connect,
    ensure_raw_schema,
    load_log,
    quarantined_ids,
    sync_problems,
    sync_sources,
    write_batch,
)

BATCH = 200
# a rejected document's kept copy above this size is removed (a scan, a video, an archive
# landed by mistake): the store of junk stays bounded; a small one is kept for a look
KEEP_REJECTED_BYTES = 1024 * 1024
DROPPED = "dropped by an operator"  # the quarantine reason of `govinfo quarantine drop`
Progress = Callable[[int, int, str, str], None]


@dataclass
class ParseSummary:
    parsed: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    transient: list[tuple[str, str]] = field(default_factory=list)  # (file, error): retry later
    vanished: list[str] = field(default_factory=list)  # sha256 whose files changed or went away
    outcomes: dict[str, DocumentOutcome] = field(default_factory=dict)  # sha256 → what became of it


@dataclass(frozen=True)
class DocumentOutcome:
    """What became of one document in a parse: its own status, apart from the run's, for the
    Dagster partition that names it (orchestration.defs.ingestion's `document_read` check)."""
    document_id: str
    file: str
    status: str  # parsed | rejected | transient | vanished
    reason: str = ""  # why it was rejected or not parsed
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    extraction: str | None = None  # exact | verified | uncertain (parsed documents)
    uncertain_cells: tuple[str, ...] = ()

    @classmethod
    def of(cls, record: dict) -> DocumentOutcome:
        """The outcome a parse record (as stored, or as a worker returned it) says."""
        if record["status"] == "changed":
            return cls(record["document_id"], record.get("file", ""), "vanished", "its file changed while it was read")
        base = cls(record["document_id"], record.get("file", ""), record["status"], record.get("reason", ""))
        result = record.get("result")
        if record["status"] != "parsed" or not result:
            return base
        extraction = result["extraction"]
        return replace(base, agency=result.get("agency"), year=result.get("year"), template=result.get("template"),
                       extraction=extraction["status"], uncertain_cells=tuple(extraction["uncertain_cells"]))


@dataclass
class LoadSummary:
    loaded: int = 0
    quarantined: int = 0
    documents_in_warehouse: int = 0
    quarantined_in_warehouse: int = 0
    held: list[tuple[str, str]] = field(default_factory=list)  # (file, why) kept out this run


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


def _kept_copy(objects: Path | None, sha: str, names: list[str]) -> Path | None:
    """The kept copy of a document whose files are gone, under its first name (the readers
    take the format's hint from the name)."""
    if objects is None or not names or not object_path(objects, sha).is_file():
        return None
    link = Path(objects) / ".named" / sha / Path(names[0]).name
    if not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(object_path(objects, sha).resolve())
    return link


def parse_documents(raw_dir: Path, shas: Iterable[str], sources: dict[str, list[str]], store: ParseStore,
                    workers: int = 1, progress: Progress | None = None, objects: Path | None = None) -> ParseSummary:
    """Parse each document (sha256) from the first of its files that still holds its bytes,
    else from the copy the scan kept in `objects`, and store its record. `sources` maps
    sha256 → file names relative to `raw_dir`."""
    raw_dir = Path(raw_dir)
    summary = ParseSummary()
    tasks = []
    for sha in shas:
        name = next((n for n in sources.get(sha, []) if (raw_dir / n).is_file()), None)
        kept = _kept_copy(objects, sha, sources.get(sha, [])) if name is None else None
        if name is not None:
            tasks.append((str(raw_dir / name), sha, name))
        elif kept is not None:
            tasks.append((str(kept), sha, sources[sha][0]))
        else:
            summary.vanished.append(sha)
            summary.outcomes[sha] = DocumentOutcome(sha, (sources.get(sha) or [""])[0], "vanished",
                                                    "its files changed or were removed since the scan")
    if workers > 1 and len(tasks) > 1:
        pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=for_parsing)
        results = pool.map(_task, tasks, chunksize=8)
    else:
        pool, results = None, map(_task, tasks)
    try:
        for i, record in enumerate(results, start=1):
            status = record["status"]
            summary.outcomes[record["document_id"]] = DocumentOutcome.of(record)
            if status in ("parsed", "rejected"):
                store.put(record)
            if status == "rejected" and objects is not None:
                _forget_junk(objects, record["document_id"])
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


def _forget_junk(objects: Path, sha: str) -> None:
    kept = object_path(objects, sha)
    if kept.is_file() and kept.stat().st_size > KEEP_REJECTED_BYTES:
        let_go(objects, sha)


def quarantine_transient(store: ParseStore, failures: list[tuple[str, str]], sources: dict[str, list[str]]) -> None:
    """After the last retry, a transient failure is quarantined like any unreadable file."""
    sha_of = {n: sha for sha, names in sources.items() for n in names}
    for name, reason in failures:
        store.put({"document_id": sha_of[name], "parser_version": PARSER_VERSION, "file": name,
                   "status": "rejected", "reason": f"{reason} (gave up after retries)"})


def _admitted(records: list[dict], dropped: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """The parsed results that may enter the staging tables, and why each other record is
    kept out: rejected by the parser, a hard limit broken or a copy cut short
    (ingestion.load.limits), or dropped by an operator (`govinfo quarantine drop`)."""
    admitted, held = [], {}
    for r in records:
        sha = r["document_id"]
        if sha in dropped:
            held[sha] = f"{DROPPED}: {dropped[sha]}"
        elif r["status"] != "parsed":
            held[sha] = r["reason"]
        elif limits.breaches(r["result"]):
            held[sha] = limits.reason(r["result"])
        elif why := limits.incomplete(r["result"]):
            held[sha] = why
        else:
            admitted.append(r["result"])
    return admitted, held


def load_staging(store: ParseStore, index: LandingIndex, warehouse: Path,
                 progress: Callable[[int, int], None] | None = None, batch_id: str | None = None) -> LoadSummary:
    """Load every parse record not loaded yet (or rewritten since) into raw.*; bring
    raw.document_sources and the quarantine's file names up to date with the index. A
    document is kept out by itself (quarantined with the reason) when it breaks a hard
    limit or an operator dropped it; files the scan could not take are listed too. `batch_id`
    names the import batch (the run) the documents loaded now belong to."""
    summary = LoadSummary()
    layout = Layout(warehouse)
    listing = store.listing()
    sources = index.sources()
    first_seen = index.arrivals()
    dropped = index.decisions()
    with connect(warehouse) as con:
        ensure_raw_schema(con)
        todo = _to_load(con, listing, dropped)
        reference = {**reference_frames(), "corrections": corrections.frame(corrections.path_of(layout.corrections))}
        now = datetime.now(UTC).replace(tzinfo=None)
        for start in range(0, len(todo), BATCH) or [0]:
            batch = todo[start:start + BATCH]
            records = [r for r in (store.get(sha) for sha in batch) if r is not None]
            admitted, held = _admitted(records, dropped)
            arrived, published = _times(batch, sources, first_seen)
            rejected = [{"sha256": sha, "source_file": s.path, "reason": why, "quarantined_at": now}
                        for sha, why in held.items() for s in sources.get(sha, [])]
            write_batch(con, document_frames(admitted, now, arrived, published, batch_id), quarantine_frame(rejected),
                        reference, replaced=[r["document_id"] for r in records],
                        log=[(r["document_id"], listing[r["document_id"]]) for r in records])
            summary.loaded += len(admitted)
            summary.quarantined += len(held)
            summary.held.extend((sources[sha][0].path if sources.get(sha) else sha, why) for sha, why in held.items())
            if progress:
                progress(min(start + BATCH, len(todo)), len(todo))
        sync_sources(con, sources)
        sync_problems(con, index.problems(), now)
        summary.documents_in_warehouse = con.execute("SELECT count(*) FROM raw.documents").fetchall()[0][0]
        summary.quarantined_in_warehouse = con.execute(
            "SELECT count(DISTINCT coalesce(sha256, source_file)) FROM raw.quarantine").fetchall()[0][0]
    return summary


def _to_load(con, listing: dict[str, float], dropped: dict[str, str]) -> list[str]:
    """The parse records not loaded yet or rewritten since, and the documents an operator
    dropped or released since the last load."""
    loaded = load_log(con)
    was_dropped = quarantined_ids(con, DROPPED)
    stale = (set(dropped) & set(loaded) - was_dropped) | (was_dropped - set(dropped))  # dropped, released
    return sorted(sha for sha, mtime in listing.items() if loaded.get(sha) != mtime or sha in stale)


def _times(batch: list[str], sources: dict, first_seen: dict) -> tuple[dict, dict]:
    """(arrived, published) per document: its arrival from the index (for a content from
    before arrivals were kept, its files' time) and its files' earliest time."""
    arrived = {sha: first_seen.get(sha) or min(s.mtime for s in sources[sha])
               for sha in batch if first_seen.get(sha) or sources.get(sha)}
    published = {sha: min(s.mtime for s in sources[sha]) for sha in batch if sources.get(sha)}
    return arrived, published


def unparsed(index: LandingIndex, store: ParseStore, objects: Path | None) -> dict[str, list[str]]:
    """The documents to parse, with their names (present ones first): every content of the
    index without a record of this parser version that a file holds now or whose bytes are
    kept. So a parser-version change (or a lost parse store) parses the archive again too,
    and a released document whose file is gone comes back from its kept copy."""
    have = store.listing()
    out: dict[str, list[str]] = {}
    for sha, names in index.sources().items():
        if sha in have:
            continue
        if any(s.present for s in names) or (objects is not None and object_path(objects, sha).is_file()):
            out[sha] = [s.path for s in sorted(names, key=lambda s: not s.present)]
    return out


def ingest_folder(raw_dir: Path, warehouse: Path, progress: Progress | None = None, workers: int = 1) -> IngestSummary:
    """Scan, parse what the store lacks (for this parser version), load: the whole path."""
    layout = Layout(warehouse)
    store = ParseStore(layout.parse_store)
    with LandingIndex(layout.landing_index, layout.objects) as index:
        scan = index.scan(raw_dir)
        todo = unparsed(index, store, layout.objects)
        parsed = parse_documents(raw_dir, list(todo), todo, store, workers=workers, progress=progress,
                                 objects=layout.objects)
        loaded = load_staging(store, index, warehouse)
    return IngestSummary(discovered=scan.files, parsed=parsed.parsed,
                         unchanged=len(scan.by_sha) - len(set(todo) & set(scan.by_sha)),
                         duplicates=scan.duplicates, rejected=parsed.rejected, transient=parsed.transient,
                         documents_in_warehouse=loaded.documents_in_warehouse,
                         quarantined_in_warehouse=loaded.quarantined_in_warehouse)

