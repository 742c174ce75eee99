"""Bringing existing tables in: grids from XLSX/HTML, bounds, the table reader, the import planner and writer, init."""
