"""Loading and building again after an edit, as `gkcat serve` does.

What an earlier load or build lends the next one (resolved states, check results, the 总表 sheets
and search index parts, the output folder itself) must never change what comes out: after every
edit below, the incremental load (or build) is compared with one from nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import CATALOGS, SAMPLE_EPOCH
from gkcat.check.load import InvalidProject, Validation, load_project
from gkcat.check.overlays import OVERLAY_CHECKS
from gkcat.check.values import UNNAMED_ROLES
from gkcat.publish.outfolder import MANIFEST, BuildRefused
from gkcat.publish.pipeline import Session, build
from gkcat.resolve.resolver import STATE
from gkcat.source import tree

TOWN = "shenyang/liaozhong/liuerbao"
OTHER_TOWN = "shenyang/liaozhong/pudong"
OVERLAY = f"{TOWN}/shehui-jiuzhu.yaml"
GONE = "shenyang/shenhe/wulihe"
HEAD = "# yaml-language-server: $schema=../../../../schemas/domain-overlay.schema.json\ndomain: shehui-jiuzhu\n"

# (what the edit is, file, new text or None to delete, whether the project is valid afterwards)
EDITS: list[tuple[str, str, str | None, bool]] = [
    ("a town's override changes and names an item that is not upstream", OVERLAY,
     HEAD + "override:\n  shjz-05:\n    channels: [公开查阅点]\n  no-such-item:\n    channels: [政府网站]\n", False),
    ("fixed", OVERLAY, HEAD + "override:\n  shjz-05:\n    channels: [政府网站, 公开查阅点]\n", True),
    ("a town renames its government", f"{OTHER_TOWN}/locality.yaml",
     "name: 蒲东街道\nlevel: town\ndepartments:\n  government: 蒲东街道办事处（新）\n  township: 蒲东街道办事处\n", True),
    ("the town is renamed: its county's page lists it", f"{OTHER_TOWN}/locality.yaml",
     "name: 蒲东新街道\nlevel: town\ndepartments:\n  government: 蒲东街道办事处（新）\n  township: 蒲东街道办事处\n", True),
    ("a role the town cannot resolve", OVERLAY,
     HEAD + "override:\n  shjz-05:\n    subject: [no-such-role]\n", False),
    ("the town's overlay is removed", OVERLAY, None, True),
    ("the county drops its overlay of a domain", "shenyang/liaozhong/yiwu-jiaoyu.yaml", None, True),
    ("a town is removed", GONE, None, True),
]


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    root = tmp_path / "catalogs"
    shutil.copytree(CATALOGS, root, ignore=shutil.ignore_patterns("site"))
    return root


def _edit(root: Path, rel: str, text: str | None) -> None:
    if text is None and (root / rel).is_dir():
        shutil.rmtree(root / rel)
    elif text is None:
        (root / rel).unlink()
    else:
        (root / rel).write_text(text, encoding="utf-8")


def _published(v: Validation) -> dict[tuple[str, str], list[tuple[str, object]]]:
    assert v.project is not None and v.resolver is not None
    return {(loc.path, d.id): [(e.id, e.values) for e in v.resolver.published(loc, d)]
            for loc in v.project.localities.values() for d in v.project.domains}


@pytest.fixture(params=["racy", "settled"])
def files_settled(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Either every file counts as just written (read again each load), or none does: a file is then
    read again only when its status (inode, size, times) changed, as for files older than 2 s."""
    if request.param == "settled":
        monkeypatch.setattr(tree, "RACY", -1)
    return request.param == "settled"


def test_a_load_after_edits_finds_what_a_load_from_nothing_finds(sample: Path, files_settled: bool):
    earlier = load_project(sample)
    for what, rel, text, ok in EDITS:
        _edit(sample, rel, text)
        again = load_project(sample, earlier)
        fresh = load_project(sample)  # as a new process: every file parsed anew, no document shared
        assert again.diagnostics == fresh.diagnostics, what
        assert again.ok() is fresh.ok() is ok, what
        assert _published(again) == _published(fresh), what
        earlier = again
    codes = {d.code for d in load_project(sample, earlier).diagnostics}
    assert "GK302" not in codes and "GK303" not in codes


