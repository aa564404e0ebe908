"""What a report's text states in numbers: found in sections 一, 五 and 六, read in every
way reports write them, matched to the cells they speak of, and skipped with a reason when
the sentence does not plainly speak of this report's table."""
import pytest

from corpus.prose import chinese
from ingestion.parser.prose import cn_number, own_scope, statements
from ingestion.parser.spec import all_fields

PRINTED = {f.field for f in all_fields()}


def said(body: str, year: int = 2023, printed=PRINTED) -> dict[str, tuple]:
    text = f"某某局2023年政府信息公开工作年度报告\n一、总体情况\n{body}\n二、主动公开政府信息情况\n表\n"
    return {s.key: (s.value, s.skipped) for s in statements(text, year, printed)}


@pytest.mark.parametrize("text,value", [("二十一", 21), ("一百零五", 105), ("十", 10), ("两千零三", 2003),
                                        ("1.2万", 12000), ("三万", 30000), ("95", 95)])
def test_numbers_are_read_as_reports_write_them(text, value):
    assert cn_number(text) == value


def test_the_generator_writes_chinese_numerals_the_reader_reads():
    assert all(cn_number(chinese(n)) == n for n in range(0, 1000))


@pytest.mark.parametrize("body,key,value", [
    ("2023年，共新收政府信息公开申请95件，办结90件。", "applications_received", 95),
    ("全年共收到二十一件依申请公开事项。", "applications_received", 21),
    ("全年未收到政府信息公开申请。", "applications_received", 0),
    ("因政府信息公开工作被申请行政复议3件，被提起行政诉讼2件。", "review", 3),
    ("因政府信息公开工作被申请行政复议3件，被提起行政诉讼2件。", "litigation", 2),
    ("本年度制发规范性文件5件，废止0件，现行有效规范性文件27件。", "normative_documents_repealed", 0),
    ("全年共办结申请10件，其中予以公开6件。", "applications_granted", 6),
    ("结转下年度继续办理4件。", "applications_carried_forward", 4),
])
def test_headline_statements_are_compared(body, key, value):
    assert said(body)[key] == (value, None)


@pytest.mark.parametrize("body,key,why", [
    ("主动公开政府信息4000余条。", "active_items", "a rounded number"),
    ("受理政府信息公开申请约30件。", "applications_received", "a rounded number"),
    ("全市共受理政府信息公开申请1340件。", "applications_received", "wider scope"),
    ("2022年受理政府信息公开申请12件。", "applications_received", "about 2022"),
    ("全年共办理政府信息公开申请20件。", "applications_received", "办理 may mean"),
    ("收到申请20件，其中，行政复议2件。", "review", "a part"),
    ("本年度未收取信息处理费。", "information_fee", "print no such number"),
    ("新收政府信息公开申请9件。新收政府信息公开申请12件。", "applications_received", "two numbers"),
])
def test_unclear_statements_are_skipped_with_the_reason(body, key, why):
    value, skipped = said(body)[key]
    assert skipped is not None and why in skipped


def test_a_cell_the_format_does_not_print_is_not_compared():
    without = PRINTED - {"active.normative_documents.issued"}
    assert "format prints no such cell" in said("制发规范性文件5件。", printed=without)["normative_documents_issued"][1]


def test_only_sections_one_five_and_six_are_read_even_when_flattened():
    flat = ("报告 一、总体情况 新收政府信息公开申请5件。 二、主动公开 三、收到和处理 一、本年新收政府信息公开申请数量 5 "
            "四、结转下年度继续办理 0 四、行政复议 行政复议9件。 五、存在的主要问题 无。 六、其他需要报告的事项 行政诉讼1件。")
    found = {s.key: (s.value, s.section) for s in statements(flat, 2023, PRINTED)}
    assert found == {"applications_received": (5, "一"), "litigation": (1, "六")}


@pytest.mark.parametrize("body", ["始终坚持办结一件申请、解决一个问题的工作理念。", "坚持“办结一件申请、解决一个问题”。"])
def test_a_number_in_a_slogan_is_no_statement(body):
    value, skipped = said(body)["applications_completed"]
    assert skipped == "a slogan or set phrase, not a statement"


def test_the_whole_divisions_statement_is_compared_in_that_divisions_own_report():
    """淮安市's report speaks for the city: its 全市 numbers are its own table's; a bureau's
    全市 may mean every department's and stays skipped."""
    text = ("淮安市人民政府2023年政府信息公开工作年度报告\n一、总体情况\n"
            "全市全年备案政府信息公开行政复议案件134件，行政诉讼案件57件。\n二、主动公开政府信息情况\n表\n")
    city = own_scope("人民政府", "市级", "淮安市")
    found = {s.key: (s.value, s.skipped) for s in statements(text, 2023, PRINTED, scope=city)}
    assert found == {"review": (134, None), "litigation": (57, None)}
    bureau = own_scope("公安局", "市级", "淮安市")
    assert all("wider scope" in s.skipped for s in statements(text, 2023, PRINTED, scope=bureau))
    assert own_scope("人民政府", "县级", "洪泽区") == {"全区"}
