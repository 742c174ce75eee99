"""Workbooks in the national table layout: layout (data), writer (bytes), workbooks (contents)."""
