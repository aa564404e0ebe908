"""HTML pages: charset from the meta tag (gb2312/gbk read as GB18030), the report's tables
found inside CMS layout tables, rowspan/colspan rebuilt, the 发布机构 metadata kept as a hint.

The page is decoded in Python and given to lxml as str (lxml garbles GBK-only characters
such as 镕 when given bytes).
"""
from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from ..document import Document, RejectedDocument, Row
from ..textnorm import nfkc, squash
from .bounds import MAX_MARKUP_CHARS, check_length
from .grid import grid_rows_with_spans

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
            return data.decode(enc)
        except (UnicodeError, LookupError):  # a codec that exists but decodes nothing ("undefined")
            continue
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


def read(data: bytes) -> Document:
    text = decode_html(data)
    check_length(text, "HTML page", MAX_MARKUP_CHARS)  # before lxml builds its tree
    text = _CONTROL.sub("", _XML_DECL.sub("", text))
    if not text.strip():
        raise RejectedDocument("empty HTML page")
    try:
        root = lxml_html.document_fromstring(nfkc(text))
    except (etree.ParserError, ValueError) as exc:
        raise RejectedDocument(f"unreadable HTML ({exc})") from None
    for bad in root.xpath("//script|//style|//noscript|//head"):
        bad.drop_tree()
    rows: list[Row] = []
    hints: dict[str, str] = {}
    leaf_tables = [t for t in root.iter("table") if not t.xpath(".//table")]
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
    return Document(format="html", text=_text_lines(root), rows=rows, hints=hints)
