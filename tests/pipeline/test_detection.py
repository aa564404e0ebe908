"""The rules against a corpus with known breaks (corpus/planted.py): every planted finding
is in marts.data_quality_issues, and nothing else is; aliases resolve to one agency each;
re-publications load once or are chosen between as documented; the GX checks block only
on pipeline errors and keep their results in Data Docs; dbt docs build on the warehouse."""
import json
import os
import subprocess
from pathlib import Path

import duckdb

from corpus.planted import PLANTED_RULES, detection_table, format_table, found_findings
from expectations.suites import SUITES
from ingestion.load.layout import Layout

REPO = Path(__file__).resolve().parents[2]


def _con(db):
    return duckdb.connect(str(db), read_only=True)


def test_the_planted_run_succeeds(planted_run):
    """The run the other tests here read (tests/pipeline/conftest.py): when it fails, this
    test says why and they skip."""
    _, run = planted_run
    assert run.failure is None


def test_every_planted_finding_is_found_and_nothing_else(planted):
    corpus, _, db, _ = planted
    with _con(db) as con:
        found = found_findings(con, corpus.names)
    table = detection_table(corpus.expected, found, corpus.planted)
    print("\n" + format_table(table))
    assert {r["rule"] for r in table} == set(PLANTED_RULES)  # no rule outside the planted ones fired
    for row in table:
        if row["rule"] != "parse_warning":
            assert row["planted"] >= 2 and row["expected"] >= 2, row  # every rule is exercised
    assert sorted(corpus.expected - found) == [], "missed"
    assert sorted(found - corpus.expected) == [], "false findings"


def test_aliases_resolve_to_one_agency_each(planted):
    corpus, _, db, _ = planted
    with _con(db) as con:
        key_of = dict(con.execute("SELECT alias_name, agency_key FROM marts.dim_agency_alias").fetchall())
        n_agencies = con.execute("SELECT count(*) FROM marts.dim_agency").fetchall()[0][0]
    keys = {agency: {key_of[n] for n in names if n in key_of} for agency, names in corpus.names.items()}
    assert all(len(k) == 1 for k in keys.values()), keys
    assert len({next(iter(k)) for k in keys.values()}) == len(corpus.names) == n_agencies
    assert sum(len(n) > 1 for n in corpus.names.values()) >= 3  # several agencies printed aliases


def test_republications_load_once_and_corrections_win(planted):
    corpus, raw, db, _ = planted
    good = {name: data for name, data in corpus.files.items() if not name.startswith("bad/")}
    with _con(db) as con:
        n_docs = con.execute("SELECT count(*) FROM raw.documents").fetchall()[0][0]
        sources = {r[0] for r in con.execute("SELECT source_file FROM raw.document_sources").fetchall()}
        chosen = dict(((a, y), f) for a, y, f in con.execute(
            "SELECT a.alias_name, f.year, f.source_file FROM marts.fct_agency_year f "
            "JOIN marts.dim_agency_alias a ON a.agency_key = f.agency_key").fetchall())
        versions = con.execute("SELECT count(*) FROM marts.fct_agency_year WHERE versions_in_agency_year > 1"
                               ).fetchall()[0][0]
        superseded = {f for (f,) in con.execute(
            "SELECT source_file FROM marts.fct_report_versions WHERE NOT is_chosen").fetchall()}
        mirrored = con.execute("SELECT count(*) FROM marts.fct_report_versions WHERE len(source_files) = 2"
                               ).fetchall()[0][0]
    assert n_docs == len(set(good.values()))  # the same bytes under two names load once
    assert sources == set(good)  # ... and both names are kept
    assert any(name.startswith("mirror/") for name in good)
    assert corpus.chosen_file and versions >= len(corpus.chosen_file)
    for (agency, year), file in corpus.chosen_file.items():
        assert chosen[(agency, year)] == file  # the corrected version, not the broken first one
        assert file.replace(".", "_v1.", 1).rsplit(".", 1)[0] in {f.rsplit(".", 1)[0] for f in superseded}
    assert mirrored == sum(name.startswith("mirror/") for name in good)


def test_gx_checks_warn_on_published_errors_and_keep_results_in_data_docs(planted):
    _, _, db, result = planted
    evals = {e.check_name: e for e in result.get_asset_check_evaluations()}
    gx = {name: e for name, e in evals.items() if name.startswith("gx_")}
    assert {n for n in gx if not n.endswith("_warnings")} == {
        f"gx_{s}_{t}" if s == "raw" else f"gx_{t}" for s, t in SUITES}  # one blocking check per suite
    assert all(e.passed or e.severity.value == "WARN" for e in gx.values()), \
        {n: e.severity for n, e in gx.items() if not e.passed}
    assert {n for n, e in gx.items() if not e.passed} == {
        "gx_raw_documents_warnings", "gx_fct_agency_year_warnings", "gx_rec_within_report_warnings",
        "gx_rec_cross_year_warnings"}
    index = Layout(db).data_docs_index
    html = index.read_text(encoding="utf-8")
    for suite in ("raw_documents", "fct_agency_year", "rec_within_report", "data_quality_issues"):
        assert suite in html
    page = gx["gx_rec_within_report_warnings"].metadata["data_docs"].value
    assert page.startswith("file://") and Path(page[7:]).exists()
    assert "review_total" in Path(page[7:]).read_text(encoding="utf-8")


