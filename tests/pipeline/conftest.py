"""The landing folder and the warehouses the pipeline tests share: real Dagster runs
(ingestion → polars → DuckDB → dbt build → GX checks) into temporary DuckDB files.

Two runs are shared, each made once per session and only read afterwards: `built` (the
landing folder below) and `planted` (corpus/planted.py). Whether a shared run worked is one
test's to say (`test_materialize.py::test_the_shared_run_succeeds`,
`test_detection.py::test_the_planted_run_succeeds`); the tests that read its warehouse skip,
naming that test, instead of each failing with the same traceback: one failure, one cause. A
test that writes (runs again, alerts, reviews) works on its own copy of the warehouse folder
(`own_copy`), and no run leaves its environment behind.

The landing folder holds a cross-year pair that chains (agency A, text), one whose carryover
breaks (agency B, DOCX and GBK HTML), a PDF report with an injected rule break (agency C), a
text report with a cell printed as 约N (agency D: read with doubt, its rule failures are
extraction findings, never the agency's) and an empty file.
"""
import contextlib
import json
import random
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import pytest

from corpus.render import Style, render
from corpus.truth import inject, series
from corpus.writers import libreoffice_convert, to_docx, to_html

MARTS = ("dim_agency", "fct_report_cells", "fct_agency_year", "rec_within_report", "rec_cross_year",
         "fct_application_outcomes", "data_quality_issues")


