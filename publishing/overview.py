"""A static HTML overview of the warehouse for maintainers and editors: coverage by province
(a bar chart) and by agency and year, failed rules, parser warnings, rejected documents, each
with a link to its source file.

One self-contained page (no server, no external assets), written atomically beside the
snapshot (`published/overview.html`) from a Jinja2 template (`templates/overview.html`, its
script `templates/overview.js`: search, sort and paging for tables of any length). The numbers
come from the published marts, so the page and the snapshot always agree. Links are relative
to the page, so they work from a copy of the warehouse folder and wherever it is served.
"""
from __future__ import annotations

import hashlib
import itertools
import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import duckdb

from ingestion.load.layout import Layout
from ingestion.parser.spec import outcome_measures
from ingestion.load.warehouse import duckdb_config

from .counts import failed_rules, rejected_documents
from .pages import template
from .snapshot import publication

_BAR = {"with findings": "#d9534f", "read with doubt": "#f0ad4e", "clean": "#5cb85c"}
_OUTCOME_COLOURS = ("#5cb85c", "#9fd89f", "#d9534f", "#f0ad4e", "#999999", "#5bc0de", "#337ab7", "#8e6c8a")
_SOURCES = {"agency": "#d9534f", "extraction": "#f0ad4e", "file": "#777777"}
_LABEL_WIDTH, _BAR_WIDTH, _ROW_HEIGHT = 130, 420, 22


def _outcomes() -> dict[str, str]:
    """The measures that split （七）总计 by outcome (the contract's), each with its colour."""
    return dict(zip(outcome_measures(), itertools.cycle(_OUTCOME_COLOURS)))


def _chart(chart_id: str, label: str, rows: list[tuple[str, dict[str, int], str]], colours: dict[str, str]) -> dict:
    """Horizontal stacked bars, as the template draws them in inline SVG: `rows` are (label,
    count per part, the text after the bar)."""
    most = max((sum(parts.values()) for _, parts, _ in rows), default=0) or 1
    drawn = []
    for i, (name, parts, note) in enumerate(rows):
        x, rects = _LABEL_WIDTH, []
        for part, colour in colours.items():
            w = parts.get(part, 0) * _BAR_WIDTH / most
            if w:
                rects.append({"x": x, "w": w, "colour": colour, "n": parts[part], "part": part})
            x += w
        drawn.append({"y": i * _ROW_HEIGHT, "name": name, "rects": rects, "end": x, "note": note})
    return {"id": chart_id, "label": label, "rows": drawn, "colours": colours, "bar": _ROW_HEIGHT - 6,
            "width": _LABEL_WIDTH + _BAR_WIDTH + 280, "height": len(rows) * _ROW_HEIGHT}


def _province_chart(coverage: list[tuple]) -> dict:
    """One bar per province, split by what its reports hold."""
    by: dict[str, dict[str, int]] = {}
    agencies: dict[str, set] = {}
    for _, province, _, _, issues, extraction, key in coverage:
        part = "with findings" if issues else "read with doubt" if extraction == "uncertain" else "clean"
        by.setdefault(province, dict.fromkeys(_BAR, 0))[part] += 1
        agencies.setdefault(province, set()).add(key)
    order = sorted(by, key=lambda p: (-sum(by[p].values()), p))
    return _chart("provinces", "reports by province", [
        (p, by[p], f"{sum(by[p].values())} reports, {len(agencies[p])} agencies, {by[p]['with findings']} with findings")
        for p in order], _BAR)


def finding_anchor(key, year) -> str:
    """The id of an agency-year's first finding on the page (alerts link to it too)."""
    return "ay-" + hashlib.md5(f"{key}|{year}".encode()).hexdigest()[:12]


def _relative(target: Path, page: Path) -> str:
    """A link from the page to a file, relative (it works offline, from a copy of the
    folders and wherever they are served)."""
    rel = os.path.relpath(os.path.abspath(target), Path(os.path.abspath(page)).parent)
    return quote(Path(rel).as_posix())


def _links(page: Path, layout: Layout | None) -> list[dict]:
    """Where to look next: GX Data Docs, dbt docs when built, the Dagster UI when
    GOVINFO_DAGSTER_URL says where it is."""
    targets = [("Great Expectations Data Docs", layout.data_docs_index), ("dbt docs", layout.dbt_docs_index)
               ] if layout else []
    links = [{"name": name, "href": _relative(t, page)} for name, t in targets if t.exists()]
    if os.environ.get("GOVINFO_DAGSTER_URL"):
        links.append({"name": "Dagster", "href": os.environ["GOVINFO_DAGSTER_URL"]})
    return links


