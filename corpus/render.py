"""Print a `Report` as text the way exported reports look, quirks included.

Shapes: `cells` (Word export: one cell per line after a TAB, blank line between rows),
`tabs` (PDF text extraction: TAB-separated rows) and `pipes` (HTML to text). Quirks are
chosen per document and recorded in the gold's notes. The format's labels are written out
here as the official format prints them, independently of the parser's template files:
a generator that read the parser's templates would share their blind spots. Typos are
drawn at random (a character doubled, dropped, swapped with its neighbour or replaced),
never from a list of known ones.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

from ingestion.parser.spec import APPLICANT_COLS

from .prose import headline
from .truth import Report

SHAPES = ("cells", "tabs", "pipes")
QUIRKS = ("blank_applicants", "no_other_column", "heji", "typos", "mislabel_carried_over", "fold_other",
          "wrapped_labels", "bookmarks", "cn_year", "split_title", "spam_title", "fullwidth_digits",
          "blank_outcomes", "prose_numbers", "fees_decimal", "qualified_header", "split_tables")
# how the title names the agency and year (the report is the same whatever the form)
TITLE_FORMS = ("name_then_year", "one_line", "year_first", "guanyu", "agency_guanyu", "split", "cms", "body_only")

# table 三 rows: (level-1 label, level-2 label, level-3 label, row name)
APPLICATION_ROWS = [
    ("一、本年新收政府信息公开申请数量", None, None, "new_received"),
    ("二、上年结转政府信息公开申请数量", None, None, "carried_over"),
    ("三、本年度办理结果", "（一）予以公开", None, "granted"),
    (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "partially_granted"),
    (None, "（三）不予公开", "1.属于国家秘密", "withheld_state_secret"),
    (None, None, "2.其他法律行政法规禁止公开", "withheld_prohibited_by_law"),
    (None, None, "3.危及“三安全一稳定”", "withheld_security_stability"),
    (None, None, "4.保护第三方合法权益", "withheld_third_party_rights"),
    (None, None, "5.属于三类内部事务信息", "withheld_internal_affairs"),
    (None, None, "6.属于四类过程性信息", "withheld_process_information"),
    (None, None, "7.属于行政执法案卷", "withheld_enforcement_case_file"),
    (None, None, "8.属于行政查询事项", "withheld_administrative_query"),
    (None, "（四）无法提供", "1.本机关不掌握相关政府信息", "unavailable_not_held"),
    (None, None, "2.没有现成信息需要另行制作", "unavailable_needs_creation"),
    (None, None, "3.补正后申请内容仍不明确", "unavailable_unclear"),
    (None, "（五）不予处理", "1.信访举报投诉类申请", "rejected_petition"),
    (None, None, "2.重复申请", "rejected_duplicate"),
    (None, None, "3.要求提供公开出版物", "rejected_publication"),
    (None, None, "4.无正当理由大量反复申请", "rejected_excessive"),
    (None, None, "5.要求行政机关确认或重新出具已获取信息", "rejected_confirmation"),
    (None, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
    (None, None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_unpaid_fee"),
    (None, None, "3.其他", "other_other"),
    (None, "（七）总计", None, "total_processed"),
    ("四、结转下年度继续办理", None, None, "carried_forward"),
]
TYPO_RATE = 0.35  # share of a typo-quirk document's labels that carry one
# characters a wrong keystroke or a wrong IME candidate puts in a label
_STRAY = "的了度期年不事项申请政府信息公开行法规机关处理其他业务"
SPAM = "365bet网上娱乐_365BETAPP官网_365体育平台网址"
_CN = "〇一二三四五六七八九"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Style:
    shape: str
    quirks: set[str] = field(default_factory=set)
    title: str = ""  # a TITLE_FORMS entry; "" draws name_then_year or one_line
    seed: int = 0  # picks this document's typos

    def has(self, q: str) -> bool:
        return q in self.quirks


def _num(v, style: Style) -> str:
    if v is None:
        return ""
    s = f"{v:g}" if isinstance(v, float) else str(v)
    return s.translate(_FULLWIDTH) if style.has("fullwidth_digits") else s


def typo(text: str, rng: random.Random) -> str:
    """One random slip in the words of a label (its enumerator such as 2. or （三） kept)."""
    head = 0
    while head < len(text) and (text[head] in "（）()、.．" or text[head].isdigit() or text[head] in "一二三四五六七八九十"):
        head += 1
    words = text[head:]
    if len(words) < 2:
        return text
    i = rng.randrange(len(words))
    kinds = ["double"] + (["drop", "swap", "replace"] if len(words) >= 4 else [])
    kind = rng.choice(kinds)
    if kind == "double":
        words = words[:i + 1] + words[i:]
    elif kind == "drop":
        words = words[:i] + words[i + 1:]
    elif kind == "swap" and i + 1 < len(words):
        words = words[:i] + words[i + 1] + words[i] + words[i + 2:]
    else:
        words = words[:i] + rng.choice(_STRAY) + words[i + 1:]
    return text[:head] + words


def _label(text: str | None, style: Style) -> str:
    if text is None:
        return ""
    if not style.has("typos"):
        return text
    rng = random.Random(style.seed * 1_000_003 + zlib.crc32(text.encode()))
    return typo(text, rng) if rng.random() < TYPO_RATE else text


class _Table:
    """Accumulates rows and prints them in the document's shape."""

    def __init__(self, style: Style, rng: random.Random):
        self.style, self.rng, self.rows = style, rng, []

    def row(self, cells: list[str]) -> None:
        self.rows.append(cells)

    def text(self) -> str:
        shape = self.style.shape
        out = []
        for cells in self.rows:
            if shape == "tabs":
                out.append("\t".join(cells) + ("\t" if self.rng.random() < 0.5 else ""))
            elif shape == "pipes":
                out.append(" | ".join(cells) + " |" + "|" * self.rng.randint(0, 2))
            else:
                lines = []
                for c in cells:
                    if self.style.has("wrapped_labels") and len(c) > 14 and self.rng.random() < 0.5:
                        cut = self.rng.randint(6, len(c) - 4)
                        c = c[:cut] + "\n" + c[cut:]
                    if self.style.has("bookmarks") and c and not c[0].isdigit() and self.rng.random() < 0.15:
                        c = f"[bookmark: _Hlk{self.rng.randint(10**7, 10**8)}]" + c
                    lines.append("\t" + c)
                out.append("\n".join(lines) + "\n")
        return "\n".join(out) + "\n"


