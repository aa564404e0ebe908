"""A static HTML overview of the warehouse for maintainers and editors: coverage by province
(a bar chart) and by agency and year, failed rules, rejected documents, each with a link to
its source file.

One self-contained page (no server, no external assets), written atomically beside the
snapshot (`published/overview.html`). The numbers come from the published marts, so the
page and the snapshot always agree.
"""
from __future__ import annotations

import hashlib
import html
import itertools
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingestion.layout import Layout
from ingestion.parser.spec import outcome_measures
from ingestion.warehouse import duckdb_config

from .counts import failed_rules, rejected_documents

_STYLE = """body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td.name,th.name{text-align:left}td.miss{background:#f4f4f4;color:#999}td.bad{background:#fde2e2}td.doubt{background:#fff6d6}
.kpi{display:inline-block;margin-right:2em}.kpi b{display:block;font-size:1.8em}"""


def _e(v) -> str:
    return "" if v is None else html.escape(str(v))


def _link(raw_dir: Path | None, source_file: str | None) -> str:
    if not source_file:
        return ""
    if raw_dir is None:
        return _e(source_file)
    return f'<a href="{_e((Path(raw_dir) / source_file).resolve().as_uri())}">{_e(source_file)}</a>'


_BAR = {"with findings": "#d9534f", "read with doubt": "#f0ad4e", "clean": "#5cb85c"}
_OUTCOME_COLOURS = ("#5cb85c", "#9fd89f", "#d9534f", "#f0ad4e", "#999999", "#5bc0de", "#337ab7", "#8e6c8a")
_SOURCES = {"agency": "#d9534f", "extraction": "#f0ad4e", "file": "#777777"}


def _outcomes() -> dict[str, str]:
    """The measures that split （七）总计 by outcome (the contract's), each with its colour."""
    return dict(zip(outcome_measures(), itertools.cycle(_OUTCOME_COLOURS)))


def _bars(chart_id: str, label: str, rows: list[tuple[str, dict[str, int], str]], colours: dict[str, str]) -> str:
    """Horizontal stacked bars as an inline SVG (the page stays one file that opens without a
    network): `rows` are (label, count per part, the text after the bar)."""
    if not rows:
        return "<p>Nothing to show yet.</p>"
    most, width, row = max(sum(parts.values()) for _, parts, _ in rows) or 1, 420, 22
    out = []
    for i, (name, parts, note) in enumerate(rows):
        y, x = i * row, 130
        out.append(f'<text x="124" y="{y + 15}" text-anchor="end">{_e(name)}</text>')
        for part, colour in colours.items():
            w = parts.get(part, 0) * width / most
            if w:
                out.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{colour}">'
                           f'<title>{_e(name)}: {parts[part]} {part}</title></rect>')
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + 15}">{_e(note)}</text>')
    legend = " ".join(f'<span style="color:{c}">■</span> {_e(p.replace("_", " "))}' for p, c in colours.items())
    return (f'<svg id="{chart_id}" xmlns="http://www.w3.org/2000/svg" width="{130 + width + 280}" '
            f'height="{len(rows) * row}" font-size="12" role="img" aria-label="{_e(label)}">{"".join(out)}</svg>'
            f'<p class="legend">{legend}</p>')


def _province_chart(coverage: list[tuple]) -> str:
    """One bar per province, split by what its reports hold."""
    by: dict[str, dict[str, int]] = {}
    agencies: dict[str, set] = {}
    for _, province, _, _, issues, extraction, key in coverage:
        part = "with findings" if issues else "read with doubt" if extraction == "uncertain" else "clean"
        by.setdefault(province, dict.fromkeys(_BAR, 0))[part] += 1
        agencies.setdefault(province, set()).add(key)
    order = sorted(by, key=lambda p: (-sum(by[p].values()), p))
    return _bars("provinces", "reports by province", [
        (p, by[p], f"{sum(by[p].values())} reports, {len(agencies[p])} agencies, {by[p]['with findings']} with findings")
        for p in order], _BAR)


def finding_anchor(key, year) -> str:
    """The id of an agency-year's first finding on the page (alerts link to it too)."""
    return "ay-" + hashlib.md5(f"{key}|{year}".encode()).hexdigest()[:12]


def _links(out: Path, layout: Layout | None) -> str:
    """Where to look next, as links relative to the page (they work offline and wherever the
    warehouse folder is served): GX Data Docs, dbt docs when built, the Dagster UI when
    GOVINFO_DAGSTER_URL says where it is."""
    targets = [("Great Expectations Data Docs", layout.data_docs_index), ("dbt docs", layout.dbt_docs_index)
               ] if layout else []
    links = [f'<a href="{_e(os.path.relpath(os.path.abspath(t), Path(os.path.abspath(out)).parent))}">{name}</a>'
             for name, t in targets if t.exists()]
    if os.environ.get("GOVINFO_DAGSTER_URL"):
        links.append(f'<a href="{_e(os.environ["GOVINFO_DAGSTER_URL"])}">Dagster</a>')
    return " · ".join(links) or "Data Docs and dbt docs: not built yet (make docs)"


