"""Agency name and report year, from any real title, or from what the page says of itself.

Titles come as `XX局2023年度政府信息公开工作年度报告`, `2023年XX局政府信息公开工作年度
报告` (year first), `关于XX局2023年政府信息公开工作的年度报告`, `XX局关于2023年…`,
split over lines, or as a CMS metadata line `标题:…`. When the title names no agency,
the agency comes from the page's metadata (`发布机构:`, `来源:`), from the body
(`本报告由XX编制`) or from the signature. A name must look like one: a plausible length,
no sentence punctuation, ending in an agency kind (局, 委员会, 人民政府 …); a document
where no source gives such a name raises `AgencyUnknown` (quarantined for review), never
loads under a sentence.

The year comes from the title, else from an explicit statistics period (`统计期限…2023年1
月1日…至2023年12月31日`), never from the most frequent date.

Compromised CMS pages replace the place name with gambling spam (seed 004): the spam is
cut off and the place recovered from the signature or from a site name that joins the
place to the agency's own words (天津 + 合作交流网); nothing weaker decides it.
"""
from __future__ import annotations

import re
import unicodedata

from .document import Document
from ..resolve.divisions import places, province_of
from .textnorm import squash, strip_artefacts


class AgencyUnknown(Exception):
    """No source in the document gives a name that looks like an agency's."""


_YEAR = r"([0-9]{4}|[〇○零一二三四五六七八九]{4})"
_TITLE_END = re.compile(r"政府信息公开(?:工作)?(?:的)?(?:年度)?(?:工作)?(?:情况)?报告")
_YEAR_IN_TITLE = re.compile(_YEAR + r"年度?")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}
# a line with these is page furniture (navigation, metadata, dates), not part of a title
_NOT_TITLE = re.compile(r"[。；;，,>|/\\<]|首页|当前位置|索引号|发布机构|发文日期|主题分类|来源|浏览次数|字号"
                        r"|网站|门户|主办|承办|版权|备案|技术支持|联系我们")
# a web site's banner or footer names its operator, not the report's agency
_SITE = re.compile(r"网站|门户|主办|承办|协办|版权|备案|ICP|技术支持|联系我们|网站地图|标识码|电话|地址|邮编|邮箱")
_META = re.compile(r"^(标题|题名|文章标题|名称|发布机构|发文机关|发布单位|来源|信息来源|文章来源)[:：](.+)$")
_PERIOD = re.compile(r"统计(?:期限|时限|区间|时间|周期)[^。]{0,12}?" + r"([0-9]{4})\s*年\s*1\s*月\s*1\s*日"
                     r"[^。]{0,12}?(?:至|到|—|-|－)\s*(?:([0-9]{4})\s*年\s*)?12\s*月\s*31\s*日")
_COMPILED_BY = re.compile(r"本(?:年度)?报告由(.{3,40}?)(?:负责)?(?:编制|编写|发布|制作)")
# an agency kind, or a place whose government reports as a whole (北京市, 莘县, 平潭综合实验区)
AGENCY_END = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|局|厅|部|署|委|办|院|中心|所|站|会|处|队|馆|集团|公司"
                        r"|管委会|管理委员会|街道办事处|办事处|街道|镇|乡|苏木|法院|检察院|省|市|县|区|旗|盟|州)$")
_SENTENCE = re.compile(r"[。，；;,！？!?：:“”\"《》]")
_PROSE_START = re.compile(r"^(根据|按照|为了|为进一步|我[局委办市区县镇乡厅部]|本(?:报告|年|机关|单位|着|级)|现将|现向"
                          r"|今年|去年|全年|在|对于|经|依据|结合|关于印发)")
_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$|^[〇○零一二三四五六七八九]{4}年")

SPAM_MARK = re.compile(r"[A-Za-z]{2,}|娱乐|博彩|彩票|棋牌|投注|赌|百家乐|官网|网址|下注|开户|真人|电竞|体育平台")
_SPAM_TOKEN = re.compile(r"[A-Za-z0-9_\-.]+|网上娱乐|娱乐城|娱乐|官方网站|官网|体育平台|体育|平台|网址|入口|登录|注册"
                         r"|博彩|彩票|棋牌|真人|投注|开户|下载|百家乐|下注|电竞")
