"""Agency and year from every title form real reports print, or from what the page says of
itself; a name that is not an agency's is never taken."""
import pytest

from ingestion.parser.document import Document
from ingestion.parser.meta import AgencyUnknown, agency_and_year as _agency_and_year


def agency_and_year(text: str, warnings: list[str] | None = None, hints: dict | None = None):
    return _agency_and_year(Document(format="txt", text=text, hints=hints or {}), [] if warnings is None else warnings)


BODY = "根据《条例》规定，现向社会公布本报告。\n一、总体情况\n本年度工作平稳。\n"


def test_title_wrapped_mid_name_in_pdf_text():
    text = ("首页 > 政务公开 > 年度报告\n索引号 895977800/2022-\n发布机\n构\n政务公开\n"
            "大同市公\n安局 2022 年度政府信息公开工作年度报告\n根据《条例》规定，现向社会公布。\n")
    assert agency_and_year(text) == ("大同市公安局", 2022)


def test_a_copy_cut_after_its_first_lines_takes_no_title_line_for_a_signature():
    # the last lines of a short copy are its title's own wrapped lines: 吐鲁番市 there is
    # the place of the title's name, not a signature that names another agency
    text = ("首页 > 政务公开 > 年度报告\n发布机构 吐鲁番市市场监督管理局\n吐鲁番市\n市场监督管理局\n"
            "2023 年政府信息公开工作年度报告\n根据《条例》规定，现向社会公布 2023 年\n一、总体情况\n2023 年，我单位")
    warnings = []
    assert agency_and_year(text, warnings) == ("吐鲁番市市场监督管理局", 2023)
    assert not any("signature" in w for w in warnings)


def test_hijacked_title_wrapped_mid_name_recovers_the_place():
    spam = "365bet 网上娱乐_365BETAPP 官网_365 体育平台网址"
    text = (f"政务公开\n{spam}公\n安局 2022 年度政府信息公开工作年度报告\n根据《条例》规定。\n"
            "一、总体情况\n2022年大同公安网总访问量12345次。\n")
    warnings = []
    assert agency_and_year(text, warnings) == ("大同市公安局", 2022)
    assert any("spam" in w for w in warnings)


def test_hijacked_title_wrapped_inside_the_spam_before_a_market_regulator():
    # 网|址 broken over the line: 址市场监督管理局 looks like a place (址市) ending in 局, but
    # 市场 is the kind's word; the name is read upward, the spam cut, the place recovered
    text = ("关于 365bet 网上娱乐_365BETAPP 官网_365 体育平台网\n址市场监督管理局二〇二二年政府信息公开工作的年度报告\n"
            "根据《条例》规定。\n一、总体情况\n2022年牡丹江市场监督管理网总访问量235234次。\n"
            "牡丹江市市场监督管理局\n2023年1月24日\n")
    warnings = []
    assert agency_and_year(text, warnings) == ("牡丹江市市场监督管理局", 2022)
    assert any("spam" in w for w in warnings)


def test_kind_words_with_level_characters_are_not_places():
    # 城乡 and 市场 contain 乡 and 市: the name is still incomplete without its place
    text = "临沂市住房和\n城乡建设局2023年政府信息公开工作年度报告\n"
    assert agency_and_year(text)[0] == "临沂市住房和城乡建设局"


def test_chinese_numeral_year_and_county_outside_the_gazetteer():
    text = "莘县人民政府办公室\n二〇二三年政府信息公开工作年度报告\n"
    assert agency_and_year(text) == ("莘县人民政府办公室", 2023)


@pytest.mark.parametrize("title", [
    "2023年聊城市教育局政府信息公开工作年度报告",
    "聊城市教育局2023年度政府信息公开工作年度报告",
    "关于聊城市教育局2023年政府信息公开工作的年度报告",
    "聊城市教育局关于2023年度政府信息公开工作年度报告",
    "# 聊城市教育局2023年政府信息公开工作年度报告",
    "聊城市教育局\n\n2023 年政府信息公开工作年度报告",
])
def test_every_title_form(title):
    assert agency_and_year(f"{title}\n{BODY}") == ("聊城市教育局", 2023)


