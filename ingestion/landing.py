"""The landing folder's index: every file seen, its size, mtime and sha256 (SQLite).

A scan stats every file and hashes only those whose size or mtime changed since the last
scan, so watching a folder of 100,000 reports costs a directory walk, not 100,000 reads.
The index is SQLite (WAL) beside the warehouse rather than inside DuckDB: the sensor scans
while a run may hold DuckDB's single write lock. Files are named by their path relative to
the landing folder; one sha256 may arrive under several names (a mirror, a re-upload).
"""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path


def discover(raw_dir: Path) -> list[Path]:
    """Every regular file below the folder, hidden ones excluded, in a stable order."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"landing folder not found: {raw_dir}")
    return sorted(p for p in raw_dir.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Scan:
    files: int = 0  # files present now
    hashed: int = 0  # files read this scan (new or changed)
    by_sha: dict[str, list[str]] = field(default_factory=dict)  # present files by content

    @property
    def duplicates(self) -> int:
        return self.files - len(self.by_sha)


@dataclass(frozen=True)
class Source:
    path: str  # relative to the landing folder
    mtime: datetime  # UTC, naive: when the file arrived (as the file system says)


class LandingIndex:
    def __init__(self, path: Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(str(path), timeout=120, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("""CREATE TABLE IF NOT EXISTS files (
            path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
            first_seen TEXT NOT NULL, present INTEGER NOT NULL)""")
        self.con.execute("CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256)")

    def __enter__(self) -> "LandingIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.con.close()

    def scan(self, raw_dir: Path) -> Scan:
        raw_dir = Path(raw_dir)
        known = {p: (size, mtime, sha) for p, size, mtime, sha in
                 self.con.execute("SELECT path, size, mtime_ns, sha256 FROM files")}
        scan, rows, now = Scan(), [], datetime.now(timezone.utc).isoformat()
        for path in discover(raw_dir):
            rel = path.relative_to(raw_dir).as_posix()
            st = path.stat()
            old = known.pop(rel, None)
            if old and old[0] == st.st_size and old[1] == st.st_mtime_ns:
                sha = old[2]
            else:
                sha = sha256_of(path)
                scan.hashed += 1
            rows.append((rel, sha, st.st_size, st.st_mtime_ns, now))
            scan.by_sha.setdefault(sha, []).append(rel)
            scan.files += 1
        self.con.execute("BEGIN")
        self.con.executemany("""INSERT INTO files VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (path) DO UPDATE SET
            sha256 = excluded.sha256, size = excluded.size, mtime_ns = excluded.mtime_ns, present = 1""", rows)
        self.con.executemany("UPDATE files SET present = 0 WHERE path = ?", [(p,) for p in known])
        self.con.execute("COMMIT")
        return scan

    def sources(self, present_only: bool = False) -> dict[str, list[Source]]:
        """Every name each sha256 arrived under (files since removed included, unless asked)."""
        out: dict[str, list[Source]] = {}
        sql = "SELECT sha256, path, mtime_ns FROM files" + (" WHERE present = 1" if present_only else "")
        for sha, path, mtime_ns in self.con.execute(sql + " ORDER BY path"):
            mtime = datetime.fromtimestamp(mtime_ns / 1e9, tz=timezone.utc).replace(tzinfo=None)
            out.setdefault(sha, []).append(Source(path, mtime))
        return out
