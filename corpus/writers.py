"""Write a report as DOCX (python-docx, real merged cells) or HTML (rowspan/colspan inside a
CMS page: layout table, navigation, 发布机构 metadata table), and convert with LibreOffice
to PDF or legacy DOC."""
from __future__ import annotations

import html
import io
import random
import subprocess
import tempfile
from pathlib import Path

from .render import SPAM, Style, blocks
from .tables import TableModel, active_table, application_table, review_table
from .truth import Report

_MODELS = {"active": active_table, "applications": application_table, "review": review_table}
CJK_FONT = "Noto Serif CJK SC"


def to_docx(r: Report, style: Style, rng: random.Random) -> bytes:
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    for kind, value in blocks(r, style, rng):
        if kind == "table":
            _docx_table(d, _MODELS[value](r, style))
        else:
            d.add_paragraph(value)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _docx_table(d, model: TableModel) -> None:
    """Merged cells written as Word writes them (gridSpan, vMerge restart/continue), straight
    into the XML: python-docx's cell()/merge() recompute the whole grid on every call."""
    from docx.table import _Cell

    table = d.add_table(rows=model.n_rows, cols=model.n_cols)
    table.style = "Table Grid"
    covering = {}  # (row, col) → the model cell covering it
    for cell in model.cells:
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                covering[(r, c)] = cell
    for r, tr in enumerate(table._tbl.tr_lst):
        tcs = list(tr.tc_lst)
        for c, tc in enumerate(tcs):
            cell = covering.get((r, c))
            if cell is None:
                continue
            if c != cell.col:  # inside a horizontal span: the spanning tc stands for it
                tr.remove(tc)
                continue
            if cell.colspan > 1:
                tc.get_or_add_tcPr().grid_span = cell.colspan
                tc.width = sum((t.width or 0) for t in tcs[c:c + cell.colspan]) or None
            if cell.rowspan > 1:
                tc.vMerge = "restart" if r == cell.row else "continue"
            if r == cell.row:
                _Cell(tc, table).text = cell.text


def to_html(r: Report, style: Style, rng: random.Random, encoding: str = "utf-8") -> bytes:
    spam = style.has("spam_title")
    publisher = r.agency if not spam or rng.random() < 0.5 else SPAM + r.agency[len(r.place):]
    parts = []
    for kind, value in blocks(r, style, rng):
        if kind == "table" and value == "applications" and style.has("split_tables"):
            # a CMS editor's page break: the table goes on as a second <table>, the merged
            # label cells that spanned the break cut off
            parts.extend(_html_table(piece) for piece in _split_model(_MODELS[value](r, style), rng))
        elif kind == "table":
            parts.append(_html_table(_MODELS[value](r, style)))
        elif kind == "title":
            parts.append(f"<h2 class='title'>{html.escape(value)}</h2>")
        else:
            parts.append(f"<p>{html.escape(value)}</p>")
    title_cell = (f"<tr><td>标题</td><td colspan='3'>{html.escape(r.agency)}{r.year}年政府信息公开工作年度报告</td></tr>"
                  if style.title == "cms" else "")
    meta = (f"<table class='meta'>{title_cell}<tr><td>索引号</td><td>{rng.randint(10**8, 10**9)}/{r.year}-{rng.randint(1, 999)}</td>"
            f"<td>发布机构</td><td>{html.escape(publisher)}</td></tr><tr><td>发文日期</td>"
            f"<td>{r.year + 1}-01-{rng.randint(10, 28)}</td><td>主题分类</td><td>政务公开</td></tr></table>")
    charset = "gbk" if encoding in ("gbk", "gb2312", "gb18030") else "utf-8"
    page = (f"<!DOCTYPE html><html><head><meta http-equiv='Content-Type' content='text/html; charset={charset}'>"
            f"<title>{html.escape(r.agency)}{r.year}年政府信息公开工作年度报告</title>"
            f"<style>td{{border:1px solid #000}}</style></head><body>"
            f"<table class='layout' width='100%'><tr><td class='nav'>首页 &gt; 政务公开 &gt; 年度报告</td></tr>"
            f"<tr><td class='content'>{meta}{''.join(parts)}</td></tr>"
            f"<tr><td class='footer'>主办单位：{html.escape(r.place)}人民政府办公室 版权所有</td></tr></table>"
            f"</body></html>")
    try:
        return page.encode(encoding)
    except UnicodeEncodeError:
        return page.replace(f"charset={charset}", "charset=utf-8").encode("utf-8")


def pdftotext_layout(pdf: bytes, timeout: int = 120) -> bytes:
    """The text `pdftotext -layout` (Debian's poppler-utils) makes of a PDF: the most common
    way a report becomes text, columns aligned by spaces, labels wrapped over lines."""
    with tempfile.TemporaryDirectory(prefix="govinfo-corpus-pdftotext-") as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(src), "-"],
                             capture_output=True, timeout=timeout, check=True)
        return out.stdout


_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "section", "article", "header", "footer"}


