"""Alerts to maintainers: one digest per run of the data-quality issues not alerted before.

Channels are e-mail over SMTP and a JSON webhook, configured in a JSON file named by
GOVINFO_ALERTS_CONFIG or by environment variables; with neither, alerting is off. An issue
(marts.data_quality_issues.issue_id) is recorded per channel once its digest was delivered,
in a ledger beside the warehouse (`alerts.sqlite`, ingestion.load.layout), so it is never
alerted again on that channel; a failed delivery is retried on the next run. Info-level
findings (year gaps) are not alerted. The warehouse is only read (read-only), so the digest
can run beside the checks that read it too.

    {"smtp": {"host": "127.0.0.1", "port": 25, "sender": "govinfo@…", "to": ["data@…"],
              "username": null, "password": null, "starttls": false},
     "webhook": {"url": "https://…/hook", "timeout": 10}}

Environment equivalents: GOVINFO_ALERT_SMTP_HOST, _SMTP_PORT, _SMTP_FROM, _SMTP_TO (comma
separated), _SMTP_USER, _SMTP_PASSWORD, _SMTP_STARTTLS; GOVINFO_ALERT_WEBHOOK_URL.
"""
from __future__ import annotations

import json
import os
import smtplib
import sqlite3
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path

import duckdb

from ingestion.load.layout import Layout
from ingestion.load.warehouse import duckdb_config
from publishing.overview import finding_anchor
from publishing.pages import template

ALERT_SEVERITIES = ("error", "warn")
_TEMPLATES = Path(__file__).parent / "templates"  # the e-mails' HTML parts
ISSUE_COLUMNS = ("issue_id", "severity", "finding_source", "rule", "agency_key", "agency_name", "year", "subject",
                 "expected", "actual", "message", "source_file", "page", "line")
# a digest keeps apart what a published report says from what our reading is unsure of
SOURCE_HEADINGS = {
    "agency": "The published reports break their own rules (the agency's numbers):",
    "extraction": "Not the agency's error: cells the parser could not read with certainty (left blank):",
    "file": "Files that could not be read as a report:",
}


@dataclass
class AlertConfig:
    smtp: dict | None = None
    webhook: dict | None = None

    @property
    def channels(self) -> list[str]:
        return [name for name in ("smtp", "webhook") if getattr(self, name)]


def load_config(environ: dict | None = None) -> AlertConfig:
    env = os.environ if environ is None else environ
    if env.get("GOVINFO_ALERTS_CONFIG"):
        data = json.loads(Path(env["GOVINFO_ALERTS_CONFIG"]).read_text(encoding="utf-8"))
        return AlertConfig(smtp=data.get("smtp"), webhook=data.get("webhook"))
    smtp = None
    if env.get("GOVINFO_ALERT_SMTP_HOST"):
        smtp = {"host": env["GOVINFO_ALERT_SMTP_HOST"], "port": int(env.get("GOVINFO_ALERT_SMTP_PORT", "25")),
                "sender": env.get("GOVINFO_ALERT_SMTP_FROM", "govinfo@localhost"),
                "to": [a.strip() for a in env.get("GOVINFO_ALERT_SMTP_TO", "").split(",") if a.strip()],
                "username": env.get("GOVINFO_ALERT_SMTP_USER"), "password": env.get("GOVINFO_ALERT_SMTP_PASSWORD"),
                "starttls": env.get("GOVINFO_ALERT_SMTP_STARTTLS", "") in ("1", "true", "yes")}
    webhook = {"url": env["GOVINFO_ALERT_WEBHOOK_URL"]} if env.get("GOVINFO_ALERT_WEBHOOK_URL") else None
    return AlertConfig(smtp=smtp, webhook=webhook)


@dataclass
class DigestResult:
    channel: str
    new_issues: int
    delivered: bool
    error: str | None = None


@dataclass
class AlertSummary:
    results: list[DigestResult] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(r.new_issues for r in self.results if r.delivered)


def _issues(warehouse: Path) -> list[dict]:
    con = duckdb.connect(str(warehouse), read_only=True, config=duckdb_config())
    try:
        rows = con.execute(f"""
            SELECT {', '.join(ISSUE_COLUMNS)} FROM marts.data_quality_issues
            WHERE severity IN {ALERT_SEVERITIES} AND NOT confirmed_as_printed  -- a reviewer settled it
            ORDER BY finding_source, CASE severity WHEN 'error' THEN 0 ELSE 1 END, rule, agency_name, year,
                     subject""").fetchall()
    finally:
        con.close()
    return [dict(zip(ISSUE_COLUMNS, r)) for r in rows]


