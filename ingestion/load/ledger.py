"""The ledger: what the warehouse must never forget, as an append-only text file.

Two things cannot be derived from the files and would be lost with any store that holds
them: when each content first arrived (versions of a report are ordered by it, never by a
file's mtime) and the operators' decisions (`govinfo quarantine drop` and `release`). Both
are written here first, one JSON object per line, before the landing index (SQLite, a cache
of this file plus a directory scan) records them:

    {"at": "2026-12-07T12:00:00.123456+00:00", "event": "arrived", "sha256": "…", "name": "a.pdf"}
    {"at": "…", "event": "dropped", "sha256": "…", "note": "wrong figures"}
    {"at": "…", "event": "released", "sha256": "…"}

Lines are only ever appended (one `write` on a file opened with O_APPEND, then fsync), so the
file is its own history: `git diff`, `grep` and `tail` read it, and a copy of it is a backup
of every decision. A line that is no event (a write a crash cut short, a bad hand edit) is
skipped with a warning naming its place; the file is never rewritten.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

LEDGER_NAME = "ledger.jsonl"
EVENTS = ("arrived", "dropped", "released")
_log = logging.getLogger(__name__)


def now() -> str:
    """An event's time, as every line writes it (ISO 8601, UTC, microseconds): lines sort by it."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Ledger:
    def __init__(self, path: Path):
        self.path = Path(path)

    def append(self, events: list[dict]) -> None:
        """Write events durably: one write of whole lines, then fsync."""
        if not events:
            return
        for e in events:
            if e.get("event") not in EVENTS or not e.get("sha256"):
                raise ValueError(f"not a ledger event: {e}")
        data = "".join(json.dumps(e, ensure_ascii=False, separators=(", ", ": ")) + "\n" for e in events)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size and not self._ends_with_newline(fd):
                data = "\n" + data  # after a line a crash cut short: start a line of our own
            os.write(fd, data.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _ends_with_newline(fd: int) -> bool:
        return os.pread(fd, 1, os.fstat(fd).st_size - 1) == b"\n"

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def read(self, offset: int = 0) -> tuple[list[dict], int]:
        """The events from byte `offset` on, and the offset after the last whole line."""
        try:
            with self.path.open("rb") as f:
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            return [], 0
        events, at = [], offset
        lines = data.split(b"\n")
        for raw in lines[:-1]:  # the part after the last newline is no whole line
            event = self._event(raw, at)
            at += len(raw) + 1
            if event is not None:
                events.append(event)
        if lines[-1].strip():
            _log.warning("%s: its last line is cut short (a write a crash interrupted): not read yet", self.path)
        return events, at

    def _event(self, raw: bytes, at: int) -> dict | None:
        """One line's event; a line that is none (a write a crash cut short, a bad hand edit) is
        skipped with a warning naming its place, and the file is left as it is."""
        if not raw.strip():
            return None
        try:
            event = json.loads(raw.decode("utf-8"))
            if event.get("event") not in EVENTS or not isinstance(event.get("sha256"), str):
                raise ValueError("it names no event and sha256")
            return event
        except (ValueError, AttributeError) as exc:
            _log.warning("%s: the line at byte %d is no event (%s): skipped", self.path, at, str(exc)[:120])
            return None
