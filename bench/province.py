"""A synthetic province in the gkcat format, for benchmarks (deterministic for a given seed).

1 province, 14 cities, 7 counties per city (98), 15 towns per county (1,470); 26 domains of 30
items in the province's base files. Overlays at every level below: sparse by default; with
`heavy`, overlays for most domains at every city and county and for several at every town, each
with overrides, an exclusion and local items (the shape of a province where every level adapted).
"""

from __future__ import annotations

import random
from pathlib import Path

CHANNELS = ["政府网站", "政府公报", "两微一端", "发布会/听证会", "广播电视", "纸质媒体", "公开查阅点",
            "政务服务中心", "便民服务站", "入户/现场", "社区/企事业单位/村公示栏(电子屏)", "精准推送", "其他"]
ROLES = ["education", "civil-affairs", "human-resources", "emergency", "health", "housing", "finance",
         "agriculture", "justice", "public-security", "natural-resources", "culture-tourism"]
GROUPS = ["政策文件", "办事指南", "审批结果", "监督检查", "公共服务", "资金信息"]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _item(rng: random.Random, d: int, i: int) -> str:
    roles = rng.sample(ROLES, 1 + (i % 2))
    channels = rng.sample(CHANNELS[:12], 2 + i % 3)
    levels = ["[county, town]", "[county]", "[city, county, town]", "[town]"][i % 4]
    return (f"  - id: d{d:02d}-{i:02d}\n"
            f"    level1: {GROUPS[i % len(GROUPS)]}\n"
            f"    level2: 领域{d}第{i}项公开事项\n"
            f"    content: [要素甲{i}, 要素乙{i}, 要素丙{i}]\n"
            f"    basis: [《中华人民共和国政府信息公开条例》, 《领域{d}管理办法》]\n"
            f"    deadline: 信息形成或者变更之日起20个工作日内\n"
            f"    subject: [{', '.join(roles)}]\n"
            f"    channels: [{', '.join(channels)}]\n"
            f"    levels: {levels}\n")


# Each level touches its own range of item numbers, so that no overlay overrides what a level
# above excluded: city 0-14, county 15-24, town 25-29.
RANGES = {"city": (range(0, 10), range(10, 15)), "county": (range(15, 22), range(22, 25)),
          "town": (range(25, 29), range(29, 30))}


def _overlay(rng: random.Random, d: int, tag: str, level: str, local_items: int, heavy: bool = False) -> str:
    overridden, excluded = RANGES[level]
    out = f"domain: domain-{d:02d}\noverride:\n"
    for i in (overridden if heavy else rng.sample(overridden, 3)):
        out += f"  d{d:02d}-{i:02d}:\n    channels: [{', '.join(rng.sample(CHANNELS[:12], 3))}]\n"
        if heavy:  # a level that adapted: its own deadline, subject and published pages
            out += (f"    deadline: 每季度结束后15个工作日内（{tag}）\n    subject: [{rng.choice(ROLES)}]\n"
                    f"    links: [https://www.example.gov.cn/{tag}/d{d:02d}/{i:02d}.html]\n")
    out += "exclude:\n"
    for i in rng.sample(excluded, 1):
        out += f"  - id: d{d:02d}-{i:02d}\n    reason: 本地区无此事项（{tag}）\n"
    if local_items:
        out += "items:\n"
        for k in range(local_items):
            content = ", ".join(f"本地要素{n}" for n in range(5 if heavy else 1))
            out += (f"  - id: {tag}-{k}\n    level1: 本地事项\n    level2: {tag}本地事项{k}\n"
                    f"    content: [{content}]\n    basis: 《中华人民共和国政府信息公开条例》\n"
                    f"    subject: [education]\n    channels: [政府网站]\n")
    return out


def _locality(folder: Path, name: str, level: str, departments: dict[str, str],
              overlays: list[tuple[int, str, int]], rng: random.Random, counts: dict[str, int],
              heavy: bool = False) -> None:
    """One locality folder: its locality.yaml and its overlays (domain, tag, local items)."""
    _write(folder / "locality.yaml", f"name: {name}\nlevel: {level}\ndepartments:\n"
           + "".join(f"  {role}: {dept}\n" for role, dept in departments.items()))
    counts["localities"] += 1
    counts["files"] += 1
    for d, tag, local_items in overlays:
        _write(folder / f"domain-{d:02d}.yaml", _overlay(rng, d, tag, level, local_items, heavy))
        counts["overlays"] += 1