def _ledger(path: Path) -> sqlite3.Connection:
    """What was delivered on which channel: issues (never alerted twice) and failed runs
    (told once, by the failure hook in the run or the run-failure sensor after it)."""
    con = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    con.execute("CREATE TABLE IF NOT EXISTS alerted_issues "
                "(issue_id TEXT, channel TEXT, run_id TEXT, alerted_at TEXT, PRIMARY KEY (issue_id, channel))")
    con.execute("CREATE TABLE IF NOT EXISTS alerted_runs "
                "(run_id TEXT, channel TEXT, alerted_at TEXT, PRIMARY KEY (run_id, channel))")
    return con


def worst_severity(issues: list[dict]) -> str:
    return "error" if any(i["severity"] == "error" for i in issues) else "warn"


def digest_subject(issues: list[dict]) -> str:
    """The digest's subject, its worst severity first, so a mail filter can route it."""
    return f"govinfo [{worst_severity(issues)}]: {len(issues)} new data-quality issue(s)"


def _with_links(issues: list[dict], layout: Layout) -> list[dict]:
    """Each finding with the overview page's row for it (`link`), served under
    GOVINFO_WAREHOUSE_URL when set."""
    page = layout.url(layout.published / "overview.html")
    return [{**i, "link": f"{page}#{finding_anchor(i['agency_key'], i['year'])}" if i["agency_key"] else page,
             "review": f"{page}#review"} for i in issues]


def _place(issue: dict) -> str:
    """Where in the file to look: the page of a PDF, the line of a text or an HTML page."""
    if issue.get("page") is not None:
        return f", page {issue['page']}"
    return f", line {issue['line']}" if issue.get("line") is not None else ""


def format_text(issues: list[dict], run_id: str) -> str:
    lines = [f"govinfo run {run_id}: {len(issues)} new data-quality issue(s)"]
    for source, heading in SOURCE_HEADINGS.items():
        group = [i for i in issues if i["finding_source"] == source]
        if not group:
            continue
        lines += ["", f"{heading} {len(group)}"]
        for i in group:
            where = f"{i['source_file']}{_place(i)}"
            numbers = f" expected {i['expected']:g}, actual {i['actual']:g};" if i["expected"] is not None else ""
            who = f"{i['agency_name']} {i['year']}" if i["agency_name"] else "(no agency)"
            lines.append(f"[{i['severity']}] {i['rule']} {i['subject']} — {who}:{numbers} {i['message']} ({where})")
            if i.get("link"):
                lines.append(f"    {i['link']}")
    if issues and issues[0].get("review"):
        lines += ["", f"review queue: {issues[0]['review']}"]
    if run_link(run_id):
        lines += ["", f"run: {run_link(run_id)}"]
    return "\n".join(lines) + "\n"


def format_html(issues: list[dict], run_id: str) -> str:
    """The digest as HTML, grouped as the text is (the agencies' own errors apart from the
    parser's doubt), each finding linked to its row of the overview."""
    groups = [{"heading": heading, "issues": [{**i, "place": _place(i)} for i in issues if i["finding_source"] == s]}
              for s, heading in SOURCE_HEADINGS.items()]
    return template("digest.html", _TEMPLATES).render(
        subject=digest_subject(issues), run_id=run_id, run_link=run_link(run_id), issues=issues,
        groups=[g for g in groups if g["issues"]])


def _deliver(channel: str, cfg: dict, subject: str, text: str, payload: dict, html: str | None = None) -> None:
    """One message on one channel: the text (and its HTML) as an e-mail, the payload as a
    webhook's JSON."""
    if channel == "smtp":
        _mail(cfg, subject, text, html)
    else:
        _post(cfg, {"subject": subject, **payload})


def _mail(cfg: dict, subject: str, text: str, html: str | None = None) -> None:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = cfg.get("sender", "govinfo@localhost")
    msg["To"] = ", ".join(cfg["to"])
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    with smtplib.SMTP(cfg["host"], int(cfg.get("port", 25)), timeout=int(cfg.get("timeout", 30))) as smtp:
        if cfg.get("starttls"):
            smtp.starttls()
        if cfg.get("username"):
            smtp.login(cfg["username"], cfg.get("password") or "")
        smtp.send_message(msg)


def _post(cfg: dict, payload: dict) -> None:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    req = urllib.request.Request(cfg["url"], data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=float(cfg.get("timeout", 10))) as resp:
        if resp.status >= 300:
            raise RuntimeError(f"webhook answered HTTP {resp.status}")


