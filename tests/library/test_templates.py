"""The report templates are data (ingestion/parser/templates/*.toml), checked against the
field spec when loaded: anything unmapped raises, nothing is silently left out."""
import pytest

from ingestion.parser import template as tmpl
from ingestion.parser.rules import rule_terms
from ingestion.parser.spec import all_fields, field_names, measures, outcome_measures, outcome_rows


def test_2021_template_makes_exactly_the_207_contract_cells():
    t = tmpl.load("2021")
    assert set(t.fields) == set(field_names()) and len(field_names()) == 207
    assert not t.extra_fields


def test_2019_template_has_its_own_section_2_cells():
    t = tmpl.load("2019")
    assert all(f.startswith("active_2019.") for f in t.extra_fields)
    assert {"active_2019.procurement.amount", "active_2019.other_services.decisions"} <= set(t.extra_fields)
    assert not any(f.startswith("active.") for f in t.fields)  # never the 2021 names
    assert set(t.fields) | set(field_names()) == {f.field for f in all_fields()}


def test_the_contracts_outcome_groups_are_the_rows_the_total_sums():
    """fields.csv's outcome_group marks exactly the rows the template's （七）总计 rule adds up,
    and the outcome measures sum each of their 总计 cells once."""
    summed = {t.field.split(".")[1] for t in rule_terms() if t.rule == "outcome_sum" and t.side == "expected"}
    assert summed == set(outcome_rows())
    totals = [f.field for m in outcome_measures() for f in measures()[m]]
    assert sorted(totals) == sorted(f"applications.{r}.total" for r in outcome_rows())


def test_each_measure_sums_cells_of_one_unit():
    for name, cells in measures().items():
        assert len({f.unit for f in cells}) == 1, name


def test_both_templates_share_sections_3_and_4_and_their_rules():
    a, b = tmpl.load("2021"), tmpl.load("2019")
    assert a.checks() == b.checks()
    assert len(rule_terms()) == 386
    assert {c.rule for c in a.checks()} == {"balance", "outcome_sum", "row_total", "review_total"}


def _data(version="2021") -> dict:
    return tmpl._raw(version)


def test_a_row_naming_an_unknown_field_raises():
    data = _data()
    data["applications"]["rows"][0] = {**data["applications"]["rows"][0], "row": "new_recieved"}
    with pytest.raises(tmpl.TemplateError, match="not in the spec"):
        tmpl._validate(tmpl._build(data), "fields.csv")


def test_a_spec_cell_no_row_makes_raises():
    data = _data()
    data["applications"]["rows"] = [r for r in data["applications"]["rows"] if r["row"] != "rejected_duplicate"]
    with pytest.raises(tmpl.TemplateError, match="no row makes"):
        tmpl._validate(tmpl._build(data), "fields.csv")


def test_a_rule_on_an_unknown_cell_raises():
    data = _data()
    data["rules"][0] = {**data["rules"][0], "actual": ["applications.total_processed.{col}", "applications.nope.{col}"]}
    with pytest.raises(tmpl.TemplateError, match="unknown fields"):
        tmpl._validate(tmpl._build(data), "fields.csv")


def test_a_label_variant_is_a_data_change(tmp_path):
    """Adding a way real reports print a row is an edit of the template file."""
    data = _data()
    row = next(r for r in data["applications"]["rows"] if r["row"] == "rejected_duplicate")
    row["labels"] = [*row["labels"], "重复提出申请"]
    t = tmpl._validate(tmpl._build(data), "fields.csv")
    assert "重复提出申请" in next(r for r in t.rows if r.name == "rejected_duplicate").labels
