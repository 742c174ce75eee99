"""From source files to typed models: the project, its domains and its locality tree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gkcat.diagnostics.diagnostic import Diagnostic, did_you_mean, visible
from gkcat.model.files import DomainDef, DomainFile, DomainsFile, LocalityFile, ProjectConfig
from gkcat.model.validation import validate_model, validate_pruned
from gkcat.model.vocabulary import LEVEL_ZH, LEVELS, SLUG, name_problem
from gkcat.model.workplan import WorkPlanFile
from gkcat.source.files import DOMAINS_FILE
from gkcat.source.memo import Key, Kind, Memo
from gkcat.source.tree import SourceTree
from gkcat.source.yamldoc import SourceDoc


@dataclass(eq=False)
class DomainSource:
    """One domain file of one locality; `model` is None when the file does not fit the format."""

    stem: str
    doc: SourceDoc
    model: DomainFile | None
    # Ids of items dropped for errors: overlays below may name them without a "not upstream"
    # error. None means unknown ids were dropped (or the file is unusable): skip those checks.
    dropped: set[str] | None = field(default_factory=set)


@dataclass(eq=False)
class WorkPlanSource:
    """One work plan file of one locality; `model` is None when it does not fit the format."""

    year: int  # from the file name
    doc: SourceDoc
    model: WorkPlanFile | None


@dataclass(eq=False)
class Locality:
    path: str
    name: str
    level: str  # the level its depth gives (authoritative)
    depth: int
    parent: Locality | None
    doc: SourceDoc | None
    code: str | None = None
    departments: dict[str, str] = field(default_factory=dict)
    # role -> (department name, the locality that names it), after falling back to ancestors.
    roles: dict[str, tuple[str, Locality]] = field(default_factory=dict)
    children: list[Locality] = field(default_factory=list)
    files: dict[str, DomainSource] = field(default_factory=dict)
    workplans: dict[int, WorkPlanSource] = field(default_factory=dict)  # by year

    def chain(self) -> list[Locality]:
        """This locality and its ancestors, top first."""
        out: list[Locality] = []
        node: Locality | None = self
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    def walk(self) -> Iterator[Locality]:
        """This locality and everything below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Project:
    root_dir: Path
    config: ProjectConfig
    config_doc: SourceDoc
    domains: list[DomainDef]
    domains_doc: SourceDoc | None
    localities: dict[str, Locality]  # pre-order
    top: Locality | None
    # templates/ and static/ files by their path there, symlinks already checked by sources
    templates: dict[str, Path] = field(default_factory=dict)
    static: dict[str, Path] = field(default_factory=dict)

    def domain(self, domain_id: str) -> DomainDef | None:
        return self._domain_index.get(domain_id)

    def domain_position(self, domain_id: str) -> int:
        return self._domain_order[domain_id]

    def __post_init__(self) -> None:
        self._domain_index = {d.id: d for d in self.domains}
        self._domain_order = {d.id: i for i, d in enumerate(self.domains)}

    @property
    def root(self) -> Locality:
        """The top locality. A project without one is invalid, and only valid projects get this far."""
        if self.top is None:
            raise ValueError("project without a top locality")
        return self.top

    def reaches(self, domain: DomainDef, locality: Locality) -> bool:
        return locality.level in domain.levels

    @property
    def extra_labels(self) -> dict[str, str]:
        """Extra field id -> its column label (咨询电话), in gkcat.yaml order."""
        return {f.id: f.label for f in self.config.extra_fields}