_GENERIC = re.compile(r"人民政府|政府|办公室|办公厅|委员会|管理局|局|厅|办|委")


def is_spam(text: str) -> bool:
    return bool(SPAM_MARK.search(text))


def plausible_agency(name: str | None) -> bool:
    """Looks like an agency's name: 3–40 characters, no sentence punctuation or digits, not
    the start of a sentence, ending in an agency kind."""
    if not name or not 3 <= len(name) <= 40:
        return False
    if _SENTENCE.search(name) or re.search(r"\d", name) or _PROSE_START.match(name) or _SITE.search(name):
        return False
    return bool(AGENCY_END.search(name))


def _complete(name: str) -> bool:
    """An agency name with its place (or level) and its kind: 聊城市…局, 莘县人民政府办公室, 国家…局."""
    if not plausible_agency(name):
        return False
    return (name.startswith(("国", "中")) or name.startswith(tuple(places()))
            or bool(re.match(r"[\u4e00-\u9fff]{1,6}?[省市县区旗州盟](?!场)", name)))  # 市场监督管理局 is a kind


def _year_int(token: str) -> int:
    return int("".join(_CN_DIGITS.get(c, c) for c in token))


def visible(text: str) -> str:
    """The text without control, format (bidi marks, zero-width joiners, soft hyphen) and
    private-use characters: they print nothing, and an agency name is a key the warehouse
    groups by (宝鸡市\u202e公安局 is 宝鸡市公安局)."""
    if text.isprintable():  # (False for any character of those categories: the common case is one call)
        return text
    return "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cn"))


def _clean_name(text: str) -> str:
    text = visible(text)
    text = re.sub(r"^[#*>\s]+", "", text)  # Markdown heading or quote marks
    text = re.sub(r"^(关于|标题|题名)", "", text)
    text = re.sub(r"(关于|的|度)$", "", text)
    return text.strip("_-—:：·| ")


def _split_title(head: str) -> tuple[str, str, int | None]:
    """The text before 政府信息公开…报告 → (agency before the year, agency after it, year)."""
    m = None
    for m in _YEAR_IN_TITLE.finditer(head):
        pass  # the last year in the title is the report's (关于印发2022年… titles are rare)
    if m is None:
        return _clean_name(head), "", None
    return _clean_name(head[: m.start()]), _clean_name(head[m.end():]), _year_int(m.group(1))


_FURNITURE_CUT = re.compile(r"[>|:：»]|标题|题名|当前位置|您的位置")


def _titles(lines: list[str], raw: list[str]):
    """Every title near the top (`raw`: the same lines with their spaces, which separate a
    title from page furniture glued onto its line): (agency part, year, whether the name
    was read from the lines above the title's)."""
    for i, line in enumerate(lines[:60]):
        meta = _META.match(line)
        if meta and meta.group(1) not in ("标题", "题名", "文章标题", "名称"):
            continue
        text = meta.group(2) if meta else line
        m = _TITLE_END.search(text)
        joined = text
        if not m and len(text) <= 60 and not _NOT_TITLE.search(text):
            # a title wrapped over lines (PDF text): match across the break from this line on
            joined = text + "".join(lines[i + 1:i + 3])
            m = _TITLE_END.search(joined)
            if m and m.start() >= len(text):
                m = None  # the title starts on a later line, which is read in its turn
        if not m:
            continue
        head = _FURNITURE_CUT.split(joined[: m.start()])[-1]  # 首页>…>年度报告标题XX局 → XX局
        if joined == text and not meta:
            head = _after_furniture(raw[i], head)
        if len(head) > 80 or re.search(r"[，。；,;]", head):
            continue  # a sentence that names the report is not its title
        before, after, year = _split_title(head)
        name = before or after
        above = False
        if not meta and not _complete(name):
            upward = _read_upward(lines, raw, i, name)
            name, above = upward, upward != name
        yield name, year, above


