"""A landing folder → the warehouse's staging tables: discover, parse new files, load.

Idempotent: a file whose bytes (sha256) are already loaded by this parser version is not
parsed again, the same bytes under two names load once, and a bad file becomes a
quarantine record (file, reason, time) without stopping the batch.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import PARSER_VERSION
from .document import RejectedDocument
from .normalise import document_frames, quarantine_frame, reference_frames
from .parse import parse_file
from .warehouse import connect, ensure_raw_schema, loaded_documents, write_batch

BATCH = 200
Progress = Callable[[int, int, str, str], None]


@dataclass
class IngestSummary:
    discovered: int = 0
    parsed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    documents_in_warehouse: int = 0
    quarantined_in_warehouse: int = 0


def discover(raw_dir: Path) -> list[Path]:
    """Every regular file below the folder, hidden ones excluded, in a stable order."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"landing folder not found: {raw_dir}")
    return sorted(p for p in raw_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ingest_folder(raw_dir: Path, warehouse: Path, progress: Progress | None = None) -> IngestSummary:
    """Load every new file below `raw_dir`; source files are named by their path relative to
    it, so the same name in two subfolders stays two names."""
    raw_dir = Path(raw_dir)
    files = discover(raw_dir)

    def rel(p: Path) -> str:
        return p.relative_to(raw_dir).as_posix()
    summary = IngestSummary(discovered=len(files))
    by_sha: dict[str, list[Path]] = {}
    for f in files:
        by_sha.setdefault(_sha256(f), []).append(f)
    summary.duplicates = len(files) - len(by_sha)

    with connect(warehouse) as con:
        ensure_raw_schema(con)
        known = loaded_documents(con, PARSER_VERSION)
        todo = [(sha, paths) for sha, paths in by_sha.items() if sha not in known]
        summary.unchanged = len(by_sha) - len(todo)
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        reference = reference_frames()
        results: list[dict] = []
        rejected: list[dict] = []

        def flush() -> None:
            names = {r["source"]["sha256"]: [rel(p) for p in by_sha[r["source"]["sha256"]]] for r in results}
            write_batch(con, document_frames(results, names, now), quarantine_frame(rejected), reference)
            results.clear()
            rejected.clear()

        for i, (sha, paths) in enumerate(todo, start=1):
            path = paths[0]
            try:
                result = parse_file(path)
                result["source"]["file"] = rel(path)
                results.append(result)
                status = "parsed"
                summary.parsed += 1
            except RejectedDocument as exc:
                reason = str(exc)
            except Exception as exc:  # a parser bug on one file must not stop the batch
                reason = f"internal parser error ({type(exc).__name__}: {exc})"
            else:
                reason = None
            if reason is not None:
                status = "rejected: " + reason
                summary.rejected.append((rel(path), reason))
                rejected.extend({"sha256": sha, "source_file": rel(p), "reason": reason, "quarantined_at": now}
                                for p in paths)
            if progress:
                progress(i, len(todo), rel(path), status)
            if len(results) + len(rejected) >= BATCH:
                flush()
        flush()
        summary.documents_in_warehouse = con.execute("SELECT count(*) FROM raw.documents").fetchall()[0][0]
        summary.quarantined_in_warehouse = con.execute("SELECT count(DISTINCT sha256) FROM raw.quarantine").fetchall()[0][0]
    return summary
