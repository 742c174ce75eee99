"""Inheritance: exclude, override, local items, level filtering, roles, order and provenance."""

from __future__ import annotations

from gkcat.check.load import load_project
from gkcat.resolve.catalog import catalog, explain


def resolved(path, loc: str, domain: str = "yiwu-jiaoyu"):
    v = load_project(path)
    assert v.ok(), [f"{d.file}:{d.line} {d.code} {d.message}" for d in v.diagnostics]
    project = v.project
    return catalog(v.resolver, project.localities[loc], project.domain(domain)), v


def ids(cat, here_only: bool = True) -> list[str]:
    return [i.id for i in (cat.items if here_only else cat.table)]


def test_level_filtering_passes_items_through_levels_that_do_not_publish_them(project):
    root = project()
    city, _ = resolved(root, "city")
    county, _ = resolved(root, "city/county")
    town, _ = resolved(root, "city/county/town-a")
    assert ids(city) == ["jygk-ml"]  # the two policy items are for county and town only
    assert ids(county) == ["zcwj-jyfl", "jygk-ml"]  # zcwj-gfx (town only) is absent here...
    assert ids(town) == ["zcwj-jyfl", "zcwj-gfx", "jygk-ml"]  # ...and present in its towns
    # the county's table still lists what it passes down (format.md section 9)
    assert ids(county, here_only=False) == ["zcwj-jyfl", "zcwj-gfx", "jygk-ml"]


def test_roles_resolve_per_locality_with_fallback_to_ancestors(project):
    root = project()
    city, _ = resolved(root, "city")
    town, _ = resolved(root, "city/county/town-a")
    assert city.items[0].subject == ("市教育局",)
    assert town.items[0].subject == ("区教育局",)  # the town has no education bureau: its county's


def test_overlay_order_exclude_override_then_local_items_grouped_by_level1(project):
    root = project({"city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        exclude:
          - id: jygk-ml
            reason: 本区由市教育局统一公开
        override:
          zcwj-jyfl:
            channels: [政府网站, 公开查阅点]
            extra: {phone: "024-12345678"}
        items:
          - id: lz-xqhf
            level1: 招生管理
            level2: 学区划分
            content: 本区义务教育学区划分方案
            basis: 《中华人民共和国政府信息公开条例》
            subject: [education]
            channels: [政府网站]
          - id: lz-jd
            level1: 政策文件
            level2: 政策解读
            content: 本区教育政策解读
            basis: 《中华人民共和国政府信息公开条例》
            subject: [区教育局]
            channels: [政府网站]
    """})
    county, _ = resolved(root, "city/county")
    # 政策文件 group first (first appearance), inherited before local; then the new group
    assert ids(county, here_only=False) == ["zcwj-jyfl", "zcwj-gfx", "lz-jd", "lz-xqhf"]
    first = county.table[0].entry.values
    assert first.channels == ("政府网站", "公开查阅点")
    assert first.content == ("《中华人民共和国教育法》", "《中华人民共和国义务教育法》")  # untouched fields stay
    assert first.extras == {"phone": "024-12345678"}
    assert [(x.id, x.reason, x.locality.path) for x in county.excluded] == [("jygk-ml", "本区由市教育局统一公开", "city/county")]
    # towns inherit the county's result and its exclusions
    town, _ = resolved(root, "city/county/town-b")
    assert "jygk-ml" not in ids(town, here_only=False)
    assert [x.id for x in town.excluded] == ["jygk-ml"]
    assert town.table[0].entry.values.channels == ("政府网站", "公开查阅点")


def test_withheld_accumulates_down_the_tree(project):
    root = project({"city/county/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        withheld:
          - id: xs-xx
            title: 学生个人信息
            reason: 涉及个人隐私
            basis: 《中华人民共和国政府信息公开条例》第十五条
    """})
    city, _ = resolved(root, "city")
    town, _ = resolved(root, "city/county/town-a")
    assert [w.id for w in city.withheld] == ["ks-st"]
    assert [w.id for w in town.withheld] == ["ks-st", "xs-xx"]
    assert town.withheld[1].basis == ("《中华人民共和国政府信息公开条例》第十五条",)


def test_defaults_file_beats_project_and_item_beats_file(project):
    root = project({"city/yiwu-jiaoyu.yaml": """
        domain: yiwu-jiaoyu
        defaults:
          deadline: 文件默认时限
          channels: [公开查阅点]
        items:
          - id: a
            level1: 甲
            level2: 乙
            content: 丙
            basis: 丁
            subject: [education]
          - id: b
            level1: 甲
            level2: 戊
            content: 丙
            basis: 丁
            subject: [education]
            deadline: 本项时限
            method: 依申请
    """})
    city, v = resolved(root, "city")
    a, b = (i.entry for i in city.items)
    assert (a.values.deadline, a.values.channels, a.values.method) == ("文件默认时限", ("公开查阅点",), "主动")
    assert (b.values.deadline, b.values.method) == ("本项时限", "依申请")
    assert a.values.levels == ("city", "county", "town")  # the domain's levels
    steps = {name: [(s.file, s.action) for s in a.history[name]] for name in ("deadline", "method", "levels")}
    assert steps == {"deadline": [("city/yiwu-jiaoyu.yaml", "默认值")], "method": [("gkcat.yaml", "默认值")],
                     "levels": [("domains.yaml", "领域层级")]}


def test_unchanged_localities_share_their_parents_entries(project):
    root = project()
    v = load_project(root)
    domain = v.project.domain("yiwu-jiaoyu")
    county = v.resolver.state(v.project.localities["city/county"], domain)
    town = v.resolver.state(v.project.localities["city/county/town-a"], domain)
    assert town.entries is county.entries  # no copy for a locality without a file


def test_explain_lists_every_step_top_first(project):
    root = project({
        "city/county/yiwu-jiaoyu.yaml": """
            domain: yiwu-jiaoyu
            override:
              zcwj-jyfl:
                channels: [政府网站, 公开查阅点]
        """,
        "city/county/town-a/yiwu-jiaoyu.yaml": """
            domain: yiwu-jiaoyu
            override:
              zcwj-jyfl:
                channels: [入户/现场]
        """,
    })
    v = load_project(root)
    loc = v.project.localities["city/county/town-a"]
    story = explain(v.resolver, loc, v.project.domain("yiwu-jiaoyu"), "zcwj-jyfl")
    fields = {f.name: f for f in story.fields}
    channels = fields["channels"]
    assert channels.value == ("入户/现场",)
    assert [(s.file, s.line, s.action) for s in channels.steps] == [
        ("city/yiwu-jiaoyu.yaml", 9, "定义"),
        ("city/county/yiwu-jiaoyu.yaml", 4, "修改"),
        ("city/county/town-a/yiwu-jiaoyu.yaml", 4, "修改"),
    ]
    assert [s.value() for s in channels.steps][1] == ["政府网站", "公开查阅点"]
    subject = fields["subject"]
    assert subject.value == ("区教育局",)
    assert [(r, n, x.path) for r, n, x in subject.roles] == [("education", "区教育局", "city/county")]
    assert story.item.entry.origin.line == 3