def _read(snapshot: Path, limit: int) -> dict:
    """Everything the page shows, read from the snapshot in one connection."""
    con = duckdb.connect(str(snapshot), read_only=True, config=duckdb_config())
    try:
        one = lambda sql: con.execute(sql).fetchall()[0][0]
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
            "years": [r[0] for r in con.execute("SELECT DISTINCT year FROM marts.fct_agency_year ORDER BY 1").fetchall()],
            "coverage": con.execute("""
                SELECT a.agency_name, coalesce(a.province_name, CASE a.level WHEN '国家级' THEN '国家级' END, '未解析'),
                       f.year, f.source_file,
                       (SELECT count(*) FROM marts.data_quality_issues i
                        WHERE i.agency_key = f.agency_key AND i.year = f.year AND i.severity <> 'info'
                          AND i.finding_source = 'agency') AS issues,
                       f.extraction_status, a.agency_key
                FROM marts.dim_agency a JOIN marts.fct_agency_year f USING (agency_key)
                ORDER BY a.province_code NULLS LAST, a.agency_name, a.agency_key, f.year""").fetchall(),
            "by_rule": con.execute("""SELECT rule, finding_source, severity, count(*) FROM marts.data_quality_issues
                                      GROUP BY ALL ORDER BY count(*) DESC, rule""").fetchall(),
            "per_year": con.execute(f"""
                SELECT year, count(*), sum(new_received), {", ".join(f"sum({o})" for o in _outcomes())}
                FROM marts.fct_agency_year GROUP BY year ORDER BY year""").fetchall(),
            "failed": con.execute(f"""
                SELECT severity, finding_source, rule, agency_name, year, subject, expected, actual, message,
                       source_file, page, agency_key
                FROM marts.data_quality_issues WHERE rule NOT IN ('rejected_document', 'parse_warning')
                ORDER BY finding_source, CASE severity WHEN 'error' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, rule,
                         agency_name, year
                LIMIT {limit}""").fetchall(),
            "rejected": con.execute(f"""SELECT source_file, message FROM marts.data_quality_issues
                                       WHERE rule = 'rejected_document' ORDER BY source_file LIMIT {limit}""").fetchall(),
            "warnings": con.execute(f"""SELECT agency_name, year, message, source_file, agency_key
                                       FROM marts.data_quality_issues WHERE rule = 'parse_warning'
                                       ORDER BY agency_name, year, message LIMIT {limit}""").fetchall(),
            "published": con.execute("SELECT published_at, run_id FROM main.publication").fetchall()[0],
        }
    finally:
        con.close()


def _coverage_rows(coverage, years: list[int], raw_dir: Path | None) -> list[str]:
    """One table row per agency: a cell per year, linking to its findings or its file."""
    cells: dict[tuple[str, str, str], dict[int, tuple[str, int, str]]] = {}
    for name, province, year, source, issues, extraction, key in coverage:
        cells.setdefault((name, province, key), {})[year] = (source, issues, extraction)
    rows = []
    for (name, province, key), by_year in cells.items():
        tds = []
        for y in years:
            if y not in by_year:
                tds.append('<td class="miss">—</td>')
            else:
                source, issues, extraction = by_year[y]
                cls = ' class="bad"' if issues else ' class="doubt"' if extraction == "uncertain" else ""
                label = f"{issues} issue{'s' if issues != 1 else ''}" if issues else "✓"
                if extraction == "uncertain":
                    label += " ?"  # some cells could not be read with certainty (extraction, not the agency)
                if issues:  # to the findings, not the raw file
                    href = f'<a href="#{finding_anchor(key, y)}">{label}</a>'
                else:
                    href = _link(raw_dir, source).replace(f">{_e(source)}<", f">{label}<") if source else label
                tds.append(f"<td{cls}>{href}</td>")
        rows.append(f'<tr><td class="name">{_e(name)}</td><td class="name">{_e(province)}</td>{"".join(tds)}</tr>')
    return rows


def _first_finding_anchors():
    """row_id(key, year): the id attribute of an agency-year's first finding, which its
    coverage cell links to; "" for the rest."""
    anchored: set[str] = set()

    def row_id(key, year) -> str:
        anchor = finding_anchor(key, year)
        if key is None or anchor in anchored:
            return ""
        anchored.add(anchor)
        return f' id="{anchor}"'
    return row_id