LISTED = 5000  # findings, warnings and rejected files listed on the page, of each (all are in the marts)
_FINDINGS = "rule NOT IN ('rejected_document', 'parse_warning')"


def _read(snapshot: Path, limit: int) -> dict:
    """Everything the page shows, read from the snapshot in one connection."""
    con = duckdb.connect(str(snapshot), read_only=True, config=duckdb_config())
    try:
        one = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        return {
            "kpis": {
                "agencies": one("SELECT count(*) FROM marts.dim_agency"),
                "agency_years": one("SELECT count(*) FROM marts.fct_agency_year"),
                "documents": one("SELECT count(*) FROM marts.fct_report_versions"),
                "rejected": rejected_documents(con),
                "failed_rule_checks": sum(n for _, n in failed_rules(con)),
                "uncertain_extractions": one("SELECT count(*) FROM marts.fct_agency_year "
                                             "WHERE extraction_status = 'uncertain'"),
            },
            "counts": {
                "failed": one(f"SELECT count(*) FROM marts.data_quality_issues WHERE {_FINDINGS}"),
                "warnings": one("SELECT count(*) FROM marts.data_quality_issues WHERE rule = 'parse_warning'"),
                "rejected": one("SELECT count(*) FROM marts.data_quality_issues WHERE rule = 'rejected_document'"),
            },
            "years": [r[0] for r in con.execute("SELECT DISTINCT year FROM marts.fct_agency_year ORDER BY 1").fetchall()],
            "coverage": con.execute("""
                SELECT a.agency_name, coalesce(a.province_name, CASE a.level WHEN '国家级' THEN '国家级' END, '未解析'),
                       f.year, f.source_file, coalesce(i.issues, 0) AS issues, f.extraction_status, a.agency_key
                FROM marts.dim_agency a JOIN marts.fct_agency_year f USING (agency_key)
                LEFT JOIN (SELECT agency_key, year, count(*) AS issues FROM marts.data_quality_issues
                           WHERE severity <> 'info' AND finding_source = 'agency' GROUP BY ALL) i
                       ON i.agency_key = f.agency_key AND i.year = f.year
                ORDER BY a.province_code NULLS LAST, a.agency_name, a.agency_key, f.year""").fetchall(),
            "by_rule": con.execute("""SELECT rule, finding_source, severity, count(*) FROM marts.data_quality_issues
                                      GROUP BY ALL ORDER BY count(*) DESC, rule""").fetchall(),
            "per_year": con.execute(f"""
                SELECT year, count(*), sum(new_received), {", ".join(f"sum({o})" for o in _outcomes())}
                FROM marts.fct_agency_year GROUP BY year ORDER BY year""").fetchall(),
            "failed": con.execute(f"""
                SELECT severity, finding_source, rule, agency_name, year, subject, expected, actual, message,
                       source_file, page, line, agency_key
                FROM marts.data_quality_issues WHERE {_FINDINGS}
                ORDER BY finding_source, CASE severity WHEN 'error' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, rule,
                         agency_name, year
                LIMIT {limit}""").fetchall(),
            "rejected": con.execute(f"""SELECT source_file, message FROM marts.data_quality_issues
                                       WHERE rule = 'rejected_document' ORDER BY source_file LIMIT {limit}""").fetchall(),
            "warnings": con.execute(f"""SELECT agency_name, year, message, source_file, agency_key
                                       FROM marts.data_quality_issues WHERE rule = 'parse_warning'
                                       ORDER BY agency_name, year, message LIMIT {limit}""").fetchall(),
            "published": publication(con),
        }
    finally:
        con.close()


def _coverage(coverage, years: list[int], source_href) -> list[dict]:
    """One row per agency: a cell per year (None where no report was loaded), linking to its
    findings or to its file."""
    by_agency: dict[tuple[str, str, str], dict[int, tuple[str, int, str]]] = {}
    for name, province, year, source, issues, extraction, key in coverage:
        by_agency.setdefault((name, province, key), {})[year] = (source, issues, extraction)
    rows = []
    for (name, province, key), by_year in by_agency.items():
        cells = []
        for y in years:
            if y not in by_year:
                cells.append(None)
                continue
            source, issues, extraction = by_year[y]
            label = f"{issues} issue{'s' if issues != 1 else ''}" if issues else "✓"
            if extraction == "uncertain":
                label += " ?"  # some cells could not be read with certainty (extraction, not the agency)
            cells.append({"cls": "bad" if issues else "doubt" if extraction == "uncertain" else "",
                          "label": label, "href": f"#{finding_anchor(key, y)}" if issues else source_href(source)})
        rows.append({"name": name, "province": province, "cells": cells})
    return rows