@pytest.fixture(scope="session")
def landing(tmp_path_factory):
    rng = random.Random(3)
    raw = tmp_path_factory.mktemp("raw")
    a = series(rng, [2021, 2022], agency=("聊城市教育局", "聊城市", "教育局"))
    b = series(rng, [2022, 2023], agency=("临沂市财政局", "临沂市", "财政局"), break_carryover_at=2023)
    c = series(rng, [2023], agency=("天津市商务局", "天津市", "商务局"))
    inject(rng, c[0], "review_total")
    d = series(rng, [2023], agency=("济南市统计局", "济南市", "统计局"), sizes={2023: 40})
    reports = {"a": a, "b": b, "c": c, "d": d}
    # the ingestion asset reads every format: A as text shapes, B as DOCX and HTML, C as a PDF
    (raw / "a_2021.txt").write_text(render(a[0], Style("cells"), rng), encoding="utf-8")
    (raw / "a_2022.txt").write_text(render(a[1], Style("pipes"), rng), encoding="utf-8")
    (raw / "b_2022.docx").write_bytes(to_docx(b[0], Style("cells"), rng))
    (raw / "b_2023.html").write_bytes(to_html(b[1], Style("cells"), rng, encoding="gbk"))
    src = tmp_path_factory.mktemp("src") / "c_2023.docx"
    src.write_bytes(to_docx(c[0], Style("cells"), rng))
    libreoffice_convert([src], "pdf", raw)
    (raw / "d_2023.txt").write_text(_rough_cell(render(d[0], Style("pipes"), rng), d[0]), encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")
    return raw, reports


ROUGH_CELL = "applications.granted.natural_person"


def _rough_cell(text: str, report) -> str:
    """The report with its 予以公开/自然人 cell printed as 约N (about N): a value that cannot be
    read as a count, flagged in its place."""
    value = report.cells[ROUGH_CELL]
    lines = text.splitlines()
    i = next(k for k, ln in enumerate(lines) if "予以公开" in ln)
    cells = lines[i].split(" | ")
    j = next(k for k, c in enumerate(cells) if "予以公开" in c) + 1
    assert cells[j] == str(value)
    cells[j] = f"约{value}"
    lines[i] = " | ".join(cells)
    return "\n".join(lines) + "\n"


def run_job(raw, warehouse, monkeypatch, instance=None):
    """What `govinfo run` does: partitions for the new documents, then the jobs, in-process."""
    monkeypatch.setenv("GOVINFO_RAW_DIR", str(raw))
    monkeypatch.setenv("GOVINFO_WAREHOUSE", str(warehouse))
    from orchestration.run import execute

    return execute(raw, warehouse, instance=instance, log_level="WARNING", echo=lambda _: None)


def mart_hashes(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {m: con.execute(f"SELECT count(*), md5(coalesce(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR), '')) "
                               f"FROM marts.{m} t").fetchall()[0] for m in MARTS}
    finally:
        con.close()


@dataclass(frozen=True)
class SharedRun:
    """A run several tests read: its landing folder, warehouse, Dagster result, and why it
    failed (None when it worked)."""

    raw: Path
    db: Path
    result: object | None
    failure: str | None

    def require(self, named_by: str) -> None:
        """Skip a reader of a failed run: `named_by` fails with the cause."""
        if self.failure:
            pytest.skip(f"the shared run failed ({named_by} says why)")


def shared_run(raw: Path, db: Path) -> SharedRun:
    """Run the job once; a run that raises or fails becomes a reason, not an error in every
    test that reads it. The environment the run needs is set for it alone."""
    mp = pytest.MonkeyPatch()
    try:
        result = run_job(raw, db, mp)
    except Exception as exc:  # noqa: BLE001 - reported, whole, by the one test that checks the run
        return SharedRun(raw, db, None, f"{type(exc).__name__}: {exc}")
    finally:
        mp.undo()
    return SharedRun(raw, db, result, None if result.success else _failed_steps(result))


def _failed_steps(result) -> str:
    failed = [f"{e.step_key}: {e.step_failure_data.error.message.strip().splitlines()[0]}"
              for e in result.all_events if e.is_step_failure]
    return "; ".join(failed) or "the run did not succeed"


def own_copy(db: Path, folder: Path) -> Path:
    """A writable copy of a shared warehouse's folder (DuckDB file, landing index, ledger,
    parse store, published releases), for a test that changes it."""
    shutil.copytree(db.parent, folder, symlinks=True)
    return folder / db.name


@pytest.fixture(scope="session")
def built_run(landing, tmp_path_factory) -> SharedRun:
    raw, _ = landing
    return shared_run(raw, tmp_path_factory.mktemp("wh") / "govinfo.duckdb")


@pytest.fixture(scope="session")
def built(built_run, landing):
    """(landing folder, the reports' truth, warehouse, result) of the shared run, to read."""
    built_run.require("test_materialize.py::test_the_shared_run_succeeds")
    return built_run.raw, landing[1], built_run.db, built_run.result


@pytest.fixture(scope="session")
def planted_run(tmp_path_factory):
    """The planted corpus (corpus/planted.py: every rule broken a known number of times,
    aliases, re-publications, bad files) run through the job into its own warehouse."""
    from corpus.planted import build_planted

    corpus = build_planted(seed=5, agencies=12, per_rule=2, pdfs=2)
    raw = tmp_path_factory.mktemp("planted_raw")
    corpus.write(raw)
    return corpus, shared_run(raw, tmp_path_factory.mktemp("planted_wh") / "govinfo.duckdb")


@pytest.fixture(scope="session")
def planted(planted_run):
    """(corpus, landing folder, warehouse, result) of the planted run, to read."""
    corpus, run = planted_run
    run.require("test_detection.py::test_the_planted_run_succeeds")
    return corpus, run.raw, run.db, run.result


@pytest.fixture
def rerun():
    """Run the job again on a folder and warehouse; returns the run and the marts' hashes."""
    def _rerun(raw, db, monkeypatch):
        return run_job(raw, db, monkeypatch), mart_hashes(db)
    return _rerun


@pytest.fixture
def hashes():
    return mart_hashes


@pytest.fixture
def webhook_server():
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()


@contextlib.contextmanager
def serving(command: list[str], ready_url, **popen):
    """A web server of ours (Datasette, the review page) on a free port, up before the test
    goes on: `command(port)` starts it, `ready_url(port)` answers once it serves."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(ready_url(port), timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def chromium() -> str:
    """The system's Chromium, which the browser tests drive (deploy/system-deps.sh installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is needed: apt-get install chromium (see .ci/run)"
    return found


def dump_dom(url: str, tmp_path) -> str:
    """A page's DOM after its script ran, in a real headless Chromium, nothing from a network."""
    return subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=180).stdout
