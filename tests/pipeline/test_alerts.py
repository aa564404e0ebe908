"""Alerts reach real local receivers (an SMTP server and an HTTP server on 127.0.0.1), once.

Uses the warehouse the materialization test built (real marts.data_quality_issues)."""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from expectations.alerts import AlertConfig, send_digests


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


def test_one_digest_per_channel_then_nothing_twice(built, smtp_server, webhook_server, tmp_path):
    import shutil

    _, _, db, _, _ = built
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
    body = mails[0].get_payload(decode=True).decode("utf-8")
    assert "天津市商务局 2023" in body and "review_total" in body and "empty.txt" in body
    # the agencies' own errors, then what the parser could not read: never mixed
    agency, extraction = body.index("the agency's numbers"), body.index("Not the agency's error")
    assert agency < body.index("天津市商务局 2023") < extraction < body.index("济南市统计局 2023")
    issues = posts[0]["new_issues"]
    review = next(i for i in issues if i["rule"] == "review_total")
    assert review["agency_name"] == "天津市商务局" and review["year"] == 2023
    assert review["expected"] != review["actual"] and review["source_file"]
    assert {i["rule"] for i in issues} >= {"review_total", "carryover", "rejected_document", "extraction_uncertain"}
    assert {i["finding_source"] for i in issues if i["agency_name"] == "济南市统计局"} == {"extraction"}
    assert all(i["severity"] in ("warn", "error") for i in issues)

    second = send_digests(warehouse, "run-2", config)
    assert all(r.new_issues == 0 for r in second.results)
    assert len(mails) == 1 and len(posts) == 1


def test_a_failed_channel_is_retried_next_run(built, webhook_server, tmp_path):
    import shutil

    _, _, db, _, _ = built
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
