"""The whole job, for real: generated reports → Dagster run (in-process) → polars staging →
DuckDB → dbt build → GX checks, into a temporary warehouse; then the marts are asserted.

The landing folder holds a cross-year pair that chains (agency A, text), one whose carryover
breaks (agency B, DOCX and GBK HTML), a PDF report with an injected rule break (agency C), a
report with a cell read with doubt (agency D) and an empty file.
"""
import html
from pathlib import Path

import duckdb

from ingestion.parser.spec import measures

from .conftest import ROUGH_CELL, own_copy


def test_the_shared_run_succeeds(built_run):
    """The run the other tests here read (tests/pipeline/conftest.py): when it fails, this
    test says why and they skip."""
    assert built_run.failure is None


def test_run_loads_every_good_document(built):
    raw, reports, db, result = built
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM marts.fct_agency_year").fetchall()[0][0] == 6
    assert con.execute("SELECT count(*) FROM marts.dim_agency").fetchall()[0][0] == 4
    assert con.execute("SELECT count(*) FROM marts.fct_report_cells").fetchall()[0][0] == 6 * 207
    assert con.execute("SELECT source_file, reason FROM raw.quarantine").fetchall() == [("empty.txt", "empty file")]
    a22 = reports["a"][1]
    row = con.execute("SELECT new_received, carried_over, granted, total_processed, carried_forward "
                      "FROM marts.fct_agency_year WHERE agency_name = '聊城市教育局' AND year = 2022").fetchall()[0]
    c = a22.cells
    assert row == (c["applications.new_received.total"], c["applications.carried_over.total"],
                   c["applications.granted.total"], c["applications.total_processed.total"],
                   c["applications.carried_forward.total"])
    con.close()


def test_each_document_partition_carries_its_own_status(built):
    """A rejected document is not a green success: each partition's `document_read` result
    is its own document's (file, agency, year, extraction status, reason, uncertain cells)."""
    *_, result = built
    checks = [e for e in result.get_asset_check_evaluations() if e.check_name == "document_read"]
    assert all(e.partition for e in checks) and len({e.partition for e in checks}) == len(checks) == 7
    by_file = {e.metadata["files"].value: e for e in checks}
    empty = by_file["empty.txt"]
    assert (empty.passed, empty.severity.value, empty.metadata["status"].value) == (False, "ERROR", "rejected")
    assert empty.metadata["reason"].value == "empty file" and empty.partition.startswith("empty.txt~")
    rough = by_file["d_2023.txt"]  # read, one cell left uncertain: extraction doubt, a warning
    assert (rough.passed, rough.severity.value) == (False, "WARN")
    assert (rough.metadata["agency"].value, rough.metadata["year"].value) == ("济南市统计局", 2023)
    assert rough.metadata["extraction"].value == "uncertain" and ROUGH_CELL in rough.metadata["uncertain"].value
    clean = by_file["a_2021.txt"]
    assert clean.passed and (clean.metadata["agency"].value, clean.metadata["year"].value) == ("聊城市教育局", 2021)
    assert clean.metadata["extraction"].value in ("exact", "verified") and clean.metadata["uncertain_cells"].value == 0
    assert not any(e.blocking for e in checks)  # one document never stops the others


def test_each_measure_sums_the_cells_the_contract_names(built):
    """fct_agency_year has a column per measure of fields.csv, in its order, each the sum of
    its cells: Python and SQL read the same contract."""
    raw, reports, db, result = built
    con = duckdb.connect(str(db), read_only=True)
    columns = [c for c, *_ in con.execute("DESCRIBE marts.fct_agency_year").fetchall()]
    assert [c for c in columns if c in measures()] == list(measures())
    c = reports["a"][1].cells
    row = con.execute(f"SELECT {', '.join(measures())} FROM marts.fct_agency_year "
                      "WHERE agency_name = '聊城市教育局' AND year = 2022").fetchall()[0]
    for name, value in zip(measures(), row):
        printed = [c[f.field] for f in measures()[name] if c[f.field] is not None]
        assert value == (sum(printed) if printed else None), name
    con.close()


def test_cross_year_carryover_pass_and_fail(built):
    _, reports, db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT agency_name, year, rule, subject, expected, actual, passed FROM marts.rec_cross_year "
                       "WHERE rule = 'carryover' ORDER BY agency_name").fetchall()
    con.close()
    b22, b23 = reports["b"]
    a21, a22 = reports["a"]
    assert rows == [
        ("临沂市财政局", 2023, "carryover", "total", b22.cells["applications.carried_forward.total"],
         b23.cells["applications.carried_over.total"], False),
        ("聊城市教育局", 2022, "carryover", "total", a21.cells["applications.carried_forward.total"],
         a22.cells["applications.carried_over.total"], True),
    ]