def _title(lines: list[str], raw: list[str], period: int | None) -> tuple[str, int | None, bool]:
    """The report's own title among the titles near the top (a sidebar lists earlier
    reports' titles before it): the first whose year is the statistics period's, then the
    first that names a whole agency."""
    found = list(_titles(lines, raw))
    if not found:
        return "", None, False

    def rank(k: int):
        name, year, _ = found[k]
        return (period is not None and year is not None and year != period, not _complete(name),
                not plausible_agency(name), k)
    return found[min(range(len(found)), key=rank)]


def _after_furniture(raw_line: str, head: str) -> str:
    """A title printed on one line after page furniture (crawled pages: 首页 > … 发布机构…
    XX局 2022年度政府信息公开…) or after other names (a letterhead: 十堰市人民政府 十堰市民政局
    2023年度…): the fewest space-separated pieces before the title that give an agency's
    name (with the year, where the pieces are names)."""
    end = raw_line.find("政府信息公开")
    pieces = raw_line[:end].split() if end > 0 else []
    furniture = [k for k, p in enumerate(pieces) if _NOT_TITLE.search(p) or _FURNITURE_CUT.search(p)]
    if furniture and re.search(r"[，。；,;]", pieces[furniture[-1]]):
        return head  # a sentence that names the report (现向社会公布2024年XX局…), not furniture
    candidates = pieces[furniture[-1] + 1:] if furniture else pieces
    for k in range(1, len(candidates) + 1):
        tail = squash("".join(candidates[-k:]))
        before, after, year = _split_title(tail)
        name = before or after
        if is_spam(name):
            return tail  # a hijacked name is kept whole: the spam is cut off later
        if furniture and plausible_agency(name) or not furniture and year is not None and _complete(name):
            return tail
    return head


def _read_upward(lines: list[str], raw: list[str], i: int, name: str) -> str:
    """The agency may stand on the lines above the title line, or wrap onto it (PDF text):
    read upward until the name is complete, never across page furniture, and across blank
    lines only before the first piece."""
    parts = [name] if name else []
    j = i - 1
    while not _complete("".join(parts)):
        blanks = 0
        while j >= 0 and not lines[j] and blanks < 2:  # PDF text sets title lines apart
            j, blanks = j - 1, blanks + 1
        if j < 0 or not lines[j] or _META.match(lines[j]):
            break
        if len(lines[j]) > 60 or _NOT_TITLE.search(lines[j]):
            tail = raw[j].split()[-1] if len(raw[j].split()) > 1 else ""
            if tail and not _NOT_TITLE.search(tail) and len(tail) <= 40:
                parts.insert(0, tail)  # page furniture, then the title's first line after a space
            break
        parts.insert(0, lines[j])
        j -= 1
    joined = "".join(parts)
    # a hijacked title is kept whole: the spam is cut off and the place recovered later
    return joined if _complete(joined) or is_spam(joined) or not name else name


def _period_year(text: str) -> int | None:
    """The year of an explicit statistics period that starts and ends in one year."""
    m = _PERIOD.search(squash(text[:20000]))
    if m and (m.group(2) is None or m.group(2) == m.group(1)):
        return int(m.group(1))
    return None


def _end(lines: list[str], n: int) -> list[str]:
    """The last `n` lines that come after the first title line: where a signature can be.
    In a short document (a copy cut off after its first paragraph) the last lines are the
    title's own wrapped lines, and a place name there is no signature."""
    first = next((i for i, line in enumerate(lines[:60]) if _TITLE_END.search(line)), -1)
    return lines[max(len(lines) - n, first + 1):]


def _hints(doc: Document, lines: list[str]) -> list[tuple[str, str]]:
    """Other sources of the agency's name, most specific first: (source, name)."""
    out = [(f"page metadata {k}", squash(v)) for k, v in doc.hints.items()]
    for line in lines[:60]:
        meta = _META.match(line)
        if meta and meta.group(1) not in ("标题", "题名", "文章标题", "名称"):
            out.append((f"metadata line {meta.group(1)}", meta.group(2)))
    for m in _COMPILED_BY.finditer(squash(doc.text[:20000])):
        out.append(("本报告由…编制", m.group(1)))
    for line in reversed(_end(lines, 12)):
        if line and not _DATE.match(line):
            out.append(("signature", line))
    return out


