"""Bringing existing tables in: grids from XLSX/HTML, bounds, the table reader, the import planner and writer, init."""

# --conflicts: when a returned form and the catalog both changed a cell, differently, the catalog's value
# stays (keep) or the unit's is written (take). Here, not in formplan.py, so that the command line's
# option list needs no import of the merge itself.
KEEP, TAKE = "keep", "take"
