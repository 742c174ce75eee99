"""Resolved catalogs as renderers see them, and the provenance of one item (`explain`)."""

from __future__ import annotations

from dataclasses import dataclass

from gkcat.diagnostics.diagnostic import closest
from gkcat.errors import GkcatError
from gkcat.model.fields import ITEM_FIELDS, label
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVELS
from gkcat.resolve.provenance import Step
from gkcat.resolve.resolver import Entry, Exclusion, Resolver, WithheldEntry, resolve_subject


@dataclass(frozen=True)
class ResolvedItem:
    entry: Entry
    subject: tuple[str, ...]  # department names at this locality
    here: bool  # published by this locality itself (False: only passed down to levels below)

    @property
    def id(self) -> str:
        return self.entry.id

    def value(self, name: str) -> object:
        return self.subject if name == "subject" else self.entry.values.get(name)


@dataclass(frozen=True)
class ResolvedCatalog:
    locality: Locality
    domain: DomainDef
    table: list[ResolvedItem]  # what its table lists: published here or passed down (section 9)
    excluded: list[Exclusion]
    withheld: list[WithheldEntry]
    extra_labels: dict[str, str]  # extra field id -> column label (咨询电话)

    @property
    def items(self) -> list[ResolvedItem]:
        """What the locality itself publishes."""
        return [i for i in self.table if i.here]


class Unknown(GkcatError):
    """A locality, domain or item that does not exist, with a helpful message (exit 1: cli.md's `show`, `explain`)."""

    exit_code = 1


def levels_from(project: Project, loc: Locality) -> list[str]:
    """The project levels at and below this locality: its table's 公开层级 columns."""
    levels: list[str] = list(project.config.levels)
    return levels[levels.index(loc.level):]


def listed(resolver: Resolver, loc: Locality, domain: DomainDef) -> list[Entry]:
    """The entries a locality's table lists: published there or passed down to the levels below."""
    below = set(levels_from(resolver.project, loc))
    return [e for e in resolver.state(loc, domain).entries if below.intersection(e.levels)]


@dataclass(frozen=True)
class CatalogCounts:
    """How many items a locality's catalog has, without building it (pages shown on every build)."""

    published: int  # published here
    listed: int  # in its table: published here or passed down
    excluded: int  # excluded here or above
    withheld: int  # negative-list entries


def counts(resolver: Resolver, loc: Locality, domain: DomainDef) -> CatalogCounts:
    state = resolver.state(loc, domain)
    return CatalogCounts(len(resolver.published(loc, domain)), len(listed(resolver, loc, domain)),
                         len(state.excluded), len(state.withheld))


def exclusions(resolver: Resolver, loc: Locality, domain: DomainDef) -> list[Exclusion]:
    """What is excluded at this locality, here or above, with who and why."""
    return resolver.state(loc, domain).excluded


def parent_entries(resolver: Resolver, loc: Locality, domain: DomainDef) -> dict[str, Entry]:
    """The parent's entries by id, as they stood before this locality's file (empty at the top)."""
    return {e.id: e for e in resolver.state(loc.parent, domain).entries} if loc.parent else {}


def catalog(resolver: Resolver, loc: Locality, domain: DomainDef) -> ResolvedCatalog:
    state = resolver.state(loc, domain)
    table = [ResolvedItem(e, tuple(resolve_subject(loc, e.values.subject)), loc.level in e.levels)
             for e in listed(resolver, loc, domain)]
    labels = resolver.project.extra_labels
    return ResolvedCatalog(loc, domain, table, state.excluded, state.withheld, labels)


def find_locality(project: Project, given: str) -> Locality:
    """A locality by its folder path (shenyang/liaozhong) or its name (辽中区) when no other locality has it."""
    text = given.strip().strip("/")
    loc = project.localities.get(text)
    if loc is not None:
        return loc
    named = [lc for lc in project.localities.values() if lc.name == text]
    if len(named) == 1:
        return named[0]
    if named:
        raise Unknown(f"名为“{text}”的地区不止一个：" + "、".join(
            f"{lc.path}（{lc.parent.name if lc.parent else '顶层'}）" for lc in named) + "，请用文件夹路径指定")
    hint = closest(text, [*project.localities, *(lc.name for lc in project.localities.values())])
    raise Unknown(f"未知地区“{given}”" + (f"，是否为“{hint}”？" if hint else "；地区用文件夹路径或名称表示，如 ") +
                  ("" if hint else project.top.path if project.top else ""))


