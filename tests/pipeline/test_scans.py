"""A scanned report through the whole job (issue 26): landed as an image-only PDF, read by OCR,
loaded, built by dbt and checked by GX. Its cells reach fct_report_cells with how each was
checked; what OCR could not confirm is NULL and uncertain, and a rule over such a cell is an
extraction finding, never the agency's."""
from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb

from corpus.scans import ScanStyle, page_images, to_pdf

from .conftest import run_job

FIXTURES = Path(__file__).parents[1] / "fixtures" / "corpus" / "generated"


def test_a_scanned_report_reaches_the_marts_with_its_ocr_provenance(tmp_path, monkeypatch):
    gold = json.loads((FIXTURES / "gold" / "gen11_0000.json").read_text(encoding="utf-8"))
    raw = tmp_path / "raw"
    raw.mkdir()
    images = page_images((FIXTURES / "docs" / "gen11_0000.pdf").read_bytes(),
                         ScanStyle(200, seal=True, skew=0.8), random.Random(8))
    (raw / "scan_2023.pdf").write_bytes(to_pdf(images))
    db = tmp_path / "wh" / "govinfo.duckdb"
    result = run_job(raw, db, monkeypatch)
    assert result.success
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT field, value, uncertain, ocr_checked, ocr_confidence, page FROM marts.fct_report_cells "
                           "WHERE agency_name = ?", [gold["agency"]]).fetchall()
        findings = con.execute("SELECT finding_source, count(*) FROM marts.data_quality_issues "
                               "WHERE agency_name = ? AND rule NOT IN ('year_gap') GROUP BY 1", [gold["agency"]]).fetchall()
        status = con.execute("SELECT extraction_status FROM marts.fct_agency_year WHERE agency_name = ?",
                             [gold["agency"]]).fetchall()
    assert len(rows) == 207 and status in ([("verified",)], [("uncertain",)])
    wrong = [(f, v, gold["cells"][f]) for f, v, *_ in rows if v is not None and v != gold["cells"][f]]
    assert wrong == []
    read = [r for r in rows if r[3] is not None]
    assert len(read) >= 150 and all(r[5] for r in read) and all(0 <= r[4] <= 1 for r in read)
    assert {r[3] for r in read if not r[3].startswith("corrected by the arithmetic")} <= {
        "confirmed by the arithmetic", "recognised with high confidence; no rule covers it", "not confirmed: left null"}
    assert all(r[1] is None and r[2] for r in read if r[3] == "not confirmed: left null")
    assert "agency" not in dict(findings)  # whatever the scan hid is the reading's doubt, not the agency's
    from publishing.review import queue

    ocr_items = [i for i in queue(db) if i.kind == "uncertain_cell" and i.why.startswith("read by OCR as ")]
    assert ocr_items and all("confidence" in i.why and i.page for i in ocr_items)  # the reviewer sees what OCR saw
