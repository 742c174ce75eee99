"""Inheritance: the locality tree resolved into catalogs, with the provenance of every value; explain; spread."""