def test_a_settled_file_is_read_again_only_when_its_status_changed(sample: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(tree, "RACY", -1)
    earlier = load_project(sample)
    real, read = tree.read_input, []

    def counted(path: Path, shown: str) -> bytes:
        read.append(shown)
        return real(path, shown)

    monkeypatch.setattr(tree, "read_input", counted)
    again = load_project(sample, earlier)
    assert read == [] and again.diagnostics == earlier.diagnostics
    # the same size and modification time, other bytes: the change time still tells
    path = sample / OVERLAY
    before, text = path.stat(), path.read_text(encoding="utf-8")
    assert "公开查阅点" in text
    path.write_text(text.replace("公开查阅点", "便民服务站"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    third = load_project(sample, again)
    assert read == [OVERLAY]
    assert third.project is not None and third.resolver is not None
    town, domain = third.project.localities[TOWN], third.project.domain("shehui-jiuzhu")
    assert domain is not None
    item = next(e for e in third.resolver.published(town, domain) if e.id == "shjz-05")
    assert item.values.channels == ("社区/企事业单位/村公示栏(电子屏)", "便民服务站")


def test_only_what_an_edit_reaches_is_resolved_again(sample: Path):
    before = load_project(sample)
    _edit(sample, OVERLAY, HEAD + "override:\n  shjz-05:\n    channels: [公开查阅点]\n")
    after = load_project(sample, before)
    # what the load worked out anew (before the lookups below add their own)
    made = [k for k in after.memo.made if k.kind in (STATE, OVERLAY_CHECKS, UNNAMED_ROLES)]
    assert before.project and before.resolver and after.project and after.resolver
    domain = after.project.domain("shehui-jiuzhu")
    other = after.project.domain("yiwu-jiaoyu")
    assert domain and other

    def states(v: Validation, path: str, d_id: str):
        assert v.project and v.resolver
        return v.resolver.state(v.project.localities[path], v.project.domain(d_id))  # type: ignore[arg-type]

    # the edited town's state is new; its sibling's and every other domain's are taken over
    assert states(after, TOWN, domain.id) is not states(before, TOWN, domain.id)
    assert states(after, OTHER_TOWN, domain.id) is states(before, OTHER_TOWN, domain.id)
    assert states(after, TOWN, other.id) is states(before, TOWN, other.id)
    # check results are taken over with their states: only the edited file's are worked out again
    town = after.project.localities[TOWN]
    key = after.resolver.key(town, domain)
    assert key != before.resolver.key(before.project.localities[TOWN], domain)
    assert {k.kind for k in made} == {STATE, OVERLAY_CHECKS, UNNAMED_ROLES}
    assert all(k.print.split()[0] == key for k in made if k.kind is not UNNAMED_ROLES), made
    assert len([k for k in made if k.kind is UNNAMED_ROLES]) == 1  # the town's roles, over all its domains


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_session_updates_its_folder_to_what_a_build_from_nothing_writes(sample: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    session, served = Session(), tmp_path / "served"
    first = build(sample, served, jobs=2, session=session)
    assert (served / MANIFEST).is_file() and first.reused == []
    removed = [p for p in first.manifest_paths if p.startswith(f"{GONE}/")]
    for n, (what, rel, text, ok) in enumerate(EDITS):
        _edit(sample, rel, text)
        if not ok:
            with pytest.raises(InvalidProject):
                build(sample, served, jobs=1, session=session)
            continue
        report = build(sample, served, jobs=1, session=session)
        # only what the edit reaches is rendered; the rest of the folder is left as it is, and the
        # outputs of localities it does not reach are not even listed
        assert report.reused and len(report.rendered) < len(first.rendered) // 2, what
        assert 0 < report.carried < len(report.reused), what
        fresh = build(sample, tmp_path / f"fresh-{n}", jobs=2)
        expected = _files(tmp_path / f"fresh-{n}")
        del expected[MANIFEST]
        assert _files(served) == expected, what  # the manifest is the session's, not a file
        assert report.manifest_paths == fresh.manifest_paths
        assert (len(report.reused) + len(report.rendered), report.rows) == (len(fresh.rendered), fresh.rows), what
    assert removed and not any((served / p).exists() for p in removed) and not (served / GONE).exists()
    assert not list(served.rglob("*.gkcat-part"))


def test_a_static_file_may_not_replace_a_page_a_session_carries_over(sample: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    session, served = Session(), tmp_path / "served"
    build(sample, served, jobs=1, session=session)
    build(sample, served, jobs=1, session=session)  # nothing changed: every locality's outputs carried over
    (sample / "static" / OTHER_TOWN).mkdir(parents=True)
    (sample / "static" / OTHER_TOWN / "index.html").write_text("<p>替换</p>", encoding="utf-8")
    with pytest.raises(BuildRefused, match="同名"):
        build(sample, served, jobs=1, session=session)


def test_a_session_build_that_fails_to_write_renders_everything_next_time(sample: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SAMPLE_EPOCH)
    session, served = Session(), tmp_path / "served"
    build(sample, served, jobs=1, session=session)
    _edit(sample, *EDITS[1][1:3])  # type: ignore[misc]
    real = os.replace

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        build(sample, served, jobs=1, session=session)
    monkeypatch.setattr(os, "replace", real)
    again = build(sample, served, jobs=1, session=session)
    assert again.reused == []  # the folder may have been half updated: nothing in it is trusted
    fresh = tmp_path / "fresh"
    build(sample, fresh, jobs=1)
    expected = _files(fresh)
    del expected[MANIFEST]
    assert _files(served) == expected