def run_link(run_id: str, environ: dict | None = None) -> str | None:
    """The run's page in the Dagster UI, when GOVINFO_DAGSTER_URL (the UI's base address as
    maintainers reach it) is set."""
    base = (os.environ if environ is None else environ).get("GOVINFO_DAGSTER_URL", "").rstrip("/")
    return f"{base}/runs/{run_id}" if base else None


@dataclass
class RunFailure:
    """A run that stopped: the failed step, the failed blocking checks with the rows they
    name, and where to look."""
    run_id: str
    job: str
    step: str
    error: str
    checks: list[dict] = field(default_factory=list)  # {"check", "asset", "rows": [...], "failures": [...]}
    link: str | None = None

    def text(self) -> str:
        lines = [f"govinfo run {self.run_id} ({self.job}) FAILED at step {self.step}: nothing new was published "
                 "(analysts keep the last successful snapshot).", f"error: {self.error}"]
        for c in self.checks:
            lines += ["", f"blocking check {c['check']} on {c['asset']} failed:"]
            for f in c.get("failures", []):
                lines.append(f"  {f.get('expectation')} on {f.get('column')}: {f.get('unexpected_count')} row(s)"
                             + (f" — {f['error']}" if f.get("error") else ""))
                lines += ["    " + ", ".join(f"{k}={v}" for k, v in row.items()) for row in f.get("rows", [])[:10]]
        if self.link:
            lines += ["", f"run: {self.link}"]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        return template("failure.html", _TEMPLATES).render(f=self)

    @property
    def subject(self) -> str:
        return f"govinfo [failed]: run FAILED at {self.step}"


def send_failure(failure: RunFailure, config: AlertConfig | None = None, ledger: Path | None = None
                 ) -> list[DigestResult]:
    """Tell every configured channel that a run failed, naming the failing rows, once per
    run and channel when `ledger` (the warehouse's alerts ledger) is given: the failure hook
    tells it from inside the run, the run-failure sensor after any run that ended failed, and
    whichever comes second finds it told. A channel that fails is reported, not raised (the
    run has failed already)."""
    config = config or load_config()
    try:
        con = _ledger(ledger) if ledger is not None and config.channels else None
    except sqlite3.Error:  # an unreadable ledger must not silence the alert: told, perhaps twice
        con = None
    out = []
    try:
        for channel in config.channels:
            if con is not None and con.execute("SELECT 1 FROM alerted_runs WHERE run_id = ? AND channel = ?",
                                               [failure.run_id, channel]).fetchall():
                continue
            try:
                _deliver(channel, getattr(config, channel), failure.subject, failure.text(),
                         {"run_id": failure.run_id, "run_failed": failure.__dict__, "text": failure.text()},
                         failure.html())
            except Exception as exc:  # network, auth, refused
                out.append(DigestResult(channel, 1, False, f"{type(exc).__name__}: {exc}"))
                continue
            if con is not None:
                con.execute("INSERT OR IGNORE INTO alerted_runs VALUES (?, ?, ?)",
                            [failure.run_id, channel, datetime.now(timezone.utc).isoformat()])
            out.append(DigestResult(channel, 1, True))
    finally:
        if con is not None:
            con.close()
    return out


def send_digests(warehouse: Path, run_id: str, config: AlertConfig | None = None) -> AlertSummary:
    """Send each configured channel one digest of its not-yet-alerted issues; record what
    was delivered. A channel that fails is reported, not raised: the run's data stands."""
    config = config or load_config()
    summary = AlertSummary()
    if not config.channels:
        return summary
    layout = Layout(warehouse)
    issues = _with_links(_issues(warehouse), layout)
    ledger = _ledger(layout.alerts_ledger)
    try:
        for channel in config.channels:
            sent = {r[0] for r in ledger.execute("SELECT issue_id FROM alerted_issues WHERE channel = ?", [channel])}
            pending = [i for i in issues if i["issue_id"] not in sent]
            if not pending:
                summary.results.append(DigestResult(channel, 0, True))
                continue
            try:
                _deliver(channel, getattr(config, channel), digest_subject(pending), format_text(pending, run_id),
                         {"run_id": run_id, "run_link": run_link(run_id), "severity": worst_severity(pending),
                          "new_issues": pending}, format_html(pending, run_id))
            except Exception as exc:  # network, auth, refused: retried next run
                summary.results.append(DigestResult(channel, len(pending), False, f"{type(exc).__name__}: {exc}"))
                continue
            now = datetime.now(timezone.utc).isoformat()
            ledger.executemany("INSERT OR IGNORE INTO alerted_issues VALUES (?, ?, ?, ?)",
                               [(i["issue_id"], channel, run_id, now) for i in pending])
            summary.results.append(DigestResult(channel, len(pending), True))
    finally:
        ledger.close()
    return summary
