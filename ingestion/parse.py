"""One file in, one parse result out: the `govinfo-annual-report/1` object.

`parse_file` never raises for bad input other than `RejectedDocument` (one-line reason);
every caller (CLI, pipeline) turns that into an exit status or a quarantine record.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from . import PARSER_VERSION, SCHEMA
from .cells import map_cells
from .document import RejectedDocument
from .meta import agency_and_year, is_spam
from .readers import read_document
from .rules import violations

MIN_RECOGNISED_ROWS = 4  # of table 三's 25 rows; fewer means this is not a usable report


def parse_file(path: str | Path) -> dict:
    path = Path(path)
    doc, data = read_document(path)
    warnings = list(doc.warnings)
    agency, year = agency_and_year(doc.text, warnings)
    if "政府信息公开" not in doc.text:
        raise RejectedDocument("not a government information-disclosure annual report")
    cm = map_cells(doc)
    warnings.extend(cm.warnings)
    app_rows = [r for r in cm.seen_rows if r.startswith("applications.")]
    if len(app_rows) < MIN_RECOGNISED_ROWS:
        raise RejectedDocument("no section 三 table (依申请公开 applications) found: not a readable annual report")
    if agency is None:
        raise RejectedDocument("agency name not found in the title")
    if is_spam(agency):
        raise RejectedDocument(f"agency name is spam text and no real name was found: {agency!r}")
    if year is None:
        raise RejectedDocument("report year not found")
    return {
        "schema": SCHEMA,
        "agency": agency,
        "year": year,
        "cells": cm.cells,
        "violations": violations(cm.cells),
        "warnings": warnings,
        "source": {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "format": doc.format,
                   "bytes": len(data), "pages": doc.pages, "parser_version": PARSER_VERSION},
        "provenance": cm.provenance,
    }
