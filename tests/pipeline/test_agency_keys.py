"""One agency, one key, across years and spellings (issue 12), through the real pipeline.

The landing folder holds two real reports of one district government that printed its name
two ways (洪泽区人民政府 2023, 淮安市洪泽区人民政府 2024: tests/fixtures/real), two
same-named districts of two cities, a bare 鼓楼区人民政府 whose contact line places it in
南京, two reports of a bare 朝阳区人民政府 that nothing places, and a department renamed in
机构改革 (聊城市国土资源局 2021 → 聊城市自然资源和规划局 2022). The overrides are tested by
a real `dbt build` on a copy of the project and the warehouse with reviewed rows added.
"""
import os
import random
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from corpus.render import Style, render
from corpus.truth import series
from ingestion.load.layout import Layout
from orchestration.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

from .conftest import run_job

REAL = Path(__file__).parents[1] / "fixtures" / "real"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    rng = random.Random(12)
    raw = tmp_path_factory.mktemp("agency_raw")
    for name in ("hongze_2023.pdf", "hongze_2024.pdf"):
        shutil.copy(REAL / name, raw / name)
    nanjing = series(rng, [2022, 2023], agency=("南京市鼓楼区人民政府", "南京市", "鼓楼区人民政府"))
    fuzhou = series(rng, [2022], agency=("福州市鼓楼区人民政府", "福州市", "鼓楼区人民政府"))
    chaoyang = series(rng, [2022, 2023], agency=("朝阳区人民政府", "朝阳区", "人民政府"))
    renamed = series(rng, [2021, 2022], agency=("聊城市国土资源局", "聊城市", "国土资源局"))
    renamed[1].agency = "聊城市自然资源和规划局"
    nanjing[1].agency = "鼓楼区人民政府"  # the 2023 title drops the city; its contact line names it
    files = {"gulou_nanjing_2022.txt": (nanjing[0], ""),
             "gulou_2023.txt": (nanjing[1], "\n联系地址：南京市中山北路8号\n"),
             "gulou_fuzhou_2022.txt": (fuzhou[0], ""),
             "chaoyang_2022.txt": (chaoyang[0], ""), "chaoyang_2023.txt": (chaoyang[1], ""),
             "guotu_2021.txt": (renamed[0], ""), "ziran_2022.txt": (renamed[1], "")}
    for name, (report, signature) in files.items():
        (raw / name).write_text(render(report, Style("cells"), rng) + signature, encoding="utf-8")
    db = tmp_path_factory.mktemp("agency_wh") / "govinfo.duckdb"
    mp = pytest.MonkeyPatch()
    result = run_job(raw, db, mp)
    yield raw, db, result
    mp.undo()


def _rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_real_alias_pair_is_one_agency_and_its_carryover_is_checked(keyed):
    _, db, result = keyed
    assert result.success
    agency = _rows(db, "SELECT agency_key, division_code, county_name, prefecture_name, n_aliases, report_years "
                       "FROM marts.dim_agency WHERE division_code = '320813'")
    assert agency == [("320813:人民政府", "320813", "洪泽区", "淮安市", 2, 2)]
    checked = _rows(db, "SELECT rule, year, passed FROM marts.rec_cross_year "
                        "WHERE agency_key = '320813:人民政府' AND rule = 'carryover'")
    assert checked == [("carryover", 2024, True)]


def test_same_named_districts_stay_apart_and_the_body_places_a_bare_name(keyed):
    _, db, _ = keyed
    gulou = dict(_rows(db, "SELECT agency_key, report_years FROM marts.dim_agency WHERE kind = '人民政府' "
                           "AND county_name = '鼓楼区'"))
    assert gulou == {"320106:人民政府": 2, "350102:人民政府": 1}
    how = _rows(db, "SELECT resolution FROM marts.dim_agency_alias WHERE alias_name = '鼓楼区人民政府'")
    assert how == [("body",)]
    assert _rows(db, "SELECT count(*) FROM marts.rec_cross_year WHERE agency_key = '320106:人民政府' "
                     "AND rule = 'carryover'") == [(1,)]


def test_what_nothing_places_is_never_merged_and_is_a_finding(keyed):
    _, db, _ = keyed
    keys = _rows(db, "SELECT agency_key, resolution, division_code FROM marts.dim_agency "
                     "WHERE agency_name = '朝阳区人民政府' ORDER BY 1")
    assert len(keys) == 2 and all(k.startswith("unresolved:") and r == "unresolved" and d is None
                                  for k, r, d in keys)
    findings = _rows(db, "SELECT year, finding_source FROM marts.data_quality_issues "
                         "WHERE rule = 'agency_unresolved' ORDER BY year")
    assert findings == [(2022, "extraction"), (2023, "extraction")]
    assert _rows(db, "SELECT count(*) FROM marts.rec_cross_year WHERE agency_name = '朝阳区人民政府'") == [(0,)]


def test_no_key_maps_to_two_divisions_and_every_mart_groups_by_division(keyed):
    _, db, _ = keyed
    for mart in ("fct_agency_year", "fct_report_cells", "fct_report_versions", "rec_within_report",
                 "fct_application_outcomes", "fct_review_litigation", "fct_active_disclosure", "data_quality_issues"):
        assert _rows(db, f"SELECT agency_key FROM marts.{mart} GROUP BY agency_key "
                         f"HAVING count(DISTINCT coalesce(division_code, '-')) > 1") == [], mart


