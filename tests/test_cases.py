"""Example projects under tests/cases: each invalid one lists the diagnostics it must produce.

tests/cases/invalid/<name>/expected.txt holds `file:line:column: CODE` lines, sorted as
`gkcat validate` sorts them; tests/cases/valid/<name>/ must pass `validate --strict`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gkcat.check.load import load_project
from gkcat.diagnostics.codes import CODES

CASES = Path(__file__).parent / "cases"
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())


def found(case: Path) -> list[str]:
    return [f"{d.file}:{d.line}:{d.column}: {d.code}" for d in load_project(case).diagnostics]


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_invalid_case(case: Path):
    expected = (case / "expected.txt").read_text(encoding="utf-8").split()
    expected = [" ".join(expected[i:i + 2]) for i in range(0, len(expected), 2)]
    assert expected, "an invalid case must expect at least one diagnostic"
    assert found(case) == expected


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.name)
def test_valid_case(case: Path):
    assert found(case) == []


def test_every_code_is_exercised_by_some_case():
    seen = {line.split()[-1] for case in INVALID for line in (case / "expected.txt").read_text().splitlines()}
    # GK108 (symlinks) cannot live in a committed folder portably: tests/test_sources.py covers it.
    assert set(CODES) - seen == {"GK108"}