def test_dbt_docs_generate_on_the_built_warehouse(planted, tmp_path):
    _, _, db, _ = planted
    env = {**os.environ, "GOVINFO_WAREHOUSE": str(db)}
    subprocess.run([str(REPO / ".venv" / "bin" / "dbt"), "docs", "generate", "--static", "--project-dir", str(REPO / "dbt_project"),
                    "--profiles-dir", str(REPO / "dbt_project"), "--target-path", str(tmp_path)],
                   check=True, env=env, capture_output=True)
    catalog = json.loads((tmp_path / "catalog.json").read_text(encoding="utf-8"))
    nodes = {n["metadata"]["name"]: n for n in catalog["nodes"].values()}
    for mart in ("fct_agency_year", "fct_application_outcomes", "rec_within_report", "data_quality_issues"):
        assert mart in nodes and nodes[mart]["columns"]
    assert "fct_agency_year" in (tmp_path / "static_index.html").read_text(encoding="utf-8")


def test_a_text_that_contradicts_its_table_reaches_the_digest_as_a_warning(planted, webhook_server, tmp_path):
    """prose_vs_table findings: in data_quality_issues with the sentence, below the report's
    own arithmetic (warn, not error), and in the maintainers' digest."""
    import shutil

    from alerting.alerts import AlertConfig, send_digests

    corpus, _, db, _ = planted
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(db, warehouse)
    with _con(warehouse) as con:
        prose = con.execute("SELECT severity, expected, actual, message FROM marts.data_quality_issues "
                            "WHERE rule = 'prose_vs_table'").fetchall()
        arithmetic = {r[0] for r in con.execute("SELECT severity FROM marts.data_quality_issues "
                                                 "WHERE rule = 'balance' AND finding_source = 'agency'").fetchall()}
    assert len(prose) == corpus.planted["prose_vs_table"] and arithmetic == {"error"}
    assert all(sev == "warn" and exp != act and "the text says" in msg and "件" in msg for sev, exp, act, msg in prose)
    port, posts = webhook_server
    send_digests(warehouse, "run-prose", AlertConfig(webhook={"url": f"http://127.0.0.1:{port}/hook"}))
    sent = [i for i in posts[0]["new_issues"] if i["rule"] == "prose_vs_table"]
    assert len(sent) == len(prose) and all(i["severity"] == "warn" and "the text says" in i["message"] for i in sent)


def _whose(db, raw) -> int:
    """Compare, document by document, whose each failed rule is in the marts and in the
    parser's own output; returns how many extraction findings were compared."""
    from ingestion.parser.parse import parse_file
    from ingestion.parser.rules import RULES

    with _con(db) as con:
        rows = con.execute(f"""SELECT document_id, rule, subject, finding_source FROM marts.rec_within_report
                               WHERE NOT passed AND rule IN ({", ".join(f"'{r}'" for r in RULES)})""").fetchall()
        docs = con.execute("SELECT DISTINCT document_id, source_file FROM marts.rec_within_report").fetchall()
    for document_id, source_file in docs:
        parsed = parse_file(raw / source_file)
        assert parsed["source"]["sha256"] == document_id
        assert len(set(parsed["warnings"])) == len(parsed["warnings"]), source_file  # each said once
        sql = {src: {(r, s) for d, r, s, found in rows if d == document_id and found == src}
               for src in ("agency", "extraction")}
        assert sql["agency"] == {(v["rule"], v["subject"]) for v in parsed["violations"]}, source_file
        assert sql["extraction"] == {(u["rule"], u["subject"]) for u in parsed["extraction"]["unchecked_rules"]}, \
            source_file
    return sum(1 for *_, src in rows if src == "extraction")


def test_sql_and_the_parser_agree_whose_each_failed_rule_is(planted, tmp_path, monkeypatch):
    """Whose failure a finding is, decided twice (the parser's `violations` / `unchecked_rules`,
    the marts' `finding_source`) by one rule: a check touching a cell read with doubt is the
    extraction's. Held equal on the planted corpus (the agency's own errors) and on
    reading-order texts, where the parser doubts cells and checks on them fail."""
    import random

    from corpus.generate import _style, apply_quirks
    from corpus.reading_order import KINDS, reading_order_text
    from corpus.truth import series
    from ingestion.parser.parse import parse_file

    from .conftest import run_job

    _, raw, db, _ = planted
    _whose(db, raw)
    rng, doubted, raw = random.Random(7), 0, tmp_path / "raw"
    raw.mkdir()
    for i in range(200):
        report = series(rng, [2023], templates={2023: "2021"})[0]
        style = _style(rng, "docx", report)
        apply_quirks(report, style, rng)
        path = raw / f"ro{i}.txt"
        path.write_text(reading_order_text(report, style, rng, {k for k in KINDS if rng.random() < 0.35}),
                        encoding="utf-8")
        if parse_file(path)["extraction"]["unchecked_rules"] and doubted < 4:
            doubted += 1
        else:
            path.unlink()
        if doubted == 4:
            break
    result = run_job(raw, tmp_path / "wh" / "govinfo.duckdb", monkeypatch)
    assert result.success
    assert _whose(tmp_path / "wh" / "govinfo.duckdb", raw) > 0
