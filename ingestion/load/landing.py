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
  Junk is not kept: no copy of a file past the readers' size limit (it is rejected unread),
  and the copy of a rejected document larger than `KEEP_REJECTED_BYTES` is removed once its
  rejection is recorded (ingestion/ingest.py).
- **problems**: a file the scan cannot take (a name that is not UTF-8, no permission, a
  FIFO or device, a symbolic link out of the folder, a file still being written), with
  the reason. A problem never stops the scan; it is reported once, when first seen, and
  the loader lists it in the quarantine until the file is fixed or removed.

Symbolic links: a link to a file inside the landing folder is one more name of that file; a
link that leads out of the folder is refused (the landing folder is what an operator
admits), and links to folders are not followed (no loops, no second walk of a tree).
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import sqlite3
import stat
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .ledger import LEDGER_NAME, Ledger, now
from ..parser.readers import MAX_BYTES

_log = logging.getLogger(__name__)
STILL_WRITING = "still being written (its size or time changed while it was read): waits for the next scan"
# names copy and download tools give a file until it is whole, then rename it: browsers
# (.crdownload, .part, .download), curl/wget scripts and sftp clients (.part, .partial,
# .filepart), editors and office suites (.tmp, .swp, ~$ lock files). rsync's temporary
# `.name.XXXXXX` is hidden, and hidden files are never read.
COPY_SUFFIXES = (".part", ".partial", ".filepart", ".crdownload", ".download", ".tmp", ".temp", ".swp", "~")
COPY_PREFIXES = ("~$",)
# errors of writing, never of reading a file: the warehouse's disk is full or read-only
STORE_FULL = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS})


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
    present: bool = True  # a file of this name holds the content now (not removed, renamed or rewritten)


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


def being_copied(name: str) -> bool:
    """A name a copy tool gives a file it has not finished (COPY_SUFFIXES): read once renamed."""
    base = name.rsplit("/", 1)[-1].lower()
    return base.endswith(COPY_SUFFIXES) or base.startswith(COPY_PREFIXES)


def discover(raw_dir: Path) -> list[Path]:
    """Every file the scan can take below the folder, in a stable order."""
    return [path for rel, path, st, problem in walk(raw_dir) if problem is None and not being_copied(rel)]


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


LET_GO = ".let-go"  # beside an object removed on purpose (junk): the scan does not copy it again


def _let_go_mark(objects: Path, sha: str) -> Path:
    return object_path(objects, sha).with_name(sha + LET_GO)


def let_go(objects: Path, sha: str) -> None:
    """Remove a content's kept copy for good (a rejected document too large to keep)."""
    _let_go_mark(objects, sha).touch()
    object_path(objects, sha).unlink(missing_ok=True)


def _held(objects: Path, sha: str) -> bool:
    """Is the content's copy kept, or let go on purpose?"""
    return object_path(objects, sha).exists() or _let_go_mark(objects, sha).exists()


def _set_aside(path: Path) -> Path:
    """Move a corrupt SQLite file (and its WAL and shared memory) out of the way, kept for a look."""
    aside = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            os.replace(part, aside.with_name(aside.name + suffix))
    return aside


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(UTC).replace(tzinfo=None)