def build_project(tree: SourceTree) -> tuple[Project | None, list[Diagnostic]]:
    """Validate every file against its model and link the locality tree.

    Returns no project when gkcat.yaml itself is unusable; the diagnostics then still cover
    every other file's own format.
    """
    diags: list[Diagnostic] = []
    config = _config(tree, diags)
    broken: set[str] = set()
    domains, domains_doc = _domains(tree, diags, broken)
    localities: dict[str, Locality] = {}
    levels: list[str] = list(config.levels) if config else list(LEVELS)
    for src in tree.localities.values():
        parent = localities.get(src.parent) if src.parent else None
        loc = _locality(tree.memo, src.path, src.depth, parent, src.locality, levels, diags, config is not None)
        if loc is None:
            continue
        localities[loc.path] = loc
        if parent:
            parent.children.append(loc)
        for stem, doc in src.domain_files.items():
            model, partial = None, True
            if doc.ok:
                data = doc.data
                if isinstance(data, dict) and not isinstance(data.get("domain"), str):
                    data = {**data, "domain": stem}  # reported below if missing; keeps the rest checkable
                    diags.append(doc.diag(("domain",), "GK202", f"缺少必填字段“domain”（领域标识，应为“{stem}”）"))
                model, partial, problems = _validated(tree.memo, doc, DomainFile, data)
                diags.extend(problems)
            loc.files[stem] = DomainSource(stem, doc, model, _dropped(doc.data, model) if partial else set())
        for year, doc in sorted(src.workplan_files.items()):
            loc.workplans[year] = _workplan(tree.memo, year, doc, diags)
    if config is None or tree.config is None:
        return None, diags
    top = localities.get(config.root)
    if top is None and not any(d.code == "GK107" for d in diags):
        diags.append(tree.config.diag(("root",), "GK310", f"找不到顶层地区文件夹“{config.root}/”（或其中没有 locality.yaml）"))
    project = Project(tree.root_dir, config, tree.config, domains, domains_doc, localities, top, tree.templates, tree.static)
    for loc in localities.values():
        _check_domain_files(project, loc, diags, broken)
    return project, diags


# A file validated against a model: (the model or None, whether values were removed, the problems). In the
# process only: gkcat serve does not validate an unchanged file again.
VALIDATED: Kind[tuple[Any, bool, list[Diagnostic]]] = Kind("validated")


def _validated(memo: Memo, doc: SourceDoc, model: type[Any], data: object) -> tuple[Any, bool, list[Diagnostic]]:
    """validate_pruned, once per document: `data` is the document's own (at most given its domain from
    its file name, which `rel` names), so the key is the model, the path and the text."""
    return memo.make(Key(VALIDATED, f"{model.__name__}\0{doc.rel}\0{doc.digest}"),
                     lambda: validate_pruned(doc, model, data))


def _config(tree: SourceTree, diags: list[Diagnostic]) -> ProjectConfig | None:
    doc = tree.config
    if doc is None or not doc.ok:
        return None
    config, problems = validate_model(doc, ProjectConfig, doc.data)
    diags.extend(problems)
    if config is None:
        return None
    levels = list(config.levels)
    start = LEVELS.index(levels[0]) if levels[0] in LEVELS else 0
    if levels != list(LEVELS[start : start + len(levels)]):
        want = "、".join(LEVELS[start : start + len(levels)])
        diags.append(doc.diag(("levels",), "GK310", f"levels 应为自上而下连续的层级（如 {want}），实际为 {'、'.join(levels)}"))
    for name, values in (("channels", config.channels), ("common_fields", config.common_fields)):
        for i, value in enumerate(values):
            if value in values[:i]:
                diags.append(doc.diag((name, i), "GK301", f"“{value}”重复出现"))
    ids = [f.id for f in config.extra_fields]
    for i, value in enumerate(ids):
        if value in ids[:i]:
            diags.append(doc.diag(("extra_fields", i, "id"), "GK301", f"扩展字段“{value}”重复定义"))
    return config


def _domains(tree: SourceTree, diags: list[Diagnostic], broken: set[str]) -> tuple[list[DomainDef], SourceDoc | None]:
    """The registered domains; ids of entries refused for errors go to `broken` (their files are not checked)."""
    doc = tree.domains
    if doc is None:
        if tree.config is not None:
            diags.append(Diagnostic.make(DOMAINS_FILE, (1, 1), "GK310", f"缺少 {DOMAINS_FILE}：请在项目文件夹中登记领域"))
        return [], None
    if not doc.ok:
        return [], doc
    if not isinstance(doc.data, list):
        _, problems = validate_model(doc, DomainsFile, doc.data)
        diags.extend(problems)
        return [], doc
    domains: dict[str, DomainDef] = {}
    for i, entry in enumerate(doc.data):
        # One entry at a time: a bad entry is reported once and the other domains stay registered.
        d, problems = validate_model(doc, DomainDef, entry, (i,))
        diags.extend(problems)
        if d is None:
            given = entry.get("id") if isinstance(entry, dict) else None
            # "*": an entry whose id itself is bad could be any domain file's
            broken.add(given if isinstance(given, str) and re.match(SLUG, given) else "*")
        elif d.id in domains:
            diags.append(doc.diag((i, "id"), "GK301", f"领域“{d.id}”重复登记"))
        else:
            domains[d.id] = d
    return list(domains.values()), doc


