"""Every semantic check of a loaded project; load_project() = load + resolve + check."""