class LandingIndex:
    """The landing folder's index: a cache of the folder's scans and of the ledger
    (ingestion/load/ledger.py), which holds arrivals and operators' decisions. Lost or corrupt,
    it is rebuilt from the ledger (and the next scan), never silently reset."""

    def __init__(self, path: Path, objects: Path | None = None):
        """`objects`: where every content's bytes are kept (None: not kept)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.objects = Path(objects) if objects else None
        self.ledger = Ledger(path.with_name(LEDGER_NAME))
        try:
            self.con = self._open(path)
        except sqlite3.DatabaseError as exc:  # "file is not a database": a disk fault, a bad copy
            aside = _set_aside(path)
            _log.warning("the landing index %s is corrupt (%s): moved to %s and rebuilt from the ledger %s and the "
                         "next scan", path, exc, aside.name, self.ledger.path.name)
            self.con = self._open(path)
        self._sync_ledger()

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        con = sqlite3.connect(str(path), timeout=120, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("""CREATE TABLE IF NOT EXISTS files (
                path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                first_seen TEXT NOT NULL, present INTEGER NOT NULL)""")
            con.execute("CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256)")
            con.execute("CREATE TABLE IF NOT EXISTS arrivals (sha256 TEXT PRIMARY KEY, first_seen TEXT NOT NULL)")
            # an index made before arrivals were kept: a content arrived when its first file did
            con.execute("INSERT OR IGNORE INTO arrivals SELECT sha256, min(first_seen) FROM files GROUP BY sha256")
            con.execute("""CREATE TABLE IF NOT EXISTS problems (
                path TEXT PRIMARY KEY, reason TEXT NOT NULL, first_seen TEXT NOT NULL, present INTEGER NOT NULL)""")
            # an operator's decision to keep a document out of the warehouse (govinfo quarantine drop)
            con.execute("CREATE TABLE IF NOT EXISTS dropped (sha256 TEXT PRIMARY KEY, note TEXT NOT NULL, at TEXT NOT NULL)")
            con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)")  # ledger_read: bytes replayed
        except sqlite3.DatabaseError:
            con.close()
            raise
        return con

    def _sync_ledger(self) -> None:
        """Bring the index and the ledger together: replay the ledger's new lines into the
        index; write the index's arrivals and drops to a ledger that is missing or shorter
        than what the index has read (lost, or restored from an older copy), with a warning."""
        read, size = self._ledger_read(), self.ledger.size()
        if size < read or size == 0:  # no ledger yet (an index made before it), or lost
            if size < read:
                _log.warning("the ledger %s is shorter than the landing index has read (lost, or an older copy): "
                             "the index's arrivals and drops are written to it again", self.ledger.path)
            self._export()
            self._set_ledger_read(0)
        self._replay()

    def _export(self) -> None:
        events = [{"at": at, "event": "arrived", "sha256": sha, "name": name} for sha, at, name in self.con.execute(
            """SELECT a.sha256, a.first_seen, (SELECT min(path) FROM files f WHERE f.sha256 = a.sha256)
               FROM arrivals a ORDER BY a.first_seen, a.sha256""")]
        events += [{"at": at, "event": "dropped", "sha256": sha, "note": note}
                   for sha, note, at in self.con.execute("SELECT sha256, note, at FROM dropped ORDER BY at, sha256")]
        self.ledger.append(events)

    def _ledger_read(self) -> int:
        row = self.con.execute("SELECT value FROM meta WHERE key = 'ledger_read'").fetchone()
        return int(row[0]) if row else 0

    def _set_ledger_read(self, offset: int) -> None:
        self.con.execute("INSERT OR REPLACE INTO meta VALUES ('ledger_read', ?)", (offset,))

    def _replay(self) -> None:
        """Apply the ledger's lines the index has not read, in order, in one transaction
        (every event applies the same way twice: two processes may replay the same lines)."""
        self.con.execute("BEGIN IMMEDIATE")
        try:
            events, end = self.ledger.read(self._ledger_read())
            for e in events:
                if e["event"] == "arrived":  # the earliest time wins: a scan may have seen it before the replay
                    self.con.execute("""INSERT INTO arrivals VALUES (?, ?) ON CONFLICT (sha256) DO UPDATE
                                        SET first_seen = min(first_seen, excluded.first_seen)""", (e["sha256"], e["at"]))
                elif e["event"] == "dropped":
                    self.con.execute("INSERT OR REPLACE INTO dropped VALUES (?, ?, ?)",
                                     (e["sha256"], e.get("note") or "no reason given", e["at"]))
                else:
                    self.con.execute("DELETE FROM dropped WHERE sha256 = ?", (e["sha256"],))
            self._set_ledger_read(end)
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def __enter__(self) -> LandingIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.con.close()

    def scan(self, raw_dir: Path, settle: float = 0.0) -> Scan:
        """Index the folder. A file modified less than `settle` seconds ago, one whose size or
        time changes while it is read, or one under a copy tool's temporary name waits for a
        later scan (a copy in progress)."""
        known = {p: (size, mtime, sha) for p, size, mtime, sha in
                 self.con.execute("SELECT path, size, mtime_ns, sha256 FROM files")}
        scan, rows, started = Scan(), [], time.time()
        seen_at = now()  # one time for the scan: files first seen together arrived together
        for rel, path, st, problem in walk(raw_dir):
            if problem is None and (started - st.st_mtime < settle or being_copied(rel)):
                problem = STILL_WRITING
            if problem is None:
                old = known.pop(rel, None)
                sha, problem = self._content(path, st, old, scan)
            if problem is not None:
                known.pop(rel, None)
                scan.problems[rel] = problem
                continue
            rows.append((rel, sha, st.st_size, st.st_mtime_ns, seen_at))
            scan.by_sha.setdefault(sha, []).append(rel)
            scan.files += 1
        self._record(scan, rows, known, seen_at)
        return scan

    def _content(self, path: Path, st: os.stat_result, old, scan: Scan) -> tuple[str | None, str | None]:
        # no copy of a file past the readers' size limit: it is rejected unread, and its
        # bytes (a video, a disk image landed by mistake) would be kept for nothing
        keep = self.objects if st.st_size <= MAX_BYTES else None
        unchanged = old and old[0] == st.st_size and old[1] == st.st_mtime_ns
        if unchanged and (keep is None or _held(keep, old[2])):
            return old[2], None
        try:
            sha = sha256_of(path, keep)
            if keep is not None and _let_go_mark(keep, sha).exists():
                object_path(keep, sha).unlink()  # touched or landed again: still junk
            after = path.stat()
        except FileNotFoundError:
            return None, "vanished during the scan"
        except OSError as exc:
            if exc.errno in STORE_FULL:  # keeping the copy failed: the warehouse's disk, not the file
                raise
            return None, f"cannot be read: {exc.strerror or exc}"
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            return None, STILL_WRITING
        scan.hashed += 1
        return sha, None

    def _record(self, scan: Scan, rows: list, gone: dict, now: str) -> None:
        reported = dict(self.con.execute("SELECT path, reason FROM problems WHERE present = 1"))
        scan.new_problems = {p: r for p, r in scan.problems.items() if reported.get(p) != r}
        known = {r[0] for r in self.con.execute("SELECT sha256 FROM arrivals")}
        arrived = {}
        for rel, sha, *_ in rows:
            if sha not in known:
                arrived.setdefault(sha, rel)
        self.ledger.append([{"at": now, "event": "arrived", "sha256": sha, "name": rel} for sha, rel in arrived.items()])
        self.con.execute("BEGIN")
        self.con.executemany("""INSERT INTO files VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (path) DO UPDATE SET
            sha256 = excluded.sha256, size = excluded.size, mtime_ns = excluded.mtime_ns, present = 1""", rows)
        self.con.executemany("UPDATE files SET present = 0 WHERE path = ?", [(p,) for p in gone])
        self.con.executemany("INSERT OR IGNORE INTO arrivals VALUES (?, ?)", [(r[1], now) for r in rows])
        self.con.execute("UPDATE problems SET present = 0")
        self.con.executemany("""INSERT INTO problems VALUES (?, ?, ?, 1) ON CONFLICT (path) DO UPDATE SET
            reason = excluded.reason, present = 1""", [(p, r, now) for p, r in scan.problems.items()])
        self.con.execute("COMMIT")
        self._replay()

    def decisions(self) -> dict[str, str]:
        """Documents an operator dropped: sha256 → the note given."""
        return dict(self.con.execute("SELECT sha256, note FROM dropped"))

    def drop(self, sha: str, note: str) -> None:
        """Written to the ledger first: the decision outlives the index."""
        self.ledger.append([{"at": now(), "event": "dropped", "sha256": sha, "note": note}])
        self._replay()

    def undrop(self, sha: str) -> bool:
        if sha not in self.decisions():
            return False
        self.ledger.append([{"at": now(), "event": "released", "sha256": sha}])
        self._replay()
        return True

    def resolve(self, ref: str) -> list[str]:
        """The documents a reference names: a sha256 or a prefix of one (8 characters at
        least), or a file name as the index has it."""
        if len(ref) >= 8 and all(c in "0123456789abcdef" for c in ref.lower()):
            return [r[0] for r in self.con.execute(
                "SELECT DISTINCT sha256 FROM arrivals WHERE sha256 LIKE ? || '%'", (ref.lower(),))]
        return [r[0] for r in self.con.execute("SELECT DISTINCT sha256 FROM files WHERE path = ?", (ref,))]

    def arrivals(self) -> dict[str, datetime]:
        """When each content first arrived (UTC, naive), whether or not a file the index still
        lists holds it: after the index is rebuilt, a document whose files are gone keeps its
        arrival (from the ledger)."""
        return {sha: _utc(at) for sha, at in self.con.execute("SELECT sha256, first_seen FROM arrivals")}

    def problems(self) -> dict[str, str]:
        """Files the last scan could not take, with the reason (a file still being written is
        not a problem: a later scan takes it)."""
        return dict(self.con.execute("SELECT path, reason FROM problems WHERE present = 1 AND reason != ? "
                                     "ORDER BY path", (STILL_WRITING,)))

    def sources(self, present_only: bool = False) -> dict[str, list[Source]]:
        """Every name each sha256 arrived under (files since removed included, unless asked)."""
        out: dict[str, list[Source]] = {}
        sql = """SELECT f.sha256, f.path, f.mtime_ns, a.first_seen, f.present FROM files f
                 LEFT JOIN arrivals a ON a.sha256 = f.sha256""" + (" WHERE f.present = 1" if present_only else "")
        for sha, path, mtime_ns, arrived, present in self.con.execute(sql + " ORDER BY f.path"):
            mtime = datetime.fromtimestamp(mtime_ns / 1e9, tz=UTC).replace(tzinfo=None)
            out.setdefault(sha, []).append(Source(path, mtime, _utc(arrived) if arrived else None, bool(present)))
        return out
