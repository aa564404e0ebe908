"""Random sequences of what operators and file systems do, against the real loader (scan,
parse, DuckDB staging, ledger), with invariants checked after every step (issue 22).

Steps: a report arrives; a correction arrives (its mtime back-dated, as `cp -p` leaves it);
a copy stalls part-way and is completed later; a download sits under its temporary name;
junk lands; files are renamed, deleted and landed again under another name; operators drop
and release documents; the landing index is deleted or corrupted; a parse record is cut
short; the parse store is removed (a parser-version change); a load is killed with SIGKILL.

After every step, one clean load must end with a status, and then:
- every complete report a file has held is loaded, unless an operator dropped it (the
  warehouse is an archive: deleting a file does not unload it);
- no copy cut short, no junk and no dropped document is loaded;
- every document's arrival is the first time the pipeline saw it, whatever happened since;
- a from-scratch rebuild (a new warehouse given only the landing folder, the ledger and the
  kept bytes) loads the same documents with the same arrivals, names and quarantine: the
  marts are dbt's pure function of these tables, so they would be equal too.

`make test` runs a few sequences; `benchmarks/bench_stateful.py` runs many more
(GOVINFO_STATEFUL_EXAMPLES, GOVINFO_STATEFUL_STEPS) and reports how many it survived.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from corpus.render import Style, render
from corpus.truth import series
from ingestion.load import quarantine
from ingestion.ingest import ingest_folder
from ingestion.load.landing import sha256_of
from ingestion.load.layout import Layout

EXAMPLES = int(os.environ.get("GOVINFO_STATEFUL_EXAMPLES", "3"))
STEPS = int(os.environ.get("GOVINFO_STATEFUL_STEPS", "10"))
REPORT = os.environ.get("GOVINFO_STATEFUL_REPORT")  # a file the counts are written to
AGENCIES = (("聊城市教育局", "聊城市", "教育局"), ("济南市统计局", "济南市", "统计局"), ("青岛市民政局", "青岛市", "民政局"))
COUNTS = {"sequences": 0, "steps": 0, "kills": 0}
KILLED_LOAD = ("import sys; from ingestion.ingest import ingest_folder; "
               "ingest_folder(sys.argv[1], sys.argv[2])")


def _text(agency: int, seed: int) -> str:
    report = series(random.Random(seed), [2023], agency=AGENCIES[agency])[0]
    return render(report, Style("pipes"), random.Random(seed))


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


class Warehouse(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="govinfo-stateful-"))
        self.raw = self.tmp / "raw"
        self.raw.mkdir()
        self.layout = Layout(self.tmp / "wh" / "govinfo.duckdb")
        self.files: dict[str, bytes] = {}  # name → bytes, as the landing folder holds them
        self.kind: dict[str, str] = {}  # sha → good | partial | junk
        self.seen: set[str] = set()  # good documents a file held at a load
        self.arrived: dict[str, str] = {}  # sha → arrival, as first loaded
        self.dropped: set[str] = set()
        self.serial = 0
        COUNTS["sequences"] += 1

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        if REPORT:
            Path(REPORT).write_text(json.dumps(COUNTS), encoding="utf-8")

    # -- what lands ---------------------------------------------------------------------
    def _land(self, data: bytes, kind: str, name: str | None = None, back_dated: bool = False) -> str:
        self.serial += 1
        name = name or f"f{self.serial:03d}.txt"
        (self.raw / name).write_bytes(data)
        if back_dated:
            os.utime(self.raw / name, (978_307_200, 978_307_200))
        self.files[name] = data
        self.kind.setdefault(_sha(data), kind)
        return name

    @rule(agency=st.integers(0, len(AGENCIES) - 1), seed=st.integers(0, 10_000), back_dated=st.booleans())
    def a_report_arrives(self, agency, seed, back_dated):
        self._land(_text(agency, seed).encode("utf-8"), "good", back_dated=back_dated)

    @rule(agency=st.integers(0, len(AGENCIES) - 1), seed=st.integers(0, 10_000), cut=st.floats(0.0, 0.95))
    def a_copy_stalls(self, agency, seed, cut):
        text = _text(agency, seed)
        end = text.index("五、")  # anywhere before the sections after the tables
        self.stalled = (self._land(text[: int(end * cut)].encode("utf-8"), "partial"), text.encode("utf-8"))

    @precondition(lambda self: getattr(self, "stalled", None) and self.stalled[0] in self.files)
    @rule()
    def the_stalled_copy_completes(self):
        name, whole = self.stalled
        self._land(whole, "good", name=name)
        self.stalled = None

    @rule(agency=st.integers(0, len(AGENCIES) - 1), seed=st.integers(0, 10_000))
    def a_download_waits_under_its_temporary_name(self, agency, seed):
        self.serial += 1
        (self.raw / f"d{self.serial:03d}.txt.crdownload").write_text(_text(agency, seed)[:500], encoding="utf-8")

    @rule(data=st.binary(min_size=0, max_size=300))
    def junk_lands(self, data):
        self._land(b"\x00junk" + data, "junk")

    @precondition(lambda self: self.files)
    @rule(pick=st.randoms(use_true_random=False))
    def a_file_is_renamed(self, pick):
        old = pick.choice(sorted(self.files))
        self.serial += 1
        new = f"renamed{self.serial:03d}.txt"
        (self.raw / old).rename(self.raw / new)
        self.files[new] = self.files.pop(old)

    @precondition(lambda self: self.files)
    @rule(pick=st.randoms(use_true_random=False))
    def a_file_is_deleted(self, pick):
        name = pick.choice(sorted(self.files))
        (self.raw / name).unlink()
        del self.files[name]

    @precondition(lambda self: self.files)
    @rule(pick=st.randoms(use_true_random=False))
    def a_file_lands_again_under_another_name(self, pick):
        data = self.files[pick.choice(sorted(self.files))]
        self._land(data, self.kind[_sha(data)])

    # -- what operators do ----------------------------------------------------------------
    @precondition(lambda self: self.seen - self.dropped)
    @rule(pick=st.randoms(use_true_random=False))
    def an_operator_drops_a_document(self, pick):
        sha = pick.choice(sorted(self.seen - self.dropped))
        quarantine.drop(self.layout.warehouse, sha, "a test drop")
        self.dropped.add(sha)

    @precondition(lambda self: self.dropped)
    @rule(pick=st.randoms(use_true_random=False))
    def an_operator_releases_it(self, pick):
        sha = pick.choice(sorted(self.dropped))
        quarantine.release(self.layout.warehouse, sha)
        self.dropped.discard(sha)

    # -- what happens to the state ----------------------------------------------------------
    @rule(corrupt=st.booleans())
    def the_landing_index_is_lost(self, corrupt):
        for f in self.layout.root.glob("landing.sqlite*"):
            f.unlink()
        if corrupt:
            self.layout.landing_index.write_bytes(b"not a database" * 64)

    @rule(pick=st.randoms(use_true_random=False))
    def a_parse_record_is_cut_short(self, pick):
        records = sorted(self.layout.parse_store.rglob("*.json"))
        if records:
            record = pick.choice(records)
            record.write_bytes(record.read_bytes()[: pick.randrange(0, 200)])

    @rule()
    def the_parse_store_is_removed(self):
        shutil.rmtree(self.layout.parse_store, ignore_errors=True)

    @rule(after=st.floats(0.2, 3.0))
    def a_load_is_killed(self, after):
        load = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, str(self.raw), str(self.layout.warehouse)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(after)
        load.send_signal(signal.SIGKILL)
        load.wait()
        COUNTS["kills"] += 1

    # -- after every step -------------------------------------------------------------------
    @invariant()
    def a_clean_load_keeps_every_promise(self):
        COUNTS["steps"] += 1
        summary = ingest_folder(self.raw, self.layout.warehouse)  # ends with a summary, or the test fails
        assert summary.transient == []
        present = {_sha(d) for d in self.files.values()}
        self.seen |= {sha for sha in present if self.kind[sha] == "good"}
        loaded = self._loaded(self.layout.warehouse)
        assert set(loaded) == self.seen - self.dropped
        for sha, at in loaded.items():
            assert self.arrived.setdefault(sha, at) == at, f"{sha[:12]}: its arrival moved"
        self._rebuilt_alike(present)

    def _loaded(self, warehouse: Path) -> dict[str, str]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return dict(con.execute("SELECT document_id, CAST(arrived_at AS VARCHAR) FROM raw.documents").fetchall())

    def _rebuilt_alike(self, present: set[str]) -> None:
        """A new warehouse given the landing folder, the ledger and the kept bytes loads what
        the files hold as this one does: same documents, arrivals, names, quarantine."""
        fresh = Layout(self.tmp / f"fresh{COUNTS['steps']}" / "govinfo.duckdb")
        fresh.root.mkdir()
        if self.layout.ledger.exists():
            shutil.copy(self.layout.ledger, fresh.ledger)
        if self.layout.objects.exists():
            shutil.copytree(self.layout.objects, fresh.objects)
        ingest_folder(self.raw, fresh.warehouse)
        # the name the marts show (int_documents_versioned): the first a file holds it under now
        tables = ("SELECT document_id, CAST(arrived_at AS VARCHAR), (SELECT min(s.source_file) FROM "
                  "raw.document_sources s WHERE s.document_id = d.document_id AND s.present) FROM raw.documents d "
                  "WHERE document_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1",
                  "SELECT DISTINCT sha256, reason FROM raw.quarantine WHERE sha256 IN (SELECT unnest(?::VARCHAR[])) "
                  "ORDER BY 1")
        for sql in tables:
            got = [self._rows(w, sql, sorted(present)) for w in (self.layout.warehouse, fresh.warehouse)]
            assert got[0] == got[1]
        shutil.rmtree(fresh.root)

    @staticmethod
    def _rows(warehouse: Path, sql: str, present: list[str]):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql, [present]).fetchall()


# `make test` runs the same few sequences every time (a red CI names a defect, not a draw);
# the benchmark, which sets GOVINFO_STATEFUL_EXAMPLES, draws new ones on every run
Warehouse.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None,
                                       suppress_health_check=list(HealthCheck), database=None,
                                       derandomize="GOVINFO_STATEFUL_EXAMPLES" not in os.environ)
TestWarehouse = Warehouse.TestCase
