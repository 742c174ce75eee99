"""What resolution set aside in each file, as diagnostics; and the value checks of every item a
file defines or overrides, run on the values as resolved (defaults applied, patches merged)."""

from __future__ import annotations

from typing import Any

from gkcat.check.values import ValueChecker
from gkcat.diagnostics.codes import CODES, Severity
from gkcat.diagnostics.diagnostic import Diagnostic, did_you_mean
from gkcat.model.project import DomainSource, Locality
from gkcat.resolve.resolver import (
    COMMON_FIELD,
    DUPLICATE_EXCLUDE,
    DUPLICATE_ITEM,
    DUPLICATE_WITHHELD,
    EXCLUDED_HERE,
    EXCLUDED_ID,
    NOT_UPSTREAM,
    DomainState,
    Resolver,
    SetAside,
    patch_values,
)
from gkcat.source.memo import Key, Kind, Memo, fits

# A file's set-aside requests and value checks, by its state's key and what the checker reads beyond it
# (ValueChecker.context): kept on disk too, so a new process checks only the files whose chain changed.
OVERLAY_CHECKS: Kind[list[Diagnostic]] = Kind("overlay-checks", dump=lambda found: [d.json() for d in found],
                                             load=lambda data: _diagnostics(data))
_DIAGNOSTICS = [(str, int, int, str, str, str, str)]  # Diagnostic.json()
_SEVERITIES = frozenset(s.value for s in Severity)


def _diagnostics(data: Any) -> list[Diagnostic] | None:
    """Diagnostics as the cache keeps them, or None for an entry that is not a list of them."""
    if not fits(data, _DIAGNOSTICS) or not all(d[3] in CODES and d[6] in _SEVERITIES for d in data):
        return None
    return [Diagnostic(d[0], d[1], d[2], d[3], d[4], d[5], Severity(d[6])) for d in data]


def _diagnostic(a: SetAside, parent: DomainState) -> Diagnostic:
    doc, path, item_id = a.doc, a.path, a.item_id
    if a.why == NOT_UPSTREAM:
        what = "排除" if path[0] == "exclude" else "修改"
        if a.gone is not None:
            gone = a.gone
            msg = f"{what}的事项“{item_id}”已被{gone.locality.name}排除（{gone.step.file}:{gone.step.line}），无法再{what}"
        else:
            msg = f"上级目录中没有事项“{item_id}”{did_you_mean(item_id, [e.id for e in parent.entries])}"
        return doc.diag(path, "GK302", msg, key=what == "修改")
    if a.why == DUPLICATE_EXCLUDE:
        return doc.diag(path, "GK301", f"事项“{item_id}”重复排除")
    if a.why == EXCLUDED_HERE:
        return doc.diag(path, "GK312", f"事项“{item_id}”在本文件中已被排除，不能再修改", key=True)
    if a.why == COMMON_FIELD:
        msg = f"“{a.name}”是共性要素（gkcat.yaml common_fields），下级不能修改；如确有不同，请联系上级修改"
        return doc.diag(path, "GK309", msg, key=True)
    if a.why == DUPLICATE_ITEM:
        upstream = parent.entry(item_id) is not None
        where, hint = ("上级目录", "；修改上级事项请用 override") if upstream else ("本文件", "")
        return doc.diag(path, "GK301", f"事项标识“{item_id}”与{where}中的事项重复{hint}")
    if a.why == EXCLUDED_ID and a.gone is not None:
        return doc.diag(path, "GK301", f"事项标识“{item_id}”与{a.gone.locality.name}已排除的事项相同：请换一个标识")
    assert a.why == DUPLICATE_WITHHELD, a.why
    return doc.diag(path, "GK301", f"负面清单标识“{item_id}”重复")


def check_overlays(resolver: Resolver, checker: ValueChecker, memo: Memo) -> list[Diagnostic]:
    """Every file's set-aside requests and the value checks of what it sets, as diagnostics."""
    project = resolver.project
    out: list[Diagnostic] = []
    for loc in project.localities.values():
        for src in loc.files.values():
            domain = project.domain(src.stem)
            if src.model is None or domain is None:
                continue
            key = Key(OVERLAY_CHECKS, f"{resolver.key(loc, domain)} {checker.context}")
            found = memo.get(key)
            if found is None:
                state = resolver.state(loc, domain)
                parent = resolver.state(loc.parent, domain) if loc.parent else DomainState([], [], [])
                found = [_diagnostic(a, parent) for a in state.set_aside]
                _check_values(loc, src, state, checker.writing_to(found), {a.path for a in state.set_aside})
                memo.keep(key, found)
            out += found
    return out


def _check_values(loc: Locality, src: DomainSource, state: DomainState, checker: ValueChecker, aside: set[object]) -> None:
    assert src.model is not None
    domain = checker.project.domain(src.stem)
    assert domain is not None
    by_id = {e.id: e for e in state.entries}
    for i, item in enumerate(src.model.items):
        path = ("items", i)
        entry = by_id.get(item.id)
        if path + ("id",) in aside or entry is None:
            continue
        checker.check(loc, domain, src.doc, path, entry.values, item.model_dump(exclude_unset=True), defined=True,
                      history=entry.history)
    common = set(checker.project.config.common_fields)
    for item_id, patch in src.model.override.items():
        entry = by_id.get(item_id)  # None: set aside (not upstream, or excluded in this file)
        given = patch_values(patch, common)
        if entry is not None and given:
            checker.check(loc, domain, src.doc, ("override", item_id), entry.values, given, defined=False)