def test_within_report_rules_find_exactly_the_planted_break(built):
    _, reports, db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    failed = con.execute("SELECT agency_name, year, rule, subject, expected, actual FROM marts.rec_within_report "
                         "WHERE NOT passed AND finding_source = 'agency'").fetchall()
    n = con.execute("SELECT count(*) FROM marts.rec_within_report").fetchall()[0][0]
    flagged = con.execute("SELECT agency_name, year, n_failed_rules FROM marts.fct_agency_year "
                          "WHERE n_failed_rules > 0").fetchall()
    types = con.execute("SELECT DISTINCT data_type FROM duckdb_columns() WHERE schema_name = 'marts' "
                        "AND table_name = 'rec_within_report' AND column_name IN ('expected', 'actual')").fetchall()
    con.close()
    assert flagged == [("天津市商务局", 2023, 1)]
    assert types == [("BIGINT",)]  # counts are whole numbers
    c = reports["c"][0].cells
    parts = sum(c[f"review_litigation.review.{k}"] for k in ("upheld", "corrected", "other", "pending"))
    assert failed == [("天津市商务局", 2023, "review_total", "review", parts, c["review_litigation.review.total"])]
    assert n == 6 * 43


def test_a_cell_read_with_doubt_is_an_extraction_finding_not_the_agencys(built):
    """D printed one cell as 约N: the cell is NULL and marked uncertain, the report is
    `uncertain`, and the rules that fail on that cell are extraction findings; the agency's
    own findings (C) stay the agency's."""
    _, reports, db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    status = dict(con.execute("SELECT agency_name, extraction_status FROM marts.fct_agency_year "
                              "WHERE year = 2023").fetchall())
    cell = con.execute("SELECT c.value, c.uncertain, r.printed FROM marts.fct_report_cells c "
                       "JOIN raw.report_cells r USING (document_id, field) "
                       f"WHERE c.agency_name = '济南市统计局' AND field = '{ROUGH_CELL}'").fetchall()
    issues = con.execute("SELECT agency_name, rule, subject, finding_source FROM marts.data_quality_issues "
                         "WHERE agency_name IN ('济南市统计局', '天津市商务局')").fetchall()
    con.close()
    assert status["济南市统计局"] == "uncertain" and status["天津市商务局"] == "exact"
    value = reports["d"][0].cells[ROUGH_CELL]
    assert cell == [(None, True, f"约{value}")]
    d = [i for i in issues if i[0] == "济南市统计局"]
    assert d and all(source == "extraction" for *_, source in d)
    assert ("济南市统计局", "extraction_uncertain", "parser", "extraction") in d
    assert ("济南市统计局", "row_total", "granted", "extraction") in d
    assert ("天津市商务局", "review_total", "review", "agency") in issues


def test_checks_report_findings_as_warnings_and_pipeline_checks_pass(built):
    *_, result = built
    evals = {e.check_name: e for e in result.get_asset_check_evaluations() if e.partition is None}
    assert {"gx_raw_documents", "gx_raw_report_cells", "gx_data_quality_issues", "gx_dim_agency", "gx_fct_agency_year",
            "gx_rec_within_report", "gx_rec_cross_year"} <= set(evals)
    failed = {name: e for name, e in evals.items() if not e.passed}
    # one check per kind of finding, neither blocking: they are the reports' errors, not the pipeline's
    assert set(failed) == {"gx_rec_within_report_warnings", "gx_rec_cross_year_warnings"}
    assert not any(e.blocking for e in failed.values()) and evals["gx_rec_within_report"].blocking
    assert all(e.severity.value == "WARN" for e in failed.values())
    # one finding, one failed check: the checks' failing rows are the count the CLI and the overview state
    from publishing.counts import failed_rules
    failing_rows = sum(f["unexpected_count"] for e in failed.values() for f in e.metadata["failures"].value)
    con = duckdb.connect(str(built[2]), read_only=True)
    stated = sum(n for _, n in failed_rules(con))
    con.close()
    page = (built[2].parent / "published" / "overview.html").read_text(encoding="utf-8")
    assert failing_rows == stated == 2  # 天津市商务局's review_total, agency B's carryover
    assert f'id="kpi-failed_rule_checks"><b>{stated}</b>' in page
    meta = failed["gx_rec_within_report_warnings"].metadata
    assert "天津市商务局" in str(meta["failures"].value) and "review_total" in str(meta["failures"].value)


def test_rerun_changes_nothing(built, rerun, hashes, tmp_path, monkeypatch):
    raw, _, shared, _ = built
    db = own_copy(shared, tmp_path / "wh")
    before = hashes(db)
    again, after = rerun(raw, db, monkeypatch)
    assert again.success
    assert after == before


