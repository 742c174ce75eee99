"""What `gkcat diff` compares: two localities of the working tree, or the project at a revision
(`REV` against the working tree, `A..B` between two), read and checked before anything is compared."""

from __future__ import annotations

from pathlib import Path

from gkcat.check.load import Loaded, require_valid
from gkcat.compare.diff import Comparison, Side, compare, compare_versions
from gkcat.compare.revisions import load_at
from gkcat.compare.workplan import with_plans
from gkcat.errors import GkcatError
from gkcat.resolve.catalog import Unknown, find_locality

INVALID_TREE = "工作区中的项目有错误，无法比较（gkcat validate）"


class CompareError(GkcatError):
    """The comparison cannot be made as asked (exit 2: for diff, 1 means "different")."""


def _working_tree(project_dir: Path) -> Loaded:
    return require_valid(project_dir, INVALID_TREE, exit_code=2)


def parse_range(rev: str) -> tuple[str, str | None]:
    """`v1` -> (v1, None): against the working tree; `v1..v2` -> (v1, v2)."""
    old, dots, new = rev.partition("..")
    if not old or (dots and not new):
        raise CompareError(f"版本范围“{rev}”不完整：应为 REV 或 A..B（如 v1..v2）")
    return old, new or None


def comparisons(project_dir: Path, a: str | None, b: str | None, rev: str | None) -> list[Comparison]:
    """The comparisons `gkcat diff` prints: one per locality pair, or one per locality between versions."""
    try:
        if rev is None:
            if a is None or b is None:
                raise CompareError("请给出两个地区（gkcat diff A B），或用 --rev 与某个版本比较")
            tree = _working_tree(project_dir)
            sides = [Side(tree.resolver, find_locality(tree.project, x)) for x in (a, b)]
            return [compare(sides[0], sides[1])]
        if b is not None:
            raise CompareError("--rev 之后只能给一个地区")
        old, new = parse_range(rev)
        before = load_at(project_dir, old)
        after = load_at(project_dir, new) if new else _working_tree(project_dir)
        loc = a.strip().strip("/") if a else None
        if loc is not None and loc not in before.project.localities and loc not in after.project.localities:
            loc = find_locality(after.project, loc).path  # a name; or Unknown with a suggestion
        return with_plans(compare_versions(before.resolver, after.resolver, old, new, loc))
    except Unknown as err:
        raise CompareError(str(err)) from None
