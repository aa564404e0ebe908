"""The numbers more than one view of a run states, one query each: the CLI summary, the
overview page and the Dagster checks must say the same.

A rejected document counts once, however many names its bytes arrived under: a document is
its content (sha256); a file that could not be read far enough to have one counts by its
name. It is what `govinfo run`, the overview and `govinfo quarantine list` call rejected.

A failed rule check counts once: a within-report or cross-year rule that fails on numbers
read with certainty (finding_source 'agency'). It is the failing rows of the GX checks
`gx_rec_within_report_warnings` and `gx_rec_cross_year_warnings` (expectations/suites.py), and no dbt test
repeats it. A rule that fails on a cell read with doubt is our reading's, counted apart.
"""
from __future__ import annotations

import duckdb

_FAILED = """
    SELECT rule, count(*) FROM (
        SELECT rule FROM marts.rec_within_report WHERE NOT passed AND finding_source = ?
        UNION ALL SELECT rule FROM marts.rec_cross_year WHERE NOT passed AND finding_source = ?)
    GROUP BY rule ORDER BY rule"""


def failed_rules(con: duckdb.DuckDBPyConnection, source: str = "agency") -> list[tuple[str, int]]:
    """(rule, failed checks) of the agencies' own arithmetic (`source` 'extraction': those
    on cells read with doubt)."""
    return con.execute(_FAILED, [source, source]).fetchall()


_REJECTED = """
    SELECT count(DISTINCT coalesce(document_id, 'file:' || source_file)) FROM marts.data_quality_issues
    WHERE rule = 'rejected_document'"""


def rejected_documents(con: duckdb.DuckDBPyConnection) -> int:
    """Documents kept out of the warehouse (the quarantine), each once."""
    return con.execute(_REJECTED).fetchall()[0][0]


def distinct_documents(entries: list[tuple[str, str, str]]) -> int:
    """The same count over `govinfo quarantine list`'s (sha256 or '', file, reason) rows."""
    return len({sha or f"file:{name}" for sha, name, _ in entries})
