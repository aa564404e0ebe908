"""Agency name and report year, from the title, with the spam-hijacked title case.

The title is the first lines of the document up to 政府信息公开工作年度报告. Compromised CMS
pages replace the place name with gambling spam (seed 004): the spam is cut off and the
place recovered from the body (a site name such as 天津合作交流网, or the signature).
"""
from __future__ import annotations

import re
from collections import Counter

from .gazetteer import PLACES, PROVINCE_OF
from .textnorm import squash, strip_artefacts

_TITLE_TAIL = re.compile(r"(?:关于)?([0-9]{4}|[〇○零一二三四五六七八九]{4})\s*年\s*度?\s*(?:的)?\s*政府信息公开(?:工作)?(?:年度)?报告")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"○": "0", "零": "0"}
# a line with these is page furniture (navigation, metadata, dates), not part of a title
_NOT_TITLE = re.compile(r"[。；;，,:：>|/\\<]|首页|当前位置|索引号|发布机构|发文日期|主题分类|来源")
_PERIOD = re.compile(r"([0-9]{4})\s*年\s*1\s*月\s*1\s*日")
_AGENCY_END = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|局|厅|部|署|委|办|院|中心|所|站|会|处|队|馆|集团|公司)$")

SPAM_MARK = re.compile(r"[A-Za-z]{2,}|娱乐|博彩|彩票|棋牌|投注|赌|百家乐|官网|网址|下注|开户|真人|电竞|体育平台")
_SPAM_TOKEN = re.compile(r"[A-Za-z0-9_\-.]+|网上娱乐|娱乐城|娱乐|官方网站|官网|体育平台|体育|平台|网址|入口|登录|注册"
                         r"|博彩|彩票|棋牌|真人|投注|开户|下载|百家乐|下注|电竞")
_GENERIC = re.compile(r"人民政府|政府|办公室|办公厅|委员会|管理局|局|厅|办|委")


def is_spam(text: str) -> bool:
    return bool(SPAM_MARK.search(text))


def _complete(name: str) -> bool:
    """An agency name with its place (or level) and its kind: 聊城市…局, 莘县人民政府办公室, 国家…局."""
    if not name or not _AGENCY_END.search(name):
        return False
    # a place the gazetteer does not know still starts the name and ends in a level (莘县, 朝阳区)
    return (name.startswith(("国", "中")) or any(name.startswith(short) for short in PLACES)
            or bool(re.match(r"[\u4e00-\u9fff]{1,6}?[省市县区旗州盟]", name)))


def _year_int(token: str) -> int:
    return int("".join(_CN_DIGITS.get(c, c) for c in token))


def _title(lines: list[str]) -> tuple[str, int | None, int]:
    """(agency part of the title, year, index of the title line)."""
    for i, line in enumerate(lines[:60]):
        m = _TITLE_TAIL.search(line)
        if not m and re.search(r"年", line):
            # a title wrapped over lines (PDF text): match across the break, starting on this line
            joined = line + "".join(lines[i + 1:i + 3])
            m = _TITLE_TAIL.search(joined)
            if m and m.start() >= len(line):
                m = None
        if not m:
            continue
        head = line[: m.start()].strip()
        parts = [head] if head else []
        # the agency may stand on the lines above, or wrap onto the year line (PDF text);
        # read upward until the name is complete, never across page furniture, and across
        # blank lines only before the first piece
        j = i - 1
        if not parts:
            while j >= 0 and not lines[j]:
                j -= 1
        while not _complete("".join(parts)):
            if j < 0 or not lines[j] or len(lines[j]) > 80 or _NOT_TITLE.search(lines[j]):
                break
            parts.insert(0, lines[j])
            j -= 1
        return "".join(parts), _year_int(m.group(1)), i
    return "", None, -1


def _year_fallback(text: str) -> int | None:
    years = Counter(int(y) for y in _PERIOD.findall(text[:5000]))
    return years.most_common(1)[0][0] if years else None


def _recover_place(suffix: str, body: str, tail: list[str]) -> str | None:
    """A place name for a hijacked title, from the body: the signature at the end if it
    names the agency, else the place written next to the agency's own words
    (天津 + 合作交流网), else the place the body names most often."""
    for line in reversed(tail):
        if line.endswith(suffix) and len(line) > len(suffix) and not is_spam(line):
            return line[: -len(suffix)]
    core = _GENERIC.sub("", suffix)
    counts: Counter[str] = Counter()
    if core:
        for short in PLACES:
            for level in re.findall(re.escape(short) + r"([省市县区]?)" + re.escape(core[:2]), body):
                counts[short + level if short + level in PROVINCE_OF else PLACES[short]] += 1
    if not counts:
        for short in PLACES:
            if n := body.count(short):
                counts[PLACES[short]] += n
    best = counts.most_common(1)
    return best[0][0] if best else None


def agency_and_year(text: str, warnings: list[str]) -> tuple[str | None, int | None]:
    raw_lines = text.splitlines()
    # the title is near the top and the signature at the end: the middle is never read here
    head, tail_lines = raw_lines[:80], raw_lines[80:][-8:]
    lines = [squash(strip_artefacts(line)) for line in head + tail_lines]
    agency, year, _ = _title(lines)
    if year is None:
        year = _year_fallback(text)
        if year is not None:
            warnings.append("year not in the title; taken from the statistics period")
    if agency and is_spam(agency):
        spam_end = max(m.end() for m in _SPAM_TOKEN.finditer(agency))
        spam, suffix = agency[:spam_end], agency[spam_end:]
        body = text.replace(spam, "")
        body = SPAM_MARK.sub("", body)
        tail = [line for line in lines[-8:] if line]
        place = _recover_place(suffix, squash(body), tail)
        if place and suffix:
            warnings.append(f"title hijacked by spam {spam!r}; agency place recovered from the body as {place}")
            agency = place + suffix
        else:
            warnings.append(f"title hijacked by spam {spam!r}; agency place not recoverable")
            agency = suffix or None
    return (agency or None), year
