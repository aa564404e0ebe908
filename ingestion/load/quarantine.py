"""What an operator does with documents kept out of the warehouse (`govinfo quarantine`).

- `list`: every file and document in the quarantine, with the reason: files the scan could
  not take, documents the parser rejected, documents that broke a hard limit
  (ingestion.load.limits), documents an operator dropped.
- `drop REF`: keep a document out (a wrong report, a test file): the next run removes its rows
  from raw.* and lists it in the quarantine; its bytes stay in objects/ for audit.
- `release REF`: undo a drop (the next run loads it again), or have a rejected document parsed
  again at the next run (after a parser fix, or a transient failure). A document that still
  breaks a hard limit is quarantined again, with the same reason.
- `batches`, `drop --batch RUN`, `release --batch RUN`: every run that loads documents is an
  import batch (raw.documents.batch_id, the Dagster run id). Rolling a batch back is a drop of
  each document it loaded, noted with the batch; releasing it undoes those drops. One model of
  "kept out": the same decisions in the same ledger, listed by `list` with their batch.

Decisions are written to the ledger (ingestion/load/ledger.py: append-only, beside the warehouse)
and the landing index that caches it, never to DuckDB, so they can be made while a run or a
BI reader holds the warehouse; the next run carries them out. REF is a
sha256 (or its first 8+ characters) or a file name relative to the landing folder.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from .landing import LandingIndex
from .layout import Layout
from .parse_store import ParseStore
from .warehouse import connect


class QuarantineError(Exception):
    """One line for the operator."""


def _ran_here(layout: Layout, index: bool = True) -> Layout:
    """The layout of a warehouse where a run has been. These commands read or amend its
    state; on a path where nothing has run (a typo) they say so and create nothing there.
    `index`: the command needs the landing index (a decision is written to it)."""
    ran = layout.landing_index.exists() or layout.ledger.exists()
    if not ran and (index or not layout.warehouse.exists()):
        raise QuarantineError(f"nothing has run with the warehouse {layout.warehouse} (no {layout.landing_index.name} "
                              "beside it): check --warehouse, or run `govinfo run` there first")
    return layout


def listing(warehouse: Path) -> list[tuple[str, str, str]]:
    """(document sha256 or '', file, reason) of everything in the quarantine, and of
    decisions the next run has yet to carry out."""
    layout = _ran_here(Layout(warehouse), index=False)
    rows: dict[tuple[str, str], str] = {}
    if layout.warehouse.exists():
        try:
            with connect(layout.warehouse, read_only=True) as con:
                for sha, name, why in con.execute(
                        "SELECT coalesce(sha256, ''), source_file, reason FROM raw.quarantine ORDER BY 2").fetchall():
                    rows[(sha, name)] = why
        except duckdb.CatalogException:
            pass  # no run has loaded anything yet
        except duckdb.IOException as exc:
            raise QuarantineError(f"cannot read the warehouse {layout.warehouse}: {exc}") from None
    if not (layout.landing_index.exists() or layout.ledger.exists()):
        return sorted((sha, name, why) for (sha, name), why in rows.items())
    with LandingIndex(layout.landing_index) as index:
        for name, why in index.problems().items():
            rows.setdefault(("", name), why)
        for sha, note in index.decisions().items():
            names = index.con.execute("SELECT path FROM files WHERE sha256 = ?", (sha,)).fetchall() or [(sha[:12],)]
            for (name,) in names:
                rows.setdefault((sha, name), f"dropped by an operator: {note} (at the next run)")
    return sorted((sha, name, why) for (sha, name), why in rows.items())


def document_named(index: LandingIndex, ref: str) -> str:
    """The one document a reference names (a sha256, its first 8+ characters, or a file name
    relative to the landing folder), or QuarantineError saying why not."""
    found = index.resolve(ref)
    if not found:
        raise QuarantineError(f"no document known as {ref!r} (a sha256, its first 8+ characters, or a file name "
                              "relative to the landing folder, as `govinfo quarantine list` shows)")
    if len(found) > 1:
        raise QuarantineError(f"{ref!r} names {len(found)} documents: give more of the sha256")
    return found[0]


def drop(warehouse: Path, ref: str, note: str) -> str:
    with LandingIndex(_ran_here(Layout(warehouse)).landing_index) as index:
        sha = document_named(index, ref)
        index.drop(sha, note or "no reason given")
    return sha


def release(warehouse: Path, ref: str) -> tuple[str, str]:
    """Returns the document and what the next run will do with it."""
    layout = _ran_here(Layout(warehouse))
    with LandingIndex(layout.landing_index) as index:
        sha = document_named(index, ref)
        if index.undrop(sha):
            return sha, "the drop is undone: the next run loads it again"
    store = ParseStore(layout.parse_store)
    record = store.get(sha)
    if record is not None and record.get("status") == "rejected":
        store.remove(sha)
        return sha, "its rejection is forgotten: the next run parses it again (if a file still holds it)"
    return sha, ("it was neither dropped nor rejected by the parser: nothing to release "
                 "(a document that breaks a hard limit stays out until a corrected file arrives)")


BATCH_NOTE = "rolled back batch {batch}"


def batches(warehouse: Path) -> list[tuple[str, int, str, int]]:
    """(batch id, documents it loaded that are in the warehouse, when, documents rolled back)
    of every import batch, newest first."""
    layout = _ran_here(Layout(warehouse))
    with LandingIndex(layout.landing_index) as index:
        rolled: dict[str, int] = {}
        for note in index.decisions().values():
            if note.startswith(BATCH_NOTE.format(batch="")):
                b = note[len(BATCH_NOTE.format(batch="")):].split(":")[0].strip()
                rolled[b] = rolled.get(b, 0) + 1
    loaded = {}
    if layout.warehouse.exists():
        with connect(layout.warehouse, read_only=True) as con:
            loaded = {b: (n, str(at)[:19]) for b, n, at in con.execute(
                "SELECT batch_id, count(*), max(loaded_at) FROM raw.documents WHERE batch_id IS NOT NULL "
                "GROUP BY 1").fetchall()}
    rows = [(b, *loaded.get(b, (0, "")), rolled.get(b, 0)) for b in set(loaded) | set(rolled)]
    return sorted(rows, key=lambda r: r[2], reverse=True)


def _batch(warehouse: Path, ref: str) -> str:
    found = [b for b, *_ in batches(warehouse) if b.startswith(ref.strip())] if ref.strip() else []
    if len(found) != 1:
        raise QuarantineError(f"{ref!r} names {len(found)} import batches (`govinfo quarantine batches` lists them)"
                              if found else f"no import batch known as {ref!r} (`govinfo quarantine batches`)")
    return found[0]


def drop_batch(warehouse: Path, ref: str, note: str) -> tuple[str, int]:
    """Keep out every document a batch loaded: the next run takes them out of the marts."""
    batch = _batch(warehouse, ref)
    with connect(Layout(warehouse).warehouse, read_only=True) as con:
        shas = [r[0] for r in con.execute("SELECT document_id FROM raw.documents WHERE batch_id = ?", [batch]).fetchall()]
    with LandingIndex(Layout(warehouse).landing_index) as index:
        for sha in shas:
            index.drop(sha, f"{BATCH_NOTE.format(batch=batch)}: {note or 'no reason given'}")
    return batch, len(shas)


def release_batch(warehouse: Path, ref: str) -> tuple[str, int]:
    """Undo a batch's rollback: the next run loads its documents again."""
    batch = _batch(warehouse, ref)
    with LandingIndex(Layout(warehouse).landing_index) as index:
        mine = [sha for sha, note in index.decisions().items() if note.startswith(BATCH_NOTE.format(batch=batch) + ":")]
        for sha in mine:
            index.undrop(sha)
    return batch, len(mine)