def _recover_place(suffix: str, body: str, tail: list[str]) -> str | None:
    """A place name for a hijacked title: the signature at the end if it names the agency,
    else the place written next to the agency's own words (天津 + 合作交流网)."""
    for line in reversed(tail):
        if line.endswith(suffix) and len(line) > len(suffix) and not is_spam(line):
            return line[: -len(suffix)]
    core = _GENERIC.sub("", suffix)
    found: set[str] = set()
    if core:
        for short in places():
            for level in re.findall(re.escape(short) + r"([省市县区]?)" + re.escape(core[:2]), body):
                found.add(short + level if short + level in province_of() else places()[short])
    return found.pop() if len(found) == 1 else None


def _unspam(agency: str, text: str, lines: list[str], warnings: list[str]) -> str | None:
    spam_end = max(m.end() for m in _SPAM_TOKEN.finditer(agency))
    spam, suffix = agency[:spam_end], agency[spam_end:]
    body = SPAM_MARK.sub("", text.replace(spam, ""))
    place = _recover_place(suffix, squash(body), [ln for ln in _end(lines, 8) if ln])
    if place and suffix:
        warnings.append(f"title hijacked by spam {spam!r}; agency place recovered from the body as {place}")
        return place + suffix
    warnings.append(f"title hijacked by spam {spam!r}; agency place not recoverable")
    return None


def _better_name(agency: str, above: bool, hints: list[tuple[str, str]]) -> tuple[str, str] | None:
    """A name the report gives for itself that beats the title's: the whole name where the
    title has it without its place (市民政局 → 十堰市民政局), or the name the body and the
    signature give where the title's name was read from a line above it (a site banner, a
    parent government's letterhead)."""
    own = [(source, _clean_name(squash(name))) for source, name in hints
           if source in ("本报告由…编制", "signature")]
    own = [(source, name) for source, name in own if _complete(name) and not is_spam(name)]
    if plausible_agency(agency) and not _complete(agency):
        core = re.sub(r"^[省市县区]", "", agency)
        return next(((s, n) for s, n in own if n.endswith(core) and n != agency), None)
    if above and own and agency not in {n for _, n in own}:
        return own[0]
    return None


def _signature_first(hints: list[tuple[str, str]], lines: list[str]) -> list[tuple[str, str]]:
    """The signature is the name just above the date at the end; lines after that date are
    the site's footer."""
    tail = _end(lines, 12)
    dates = [k for k, line in enumerate(tail) if _DATE.match(line)]
    if dates and dates[-1] > 0 and tail[dates[-1] - 1]:
        signed = ("signature", tail[dates[-1] - 1])
        return [h for h in hints if h[0] != "signature"] + [signed]
    return hints


def agency_and_year(doc: Document, warnings: list[str]) -> tuple[str, int | None]:
    raw_lines = doc.text.splitlines()
    # the title is near the top and the signature at the end: the middle is never read here
    raw = [visible(strip_artefacts(line)).strip() for line in raw_lines[:80] + raw_lines[80:][-12:]]
    lines = [squash(line) for line in raw]
    period = _period_year(doc.text)
    agency, year, above = _title(lines, raw, period)
    if year is None:
        year = period
        if year is not None:
            warnings.append("year not in the title; taken from the statistics period")
    elif period is not None and period != year:
        warnings.append(f"the title says {year}, the statistics period {period}: the title's year kept")
    if agency and is_spam(agency):
        agency = _unspam(agency, doc.text, lines, warnings)
    hints = _signature_first(_hints(doc, lines), lines)
    better = _better_name(agency or "", above, hints)
    if better:
        warnings.append(f"agency {agency!r} from the title; {better[1]!r} from the {better[0]} taken")
        return better[1], year
    if plausible_agency(agency):
        return agency, year
    for source, name in hints:
        name = _clean_name(squash(name))
        if plausible_agency(name) and not is_spam(name):
            warnings.append(f"agency not in the title; taken from the {source}")
            return name, year
    raise AgencyUnknown(f"no agency name in the title, metadata, body or signature (title gives {agency!r})")
