"""Agency and year from titles as real text layers print them."""
from ingestion.parser.document import Document
from ingestion.parser.meta import agency_and_year as _agency_and_year


def agency_and_year(text: str, warnings: list[str]):
    return _agency_and_year(Document(format="txt", text=text), warnings)


def test_title_wrapped_mid_name_in_pdf_text():
    text = ("首页 > 政务公开 > 年度报告\n索引号 895977800/2022-\n发布机\n构\n政务公开\n"
            "大同市公\n安局 2022 年度政府信息公开工作年度报告\n根据《条例》规定，现向社会公布。\n")
    assert agency_and_year(text, []) == ("大同市公安局", 2022)


def test_hijacked_title_wrapped_mid_name_recovers_the_place():
    spam = "365bet 网上娱乐_365BETAPP 官网_365 体育平台网址"
    text = (f"政务公开\n{spam}公\n安局 2022 年度政府信息公开工作年度报告\n根据《条例》规定。\n"
            "一、总体情况\n2022年大同公安网总访问量12345次。\n")
    warnings = []
    assert agency_and_year(text, warnings) == ("大同市公安局", 2022)
    assert any("spam" in w for w in warnings)


def test_kind_words_with_level_characters_are_not_places():
    # 城乡 and 市场 contain 乡 and 市: the name is still incomplete without its place
    text = "临沂市住房和\n城乡建设局2023年政府信息公开工作年度报告\n"
    assert agency_and_year(text, [])[0] == "临沂市住房和城乡建设局"


def test_chinese_numeral_year_and_county_outside_the_gazetteer():
    text = "莘县人民政府办公室\n二〇二三年政府信息公开工作年度报告\n"
    assert agency_and_year(text, []) == ("莘县人民政府办公室", 2023)
