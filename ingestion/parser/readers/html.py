"""HTML pages: charset from the meta tag (gb2312/gbk read as GB18030), the report's tables
found inside CMS layout tables, rowspan/colspan rebuilt, the 发布机构 metadata kept as a hint.

A page made of absolutely positioned text runs (what PDF-to-HTML converters write:
pdftohtml -c and -s) has no tables: its runs are rebuilt into lines by their positions
(`positioned`) and read as text. A page whose tables hold no report (its tables printed as
paragraphs) is read through its text too: the parser falls back to the text rows when the
grid rows give no section 三.

The page is decoded in Python and given to lxml as str (lxml garbles GBK-only characters
such as 镕 when given bytes).
"""
from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree
from lxml import html as lxml_html

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc, squash
from .bounds import MAX_MARKUP_CHARS, check_length
from .grid import grid_rows_with_spans
from .positioned import Run, lines
from .text import decode_whole, rows_from_text

_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# control characters carry nothing in a page and lxml refuses them in text it is given back
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")  # and XML's noncharacters
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "br", "section", "article", "table",
          "header", "footer", "title", "dd", "dt", "ul", "ol", "center", "blockquote", "pre"}
_GB = {"gb2312", "gbk", "gb_2312", "gb-2312", "gb18030", "x-gbk", "cp936", "euc-cn"}


def decode_html(data: bytes) -> str:
    m = _CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii", "ignore").lower() if m else None
    candidates = (["gb18030"] if declared in _GB else [declared] if declared else []) + ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = decode_whole(data, enc)
        except (UnicodeError, LookupError):  # a codec that exists but decodes nothing ("undefined")
            continue
        if text is not None:
            return text
    raise RejectedDocument(f"undecodable HTML (declared charset {declared or 'none'})")


def _cell_text(el) -> str:
    return squash(el.text_content())


def _own_rows(table) -> list:
    """The table's rows, not those of tables nested inside it."""
    return [tr for tr in table.iter("tr") if next(tr.iterancestors("table")) is table]


def _span(el, name: str) -> int:
    try:
        return int(re.sub(r"\D", "", el.get(name, "1")) or 1)
    except ValueError:
        return 1


def _text_lines(body) -> str:
    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("td", "th"):
            el.tail = "\t" + (el.tail or "")
        elif tag in _BLOCK:
            el.tail = "\n" + (el.tail or "")
    return body.text_content()


_CLASS_RULE = re.compile(r"\.([\w-]+)\s*\{([^}]*)\}")
_POSITIONED = 20  # absolutely positioned runs that make a page a layout of runs, not a flow
DEFAULT_SIZE = 16.0


def _px(name: str, style: str) -> float | None:
    m = re.search(rf"(?:^|[;\s{{]){name}\s*:\s*(-?[\d.]+)px", style)
    return float(m.group(1)) if m else None


def _font_classes(root) -> dict[str, tuple[float, float | None]]:
    """CSS class → (font size, line height) from the page's style blocks (pdftohtml puts a
    class per font on every run)."""
    out = {}
    for st in root.iter("style"):
        for name, decl in _CLASS_RULE.findall(st.text or ""):
            size = _px("font-size", decl)
            if size:
                out[name] = (size, _px("line-height", decl))
    return out


def _br_parts(el) -> list[str]:
    """The element's text split at its <br> elements (one run per printed line)."""
    parts = [el.text or ""]

    def walk(parent) -> None:
        for child in parent:
            if isinstance(child.tag, str) and child.tag.lower() == "br":
                parts.append("")
            elif isinstance(child.tag, str):
                parts[-1] += child.text or ""
                walk(child)
            parts[-1] += child.tail or ""

    walk(el)
    return parts


def _page_of(el, pages: dict) -> int:
    """The number of the page box (pdftohtml: a relatively positioned div per page) the run
    stands in; its top and left are measured from that box."""
    for a in el.iterancestors():
        if "relative" in (a.get("style") or "") or (a.get("id") or "").startswith("page"):
            return pages.setdefault((a.get("id"), a.sourceline), len(pages))
    return 0


