"""Synthetic annual reports with exact truth, for tests and benchmarks.

`corpus.truth` makes a consistent report (agency, year, the 207 cells, multi-year series
that chain, violations injected on purpose); `corpus.render` prints it in the shapes real
reports take, with their quirks; `python -m corpus.generate` writes a fixed-seed corpus and
its gold files (the same JSON form as ../shared/gold). Not imported by the pipeline.
"""