def render_overview(snapshot: Path, raw_dir: Path | None, out: Path, limit: int = 500,
                    layout: Layout | None = None, served_at: Path | None = None) -> dict:
    """Write the overview page from a published snapshot; returns the headline numbers.
    `layout`: the warehouse's, for links to its Data Docs and dbt docs; `served_at`: the path
    readers open the page at (`published/overview.html`, a link into the release it is
    written in), which its relative links start from."""
    q = _read(snapshot, limit)
    kpis, coverage, by_rule = q["kpis"], q["coverage"], q["by_rule"]
    failed, rejected, published = q["failed"], q["rejected"], q["published"]
    rows = _coverage_rows(coverage, q["years"], raw_dir)
    row_id = _first_finding_anchors()
    colours = _outcomes()
    years_chart = _bars("years", "requests per year by outcome", [
        (str(y), dict(zip(colours, (v or 0 for v in outcomes))), f"{n} reports, {received or 0} new requests")
        for y, n, received, *outcomes in q["per_year"]], colours)
    rules: dict[str, dict[str, int]] = {}
    for r, src, _, n in by_rule:
        rules.setdefault(r, {})[src] = rules.get(r, {}).get(src, 0) + n
    rules_chart = _bars("findings", "findings by rule", [
        (r, parts, f"{sum(parts.values())}") for r, parts in sorted(rules.items(), key=lambda x: -sum(x[1].values()))],
        _SOURCES)
    years = q["years"]
    kpi_html = "".join(f'<div class="kpi" id="kpi-{k}"><b>{v}</b>{k.replace("_", " ")}</div>' for k, v in kpis.items())
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>govinfo overview</title><style>{_STYLE}</style></head><body>
<h1>govinfo: government information-disclosure annual reports</h1>
<p>Published {_e(published[0])} UTC by run <code>{_e(published[1])}</code>;
generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>
<section id="kpis">{kpi_html}</section>
<p id="links">{_links(served_at or out, layout)}</p>
<h2>Requests per year, by outcome</h2>
{years_chart}
<h2>Coverage and findings by province</h2>
<p>Reports (agency-years) per province: with findings of the agency's own arithmetic (red), read
with uncertain cells (yellow), clean (green). 国家级: national bodies; 未解析: agencies not placed
in a division (see the agency_unresolved findings).</p>
{_province_chart(coverage)}
<h2>Coverage by agency and year</h2>
<table id="coverage"><tr><th class="name">agency</th><th class="name">province</th>{"".join(f"<th>{y}</th>" for y in years)}</tr>
{"".join(rows)}</table>
<h2>Findings by rule</h2>
<p>A cell marked <b>?</b> holds cells the parser could not read with certainty (left blank): its
extraction findings are not the agency's error and are listed apart below.</p>
{rules_chart}
<table id="rules"><tr><th class="name">rule</th><th class="name">source</th><th class="name">severity</th><th>count</th></tr>
{"".join(f'<tr><td class="name">{_e(r)}</td><td class="name">{_e(src)}</td><td class="name">{_e(s)}</td><td>{n}</td></tr>'
         for r, src, s, n in by_rule)}</table>
<h2>Failed rules and other findings</h2>
<table id="failed"><tr><th class="name">severity</th><th class="name">source</th><th class="name">rule</th>
<th class="name">agency</th><th>year</th>
<th class="name">subject</th><th>expected</th><th>actual</th><th class="name">message</th><th class="name">file</th><th>page</th></tr>
{"".join(f'<tr{row_id(k, y)}><td class="name">{_e(s)}</td><td class="name">{_e(src)}</td><td class="name">{_e(r)}</td>'
         f'<td class="name">{_e(a)}</td><td>{_e(y)}</td>'
         f'<td class="name">{_e(sub)}</td><td>{_e(ex)}</td><td>{_e(ac)}</td><td class="name">{_e(m)}</td>'
         f'<td class="name">{_link(raw_dir, f)}</td><td>{_e(pg)}</td></tr>'
         for s, src, r, a, y, sub, ex, ac, m, f, pg, k in failed)}</table>
<h2>Parser warnings</h2>
<p>What the parser noticed while reading a report (a spam title, a column not printed, a row it
could not place): our reading's notes, not the agency's errors.</p>
<table id="warnings"><tr><th class="name">agency</th><th>year</th><th class="name">warning</th><th class="name">file</th></tr>
{"".join(f'<tr{row_id(k, y)}><td class="name">{_e(a)}</td><td>{_e(y)}</td><td class="name">{_e(m)}</td>'
         f'<td class="name">{_link(raw_dir, f)}</td></tr>' for a, y, m, f, k in q["warnings"])}</table>
<h2>Rejected documents</h2>
<table id="rejected"><tr><th class="name">file</th><th class="name">reason</th></tr>
{"".join(f'<tr><td class="name">{_link(raw_dir, f)}</td><td class="name">{_e(m)}</td></tr>' for f, m in rejected)}</table>
</body></html>
"""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return kpis
