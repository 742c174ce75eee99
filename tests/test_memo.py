"""The memo's kinds with a bound (source/memo.py): the rows a build renders, made once per process."""

from __future__ import annotations

from datetime import UTC, datetime

from gkcat.check.load import require_valid
from gkcat.render.xlsx.workbooks import locality_workbook
from gkcat.render.xlsx.writer import SHEET_ROW
from gkcat.resolve.catalog import catalogs_for
from gkcat.source.memo import Kind, Memo

ROW: Kind[str] = Kind("test-row", bound=4)


def test_a_kind_with_a_bound_makes_each_value_once_and_keeps_at_most_its_bound():
    memo, made = Memo(), []

    def make(n: int) -> str:
        made.append(n)
        return f"row {n}"

    assert [memo.call(ROW, n, make, n) for n in (1, 2, 1, 3, 2)] == ["row 1", "row 2", "row 1", "row 3", "row 2"]
    assert made == [1, 2, 3]
    memo.call(ROW, 4, make, 4)
    memo.call(ROW, 5, make, 5)  # full at 4: the older half (1, 2) goes, the newer (3, 4) stays
    assert len(memo._bounded[ROW]) == 3
    memo.call(ROW, 3, make, 3)
    memo.call(ROW, 1, make, 1)
    assert made == [1, 2, 3, 4, 5, 1]


def test_the_key_is_what_the_value_is_made_from_not_the_arguments():
    memo = Memo()
    assert memo.call(ROW, ("same",), lambda x: x, "first") == "first"
    assert memo.call(ROW, ("same",), lambda x: x, "second") == "first"  # one key, one value


def test_the_next_load_of_a_process_takes_the_rows_over():
    memo = Memo()
    memo.call(ROW, 2, str, 2)
    following = memo.next()
    assert following.call(ROW, 2, lambda n: "again", 2) == "2"


def test_workbooks_share_their_rows_through_the_memo_and_are_the_same_without_it(project):
    root = project()
    v = require_valid(root)
    towns = [v.project.localities[p] for p in ("city/county/town-a", "city/county/town-b")]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    memo = Memo()
    made = [locality_workbook(v.project, catalogs_for(v.resolver, t), t, when, memo) for t in towns]
    rows = sum(n for _, n in made)
    assert 0 < len(memo._bounded[SHEET_ROW]) < rows  # the towns share their county's rows
    alone = locality_workbook(v.project, catalogs_for(v.resolver, towns[1]), towns[1], when, Memo())
    assert alone == made[1]
