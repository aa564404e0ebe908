"""Parse results → polars frames with explicit schemas: the staging tables (schema `raw`).

Blank cells stay null here; only the marts' rules count them as 0. Every frame has a fixed
schema so an empty batch still produces well-typed tables.
"""
from __future__ import annotations

from datetime import datetime

import polars as pl

from . import corrections
from ..resolve.divisions import division_rows
from ..parser.rules import rule_terms
from ..parser.spec import all_fields
from ..parser.template import templates

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "documents": {
        "document_id": pl.String, "source_file": pl.String, "source_format": pl.String, "bytes": pl.Int64,
        "pages": pl.Int32, "agency_name": pl.String, "year": pl.Int32, "parser_version": pl.String,
        "n_warnings": pl.Int32, "n_violations": pl.Int32, "loaded_at": pl.Datetime("us"),
        "arrived_at": pl.Datetime("us"),  # when the pipeline first saw these bytes (the landing index)
        "file_modified_at": pl.Datetime("us"),  # earliest mtime of its files (copies may back-date it)
        "template": pl.String,  # the report format it was read with: 2021 or 2019
        "extraction_status": pl.String,  # exact | verified | uncertain
        "n_uncertain_cells": pl.Int32,
        # who published it (ingestion.resolve.agencies): the division and kind its name and body give
        "division_code": pl.String,  # 6-digit 行政区划代码 (100000: national); null when unresolved
        "agency_kind": pl.String,  # the normalised kind (外办 → 外事办公室)
        "agency_level": pl.String,  # 国家级 省级 市级 县级 乡级
        "agency_resolution": pl.String,  # title | body | unresolved
        "agency_evidence": pl.String,  # what decided it, or why nothing did
        "agency_candidates": pl.String,  # the division codes the name fits, comma-separated
        "batch_id": pl.String,  # the import batch that loaded it: the Dagster run id (ingestion.load.quarantine)
    },
    "document_sources": {"document_id": pl.String, "source_file": pl.String,
                         "present": pl.Boolean},  # a file of that name holds the document now
    "report_cells": {
        "document_id": pl.String, "field": pl.String, "value": pl.Float64, "page": pl.Int32, "line": pl.Int32,
        "row_label": pl.String, "col_label": pl.String, "printed": pl.String,
        "uncertain": pl.Boolean,  # null because the parser could not read it with certainty
        # a cell read by OCR from a scanned page: the engine's confidence and how the parser checked it
        "ocr_confidence": pl.Float64, "ocr_checked": pl.String,
    },
    "parse_warnings": {"document_id": pl.String, "seq": pl.Int32, "message": pl.String},
    # how each document was read: inferences the arithmetic confirmed, and what stayed uncertain
    "extraction_notes": {"document_id": pl.String, "seq": pl.Int32, "kind": pl.String, "message": pl.String},
    # what the text states in numbers (ingestion.parser.prose): compared with `cells` (their sum)
    # by marts.rec_within_report, or skipped with the reason
    "prose_statements": {"document_id": pl.String, "seq": pl.Int32, "statement_key": pl.String,
                         "value": pl.Float64, "unit": pl.String, "sentence": pl.String, "section": pl.String,
                         "page": pl.Int32, "line": pl.Int32, "cells": pl.String, "skipped_reason": pl.String},
    "quarantine": {"sha256": pl.String, "source_file": pl.String, "reason": pl.String,
                   "quarantined_at": pl.Datetime("us")},
    "divisions": {"division_code": pl.String, "division_name": pl.String, "level": pl.String,
                  "province_code": pl.String, "province_name": pl.String, "prefecture_code": pl.String,
                  "prefecture_name": pl.String, "county_code": pl.String, "county_name": pl.String,
                  "first_year": pl.Int32, "last_year": pl.Int32},
    "rule_terms": {"rule": pl.String, "subject": pl.String, "side": pl.String, "field": pl.String},
    "fields": {"field": pl.String, "table_name": pl.String, "row_name": pl.String, "col_name": pl.String,
               "row_label_zh": pl.String, "col_label_zh": pl.String, "unit": pl.String,
               "templates": pl.String,  # the report formats that print the cell (2021,2019)
               "outcome_group": pl.String, "measures": pl.String,  # see ingestion.parser.spec
               "position": pl.Int32},  # the contract's order
    "corrections": corrections.SCHEMA,  # reviewers' decisions (ingestion.load.corrections), the file's rows
}
# Tables keyed by document: a re-parse replaces a document's rows in each of them.
# (document_sources follows the landing index instead: ingestion.load.warehouse.sync_sources.)
DOCUMENT_TABLES = ("documents", "report_cells", "parse_warnings", "extraction_notes", "prose_statements")


