"""`govinfo browse`: Datasette over the published marts, tried the way an analyst uses it, in
headless Chromium: a table with its descriptions and facets, a row's own URL, CSV export,
and the analysts' documented queries as canned queries that give the rows DuckDB gives."""
import json
import re
import sqlite3
import urllib.request

import duckdb
import pytest

pytestmark = pytest.mark.slow  # a headless browser and a web server

from publishing.browse import ANALYSTS_DOC, DATABASE, command, documented_queries, prepare  # noqa: E402

from .conftest import dump_dom, serving  # noqa: E402

# the one documented query SQLite cannot run as DuckDB does, and why
NOT_CANNED = {"03-agencies-whose-carry-over-never-chains"}


def _same(rows):
    return [tuple(round(v, 6) if isinstance(v, float) else int(v) if isinstance(v, bool) else v for v in r)
            for r in rows]


@pytest.fixture(scope="module")
def served(built, tmp_path_factory):
    _, _, db, _ = built
    sqlite, meta = prepare(db.parent / "published", progress=lambda _: None)
    with serving(lambda port: command(sqlite, meta, "127.0.0.1", port),
                 lambda port: f"http://127.0.0.1:{port}/{DATABASE}.json") as port:
        yield db, sqlite, meta, f"http://127.0.0.1:{port}/{DATABASE}"


def test_the_copy_holds_every_mart_with_its_descriptions(served):
    db, sqlite, meta, _ = served
    snapshot = db.parent / "published" / "govinfo.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as duck, sqlite3.connect(sqlite) as lite:
        marts = [r[0] for r in duck.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()]
        assert len(marts) >= 10
        for table in marts:
            n = duck.execute(f"SELECT count(*) FROM marts.{table}").fetchall()[0][0]
            assert lite.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0] == n, table
        described = dict(duck.execute("SELECT column_name, comment FROM duckdb_columns() WHERE schema_name = 'marts' "
                                      "AND table_name = 'fct_agency_year' AND comment <> ''").fetchall())
    tables = json.loads(meta.read_text(encoding="utf-8"))["databases"][DATABASE]["tables"]
    assert tables["fct_agency_year"]["columns"] == described and len(described) > 10
    assert {"agency_name", "year", "rule"} <= set(tables["rec_within_report"]["facets"])
    assert "province_name" in tables["agg_region_year"]["facets"]


def test_every_documented_query_is_canned_and_gives_duckdbs_rows(served):
    db, sqlite, meta, _ = served
    queries = documented_queries(ANALYSTS_DOC)
    canned = json.loads(meta.read_text(encoding="utf-8"))["databases"][DATABASE]["queries"]
    assert {q.name for q in queries if not q.sqlite_sql} == NOT_CANNED
    assert set(canned) == {q.name for q in queries} - NOT_CANNED and len(canned) >= 10
    with duckdb.connect(str(db.parent / "published" / "govinfo.duckdb"), read_only=True) as duck, \
            sqlite3.connect(sqlite) as lite:
        for q in queries:
            if q.sqlite_sql:
                assert _same(lite.execute(q.sqlite_sql).fetchall()) == _same(duck.execute(q.duckdb_sql).fetchall()), q.name


def test_an_analyst_filters_facets_opens_a_row_and_exports_csv_in_chromium(served, tmp_path):
    db, _, _, base = served
    page = dump_dom(f"{base}/rec_within_report?passed=0&finding_source=agency", tmp_path)
    assert "天津市商务局" in page and "review_total" in page  # the planted break, filtered to
    assert {"agency_name", "year", "rule"} <= set(re.findall(r'data-column="(\w+)"', page))
    assert 'data-column-description="' in page
    local = base.rsplit("/", 1)[0]
    assert not [u for u in re.findall(r'src="(https?://[^"]+)"', page) if not u.startswith(local)]  # no network
    row = dump_dom(f"{base}/fct_agency_year/1", tmp_path)  # every row has a URL
    assert "agency_name" in row and "聊城市教育局" in dump_dom(f"{base}/fct_agency_year?agency_name=聊城市教育局", tmp_path)
    query = dump_dom(f"{base}/02-reports-whose-own-numbers-don-t", tmp_path)
    assert "天津市商务局" in query
    csv = urllib.request.urlopen(f"{base}/fct_agency_year.csv?_size=max", timeout=30).read().decode("utf-8")
    with duckdb.connect(str(db.parent / "published" / "govinfo.duckdb"), read_only=True) as con:
        assert len(csv.strip().splitlines()) - 1 == con.execute("SELECT count(*) FROM marts.fct_agency_year").fetchall()[0][0]