# section 二 as each format prints it: (caption, column headers, [(row label, field row, columns)])
ACTIVE_2021 = [
    ("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
     [("规章", "regulations"), ("行政规范性文件", "normative_documents")], ["issued", "repealed", "in_force"]),
    ("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", "licensing")], ["decisions"]),
    ("第二十条第（六）项", ["本年处理决定数量"], [("行政处罚", "punishment"), ("行政强制", "enforcement")], ["decisions"]),
    ("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", "admin_fees")], ["amount_10k_yuan"]),
]
_CHANGE = ["上一年项目数量", "本年增/减", "处理决定数量"]
ACTIVE_2019 = [
    ("第二十条第（一）项", ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
     [("规章", "regulations"), ("规范性文件", "normative_documents")], ["made", "published", "published_total"]),
    ("第二十条第（五）项", _CHANGE, [("行政许可", "licensing"), ("其他对外管理服务事项", "other_services")],
     ["items_prev_year", "items_change", "decisions"]),
    ("第二十条第（六）项", _CHANGE, [("行政处罚", "punishment"), ("行政强制", "enforcement")],
     ["items_prev_year", "items_change", "decisions"]),
    ("第二十条第（八）项", _CHANGE[:2], [("行政事业性收费", "admin_fees")], ["items_prev_year", "items_change"]),
    ("第二十条第（九）项", ["采购项目数量", "采购总金额"], [("政府集中采购", "procurement")], ["items", "amount"]),
]