def test_every_query_in_the_analyst_docs_runs(built):
    import re
    from pathlib import Path

    import sqlalchemy

    _, _, db, _ = built
    doc = (Path(__file__).resolve().parents[2] / "docs" / "analysts.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", doc, flags=re.S)
    assert len(queries) >= 10
    snapshot = db.parent / "published" / "govinfo.duckdb"  # what analysts read
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        results = [con.execute(q).fetchall() for q in queries]
    finally:
        con.close()
    assert results[0] and results[1] and results[2]  # agency-years, a broken report, a chain never kept
    engine = sqlalchemy.create_engine(f"duckdb:///{snapshot}?access_mode=read_only")  # the BI tools' way
    with engine.connect() as sa:
        assert [[tuple(r) for r in sa.execute(sqlalchemy.text(q)).fetchall()] for q in queries] == \
               [[tuple(r) for r in rows] for rows in results]
    engine.dispose()


def test_data_quality_issues_name_every_finding(built):
    _, reports, db, _ = built
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT rule, severity, agency_name, year, expected, actual, source_file "
                       "FROM marts.data_quality_issues WHERE rule <> 'parse_warning' ORDER BY rule").fetchall()
    dim = con.execute("SELECT agency_name, division_code, province_name, prefecture_name, level, kind "
                      "FROM marts.dim_agency ORDER BY 1").fetchall()
    con.close()
    by_rule = {r[0]: r for r in rows}
    assert by_rule["review_total"][2:4] == ("天津市商务局", 2023)
    assert by_rule["carryover"][2:4] == ("临沂市财政局", 2023)
    assert by_rule["rejected_document"][6] == "empty.txt" and by_rule["rejected_document"][1] == "error"
    assert ("天津市商务局", "120000", "天津市", None, "省级", "商务局") in dim
    assert ("聊城市教育局", "371500", "山东省", "聊城市", "市级", "教育局") in dim


def test_every_published_table_and_column_carries_its_description(built):
    """dbt persist_docs writes the yml descriptions as comments; the snapshot keeps them and
    each parquet file carries them as metadata. A mart column without a description in
    _marts.yml fails here."""
    from pathlib import Path

    import pyarrow.parquet as pq

    _, _, db, _ = built
    published = db.parent / "published"
    con = duckdb.connect(str(published / "govinfo.duckdb"), read_only=True)
    try:
        tables = con.execute("SELECT table_name, coalesce(comment, '') FROM duckdb_tables() "
                             "WHERE schema_name = 'marts'").fetchall()
        columns = con.execute("SELECT table_name, column_name, coalesce(comment, '') FROM duckdb_columns() "
                              "WHERE schema_name = 'marts'").fetchall()
    finally:
        con.close()
    assert len(tables) >= 13
    assert [t for t, comment in tables if not comment.strip()] == []
    assert [f"{t}.{c}" for t, c, comment in columns if not comment.strip()] == []
    for table, _ in tables:
        meta = pq.read_metadata(Path(published / "parquet" / f"{table}.parquet")).metadata
        keys = {k.decode() for k in meta}
        assert "description" in keys, table
        assert {f"description:{c}" for t, c, _ in columns if t == table} <= keys, table
        fields = pq.read_schema(Path(published / "parquet" / f"{table}.parquet"))
        described = {f.name: (f.metadata or {}).get(b"description", b"").decode() for f in fields}
        assert described == {c: comment for t, c, comment in columns if t == table}, table


def test_the_overview_lists_every_parser_warning_where_its_alert_link_leads(tmp_path, monkeypatch):
    """The overview counted parse_warning findings but listed none, so an alert's link to one
    led to an anchor that did not exist. The bundled sample has two (a spam title, a report
    without the 其他 applicant column)."""
    import shutil

    from publishing.overview import finding_anchor

    from .conftest import run_job

    raw = tmp_path / "raw"
    shutil.copytree(Path(__file__).resolve().parents[2] / "samples" / "raw", raw)
    db = tmp_path / "w" / "govinfo.duckdb"
    assert run_job(raw, db, monkeypatch).success
    published = db.parent / "published"
    con = duckdb.connect(str(published / "govinfo.duckdb"), read_only=True)
    warnings = con.execute("SELECT agency_key, year, message FROM marts.data_quality_issues "
                           "WHERE rule = 'parse_warning'").fetchall()
    con.close()
    assert len(warnings) >= 2
    page = (published / "overview.html").read_text(encoding="utf-8")
    listed = html.unescape(page.split('<table id="warnings"')[1].split("</table>")[0])
    for key, year, message in warnings:
        assert message in listed, message
        assert f'id="{finding_anchor(key, year)}"' in page
