"""Where a warehouse keeps its files: everything lives beside the DuckDB file.

    <dir>/govinfo.duckdb     the warehouse (one writer at a time)
    <dir>/ledger.jsonl       arrivals and operators' decisions, append-only: the state nothing else can rebuild
    <dir>/landing.sqlite     every file seen in the landing folder, with its sha256 (a cache of scans and the ledger)
    <dir>/objects/           a copy of every content seen, named by its sha256 (for audit, re-parse)
    <dir>/parsed/            one parse record per document (content hash), written atomically
    <dir>/gx/                the Great Expectations project: suites, results, Data Docs
    <dir>/gx_validated.json  per incremental suite, the load time it has validated through
    <dir>/published/         what analysts read: a read-only DuckDB snapshot, parquet, overview
    <dir>/corrections/       reviewers' corrections and confirmations (corrections.csv): source data, like the ledger
    <dir>/alerts.sqlite      which data-quality issues were alerted on which channel
    <dir>/dagster/           the Dagster instance `govinfo run` records into (no DAGSTER_HOME)
    <dir>/dbt_docs/          the dbt docs as one page (`make docs`)
    <dir>/logs/              the logs of failed dbt builds, named in run summaries and alerts, and
                             each `govinfo run`'s step output (`run-*.log`)

One place, so the CLI, the Dagster resources and the tests agree on every path.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .ledger import LEDGER_NAME

KEEP_LOGS = 20  # the newest logs of each kind kept in the logs folder


@dataclass(frozen=True)
class Layout:
    warehouse: Path

    def __post_init__(self):
        object.__setattr__(self, "warehouse", Path(self.warehouse))

    @property
    def root(self) -> Path:
        return self.warehouse.parent

    @property
    def landing_index(self) -> Path:
        return self.root / "landing.sqlite"

    @property
    def ledger(self) -> Path:
        """Arrivals and operators' decisions, append-only (ingestion/load/ledger.py)."""
        return self.root / LEDGER_NAME

    @property
    def objects(self) -> Path:
        return self.root / "objects"

    @property
    def parse_store(self) -> Path:
        return self.root / "parsed"

    @property
    def gx_store(self) -> Path:
        """GX's project_root_dir: GX keeps its project in <this>/gx."""
        return self.root

    @property
    def data_docs_index(self) -> Path:
        """The front page of the GX project's Data Docs site."""
        return self.gx_store / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"

    @property
    def dbt_docs_index(self) -> Path:
        """The dbt docs as one page (`make docs` writes it)."""
        return self.root / "dbt_docs" / "static_index.html"

    @property
    def gx_validated(self) -> Path:
        """Bookmarks of the incremental GX checks (orchestration.defs.checks)."""
        return self.root / "gx_validated.json"

    @property
    def published(self) -> Path:
        return self.root / "published"

    @property
    def corrections(self) -> Path:
        """Reviewers' decisions (ingestion.load.corrections): kept, never derived."""
        return self.root / "corrections"

    @property
    def dbt_logs(self) -> Path:
        """The logs of failed dbt builds (`dbt-<run id>.log`) and of `govinfo run`'s step output
        (`run-*.log`), kept for the messages that name them."""
        return self.root / "logs"

    def keep_newest_logs(self, pattern: str, keep: int = KEEP_LOGS) -> None:
        """Remove all but the newest `keep` files of the logs folder that match the glob
        `pattern` (one kind of log: older ones are named by no message still shown)."""
        found = sorted(self.dbt_logs.glob(pattern), key=lambda p: p.stat().st_mtime)
        for old in found[:-keep]:
            old.unlink(missing_ok=True)

    def url(self, path: Path) -> str:
        """A link to a file of the warehouse folder that people can follow: under
        GOVINFO_WAREHOUSE_URL (the folder served read-only over HTTP) when set, else file://."""
        base = os.environ.get("GOVINFO_WAREHOUSE_URL", "").rstrip("/")
        path = Path(os.path.abspath(path))  # links kept: published/overview.html, not the release it leads to
        if base:
            try:
                return f"{base}/{quote(path.relative_to(os.path.abspath(self.root)).as_posix())}"
            except ValueError:
                pass  # outside the warehouse folder: not served
        return path.as_uri()

    @property
    def dagster_home(self) -> Path:
        """The Dagster instance `govinfo run` records into when DAGSTER_HOME is not set."""
        return self.root / "dagster"

    @property
    def alerts_ledger(self) -> Path:
        return self.root / "alerts.sqlite"