def _first_finding_anchors():
    """anchor(key, year): the id of an agency-year's first finding, which its coverage cell
    links to; None for the rest."""
    anchored: set[str] = set()

    def anchor(key, year) -> str | None:
        found = finding_anchor(key, year)
        if key is None or found in anchored:
            return None
        anchored.add(found)
        return found
    return anchor


def _findings(q: dict, source_href) -> tuple[list[dict], list[dict], list[dict]]:
    """The listed findings, parser warnings and rejected files, the first finding of each
    agency-year anchored."""
    anchor = _first_finding_anchors()
    failed = [{"severity": s, "source": src, "rule": r, "agency": a, "year": y, "subject": sub, "expected": ex,
               "actual": ac, "message": m, "file": f, "file_href": source_href(f), "page": pg, "line": ln,
               "anchor": anchor(k, y)} for s, src, r, a, y, sub, ex, ac, m, f, pg, ln, k in q["failed"]]
    warnings = [{"agency": a, "year": y, "message": m, "file": f, "file_href": source_href(f), "anchor": anchor(k, y)}
                for a, y, m, f, k in q["warnings"]]
    rejected = [{"file": f, "message": m, "file_href": source_href(f)} for f, m in q["rejected"]]
    return failed, warnings, rejected


def _review_items(snapshot: Path, source_href, limit: int) -> dict:
    """The review queue's open items (publishing.review, the same as `govinfo review list`)."""
    from .review import queue

    items = queue(snapshot)
    return {"open": len(items), "items": [{**i.__dict__, "file_href": source_href(i.source_file),
                                          "place": f"p.{i.page}" if i.page is not None else
                                          f"l.{i.line}" if i.line is not None else ""} for i in items[:limit]]}


def _charts(q: dict) -> dict:
    colours = _outcomes()
    years = _chart("years", "requests per year by outcome", [
        (str(y), dict(zip(colours, (v or 0 for v in outcomes))), f"{n} reports, {received or 0} new requests")
        for y, n, received, *outcomes in q["per_year"]], colours)
    rules: dict[str, dict[str, int]] = {}
    for r, src, _, n in q["by_rule"]:
        rules.setdefault(r, {})[src] = rules.get(r, {}).get(src, 0) + n
    findings = _chart("findings", "findings by rule", [
        (r, parts, f"{sum(parts.values())}") for r, parts in sorted(rules.items(), key=lambda x: -sum(x[1].values()))],
        _SOURCES)
    return {"years_chart": years, "provinces_chart": _province_chart(q["coverage"]), "rules_chart": findings}


def render_overview(snapshot: Path, raw_dir: Path | None, out: Path, limit: int = LISTED,
                    layout: Layout | None = None, served_at: Path | None = None) -> dict:
    """Write the overview page from a published snapshot; returns the headline numbers.
    `layout`: the warehouse's, for links to its Data Docs and dbt docs; `served_at`: the path
    readers open the page at (`published/overview.html`, a link into the release it is
    written in), which its relative links start from."""
    q = _read(snapshot, limit)
    page = Path(served_at or out)

    def source_href(source_file: str | None) -> str | None:
        return _relative(Path(raw_dir) / source_file, page) if raw_dir is not None and source_file else None

    failed, warnings, rejected = _findings(q, source_href)
    review = _review_items(snapshot, source_href, limit)
    q["kpis"]["review_items"] = review["open"]
    published_at, run_id = q["published"]
    html_text = template("overview.html", strict=True).render(
        kpis=q["kpis"], counts=q["counts"], years=q["years"], links=_links(page, layout),
        published_at=published_at, run_id=run_id, generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M}",
        coverage=_coverage(q["coverage"], q["years"], source_href), failed=failed, warnings=warnings,
        rejected=rejected, review=review, by_rule=[{"rule": r, "source": src, "severity": sev, "n": n} for r, src, sev, n in q["by_rule"]],
        **_charts(q))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(html_text, encoding="utf-8")
    os.replace(tmp, out)
    return q["kpis"]
