"""GX suites validate real frames: clean data passes, a planted bad row fails with its
context (agency, year, numbers) reported."""
import polars as pl

from expectations.suites import fct_agency_year, rec_cross_year, rec_within_report, staging_report_cells
from expectations.validate import validate
from ingestion.parser.rules import rule_terms
from ingestion.parser.spec import measures


def _agency_years(rows):
    base = {"agency_key": "k", "agency_name": "聊城市商务局", "year": 2022, **{m: 0 for m in measures()},
            "new_received": 2, "granted": 2, "total_processed": 2, "source_file": "a.txt"}
    return pl.DataFrame([{**base, **r} for r in rows])


def test_clean_frame_passes():
    out = validate(_agency_years([{}, {"agency_key": "j", "agency_name": "临沂市教育局"}]), fct_agency_year())
    assert out.success, out.failures


def test_planted_bad_rows_fail_with_context():
    frame = _agency_years([{}, {"agency_key": "s", "agency_name": "365bet网上娱乐人民政府办公室", "year": 2099,
                                "granted": -3}])
    out = validate(frame, fct_agency_year())
    assert not out.success and out.severity == "error"
    failed = {(f.expectation, f.column) for f in out.failures}
    assert ("expect_column_values_to_not_match_regex", "agency_name") in failed
    assert ("expect_column_values_to_be_between", "year") in failed
    assert ("expect_column_values_to_be_between", "granted") in failed
    spam = next(f for f in out.failures if f.column == "agency_name")
    assert spam.rows == [{"agency_name": "365bet网上娱乐人民政府办公室", "year": 2099, "source_file": "a.txt"}]


def test_duplicate_staging_keys_fail_the_gate():
    """Staging keys are the gate's (GX, before dbt builds on them); the marts' keys are dbt's."""
    frame = pl.DataFrame({"document_id": ["d", "d"], "field": ["applications.granted.total"] * 2,
                          "value": [1.0, 1.0], "uncertain": [False, False]})
    out = validate(frame, staging_report_cells())
    assert any(f.expectation == "expect_compound_columns_to_be_unique" for f in out.failures)
    assert out.severity == "error"


def test_failed_rule_is_a_warning_with_the_numbers():
    per_report = len({(t.rule, t.subject) for t in rule_terms()})
    rows = [{"agency_key": "k", "agency_name": "聊城市商务局", "year": 2022, "rule": "balance", "subject": f"s{i}",
             "expected": 3.0, "actual": 3.0, "passed": True, "finding_source": "agency", "source_file": "a.txt"}
            for i in range(per_report)]
    rows[0].update(actual=5.0, passed=False)
    rows[1].update(actual=7.0, passed=False, finding_source="extraction")  # our doubt: fails no check
    out = validate(pl.DataFrame(rows), rec_within_report(n_reports=1))
    assert out.severity == "warn"
    [finding] = out.failures
    assert finding.unexpected_count == 1
    assert finding.rows[0]["expected"] == 3.0 and finding.rows[0]["actual"] == 5.0
    assert finding.rows[0]["agency_name"] == "聊城市商务局" and finding.rows[0]["rule"] == "balance"


def test_a_findings_data_docs_page_names_the_agency_year_and_file(tmp_path):
    """Data Docs list a failed expectation's unexpected values: for a rule finding they are
    the findings in words (agency · year · rule · subject · file), not "False"."""
    from pathlib import Path

    per_report = len({(t.rule, t.subject) for t in rule_terms()})
    rows = [{"agency_key": "k", "agency_name": "聊城市商务局", "year": 2022, "rule": "balance", "subject": f"s{i}",
             "expected": 3.0, "actual": 3.0, "passed": True, "finding_source": "agency", "source_file": "a.txt"}
            for i in range(per_report)]
    rows[0].update(actual=5.0, passed=False)
    out = validate(pl.DataFrame(rows), rec_within_report(n_reports=1), store=tmp_path, run_name="r")
    [finding] = out.failures
    page = Path(out.docs_page.removeprefix("file://")).read_text(encoding="utf-8")
    assert finding.column == "finding" and "聊城市商务局 · 2022 · balance · s0 · a.txt" in page


def test_cells_out_of_range_fail():
    frame = pl.DataFrame({"document_id": ["d", "d"], "field": ["applications.granted.total", "not.a.field"],
                          "value": [-1.0, 2.0]})
    out = validate(frame, staging_report_cells())
    failed = {f.column for f in out.failures}
    assert {"value", "field"} <= failed


def test_results_are_kept_in_the_store_up_to_a_limit(tmp_path, monkeypatch):
    """A file-backed store keeps every suite's newest results and their Data Docs pages; older
    ones leave the store and the front page."""
    import expectations.validate as v

    monkeypatch.setattr(v, "KEEP_RESULTS", 2)
    frame = _agency_years([{}])
    outs = [validate(frame, fct_agency_year(), store=tmp_path, run_name=f"run-{i}") for i in range(3)]
    results = tmp_path / "gx" / "uncommitted" / "validations" / "fct_agency_year"
    assert sorted(p.name for p in results.iterdir()) == ["run-1", "run-2"]
    pages = tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations" / "fct_agency_year"
    assert sorted(p.name for p in pages.iterdir()) == ["run-1", "run-2"]
    index = (tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html").read_text()
    assert "run-2" in index and "run-1" in index and "run-0" not in index
    assert all(o.success and o.docs_page for o in outs)


def test_an_expectation_that_raises_says_why():
    """A frame without a column the row condition reads: the failure carries GX's message
    (GX 1.x keeps it under the metric's id), never a silent failure with no rows."""
    frame = pl.DataFrame({"agency_key": ["k"], "year": [2022], "rule": ["balance"], "subject": ["s"],
                          "passed": [False]})
    out = validate(frame, rec_cross_year())
    [raised] = [f for f in out.failures if f.column == "finding" and f.severity == "warn"]
    assert raised.error and "finding_source" in raised.error


def test_data_docs_load_nothing_from_a_network(tmp_path):
    """Government networks often have no internet: every script, style sheet and image the
    Data Docs pages load is a file beside them."""
    import re
    from pathlib import Path

    per_report = len({(t.rule, t.subject) for t in rule_terms()})
    rows = [{"agency_key": "k", "agency_name": "聊城市商务局", "year": 2022, "rule": "balance", "subject": f"s{i}",
             "expected": 3, "actual": 3, "passed": True, "finding_source": "agency", "source_file": "a.txt"}
            for i in range(per_report)]
    for run in ("first", "second"):  # the second run rewrites the index GX writes again
        validate(pl.DataFrame(rows), rec_within_report(n_reports=1), store=tmp_path, run_name=run)
    site = tmp_path / "gx" / "uncommitted" / "data_docs" / "local_site"
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|img)[^>]*\ssrc="([^"]+)"|<link[^>]*\shref="([^"]+)"', text)
        for src in (a or b for a, b in loaded):
            assert not re.match(r"(https?:)?//", src), (page.name, src)
            if "static/vendor/" in src:  # ours (GX's own favicon path is off by one folder: not a network load)
                assert (page.parent / src.split("?")[0]).resolve().is_file(), (page.name, src)
    assert Path(site / "static" / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").is_file()
