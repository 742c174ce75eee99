"""The sample catalogs: valid, schema-annotated, built from the reference and exercising the format."""

from __future__ import annotations

import importlib.util

import pytest
import yaml

from conftest import CATALOGS, REPO
from gkcat.check.load import load_project
from gkcat.resolve.catalog import catalog

REFERENCE = REPO.parent / "shared" / "reference" / "standard-catalogs"


@pytest.fixture(scope="module")
def samples():
    v = load_project(CATALOGS)
    assert v.ok(strict=True), [f"{d.file}:{d.line} {d.code} {d.message}" for d in v.diagnostics]
    return v


def test_every_yaml_file_names_its_schema():
    for path in CATALOGS.rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file() and target.parent == REPO / "schemas", path


def test_domains_are_the_26_pilot_domains_plus_the_newer_ones(samples):
    domains = samples.project.domains
    assert len(domains) == 31
    assert sum("town" in d.levels for d in domains[:26]) == 16
    names = [d.name for d in domains]
    assert {"义务教育", "社会救助", "城乡规划", "救灾"} <= set(names[:26])
    assert names[26:] == ["交通运输", "旅游", "广播电视", "统计", "新闻出版版权"]


def test_every_reference_domain_has_a_base_catalog_at_the_city(samples):
    top = samples.project.top
    with_rows = [d.id for d in samples.project.domains[:26]]
    assert sorted(top.files) == sorted(with_rows)


def test_the_tree_has_counties_and_towns(samples):
    levels = [loc.level for loc in samples.project.localities.values()]
    assert levels.count("county") == 2 and levels.count("town") >= 4


def test_the_overlays_exercise_every_feature(samples):
    files = [src.model for loc in samples.project.localities.values() if loc.parent for src in loc.files.values()]
    assert any(m.override for m in files) and any(m.exclude for m in files) and any(m.items for m in files)
    assert any(m.withheld for m in files)
    assert any(p.extra for m in files for p in m.override.values())
    resolver, project = samples.resolver, samples.project
    # role fallback: a town without an education bureau names its district's
    town = project.localities["shenyang/liaozhong/pudong"]
    cat = catalog(resolver, town, project.domain("yiwu-jiaoyu"))
    assert "区教育局" in {s for i in cat.items for s in i.subject}
    # level filtering: an item for counties only is absent from the town
    county_only = [e.id for e in resolver.state(town, project.domain("yiwu-jiaoyu")).entries if e.levels == ("county",)]
    assert county_only and not set(county_only) & {i.id for i in cat.items}


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/reference is not beside this checkout")
def test_base_catalogs_are_what_the_generator_makes_from_the_reference(tmp_path):
    spec = importlib.util.spec_from_file_location("make_samples", REPO / "tools" / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for slug, _, levels, lead, prefix in module.DOMAINS:
        made = module.base_file(REFERENCE, slug, levels, lead, prefix)
        path = CATALOGS / "shenyang" / f"{slug}.yaml"
        assert (made[0] if made else None) == (path.read_text(encoding="utf-8") if path.exists() else None), slug
    assert module.domains_yaml() == (CATALOGS / "domains.yaml").read_text(encoding="utf-8")


def test_sample_texts_come_from_the_reference():
    # Every 二级事项 in the city's base catalogs is a row of the reference tables.
    if not REFERENCE.is_dir():
        pytest.skip("shared/reference is not beside this checkout")
    rows = "\n".join(p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.tsv"))
    for path in (CATALOGS / "shenyang").glob("*.yaml"):
        if path.name == "locality.yaml":
            continue
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            assert item["level2"] in rows, (path.name, item["level2"])
