"""The numbers more than one view of a run states, one query each: the CLI summary, the
overview page and the Dagster checks must say the same.

A failed rule check counts once: a within-report or cross-year rule that fails on numbers
read with certainty (finding_source 'agency'). It is the failing rows of the GX checks
`gx_rec_within_report` and `gx_rec_cross_year` (expectations/suites.py), and no dbt test
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
