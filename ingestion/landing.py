"""The landing folder's index: every file seen, its size, mtime and sha256 (SQLite).

A scan stats every file and hashes only those whose size or mtime changed since the last
scan, so watching a folder of 100,000 reports costs a directory walk, not 100,000 reads.
The index is SQLite (WAL) beside the warehouse rather than inside DuckDB: the sensor scans
while a run may hold DuckDB's single write lock. Files are named by their path relative to
the landing folder; one sha256 may arrive under several names (a mirror, a re-upload).

Three more things live here, because the scan is where they are seen first:
- **arrivals**: when the pipeline first saw each content (sha256). Versions of a report are
  ordered by it, never by a file's mtime, which `cp -p`, `rsync -t` or `curl -R` back-date.
- **objects**: a copy of every content, named by its sha256, written while it is hashed, so
  any version chosen or superseded can be audited and parsed again after its file is gone.
- **problems**: a file the scan cannot take (a name that is not UTF-8, no permission, a
  FIFO or device, a symbolic link out of the folder, a file still being written), with
  the reason. A problem never stops the scan; it is reported once, when first seen, and
  the loader lists it in the quarantine until the file is fixed or removed.

Symbolic links: a link to a file inside the landing folder is one more name of that file; a
link that leads out of the folder is refused (the landing folder is what an operator
admits), and links to folders are not followed (no loops, no second walk of a tree).
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

STILL_WRITING = "still being written (its size or time changed while it was read): waits for the next scan"


@dataclass
class Scan:
    files: int = 0  # files present now (problems not counted)
    hashed: int = 0  # files read this scan (new or changed)
    by_sha: dict[str, list[str]] = field(default_factory=dict)  # present files by content
    problems: dict[str, str] = field(default_factory=dict)  # name → why the scan could not take it
    new_problems: dict[str, str] = field(default_factory=dict)  # those not reported by an earlier scan

    @property
    def duplicates(self) -> int:
        return self.files - len(self.by_sha)


@dataclass(frozen=True)
class Source:
    path: str  # relative to the landing folder
    mtime: datetime  # UTC, naive: the file's modification time (as the file system says)
    arrived: datetime | None = None  # UTC, naive: when the pipeline first saw this content


def printable(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 shown as \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _kind(mode: int) -> str:
    for test, what in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return what
    return "not a regular file"


def _entry(root: Path, path: Path) -> tuple[os.stat_result | None, str | None]:
    """The file's stat, or why the scan cannot take it."""
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            target = Path(os.path.realpath(path))
            if not target.is_relative_to(root):
                return None, "symbolic link to a file outside the landing folder (not followed)"
            st = path.stat()
            if stat.S_ISDIR(st.st_mode):
                return None, "symbolic link to a folder (not followed)"
    except FileNotFoundError:
        return None, "vanished during the scan (or a broken symbolic link)"
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        return None, f"{_kind(st.st_mode)}, not a report file"
    return st, None


def walk(raw_dir: Path):
    """(name relative to the folder, path, stat or None, problem or None) for every entry
    below the folder, hidden ones excluded, in a stable order. Never raises for an entry."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"landing folder not found: {raw_dir}")
    root = Path(os.path.realpath(raw_dir))
    unreadable: list[OSError] = []
    for top, dirs, files in os.walk(raw_dir, onerror=unreadable.append):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for err in unreadable:
            yield printable(os.path.relpath(err.filename, raw_dir)), None, None, \
                f"folder cannot be read: {err.strerror or err}"
        unreadable.clear()
        for d in dirs:
            if os.path.islink(os.path.join(top, d)):
                yield printable(os.path.relpath(os.path.join(top, d), raw_dir)), None, None, \
                    "symbolic link to a folder (not followed)"
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(top) / name
            rel = Path(os.path.relpath(path, raw_dir)).as_posix()
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                yield printable(rel), path, None, "file name is not valid UTF-8: rename the file"
                continue
            st, problem = _entry(root, path)
            yield rel, path, st, problem


def discover(raw_dir: Path) -> list[Path]:
    """Every file the scan can take below the folder, in a stable order."""
    return [path for _, path, st, problem in walk(raw_dir) if problem is None]


def sha256_of(path: Path, keep_in: Path | None = None) -> str:
    """The content's sha256; with `keep_in`, a copy is kept there under that name."""
    h = hashlib.sha256()
    tmp = None
    try:
        with Path(path).open("rb") as fh:
            if keep_in is not None:
                keep_in.mkdir(parents=True, exist_ok=True)
                tmp = tempfile.NamedTemporaryFile(dir=keep_in, prefix=".incoming-", delete=False)  # noqa: SIM115
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                if tmp is not None:
                    tmp.write(chunk)
        sha = h.hexdigest()
        if tmp is not None:
            tmp.close()
            target = object_path(keep_in, sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp.name, target)
            tmp = None
        return sha
    finally:
        if tmp is not None:
            tmp.close()
            Path(tmp.name).unlink(missing_ok=True)


def object_path(objects: Path, sha: str) -> Path:
    return Path(objects) / sha[:2] / sha


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC).replace(tzinfo=None)


