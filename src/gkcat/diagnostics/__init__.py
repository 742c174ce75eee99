"""Diagnostics: what went wrong, where, and how it is printed. Standard library only."""
