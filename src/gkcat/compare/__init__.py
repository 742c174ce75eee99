"""Differences between localities and between git revisions; the release history."""
