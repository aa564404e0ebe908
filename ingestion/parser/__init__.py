"""The parser: one report file → the cells of its template, with how sure it is of each.

Pure parsing lives here and nowhere else: readers (one per format: text in every shape
real exports take, HTML, DOCX, legacy DOC, PDF), the report templates as data
(templates/*.toml) and the mapper that aligns what a reader found to them, the arithmetic
that decides between readings, agency and year. No landing folder, parse store, warehouse
or orchestration: `ingestion.ingest` and the pipeline call `parse_file` and nothing else,
and `govinfo parse` imports only this package.
"""

def for_parsing() -> None:
    """Tune a process that parses: collect cyclic garbage less often. A parse allocates
    hundreds of thousands of short-lived objects (lines, cells, label keys, the division
    table) and makes almost no cycles, so the default threshold (700) runs the collector
    thousands of times for nothing: 20-30 % of a parse's CPU (benchmarks/bench_speed.py,
    BENCHMARKS.md). Garbage without cycles is still freed at once."""
    import gc

    gc.set_threshold(100_000, 50, 100)


PARSER_VERSION = "10"  # 10: pages without a text layer read by OCR, each number kept only where the arithmetic confirms it or the engine was sure (issue 26); 9: a character pdfium cannot decode kept as U+FFFD (never dropped), a value cell holding one flagged in its column, a warning said twice listed once (issue 23); 8: a short copy's wrapped title lines are no signature, an HTML file cut inside a later page keeps the pages before (issue 20); 7: a row's values in runs of a line joined to it (pdfium), a text row's label placeholder no blank cell, cells a row that lost cells agrees on confirmed by the sums, a 四 group without its own label uncertain, a copy cut before its tables read as truncated (issue 20); 6: reading-order text, positioned runs, any container read through its text, truncated copies uncertain, no fill pattern (issue 20); 5: prose statements (sections 一/五/六) with the cells they speak of (issue 14), a row followed by the wrapped digits of a cell is uncertain when its sums fail; 4: agency resolution (division code, kind) with its evidence (issue 12); "||" in a padded pipe row is a separator, not a cell
# (an edit to ingestion/resolve/data/agency_kinds.csv changes stored resolutions only after a version bump)
SCHEMA = "govinfo-annual-report/2"