def generate(root: Path, seed: int = 20261122, cities: int = 14, counties: int = 7, towns: int = 15,
             domains: int = 26, items: int = 30, heavy: bool = False) -> dict[str, int]:
    """Write the province under `root`; returns counts of what was written."""
    rng = random.Random(seed)
    counts = {"localities": 0, "files": 0, "overlays": 0}
    _write(root / "gkcat.yaml", "title: 某某省基层政务公开标准目录\nroot: province\nlevels: [province, city, county, town]\n"
           "common_fields: [level1, level2, content, basis]\n"
           "defaults:\n  deadline: 信息形成或者变更之日起20个工作日内\n  audience: 全社会\n  method: 主动\n")
    _write(root / "domains.yaml", "".join(
        f"- id: domain-{d:02d}\n  name: 领域{d}\n  levels: [province, city, county, town]\n  lead: [{ROLES[d % len(ROLES)]}]\n"
        for d in range(domains)))
    departments = "".join(f"  {r}: 省{r}厅\n" for r in ROLES)
    _write(root / "province/locality.yaml", f"name: 某某省\nlevel: province\ndepartments:\n{departments}")
    for d in range(domains):
        _write(root / f"province/domain-{d:02d}.yaml",
               f"domain: domain-{d:02d}\nitems:\n" + "".join(_item(rng, d, i) for i in range(items)))
    counts["files"] += 2 + 1 + domains
    counts["localities"] += 1
    for c in range(cities):
        city = root / "province" / f"city-{c:02d}"
        _locality(city, f"第{c}市", "city", {r: f"第{c}市{r}局" for r in ROLES},
                  [(d, f"c{c}", 3 if heavy else 2) for d in rng.sample(range(domains), 22 if heavy else 5)], rng, counts, heavy)
        for k in range(counties):
            county = city / f"county-{k:02d}"
            _locality(county, f"第{c}市第{k}县", "county", {r: f"第{c}市第{k}县{r}局" for r in ROLES[:8]},
                      [(d, f"c{c}k{k}", 3 if heavy else 1) for d in rng.sample(range(domains), 20 if heavy else 3)], rng, counts, heavy)
            for t in range(towns):
                name = f"第{c}市第{k}县第{t}镇"
                if heavy:
                    overlays = [(d, f"c{c}k{k}t{t}", 2) for d in rng.sample(range(domains), 2)]
                else:
                    overlays = [(rng.randrange(domains), f"c{c}k{k}t{t}", 0)] if rng.random() < 0.3 else []
                _locality(county / f"town-{t:02d}", name, "town", {"township": f"{name}人民政府"}, overlays, rng, counts,
                          heavy)
    counts["files"] += counts["overlays"]
    return counts


def one_big_file(root: Path, items: int, seed: int = 20261201) -> Path:
    """A project whose only catalog is one domain file of `items` items (the duplicate-id check's worst case)."""
    rng = random.Random(seed)
    _write(root / "gkcat.yaml", "title: 单个大文件\nroot: top\nlevels: [province]\n"
           "defaults:\n  deadline: 信息形成或者变更之日起20个工作日内\n  audience: 全社会\n  method: 主动\n")
    _write(root / "domains.yaml", "- id: domain-00\n  name: 领域0\n  levels: [province]\n  lead: [education]\n")
    _write(root / "top/locality.yaml", "name: 某某省\nlevel: province\ndepartments:\n"
           + "".join(f"  {r}: 省{r}厅\n" for r in ROLES))
    body = "".join(_item(rng, 0, i).replace("    levels: [county, town]\n", "").replace(
        "    levels: [county]\n", "").replace("    levels: [city, county, town]\n", "").replace(
        "    levels: [town]\n", "").replace(f"id: d00-{i:02d}", f"id: d00-{i:06d}") for i in range(items))
    _write(root / "top/domain-00.yaml", "domain: domain-00\nitems:\n" + body)
    return root
