"""Alerts reach real local receivers (an SMTP server and an HTTP server on 127.0.0.1), once.

Uses the warehouse the materialization test built (real marts.data_quality_issues)."""
import socket

import pytest

from alerting.alerts import AlertConfig, send_digests


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as s:  # aiosmtpd's readiness check needs the real port up front
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_one_digest_per_channel_then_nothing_twice(built, smtp_server, webhook_server, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("GOVINFO_WAREHOUSE_URL", "http://warehouse.example/govinfo")

    _, _, db, _ = built
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(db, warehouse)  # the module's warehouse stays as the other tests expect it
    smtp_port, mails = smtp_server
    hook_port, posts = webhook_server
    config = AlertConfig(smtp={"host": "127.0.0.1", "port": smtp_port, "sender": "govinfo@localhost",
                               "to": ["maintainers@localhost"]},
                         webhook={"url": f"http://127.0.0.1:{hook_port}/hook"})
    first = send_digests(warehouse, "run-1", config)
    assert [r.delivered for r in first.results] == [True, True]
    assert len(mails) == 1 and len(posts) == 1
    parts = {part.get_content_type(): part.get_payload(decode=True).decode("utf-8") for part in mails[0].walk()
             if not part.is_multipart()}
    body, page_html = parts["text/plain"], parts["text/html"]
    assert mails[0]["Subject"].startswith("govinfo [error]: ") and posts[0]["severity"] == "error"
    assert "天津市商务局" in page_html and "review_total" in page_html and "Not the agency&#39;s error" in page_html
    assert "天津市商务局 2023" in body and "review_total" in body and "empty.txt" in body
    # the agencies' own errors, then what the parser could not read: never mixed
    agency, extraction = body.index("the agency's numbers"), body.index("Not the agency's error")
    assert agency < body.index("天津市商务局 2023") < extraction < body.index("济南市统计局 2023")
    issues = posts[0]["new_issues"]
    review = next(i for i in issues if i["rule"] == "review_total")
    assert review["agency_name"] == "天津市商务局" and review["year"] == 2023
    assert review["expected"] != review["actual"] and review["source_file"]
    # each finding links to its row of the overview page, where the warehouse folder is served
    page, anchor = review["link"].split("#")
    assert page == "http://warehouse.example/govinfo/published/overview.html" and anchor in body
    overview = (db.parent / "published" / "overview.html").read_text(encoding="utf-8")
    assert f'id="{anchor}"' in overview
    assert {i["rule"] for i in issues} >= {"review_total", "carryover", "rejected_document", "extraction_uncertain"}
    assert {i["finding_source"] for i in issues if i["agency_name"] == "济南市统计局"} == {"extraction"}
    assert all(i["severity"] in ("warn", "error") for i in issues)
    # where to look: the page of a PDF, the line of a text file
    within = [i for i in issues if i["rule"] in ("balance", "outcome_sum", "row_total", "review_total")]
    assert review["page"] and f"{review['source_file']}, page {review['page']}" in body
    text = [i for i in within if i["source_file"].endswith(".txt")]
    assert text and all(i["line"] and i["page"] is None for i in text)
    assert f"{text[0]['source_file']}, line {text[0]['line']}" in body

    second = send_digests(warehouse, "run-2", config)
    assert all(r.new_issues == 0 for r in second.results)
    assert len(mails) == 1 and len(posts) == 1


def test_a_failed_channel_is_retried_next_run(built, webhook_server, tmp_path):
    import shutil

    _, _, db, _ = built
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(db, warehouse)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    failed = send_digests(warehouse, "run-1", AlertConfig(webhook={"url": f"http://127.0.0.1:{dead}/", "timeout": 2}))
    assert failed.results[0].delivered is False and failed.results[0].error
    hook_port, posts = webhook_server
    retried = send_digests(warehouse, "run-2", AlertConfig(webhook={"url": f"http://127.0.0.1:{hook_port}/"}))
    assert retried.results[0].delivered and retried.results[0].new_issues == failed.results[0].new_issues


def test_a_channel_that_fails_is_a_failed_check_the_summary_names(tmp_path):
    """The run's data stands (exit 0), but the undelivered digest is not one quiet log line:
    it is the WARN check alerts_delivered, in the UI and in the CLI summary."""
    import os
    import random
    import subprocess
    import sys
    from pathlib import Path

    from corpus.render import Style, render
    from corpus.truth import series

    raw = tmp_path / "raw"
    raw.mkdir()
    rng = random.Random(3)
    for i, report in enumerate(series(rng, [2022, 2023])):
        (raw / f"r{i}.txt").write_text(render(report, Style("cells"), rng), encoding="utf-8")
    (raw / "empty.txt").write_text("", encoding="utf-8")  # a finding to send
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    env = {**os.environ, "GOVINFO_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{dead}/hook"}
    env.pop("DAGSTER_HOME", None)
    govinfo = str(Path(sys.executable).parent / "govinfo")
    done = subprocess.run([govinfo, "run", "--raw", str(raw), "--warehouse", str(tmp_path / "w" / "govinfo.duckdb")],
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.split("==== govinfo run summary ====")[1]
    assert "alerts_delivered (WARN)" in summary


def test_a_failed_run_is_told_once_by_the_hook_or_else_by_the_run_failure_sensor(tmp_path, webhook_server,
                                                                                   monkeypatch):
    """The failure hook tells a failed step from inside the run; Dagster's run-failure sensor
    tells any failed run after it (a run whose process died never reaches a hook). The
    alerts ledger makes it once: whichever comes second finds the run told."""
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.defs.alerts import alert_on_run_failure
    from orchestration.defs.jobs import REBUILD_JOB
    from orchestration.defs.resources import WarehousePaths

    port, posts = webhook_server
    raw, warehouse = tmp_path / "raw", tmp_path / "wh" / "govinfo.duckdb"
    raw.mkdir()
    warehouse.parent.mkdir()
    warehouse.write_bytes(b"not a DuckDB file")  # the load step fails on it
    monkeypatch.setenv("GOVINFO_RAW_DIR", str(raw))
    monkeypatch.setenv("GOVINFO_WAREHOUSE", str(warehouse))
    instance = dg.DagsterInstance.ephemeral()
    paths = WarehousePaths(raw_dir=str(raw), warehouse=str(warehouse))

    def sensor_after(run):
        failure = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records[0]
        context = dg.build_run_status_sensor_context(
            sensor_name="alert_on_run_failure", dagster_instance=instance, dagster_run=instance.get_run_by_id(run.run_id),
            dagster_event=failure.event_log_entry.dagster_event, resources={"paths": paths}).for_run_failure()
        alert_on_run_failure(context)

    monkeypatch.setenv("GOVINFO_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    told = defs().resolve_job_def(REBUILD_JOB).execute_in_process(instance=instance, raise_on_error=False)
    assert not told.success and len(posts) == 1
    assert posts[0]["subject"].startswith("govinfo [failed]: run FAILED at ") and posts[0]["run_id"] == told.run_id
    sensor_after(told)
    assert len(posts) == 1  # the hook told it: the sensor finds it in the ledger

    monkeypatch.delenv("GOVINFO_ALERT_WEBHOOK_URL")  # the run itself tells no one
    silent = defs().resolve_job_def(REBUILD_JOB).execute_in_process(instance=instance, raise_on_error=False)
    assert not silent.success and len(posts) == 1
    monkeypatch.setenv("GOVINFO_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    sensor_after(silent)
    assert len(posts) == 2 and posts[1]["run_id"] == silent.run_id
    said = posts[1]["run_failed"]
    assert said["step"] == "raw_reports" and "govinfo.duckdb" in said["error"], said
    sensor_after(silent)
    assert len(posts) == 2  # once


@pytest.mark.slow  # a headless browser
def test_a_failed_runs_mail_reads_in_a_browser_with_its_failing_rows(smtp_server, tmp_path):
    """The HTML part of a failed run's e-mail, as a mail client shows it (headless Chromium):
    the run, the step, the blocking check and the rows it found, and the run's link."""
    import re

    from alerting.alerts import RunFailure, send_failure

    from .conftest import dump_dom

    port, mails = smtp_server
    failure = RunFailure(run_id="r-42", job="build_warehouse", step="gx_raw_report_cells",
                         error="blocking check failed", link="http://dagster.example:3000/runs/r-42",
                         checks=[{"check": "gx_raw_report_cells", "asset": "raw/report_cells", "failures": [
                             {"expectation": "expect_column_values_to_be_between", "column": "value",
                              "unexpected_count": 1, "rows": [{"document_id": "d0c5", "source_file": "聊城<1>.pdf",
                                                               "value": -1.0}]}]}])
    config = AlertConfig(smtp={"host": "127.0.0.1", "port": port, "sender": "govinfo@localhost", "to": ["m@localhost"]})
    [sent] = send_failure(failure, config, ledger=tmp_path / "alerts.sqlite")
    assert sent.delivered and mails[0]["Subject"] == "govinfo [failed]: run FAILED at gx_raw_report_cells"
    [html] = [p.get_payload(decode=True).decode("utf-8") for p in mails[0].walk() if p.get_content_type() == "text/html"]
    page = tmp_path / "mail.html"
    page.write_text(html, encoding="utf-8")
    dom = dump_dom(page.as_uri(), tmp_path)
    text = re.sub(r"<[^>]+>", " ", dom)
    assert "r-42" in text and "FAILED at step gx_raw_report_cells" in text
    assert "聊城&lt;1&gt;.pdf" in dom and "d0c5" in text and "-1.0" in text  # the row, escaped
    assert 'href="http://dagster.example:3000/runs/r-42"' in dom
    assert not send_failure(failure, config, ledger=tmp_path / "alerts.sqlite")  # told once