def active_layout(r: Report, style: Style) -> list[tuple[str, list[str], list[tuple[str, list[str]]]]]:
    """Section 二's blocks for the report's format: (caption, header cells, rows of (label,
    printed values))."""
    table, blocks = ("active_2019", ACTIVE_2019) if r.template == "2019" else ("active", ACTIVE_2021)
    out = []
    for caption, heads, rows, cols in blocks:
        printed = [(_label(label, style), [_num(r.cells[f"{table}.{row}.{c}"], style) for c in cols])
                   for label, row in rows]
        out.append((caption, [_label(h, style) for h in heads], printed))
    return out


def _active_table(r: Report, style: Style, rng: random.Random) -> str:
    t = _Table(style, rng)
    for caption, heads, rows in active_layout(r, style):
        t.row([caption])
        t.row(["信息内容", *heads])
        for label, values in rows:
            t.row([label, *values])
    return t.text()


def application_layout(style: Style) -> tuple[list[str], list[str], list[tuple]]:
    """Table 三 as the style prints it: (value columns, organisation sub-headers, rows of
    (level-1, level-2, level-3 label, row name)) with the quirks that change labels and rows."""
    no_other = style.has("no_other_column")
    cols = [c for c in APPLICANT_COLS if not (c == "other_org" and no_other)]
    orgs = ["商业企业", "科研机构", "社会公益组织", "法律服务机构"] + ([] if no_other else ["其他"])
    folded = style.has("fold_other")
    rows = []
    for l1, l2, l3, row in APPLICATION_ROWS:
        if folded and row in ("other_unpaid_fee", "other_other"):
            continue
        if folded and row == "other_no_correction":
            l2, l3, row = "（六）其他处理", None, "other_processing"
        if row == "carried_over" and style.has("mislabel_carried_over"):
            l1 = "一、上年结转政府信息公开申请数量"
        rows.append((l1, _label(l2, style) if l2 else l2, _label(l3, style) if l3 else None, row))
    return cols, orgs, rows


def _application_table(r: Report, style: Style, rng: random.Random) -> str:
    t = _Table(style, rng)
    cols, orgs, rows = application_layout(style)
    total = "合计" if style.has("heji") else "总计"
    if style.shape == "pipes" and style.has("qualified_header"):
        # one header row that qualifies each column by its group, as HTML-to-Markdown tools write it
        t.row(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "自然人",
               *[f"法人或其他组织:{o}" for o in orgs], total])
    else:
        t.row(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "", "申请人情况"])
        t.row(["", "", "自然人", "法人或其他组织", total])
        t.row(["", "", "", *orgs, ""])
    for l1, l2, l3, row in rows:
        values = [_num(r.cells[f"applications.{row}.{c}"], style) for c in cols]
        if l3 is None and l2 is None:
            labels = [l1, ""]
        elif l3 is None:
            labels = [l1 or "", l2]
        else:
            labels = ["", l2 or "", l3] if style.shape != "pipes" else [l2 or "", l3]
        if style.shape == "pipes":
            labels = [x for x in labels if x]
        t.row(labels + values)
    return t.text()


def _review_table(r: Report, style: Style, rng: random.Random) -> str:
    t = _Table(style, rng)
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    t.row(["行政复议", "", "", "", "", "行政诉讼"])
    t.row([*heads, "未经复议直接起诉", "", "", "", "", "复议后起诉"])
    t.row(["", "", "", "", "", *heads, *heads])
    t.row([_num(r.cells[f"review_litigation.{g}.{c}"], style)
           for g in ("review", "litigation_direct", "litigation_after_review")
           for c in ("upheld", "corrected", "other", "pending", "total")])
    return t.text()


def _year_text(year: int, style: Style) -> str:
    return "".join(_CN[int(d)] for d in str(year)) if style.has("cn_year") else str(year)