def domain_named(project: Project, given: str) -> DomainDef | None:
    """A domain by its id (shehui-jiuzhu) or its name (社会救助)."""
    text = given.strip()
    return project.domain(text) or next((d for d in project.domains if d.name == text), None)


def find_domain(project: Project, loc: Locality, given: str) -> DomainDef:
    domain = domain_named(project, given)
    if domain is None:
        hint = closest(given, [*(d.id for d in project.domains), *(d.name for d in project.domains)])
        raise Unknown(f"未知领域“{given}”" + (f"，是否为“{hint}”？" if hint else ""))
    if not project.reaches(domain, loc):
        raise Unknown(f"“{domain.name}”领域不延伸到{loc.name}所在的层级（{loc.level}）")
    return domain


def catalogs_for(resolver: Resolver, loc: Locality, domain_id: str | None = None) -> list[ResolvedCatalog]:
    """The locality's catalogs in domains.yaml order, or just `domain_id`'s."""
    project = resolver.project
    if domain_id is not None:
        return [catalog(resolver, loc, find_domain(project, loc, domain_id))]
    return [catalog(resolver, loc, d) for d in project.domains if project.reaches(d, loc)]


# -- explain --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldStory:
    name: str
    value: object  # final value at the locality (subject: resolved names)
    steps: tuple[Step, ...]  # every place that set or changed it, top first
    roles: tuple[tuple[str, str, Locality], ...] = ()  # (role, name, locality naming it), for subject


@dataclass(frozen=True)
class Story:
    locality: Locality
    domain: DomainDef
    item: ResolvedItem
    fields: tuple[FieldStory, ...]
    extra_labels: dict[str, str]


def explain(resolver: Resolver, loc: Locality, domain: DomainDef, item_id: str, field: str | None = None) -> Story:
    """Each field's final value and its history for one item at one locality (or `field`'s alone: id or label)."""
    cat = catalog(resolver, loc, domain)
    found = next((i for i in cat.table if i.id == item_id), None)
    if found is None:
        raise Unknown(_why_absent(resolver, cat, item_id))
    entry = found.entry
    stories = []
    for name in ITEM_FIELDS:
        if name == "extra":
            for key, value in entry.values.extras.items():
                stories.append(FieldStory(f"extra.{key}", value, entry.history.get(f"extra.{key}", ())))
            continue
        roles: tuple[tuple[str, str, Locality], ...] = ()
        if name == "subject":
            roles = tuple((r, *loc.roles[r]) for r in entry.values.subject if r in loc.roles)
        stories.append(FieldStory(name, found.value(name), entry.history.get(name, ()), roles))
    if field is not None:
        wanted = field.strip()
        stories = [s for s in stories if wanted in (s.name, s.name.removeprefix("extra."), label(s.name, cat.extra_labels))]
        if not stories:
            names = [f"{n}（{label(n, cat.extra_labels)}）" for n in ITEM_FIELDS if n != "extra"]
            raise Unknown(f"未知字段“{field}”：可选 {'、'.join(names)}，或扩展字段")
    return Story(loc, domain, found, tuple(stories), cat.extra_labels)


def _why_absent(resolver: Resolver, cat: ResolvedCatalog, item_id: str) -> str:
    loc, domain = cat.locality, cat.domain
    state = resolver.state(loc, domain)
    gone = state.exclusion(item_id)
    if gone is not None:
        return (f"事项“{item_id}”已被{gone.locality.name}排除（{gone.step.file}:{gone.step.line}），"
                f"理由：{gone.reason}")
    entry = state.entry(item_id)
    if entry is not None:
        order = {lv: i for i, lv in enumerate(LEVELS)}
        shown = "、".join(sorted(entry.levels, key=order.__getitem__))
        return f"事项“{item_id}”的公开层级为 {shown}，不在{loc.name}及其下级的目录中"
    hint = closest(item_id, [e.id for e in state.entries])
    return f"{loc.name}的“{domain.name}”目录中没有事项“{item_id}”" + (f"，是否为“{hint}”？" if hint else "")