def _frame(name: str, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMAS[name], orient="row") if rows else pl.DataFrame(schema=SCHEMAS[name])


def document_frames(results: list[dict], loaded_at: datetime, arrived_at: dict[str, datetime],
                    modified_at: dict[str, datetime] | None = None, batch: str | None = None) -> dict[str, pl.DataFrame]:
    """Frames for successfully parsed documents; `arrived_at` maps sha256 → when the pipeline
    first saw it, `modified_at` → its files' earliest mtime; `batch`: the import batch (run)."""
    docs, cells, warns, notes, prose = [], [], [], [], []
    for r in results:
        doc_id = r["source"]["sha256"]
        extraction = r["extraction"]
        doubtful = set(extraction["uncertain_cells"])
        docs.append({"document_id": doc_id, "source_file": r["source"]["file"], "source_format": r["source"]["format"],
                     "bytes": r["source"]["bytes"], "pages": r["source"]["pages"], "agency_name": r["agency"],
                     "year": r["year"], "parser_version": r["source"]["parser_version"],
                     "n_warnings": len(r["warnings"]), "n_violations": len(r["violations"]), "loaded_at": loaded_at,
                     "arrived_at": arrived_at.get(doc_id, loaded_at),
                     "file_modified_at": (modified_at or {}).get(doc_id), "template": r["template"],
                     "extraction_status": extraction["status"], "n_uncertain_cells": len(doubtful),
                     "batch_id": batch}
                    | _agency_columns(r["agency_resolution"]))
        prov = r.get("provenance", {})
        for fld, value in r["cells"].items():
            p = prov.get(fld, {})
            cells.append({"document_id": doc_id, "field": fld, "value": None if value is None else float(value),
                          "page": p.get("page"), "line": p.get("line"), "row_label": p.get("row_label"),
                          "col_label": p.get("col_label"), "printed": p.get("printed"), "uncertain": fld in doubtful,
                          "ocr_confidence": p.get("ocr", {}).get("confidence"), "ocr_checked": p.get("ocr", {}).get("checked")})
        warns.extend({"document_id": doc_id, "seq": i, "message": w} for i, w in enumerate(r["warnings"]))
        said = [("verified", m) for m in extraction["verified"]] + [("uncertain", m) for m in extraction["uncertain"]]
        notes.extend({"document_id": doc_id, "seq": i, "kind": k, "message": m} for i, (k, m) in enumerate(said))
        prose.extend(_statement_row(doc_id, i, s) for i, s in enumerate(_statements(r)))
    return {"documents": _frame("documents", docs), "report_cells": _frame("report_cells", cells),
            "parse_warnings": _frame("parse_warnings", warns), "extraction_notes": _frame("extraction_notes", notes),
            "prose_statements": _frame("prose_statements", prose)}


def _statements(result: dict) -> list[dict]:
    """The compared statements then the skipped ones, in the document's order each."""
    prose = result.get("prose") or {}
    return prose.get("compared", []) + prose.get("skipped", [])


def _statement_row(doc_id: str, seq: int, s: dict) -> dict:
    return {"document_id": doc_id, "seq": seq, "statement_key": s["key"], "value": s["value"], "unit": s["unit"],
            "sentence": s["sentence"], "section": s["section"], "page": s["page"], "line": s["line"],
            "cells": ",".join(s["cells"]), "skipped_reason": s["skipped"]}


def _agency_columns(res: dict) -> dict:
    return {"division_code": res["division_code"], "agency_kind": res["kind"], "agency_level": res["level"],
            "agency_resolution": res["status"], "agency_evidence": res["evidence"],
            "agency_candidates": ",".join(res["candidates"])}


def quarantine_frame(rejected: list[dict]) -> pl.DataFrame:
    return _frame("quarantine", rejected)


def reference_frames() -> dict[str, pl.DataFrame]:
    """The contract tables the marts join to: every field a template makes (the 207 of the
    2021 contract and the 2019 format's own), with the formats that print it, the rule terms,
    and the administrative divisions agencies are keyed by."""
    printed_by = {f.field: ",".join(t.version for t in templates() if f.field in t.fields) for f in all_fields()}
    return {
        "fields": _frame("fields", [{"field": f.field, "table_name": f.table, "row_name": f.row, "col_name": f.col,
                                     "row_label_zh": f.row_label_zh, "col_label_zh": f.col_label_zh, "unit": f.unit,
                                     "templates": printed_by[f.field], "outcome_group": f.outcome_group or None,
                                     "measures": f.measures or None, "position": i}
                                    for i, f in enumerate(all_fields())]),
        "rule_terms": _frame("rule_terms", [t.__dict__ for t in rule_terms()]),
        "divisions": _frame("divisions", division_rows()),
    }
