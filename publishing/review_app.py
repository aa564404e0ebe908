"""`govinfo review serve`: the review queue as a local web page (Starlette, served by uvicorn:
both already here through Dagster's webserver).

One item at a time: what was printed beside what was read — the PDF page rendered (pypdfium2),
or for text and HTML the lines around the cell as the parser numbered them — and the three
decisions: correct (type the value, Enter), confirm (c), printed as is (p); j / k move on and
back. A decision is appended to the corrections file (publishing.review.decide), never to
the warehouse; the next run applies it.
"""
from __future__ import annotations

from pathlib import Path

from ingestion.load import corrections
from ingestion.load.landing import object_path
from ingestion.load.layout import Layout

from .pages import template
from .review import Item, decide, queue

CONTEXT_LINES = 8  # lines shown above and below the cell's line
PAGE_SCALE = 1.5  # PDF pages rendered at 108 dpi


def _source(layout: Layout, raw_dir: Path | None, item: Item) -> Path | None:
    """The document's file: in the landing folder, else the copy the scan kept."""
    if raw_dir is not None and item.source_file and (Path(raw_dir) / item.source_file).is_file():
        return Path(raw_dir) / item.source_file
    kept = object_path(layout.objects, item.document_id)
    return kept if kept.is_file() else None


def _lines(path: Path, line: int | None) -> list[tuple[int, str, bool]]:
    """The document's text around a line, numbered as the parser numbers it."""
    from ingestion.parser.readers import read_document

    if line is None:
        return []
    text = read_document(path)[0].text.splitlines()
    first = max(1, line - CONTEXT_LINES)
    return [(n, text[n - 1], n == line) for n in range(first, min(len(text), line + CONTEXT_LINES) + 1)]


def _decided(layout: Layout) -> set[tuple[str, str]]:
    """(document, cell or finding) already decided in the corrections file: the next run
    applies them, so the queue still lists them until then."""
    try:
        rows = corrections.read(corrections.path_of(layout.corrections))
    except corrections.CorrectionsInvalid:
        return set()
    return {(c.document_id, c.field or f"{c.rule} {c.subject}") for _, c in rows}


def _png(path: Path, page: int) -> bytes:
    import io

    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        image = pdf[page - 1].render(scale=PAGE_SCALE).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def app(warehouse: Path, raw_dir: Path | None, who: str):
    """The Starlette application over a warehouse's open review items."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse, RedirectResponse, Response
    from starlette.routing import Route

    layout = Layout(warehouse)

    def items() -> list[Item]:
        return queue(warehouse)

    async def show(request: Request):
        found, n = items(), request.path_params["n"]
        if not found:
            return HTMLResponse("<!DOCTYPE html><title>review</title><p id=done>Nothing to review.</p>")
        n = min(max(n, 0), len(found) - 1)
        item = found[n]
        source = _source(layout, raw_dir, item)
        pdf_page = item.page if source is not None and source.suffix.lower() == ".pdf" and item.page else None
        context = [] if pdf_page or source is None else _lines(source, item.line)
        page = template("review.html").render(item=item, n=n, total=len(found), who=who, pdf_page=pdf_page,
                                              context=context, have_source=source is not None,
                                              decided=(item.document_id, item.item) in _decided(layout),
                                              is_cell=item.is_cell, message=request.query_params.get("said", ""))
        return HTMLResponse(page)

    async def act(request: Request):
        found, n = items(), request.path_params["n"]
        item = found[n]
        form = await request.form()
        action, why = form.get("action", ""), (form.get("why") or "").strip()
        try:
            _, c = decide(warehouse, item.document_id, action, who=who, why=why,
                          value=(form.get("value") or "").strip() if action == "correct" else "", **item.target())
        except (ValueError, LookupError) as exc:
            return RedirectResponse(f"/item/{n}?said={exc}", status_code=303)
        return RedirectResponse(f"/item/{min(n + 1, len(found) - 1)}?said=recorded {c.action} of item {n + 1}",
                                status_code=303)

    async def page_image(request: Request):
        found = {i.document_id: i for i in items()}
        item = found.get(request.path_params["sha"])
        source = _source(layout, raw_dir, item) if item else None
        if source is None or source.suffix.lower() != ".pdf":
            return Response(status_code=404)
        return Response(_png(source, request.path_params["page"]), media_type="image/png")

    async def first(request: Request):
        return RedirectResponse("/item/0")

    return Starlette(routes=[Route("/", first), Route("/item/{n:int}", show), Route("/item/{n:int}", act, methods=["POST"]),
                             Route("/page/{sha}/{page:int}.png", page_image)])


def serve(warehouse: Path, raw_dir: Path | None, who: str, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app(warehouse, raw_dir, who), host=host, port=port, log_level="warning")