def _locality(memo: Memo, path: str, depth: int, parent: Locality | None, doc: SourceDoc | None, levels: list[str],
              diags: list[Diagnostic], check_levels: bool) -> Locality | None:
    if depth >= len(levels):
        if check_levels and doc is not None:
            diags.append(doc.diag((), "GK304", f"地区层次过深：项目只有 {len(levels)} 级（{'、'.join(levels)}），"
                                               f"此文件夹是第 {depth + 1} 级"))
        return None
    level = levels[depth]
    loc = Locality(path, path.rsplit("/", 1)[-1], level, depth, parent, doc)
    if parent is not None:
        loc.roles = parent.roles  # shared until this locality names departments of its own
    model: LocalityFile | None = None
    # A refused or broken locality.yaml is reported once; the locality stays, named by its folder,
    # so that its towns keep their parent instead of failing as if they were the top.
    if doc is not None and doc.ok:
        model, _, problems = _validated(memo, doc, LocalityFile, doc.data)
        diags.extend(problems)
    if model is None or doc is None:
        return loc
    problem = name_problem(model.name)
    if problem:
        diags.append(doc.diag(("name",), "GK209", f"地区名称“{visible(model.name[:60])}”不能使用：{problem}"))
    for role, name in model.departments.items():  # a department's name heads forms, file names and duty lists
        if any(ch in name for ch in "\n\r\t") or name.strip() != name or not name:
            diags.append(doc.diag(("departments", role), "GK112", f"部门名称“{visible(name[:60])}”中有换行、制表符或首尾空格：请写成一行"))
    loc.name, loc.code, loc.departments = model.name, model.code, dict(model.departments)
    if model.level != level and check_levels:
        diags.append(doc.diag(("level",), "GK304", f"层级应为“{level}”（{LEVEL_ZH[level]}，由文件夹深度决定），实际为“{model.level}”"))
    if model.departments:
        loc.roles = dict(loc.roles)
        loc.roles.update({role: (name, loc) for role, name in model.departments.items()})
    return loc


def _workplan(memo: Memo, year: int, doc: SourceDoc, diags: list[Diagnostic]) -> WorkPlanSource:
    plan: WorkPlanFile | None = None
    if doc.ok:
        plan, _, problems = _validated(memo, doc, WorkPlanFile, doc.data)
        diags.extend(problems)
    if plan is not None and plan.year != year:
        diags.append(doc.diag(("year",), "GK316", f"year 应与文件名中的年份一致，为 {year}，实际为 {plan.year}"))
        plan = None
    return WorkPlanSource(year, doc, plan)


def _check_domain_files(project: Project, loc: Locality, diags: list[Diagnostic], broken: set[str]) -> None:
    ids = [d.id for d in project.domains]
    for stem, src in loc.files.items():
        doc = src.doc
        domain = project.domain(stem)
        if domain is None and (stem in broken or "*" in broken):  # its entry in domains.yaml is reported already
            src.model = None
            continue
        if domain is None:
            diags.append(Diagnostic.make(doc.rel, (1, 1), "GK306", f"领域“{stem}”未在 domains.yaml 中登记{did_you_mean(stem, ids)}"))
            src.model = None
            continue
        model = src.model
        if model is None:
            continue
        if model.domain != stem:
            diags.append(doc.diag(("domain",), "GK306", f"domain 应与文件名一致，为“{stem}”，实际为“{model.domain}”"))
        if loc.level not in domain.levels:
            where = "、".join(LEVEL_ZH.get(x, x) for x in domain.levels)
            msg = f"“{domain.name}”领域只延伸到{where}，{loc.name}是{LEVEL_ZH[loc.level]}，不应有此文件"
            diags.append(Diagnostic.make(doc.rel, (1, 1), "GK307", msg))
            src.model = None
        elif loc.parent is None and (model.override or model.exclude):
            for key in ("override", "exclude"):
                if getattr(model, key):
                    msg = "顶层地区的领域文件是完整目录，没有上级可以修改或排除：请把事项写在 items 中"
                    diags.append(doc.diag((key,), "GK311", msg, key=True))
            # Reported once here; applying them would only add "not upstream" errors for each entry.
            src.model = model.model_copy(update={"override": {}, "exclude": []})


def _dropped(data: object, model: DomainFile | None) -> set[str] | None:
    if model is None or not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        return None
    raw = [x.get("id") if isinstance(x, dict) else None for x in data.get("items") or []]
    ids = {x for x in raw if isinstance(x, str)}
    if len(ids) < len(set(raw)):  # an item without a usable id: which ids were dropped is unknown
        return None
    return ids - {item.id for item in model.items}