def crawl_text(page: bytes, rng: random.Random) -> bytes:
    """An HTML page flattened the way a crawler stores it: text nodes joined without
    separators, so the cells of a table run together (`规章000行政规范性文件4057`), a space
    only where the page's own markup left one. Either one line per table row (`rows`), or
    the whole body on one line after the title (`page`), as crawled archives hold them."""
    from lxml import html as lxml_html

    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        text = page.decode("gb18030")
    root = lxml_html.document_fromstring(text.replace("<?xml", "<!--").replace("?>", "-->", 1))
    for bad in root.xpath("//script|//style|//head"):
        bad.drop_tree()
    mode = rng.choice(["rows", "page"])
    out: list[str] = []

    def walk(el) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if el.text:
            out.append(el.text.strip())
        for child in el:
            walk(child)
        if tag in ("td", "th") and rng.random() < 0.15 and not (el.text or "").strip().isdigit():
            out.append(" ")  # a label cell with a trailing space in the page's source
        if tag == "tr" and mode == "rows" or tag in _BLOCK_TAGS and (mode == "rows" or tag.startswith("h")):
            out.append("\n")
        elif tag in _BLOCK_TAGS or tag == "table":
            out.append(" ")
        if el.tail:
            out.append(el.tail.strip())

    walk(root.body)
    lines = [" ".join(line.split()) for line in "".join(out).split("\n")]
    return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")


def _split_model(model: TableModel, rng: random.Random) -> list[TableModel]:
    """The table cut into two at a random body row; a cell spanning the cut keeps only its
    part above it."""
    cut = rng.randint(6, model.n_rows - 3)
    top, bottom = TableModel(cut, model.n_cols), TableModel(model.n_rows - cut, model.n_cols)
    for c in model.cells:
        if c.row < cut:
            top.add(c.row, c.col, c.text, min(c.rowspan, cut - c.row), c.colspan)
        else:
            bottom.add(c.row - cut, c.col, c.text, c.rowspan, c.colspan)
    return [top, bottom]


def _html_table(model: TableModel) -> str:
    by_row: dict[int, list] = {}
    for c in model.cells:
        by_row.setdefault(c.row, []).append(c)
    rows = []
    for i in range(model.n_rows):
        tds = []
        for c in sorted(by_row.get(i, []), key=lambda c: c.col):
            span = (f" rowspan='{c.rowspan}'" if c.rowspan > 1 else "") + (f" colspan='{c.colspan}'" if c.colspan > 1 else "")
            tds.append(f"<td{span}>{html.escape(c.text)}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return "<table border='1' cellspacing='0' cellpadding='2'>" + "".join(rows) + "</table>"


# LibreOffice's export filters by target extension; text is written as UTF-8
LO_FILTERS = {"pdf": "pdf", "doc": "doc:MS Word 97", "docx": "docx:MS Word 2007 XML", "txt": "txt:Text (encoded):UTF8"}


def libreoffice_convert(files: list[Path], to: str, outdir: Path, timeout: int = 1800, processes: int = 2,
                        infilter: str | None = None) -> None:
    """Convert many files with LibreOffice (to= a key of LO_FILTERS; `infilter` names the
    import filter where the extension does not, "Text (encoded):UTF8" for plain text): a
    few long-lived processes, each with its own profile, share the list. HTML goes through Writer/Web, which takes
    ~15 s of CPU per file in a batch; Writer's HTML import (`--infilter="HTML (StarWriter)"`)
    takes 0.2 s but lays the tables out differently, and 3 of 20 such PDFs do not parse
    exactly yet (a header row read as 7 value cells for 6 columns), so the corpus keeps
    Writer/Web and large benchmark corpora take their PDFs from DOCX."""
    if not files:
        return
    from concurrent.futures import ThreadPoolExecutor

    outdir.mkdir(parents=True, exist_ok=True)
    filt = LO_FILTERS[to]
    reading = [f"--infilter={infilter}"] if infilter else []

    def run(chunk: list[Path]) -> None:
        with tempfile.TemporaryDirectory(prefix="govinfo-corpus-lo-") as profile:
            cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *reading,
                   "--convert-to", filt, "--outdir", str(outdir), *map(str, chunk)]
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)

    def missing(group: list[Path]) -> list[Path]:
        return [f for f in group if not (outdir / f"{f.stem}.{to}").exists()]

    # batches of at most 200 files per soffice process; a file a long batch silently skipped
    # (it happens, one in a few thousand) is converted again on its own
    lanes = [files[i::processes] for i in range(processes) if files[i::processes]]
    with ThreadPoolExecutor(len(lanes)) as pool:
        list(pool.map(lambda lane: [run(lane[i:i + 200]) for i in range(0, len(lane), 200)], lanes))
    for f in missing(files):
        run([f])


def libreoffice_encrypted_pdf(src: Path, outdir: Path, password: str = "secret", timeout: int = 300) -> Path:
    """Export `src` as a PDF that needs a password to open."""
    outdir.mkdir(parents=True, exist_ok=True)
    opts = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
            '"DocumentOpenPassword":{"type":"string","value":"%s"}}' % password)
    with tempfile.TemporaryDirectory(prefix="govinfo-corpus-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                        "--convert-to", opts, "--outdir", str(outdir), str(src)],
                       capture_output=True, timeout=timeout, check=True)
    return outdir / (src.stem + ".pdf")
