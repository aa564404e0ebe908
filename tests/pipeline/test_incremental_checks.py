"""The staging cells' GX check validates what each run loaded, not the whole table: every
row once after it is loaded, a few documents per validation, failing rows kept in scope
until they are fixed, and every row again on the nightly rebuild (tag govinfo/checks=full).
Real runs (orchestration.run.execute, in-process) on a small landing folder of text reports.
"""
import json
import random
from datetime import datetime, timezone

import dagster as dg
import duckdb

from corpus.render import Style, render
from corpus.truth import series
from ingestion.load.layout import Layout

from .conftest import run_job

CELLS = 207


def _write(raw, rng, i):
    report = series(rng, [2020 + i % 4])[0]
    (raw / f"report_{i}.txt").write_text(render(report, Style("cells"), rng), encoding="utf-8")


def _cells_check(result):
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == "gx_raw_report_cells"]
    return evaluation, {k: v.value for k, v in evaluation.metadata.items()}


def test_staging_cells_are_validated_once_in_parts_and_in_full_nightly(tmp_path, monkeypatch, webhook_server):
    from orchestration.defs import checks

    port, received = webhook_server
    monkeypatch.setenv("GOVINFO_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    monkeypatch.setenv("GOVINFO_DAGSTER_URL", "http://dagster.example:3000")

    monkeypatch.setattr(checks, "CHUNK_DOCUMENTS", 2)  # 5 documents → 3 validations
    rng = random.Random(8)
    raw, db = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    for i in range(5):
        _write(raw, rng, i)

    first = run_job(raw, db, monkeypatch)
    check, meta = _cells_check(first)
    assert first.success and check.passed
    assert meta["rows_validated"] == 5 * CELLS and meta["scope"] == "all 5 documents, in 3 validations"
    bookmarks = Layout(db).gx_validated
    mark = json.loads(bookmarks.read_text())["raw_report_cells"]

    _write(raw, rng, 5)  # one new report: only its rows are validated
    second = run_job(raw, db, monkeypatch)
    check, meta = _cells_check(second)
    assert second.success and check.passed
    assert meta["rows_validated"] == CELLS and meta["scope"] == f"1 document loaded after {mark}"
    mark = json.loads(bookmarks.read_text())["raw_report_cells"]

    # a broken row arrives (a negative count, loaded now): the check fails with ERROR, names it,
    # stops dbt, and keeps the row in scope: the next run fails on it again
    with duckdb.connect(str(db)) as con:
        doc = con.execute("SELECT min(document_id) FROM raw.documents").fetchall()[0][0]
        con.execute("UPDATE raw.report_cells SET value = -1 WHERE document_id = ? "
                    "AND field = 'applications.new_received.total'", [doc])
        con.execute("UPDATE raw.documents SET loaded_at = ? WHERE document_id = ?",
                    [datetime.now(timezone.utc).replace(tzinfo=None), doc])
    for _ in range(2):
        received.clear()
        broken = run_job(raw, db, monkeypatch)
        check, meta = _cells_check(broken)
        assert not broken.success and not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
        assert meta["rows_validated"] == CELLS and doc in json.dumps(meta["failures"])
        assert json.loads(bookmarks.read_text())["raw_report_cells"] == mark
        assert not [e for e in broken.all_events if e.is_step_success and e.step_key == "dbt_models"]
        # the run never reaches the digest: the failure hook tells the maintainers, once,
        # naming the check, the failing row and the run
        [alert] = [m for m in received if "run_failed" in m]
        assert alert["run_id"] == broken.run_id
        assert "gx_raw_report_cells" in alert["text"] and doc in alert["text"]
        assert f"http://dagster.example:3000/runs/{broken.run_id}" in alert["text"]

    # fixed; the nightly rebuild validates every row again
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE raw.report_cells SET value = 0 WHERE value = -1")
    from orchestration.definitions import defs
    from orchestration.defs.jobs import REBUILD_JOB

    nightly = defs().resolve_job_def(REBUILD_JOB).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False, tags={checks.CHECKS_TAG: checks.FULL})
    check, meta = _cells_check(nightly)
    assert nightly.success and check.passed
    assert meta["rows_validated"] == 6 * CELLS and meta["scope"] == "all 6 documents, in 3 validations"
    assert json.loads(bookmarks.read_text())["raw_report_cells"] > mark