class LandingIndex:
    def __init__(self, path: Path, objects: Path | None = None):
        """`objects`: where every content's bytes are kept (None: not kept)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.objects = Path(objects) if objects else None
        self.con = sqlite3.connect(str(path), timeout=120, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("""CREATE TABLE IF NOT EXISTS files (
            path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
            first_seen TEXT NOT NULL, present INTEGER NOT NULL)""")
        self.con.execute("CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256)")
        self.con.execute("CREATE TABLE IF NOT EXISTS arrivals (sha256 TEXT PRIMARY KEY, first_seen TEXT NOT NULL)")
        # an index made before arrivals were kept: a content arrived when its first file did
        self.con.execute("""INSERT OR IGNORE INTO arrivals
                            SELECT sha256, min(first_seen) FROM files GROUP BY sha256""")
        self.con.execute("""CREATE TABLE IF NOT EXISTS problems (
            path TEXT PRIMARY KEY, reason TEXT NOT NULL, first_seen TEXT NOT NULL, present INTEGER NOT NULL)""")
        # an operator's decision to keep a document out of the warehouse (govinfo quarantine drop)
        self.con.execute("""CREATE TABLE IF NOT EXISTS dropped (
            sha256 TEXT PRIMARY KEY, note TEXT NOT NULL, at TEXT NOT NULL)""")

    def __enter__(self) -> LandingIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.con.close()

    def scan(self, raw_dir: Path, settle: float = 0.0) -> Scan:
        """Index the folder. A file modified less than `settle` seconds ago, or one whose size
        or time changes while it is read, waits for a later scan (a copy in progress)."""
        known = {p: (size, mtime, sha) for p, size, mtime, sha in
                 self.con.execute("SELECT path, size, mtime_ns, sha256 FROM files")}
        scan, rows, now = Scan(), [], datetime.now(UTC)
        for rel, path, st, problem in walk(raw_dir):
            if problem is None and now.timestamp() - st.st_mtime < settle:
                problem = STILL_WRITING
            if problem is None:
                old = known.pop(rel, None)
                sha, problem = self._content(path, st, old, scan)
            if problem is not None:
                known.pop(rel, None)
                scan.problems[rel] = problem
                continue
            rows.append((rel, sha, st.st_size, st.st_mtime_ns, now.isoformat()))
            scan.by_sha.setdefault(sha, []).append(rel)
            scan.files += 1
        self._record(scan, rows, known, now.isoformat())
        return scan

    def _content(self, path: Path, st: os.stat_result, old, scan: Scan) -> tuple[str | None, str | None]:
        unchanged = old and old[0] == st.st_size and old[1] == st.st_mtime_ns
        if unchanged and (self.objects is None or object_path(self.objects, old[2]).exists()):
            return old[2], None
        try:
            sha = sha256_of(path, self.objects)
            after = path.stat()
        except FileNotFoundError:
            return None, "vanished during the scan"
        except OSError as exc:
            return None, f"cannot be read: {exc.strerror or exc}"
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            return None, STILL_WRITING
        scan.hashed += 1
        return sha, None

    def _record(self, scan: Scan, rows: list, gone: dict, now: str) -> None:
        reported = dict(self.con.execute("SELECT path, reason FROM problems WHERE present = 1"))
        scan.new_problems = {p: r for p, r in scan.problems.items() if reported.get(p) != r}
        self.con.execute("BEGIN")
        self.con.executemany("""INSERT INTO files VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (path) DO UPDATE SET
            sha256 = excluded.sha256, size = excluded.size, mtime_ns = excluded.mtime_ns, present = 1""", rows)
        self.con.executemany("UPDATE files SET present = 0 WHERE path = ?", [(p,) for p in gone])
        self.con.executemany("INSERT OR IGNORE INTO arrivals VALUES (?, ?)", [(r[1], now) for r in rows])
        self.con.execute("UPDATE problems SET present = 0")
        self.con.executemany("""INSERT INTO problems VALUES (?, ?, ?, 1) ON CONFLICT (path) DO UPDATE SET
            reason = excluded.reason, present = 1""", [(p, r, now) for p, r in scan.problems.items()])
        self.con.execute("COMMIT")

    def decisions(self) -> dict[str, str]:
        """Documents an operator dropped: sha256 → the note given."""
        return dict(self.con.execute("SELECT sha256, note FROM dropped"))

    def drop(self, sha: str, note: str) -> None:
        self.con.execute("INSERT OR REPLACE INTO dropped VALUES (?, ?, ?)",
                         (sha, note, datetime.now(UTC).isoformat()))

    def undrop(self, sha: str) -> bool:
        return self.con.execute("DELETE FROM dropped WHERE sha256 = ?", (sha,)).rowcount > 0

    def resolve(self, ref: str) -> list[str]:
        """The documents a reference names: a sha256 or a prefix of one (8 characters at
        least), or a file name as the index has it."""
        if len(ref) >= 8 and all(c in "0123456789abcdef" for c in ref.lower()):
            return [r[0] for r in self.con.execute(
                "SELECT DISTINCT sha256 FROM arrivals WHERE sha256 LIKE ? || '%'", (ref.lower(),))]
        return [r[0] for r in self.con.execute("SELECT DISTINCT sha256 FROM files WHERE path = ?", (ref,))]

    def problems(self) -> dict[str, str]:
        """Files the last scan could not take, with the reason (a file still being written is
        not a problem: a later scan takes it)."""
        return dict(self.con.execute("SELECT path, reason FROM problems WHERE present = 1 AND reason != ? "
                                     "ORDER BY path", (STILL_WRITING,)))

    def sources(self, present_only: bool = False) -> dict[str, list[Source]]:
        """Every name each sha256 arrived under (files since removed included, unless asked)."""
        out: dict[str, list[Source]] = {}
        sql = """SELECT f.sha256, f.path, f.mtime_ns, a.first_seen FROM files f
                 LEFT JOIN arrivals a ON a.sha256 = f.sha256""" + (" WHERE f.present = 1" if present_only else "")
        for sha, path, mtime_ns, arrived in self.con.execute(sql + " ORDER BY f.path"):
            mtime = datetime.fromtimestamp(mtime_ns / 1e9, tz=UTC).replace(tzinfo=None)
            out.setdefault(sha, []).append(Source(path, mtime, _utc(arrived) if arrived else None))
        return out