def test_cms_metadata_line_never_leaks_into_the_name():
    text = "标题：2023年聊城市教育局政府信息公开工作年度报告\n发布机构：聊城市教育局\n" + BODY
    assert agency_and_year(text) == ("聊城市教育局", 2023)


def test_title_behind_page_furniture_on_one_line():
    text = ("首页 > 政务公开 > 年度报告索引号1/2023-5 发布机构聊城市教育局发文日期2024-01-20主题分类 政务公开 "
            "聊城市教育局 2023年度政府信息公开工作年度报告\n" + BODY)
    assert agency_and_year(text) == ("聊城市教育局", 2023)


def test_agency_only_in_the_body_or_the_signature():
    warnings = []
    text = "2023年政府信息公开工作年度报告\n本报告由聊城市教育局编制。" + BODY
    assert agency_and_year(text, warnings) == ("聊城市教育局", 2023)
    assert any("本报告由" in w for w in warnings)
    text = "2023年政府信息公开工作年度报告\n" + BODY + "\n聊城市教育局\n2024年1月15日\n"
    assert agency_and_year(text) == ("聊城市教育局", 2023)
    assert agency_and_year("2023年政府信息公开工作年度报告\n" + BODY, hints={"publisher": "聊城市教育局"})[0] == "聊城市教育局"


def test_a_sentence_is_never_an_agency():
    text = "根据条例规定，现将2023年政府信息公开工作年度报告公布如下\n" + BODY
    with pytest.raises(AgencyUnknown):
        agency_and_year(text)


def test_year_from_an_explicit_statistics_period_only():
    text = "聊城市教育局政府信息公开工作年度报告\n本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。\n"
    warnings = []
    assert agency_and_year(text, warnings) == ("聊城市教育局", 2023)
    assert agency_and_year("聊城市教育局政府信息公开工作年度报告\n2023年1月1日，2023年5月1日，2022年1月1日。\n")[1] is None


SIGNED = "根据《条例》规定，现向社会公布本报告。本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。\n" \
         "一、总体情况\n本年度工作平稳。\n十堰市民政局\n2024年1月18日\n"


def test_a_sidebar_of_earlier_reports_does_not_give_the_year():
    text = "首页 > 信息公开 > 年度报告\n2022年政府信息公开工作年度报告\n十堰市民政局2023年政府信息公开工作年度报告\n" + SIGNED
    assert agency_and_year(text) == ("十堰市民政局", 2023)


@pytest.mark.parametrize("above", ["十堰市人民政府门户网站", "十堰市人民政府", "湖北省人民政府"])
def test_a_banner_above_a_title_without_the_agency_is_not_the_agency(above):
    text = f"{above}\n2023年政府信息公开工作年度报告\n" + SIGNED
    assert agency_and_year(text) == ("十堰市民政局", 2023)


@pytest.mark.parametrize("footer", ["十堰市人民政府办公室 主办 十堰市大数据中心 承办", "十堰市大数据中心"])
def test_a_site_footer_after_the_signature_is_not_the_agency(footer):
    text = "2023年政府信息公开工作年度报告\n" + SIGNED + footer + "\n"
    assert agency_and_year(text) == ("十堰市民政局", 2023)


@pytest.mark.parametrize("title", ["十堰市人民政府 十堰市民政局 2023年度政府信息公开工作年度报告",
                                   "市民政局2023年度政府信息公开工作年度报告",
                                   "民政局2023年度政府信息公开工作年度报告"])
def test_a_letterhead_or_a_placeless_title_gives_the_whole_name(title):
    assert agency_and_year(title + "\n" + SIGNED) == ("十堰市民政局", 2023)