def _positioned_runs(root) -> list[Run]:
    """Every absolutely positioned element's text as runs (a multi-line one as one run per
    line)."""
    fonts = _font_classes(root)
    pages: dict[int, int] = {}
    runs: list[Run] = []
    for el in root.iter():
        if not isinstance(el.tag, str) or "absolute" not in (style := el.get("style") or ""):
            continue
        top, left = _px("top", style), _px("left", style)
        if top is None or left is None:
            continue
        size, height = fonts.get((el.get("class") or "").split(" ")[0], (DEFAULT_SIZE, None))
        size = _px("font-size", style) or size
        page = _page_of(el, pages)
        for k, part in enumerate(_br_parts(el)):
            if part.strip():  # measured as printed (full-width digits are wide), read as NFKC
                runs.append(Run(page, top + k * (height or 1.25 * size), left, size, " ".join(part.split())))
    return runs


def _only_links(el) -> bool:
    """A list whose every item is a link and nothing else (a site's menu, pdftohtml's
    "Document Outline" of the PDF's bookmarks): never a report's content."""
    items = [li for li in el.iter("li")]
    return bool(items) and all(
        squash(li.text_content()) and squash(li.text_content()) == squash("".join(a.text_content() for a in li.iter("a")))
        for li in items)


_DOC_START = re.compile(r"<!DOCTYPE\s+html|<html[\s>]", re.IGNORECASE)


def _pages(text: str) -> list[str]:
    """The HTML documents in the file: one, or several written one after another (pdftohtml
    -s writes a whole document per page into one file; a parser stops at the first </html>)."""
    low = text.lower()
    cuts = [0]
    for m in _DOC_START.finditer(text):
        if m.start() > cuts[-1] and "</html>" in low[cuts[-1]:m.start()]:
            cuts.append(m.start())
    return [text[a:b] for a, b in zip(cuts, cuts[1:] + [len(text)])]


def _parse(markup: str):
    try:
        return lxml_html.document_fromstring(markup)  # NFKC on what is read from it: runs are measured first
    except (etree.ParserError, ValueError) as exc:
        raise RejectedDocument(f"unreadable HTML ({exc})") from None


def _roots(pages: list[str]) -> list:
    """The parsed pages. A later page that cannot be parsed is the end of a copy cut short
    inside that page's head: the pages before it are read (the parser finds the tables
    incomplete); only a first page that cannot be parsed rejects the file."""
    roots = [_parse(pages[0])]
    for page in pages[1:]:
        try:
            roots.append(_parse(page))
        except RejectedDocument:
            break
    return roots


def read(data: bytes) -> Document:
    text = decode_html(data)
    check_length(text, "HTML page", MAX_MARKUP_CHARS)  # before lxml builds its tree
    text = _CONTROL.sub("", _XML_DECL.sub("", text))
    if not text.strip():
        raise RejectedDocument("empty HTML page")
    roots = _roots(_pages(text))
    runs = [replace(r, page=k * 10_000 + r.page) for k, root in enumerate(roots) for r in _positioned_runs(root)]
    for root in roots:
        for bad in root.xpath("//script|//style|//noscript|//head"):
            bad.drop_tree()
        for links in root.xpath("//ul|//ol|//nav"):
            if _only_links(links):
                links.drop_tree()  # a menu, or a converter's outline of the document: furniture
    if len(runs) >= _POSITIONED:
        text = nfkc("\n".join(lines(runs)))
        return Document(format="html", text=text, rows=rows_from_text(text),
                        warnings=["a page of positioned text runs (a PDF converted to HTML): lines rebuilt by position"])
    rows: list[Row] = []
    hints: dict[str, str] = {}
    leaf_tables = [t for root in roots for t in root.iter("table") if not t.xpath(".//table")]
    for index, table in enumerate(leaf_tables):
        spans = [[(_cell_text(td), _span(td, "colspan"), _span(td, "rowspan"))
                  for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]
                 for tr in _own_rows(table)]
        for cells, colspans in grid_rows_with_spans(spans):
            if not any(cells):
                continue
            for i, c in enumerate(cells[:-1]):  # CMS metadata table: 发布机构 | 天津市…
                if c in ("发布机构", "发文机关", "发布单位", "来源") and cells[i + 1]:
                    hints.setdefault("publisher", cells[i + 1])
            rows.append(Row(cells=cells, table=index, grid=True, spans=colspans))
    return Document(format="html", text=nfkc("\n".join(_text_lines(root) for root in roots)), rows=rows, hints=hints)