def title_lines(r: Report, style: Style, rng: random.Random) -> tuple[list[str], str]:
    """(the title's lines, a sentence the body then says about who wrote the report)."""
    agency = SPAM + r.agency[len(r.place):] if style.has("spam_title") else r.agency
    year = _year_text(r.year, style)
    end = "政府信息公开工作年度报告"
    form = style.title or ("split" if style.has("split_title") else rng.choice(["name_then_year", "one_line"]))
    if form == "split":
        cut = len(SPAM) if style.has("spam_title") else len(r.place)
        return [agency[:cut], agency[cut:], f"{year}年{end}"], ""
    if form == "cms":
        date = f"{r.year + 1}-01-{rng.randint(10, 28)}"
        return [f"标题：{year}年{agency}{end}", f"发布机构：{agency}", f"发布日期：{date}", "",
                f"{year}年{agency}{end}"], ""
    if form == "body_only":
        return [f"{year}年{end}"], f"本报告由{r.agency}编制。"
    lines = {
        "name_then_year": [agency, f"{year}年{end}"],
        "one_line": [f"{agency} {year}年度{end}"],
        "year_first": [f"{year}年{agency}{end}"],
        "guanyu": [f"关于{agency}{year}年政府信息公开工作的年度报告"],
        "agency_guanyu": [f"{agency}关于{year}年度{end}"],
    }[form]
    return lines, ""


def blocks(r: Report, style: Style, rng: random.Random) -> list[tuple[str, str]]:
    """The document in order: ("title", line), ("p", paragraph) and ("table", kind) blocks,
    kind being active, applications or review; every writer prints these."""
    place_short = r.place[:-1] if r.place.endswith("市") else r.place
    title, author = title_lines(r, style, rng)
    name_in_body = SPAM + r.agency[len(r.place):] if style.has("spam_title") else r.agency
    # the statements draw from their own generator: adding them leaves every other draw as it was
    prose_numbers = (headline(r, random.Random(f"prose:{style.seed}:{r.agency}:{r.year}"))
                     if style.has("prose_numbers") or r.prose_planted else "")
    core = r.kind.replace("人民政府", "").replace("办公室", "").replace("局", "").replace("委员会", "")
    site = f"{place_short}{core}网" if core else f"{place_short}政府网"
    return [
        *[("title", line) for line in title],
        ("p", f"{author}根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现向社会公布{r.year}年{name_in_body}"
              f"政府信息公开工作年度报告。本报告中所列数据的统计期限自{r.year}年1月1日起至{r.year}年12月31日止。"),
        ("p", "一、总体情况"),
        ("p", f"{r.year}年，我单位认真贯彻落实《条例》，不断强化政府信息公开工作。{prose_numbers}"
              f"{r.year}年1月1日至12月31日{site}总访问量{rng.randint(10000, 900000)}次。"),
        ("p", "二、主动公开政府信息情况"),
        ("table", "active"),
        ("p", "三、收到和处理政府信息公开申请情况"),
        ("table", "applications"),
        ("p", "四、政府信息公开行政复议、行政诉讼情况"),
        ("table", "review"),
        ("p", "五、存在的主要问题及改进情况"),
        ("p", "一是信息公开的及时性有待提高；二是政策解读形式较为单一。下一步将加强培训，完善制度。"),
        ("p", "六、其他需要报告的事项"),
        ("p", f"本年度未收取信息处理费。{r.year}年共办理人大代表建议{rng.randint(0, 9)}件、政协提案{rng.randint(0, 9)}件。"),
        ("sign", r.agency),
        ("sign", f"{r.year + 1}年1月{rng.randint(10, 28)}日"),
    ]


_TEXT_TABLES = {"active": _active_table, "applications": _application_table, "review": _review_table}


def render(r: Report, style: Style, rng: random.Random) -> str:
    """The report as plain text in the style's shape."""
    out = []
    for kind, value in blocks(r, style, rng):
        if kind == "table":
            out.append(_TEXT_TABLES[value](r, style, rng))
        elif kind == "sign":
            out.append(f"                 {value}")
        else:
            out.append(value)
        if kind == "title" and value.endswith("报告") and not value.startswith("标题"):
            out.append("")
    return "\n".join(out) + "\n"
