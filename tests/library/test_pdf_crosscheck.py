"""Independent cross-check of the pdfium table reader: pdfplumber (pdfminer engine, its own
ruled-table finder) reads the same generated PDFs, its tables go through the same mapper,
and both must give the gold cells."""
from ingestion.parser.document import Document, Row
from ingestion.parser.mapper import map_cells
from ingestion.parser.readers.pdf import Piece, _stitch
from ingestion.parser.template import load
from ingestion.parser.textnorm import nfkc, squash


def _spans(row: list) -> dict[int, int]:
    """pdfplumber marks a position a merged cell covers as None: it belongs to the cell to
    its left."""
    spans, start = {}, None
    for j, cell in enumerate(row):
        if cell is not None:
            start = j
        elif start is not None:
            spans[start] = j
    return spans


def read_with_pdfplumber(path) -> Document:
    import pdfplumber

    pieces, texts = [], []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            texts.append(page.extract_text() or "")
            for table in page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
                extracted = table.extract()
                rows = [[squash(c or "") for c in row] for row in extracted]
                xs = sorted({round(cell[0], 1) for cell in table.cells} | {round(cell[2], 1) for cell in table.cells})
                kept = [k for k, r in enumerate(rows) if any(r)]
                pieces.append(Piece(page=number, top=-table.bbox[1], bottom=-table.bbox[3], xs=xs,
                                    rows=[rows[k] for k in kept], spans=[_spans(extracted[k]) for k in kept]))
            page.close()
    # pdfplumber leaves a merged cell's covered positions empty: its rows share the grid
    rows = [Row(cells=[nfkc(c) for c in cells], table=t, page=p.page, grid=True, spans=spans)
            for t, p in _stitch(pieces) for cells, spans in zip(p.rows, p.spans)]
    return Document(format="pdf", text=nfkc("\n".join(texts)), rows=rows)


def test_pdfplumber_reads_the_same_cells(generated):
    out, cases = generated
    pdfs = [c for c in cases if c.filename.endswith(".pdf") and not c.gold.get("expect_error")]
    assert len(pdfs) >= 5
    for case in pdfs[:6]:
        cells = map_cells(read_with_pdfplumber(out / "docs" / case.filename), load(case.gold["template"])).cells
        wrong = {f: (cells[f], v) for f, v in case.gold["cells"].items() if cells[f] != v}
        assert not wrong, (case.id, dict(list(wrong.items())[:4]))