def test_regions_add_up_at_every_level(keyed):
    _, db, _ = keyed
    totals = dict(_rows(db, "SELECT region_level, sum(reports) FROM marts.agg_region_year GROUP BY 1"))
    reports = _rows(db, "SELECT count(*) FROM marts.fct_agency_year")[0][0]
    assert totals["省级"] + totals.get("国家级", 0) + totals.get("未知", 0) == reports == 9
    county = dict(_rows(db, "SELECT region_code, sum(reports) FROM marts.agg_region_year "
                            "WHERE region_level = '县级' GROUP BY 1"))
    assert county == {"320813": 2, "320106": 2, "350102": 1}
    jiangsu = _rows(db, "SELECT sum(reports) FROM marts.agg_region_year WHERE region_code = '320000'")
    assert jiangsu == [(4,)]


def _dbt_build(project: Path, warehouse: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"GOVINFO_WAREHOUSE": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run([DBT_EXECUTABLE, "build", "--project-dir", str(project), "--profiles-dir", str(project)],
                          check=False, env=env, capture_output=True, text=True, timeout=600)


def _copy(keyed, tmp_path, overrides: str) -> tuple[Path, Path]:
    _, db, _ = keyed
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "seeds" / "agency_overrides.csv").write_text(overrides, encoding="utf-8")
    warehouse = tmp_path / "govinfo.duckdb"
    shutil.copy(db, warehouse)
    return project, warehouse


def test_reviewed_overrides_rename_and_place_agencies(keyed, tmp_path):
    before = _rows(keyed[1], "SELECT count(*) FROM marts.dim_agency WHERE prefecture_name = '聊城市'")
    assert before == [(2,)]  # 国土资源局 and 自然资源和规划局: two agencies until a maintainer says otherwise
    project, warehouse = _copy(keyed, tmp_path, (
        "match_on,match_value,division_code,kind,reason\n"
        "key,371500:国土资源局,,自然资源和规划局,机构改革 2019: 国土资源局 became 自然资源和规划局 (reviewed)\n"
        "name,朝阳区人民政府,110105,人民政府,the reports' site is www.bjchy.gov.cn (reviewed)\n"))
    done = _dbt_build(project, warehouse)
    assert done.returncode == 0, done.stdout[-3000:]
    liaocheng = _rows(warehouse, "SELECT agency_key, report_years, resolution FROM marts.dim_agency "
                                 "WHERE prefecture_name = '聊城市'")
    assert liaocheng == [("371500:自然资源和规划局", 2, "override")]
    assert _rows(warehouse, "SELECT year FROM marts.rec_cross_year WHERE agency_key = '371500:自然资源和规划局' "
                            "AND rule = 'carryover'") == [(2022,)]
    chaoyang = _rows(warehouse, "SELECT agency_key, county_name, report_years FROM marts.dim_agency "
                                "WHERE agency_name = '朝阳区人民政府'")
    assert chaoyang == [("110105:人民政府", "朝阳区", 2)]
    assert _rows(warehouse, "SELECT count(*) FROM marts.data_quality_issues WHERE rule = 'agency_unresolved'") == [(0,)]


def test_an_override_to_no_division_fails_the_build(keyed, tmp_path):
    project, warehouse = _copy(keyed, tmp_path, (
        "match_on,match_value,division_code,kind,reason\n"
        "name,朝阳区人民政府,999999,人民政府,a code no division has\n"
        "name,鼓楼区人民政府,,人民政府,a placement without a division\n"))
    done = _dbt_build(project, warehouse)
    assert done.returncode != 0
    assert "relationships_agency_overrides_division_code" in done.stdout
    assert "assert_overrides_place_fully" in done.stdout


@pytest.mark.parametrize("row, found", [
    ("name,福州市鼓楼区人民政府,320106,人民政府,a wrong city (reviewed in haste)",
     "a wrong city (reviewed in haste) puts 南京市鼓楼区人民政府 and 福州市鼓楼区人民政府 into one agency-year "
     "(320106:人民政府, 2022)"),
    ("document,abc123,110105,人民政府,a mistyped id", "document abc123 is no document of the warehouse")])
def test_an_override_that_merges_two_agencies_or_names_no_document_fails_naming_its_row(keyed, tmp_path, row, found):
    """The defect: a wrong name override put 福州's 鼓楼区 into 南京's; the 2022 agency-year
    of one vanished and the other carried its numbers. A document row with an unknown id was
    ignored without a word. Both fail the build, and the failure names the row."""
    from orchestration.defs.dbt import _explain_failure

    project, warehouse = _copy(keyed, tmp_path, f"match_on,match_value,division_code,kind,reason\n{row}\n")
    target = tmp_path / "target"
    done = subprocess.run([DBT_EXECUTABLE, "build", "--project-dir", str(project), "--profiles-dir", str(project),
                           "--target-path", str(target)], check=False, capture_output=True, text=True, timeout=600,
                          env=os.environ | {"GOVINFO_WAREHOUSE": str(warehouse)})
    assert done.returncode != 0, done.stdout[-2000:]
    (target / "dbt.log").write_text("the build's log", encoding="utf-8")
    said = _explain_failure(target, "run1", Layout(warehouse))
    assert found in said, said
    kept = tmp_path / "logs" / "dbt-run1.log"
    assert kept.read_text(encoding="utf-8") == "the build's log" and said.splitlines()[-1] == f"dbt log: {kept}"
