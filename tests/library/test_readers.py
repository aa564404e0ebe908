"""Reader details that the generated corpus exercises only by chance."""
from ingestion.parser.readers import read_bytes
from ingestion.parser.readers.grid import grid_rows
from ingestion.parser.readers.pdf import _is_continuation


def test_span_grid_puts_text_top_left_and_blanks_elsewhere():
    rows = grid_rows([[("三、本年度办理结果", 1, 3), ("（一）予以公开", 2, 1), ("5", 1, 1)],
                      [("（三）不予公开", 1, 2), ("1.属于国家秘密", 1, 1), ("0", 1, 1)],
                      [("2.其他法律行政法规禁止公开", 1, 1), ("1", 1, 1)]])
    assert rows == [["三、本年度办理结果", "（一）予以公开", "", "5"],
                    ["", "（三）不予公开", "1.属于国家秘密", "0"],
                    ["", "", "2.其他法律行政法规禁止公开", "1"]]


def test_gbk_html_keeps_gbk_only_characters():
    page = ("<html><head><meta charset='gb2312'></head><body><p>朱镕基路</p>"
            "<table><tr><td>发布机构</td><td>某市镕业局</td></tr></table></body></html>")
    doc = read_bytes(page.encode("gb18030"), "html")
    assert "朱镕基路" in doc.text
    assert doc.hints["publisher"] == "某市镕业局"


def test_page_break_fragments_join_but_new_rows_do_not():
    prev = ["", "", "1.申请人无正当理由逾期不补正、", "3", "0", "0", "0", "0", "0", "3"]
    assert _is_continuation(prev, ["", "", "行政机关不再处理其政府信息公开申请", "", "", "", "", "", "", ""])
    # the rest of a merged group label above a new, enumerated row is not a continuation
    assert not _is_continuation(prev, ["", "供", "2.没有现成信息需要另行制作", "1", "0", "0", "0", "0", "0", "1"])
    assert not _is_continuation(["规章", "0", "0", "0"], ["行政规范性文件", "1", "0", "9"])


def test_a_file_of_html_documents_cut_inside_a_later_head_keeps_the_pages_before():
    # pdftohtml -s writes one whole document per page; a copy cut short inside the next
    # page's head is the pages before it, never an unreadable file
    page = ("<!DOCTYPE html><html><head><title>x</title></head><body><p>第{k}页</p></body></html>\n")
    cut = page.format(k=1) + page.format(k=2) + '<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang='
    doc = read_bytes(cut.encode(), "html")
    assert "第1页" in doc.text and "第2页" in doc.text


def test_a_character_pdfium_cannot_decode_is_kept_as_a_mark_and_its_cell_flagged(tmp_path):
    """A lone surrogate in pdfium's text (a glyph without a Unicode value) must not vanish: a
    cell 1?2 read as 12 is a wrong number. It reads as U+FFFD, the cell stays a value cell in
    its column, and it is flagged, not read."""
    from ingestion.parser.readers.pdf import decoded
    from ingestion.parser.values import looks_like_value, read

    cell = decoded("1".encode("utf-16-le") + b"\x00\xd8" + "2".encode("utf-16-le"))
    assert cell == "1\ufffd2"
    assert looks_like_value(cell) and read(cell).flagged
