"""Checks of item values against the project: vocabularies, levels, subjects, completeness."""

from __future__ import annotations

import copy
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from gkcat.diagnostics.diagnostic import Diagnostic, did_you_mean, quote_list
from gkcat.model.fields import FIELDS
from gkcat.model.files import DomainDef
from gkcat.model.project import Locality, Project
from gkcat.model.vocabulary import LEVEL_ZH, channel_base, is_role
from gkcat.resolve.item import ItemValues
from gkcat.resolve.provenance import Step
from gkcat.resolve.resolver import Entry, Resolver
from gkcat.source.memo import Key, Kind, Memo, fits
from gkcat.source.yamldoc import Path_, SourceDoc, format_path

# what a Chinese keyboard separates a list with, which YAML takes for text: named by what people call them
_LIST_MARKS = {"，": "全角逗号“，”", "、": "顿号“、”", "；": "全角分号“；”"}

# fields whose empty value is a warning, in registry order (model/fields.py)
_WARNINGS = tuple((f.id, *f.empty) for f in FIELDS if f.empty is not None)


class ValueChecker:
    """Checks the values an item file sets; appends to its diagnostics list."""

    def __init__(self, project: Project, diags: list[Diagnostic]):
        self.project = project
        self.diags = diags
        self.channels = list(project.config.channels)
        self.extra = {f.id: f for f in project.config.extra_fields}
        self.levels = set(project.config.levels)
        # Department names of every locality, for catching a name pasted from another locality.
        self.owners: dict[str, list[Locality]] = defaultdict(list)
        for loc in project.localities.values():
            for name in loc.departments.values():
                self.owners[name].append(loc)
        # What the checks read beyond an item's own resolved state (gkcat.yaml comes with the state):
        # the locality tree and every locality's departments (check/memo.py).
        self.context = hashlib.sha256(repr([(p, loc.doc.digest if loc.doc else "-")
                                            for p, loc in project.localities.items()]).encode()).hexdigest()

    def writing_to(self, diags: list[Diagnostic]) -> ValueChecker:
        """The same checker appending to another list (one file's findings, kept apart)."""
        twin = copy.copy(self)
        twin.diags = diags
        return twin

    def check(self, loc: Locality, domain: DomainDef, doc: SourceDoc, base: Path_, values: ItemValues,
              given: dict[str, Any], defined: bool, history: dict[str, tuple[Step, ...]] | None = None) -> None:
        """Check an item definition (defined=True) or an override of one."""
        self.check_given(doc, base, given, domain)
        self._subjects(loc, doc, base, given.get("subject") or ())
        if defined:
            for name, what in (("audience", "公开对象"), ("method", "公开方式")):
                if values.get(name) is None:
                    msg = f"缺少必填字段“{name}”（{what}）：请填写，或在 defaults 中设定"
                    self.diags.append(doc.diag(base, "GK202", msg, shown=f"{format_path(base)}.{name}"))
            self._levels_given_by_default(domain, values, history or {})
        for name, code, msg in _WARNINGS:
            if not values.get(name) and (defined or name in given):
                self.diags.append(doc.diag(base + ((name,) if name in given else ()), code, msg))

    def check_given(self, doc: SourceDoc, base: Path_, given: dict[str, Any], domain: DomainDef | None) -> None:
        """Vocabulary checks of the fields present in one mapping (an item, override or defaults)."""
        for i, channel in enumerate(given.get("channels") or ()):
            if channel_base(channel) not in self.channels:
                self.diags.append(self._unknown_channel(doc, base + ("channels", i), channel))
        for i, level in enumerate(given.get("levels") or ()):
            self._level(doc, base + ("levels", i), level, domain)
        for key, value in (given.get("extra") or {}).items():
            spec = self.extra.get(key)
            if spec is None:
                defined = f"；已定义：{'、'.join(self.extra)}" if self.extra else "；gkcat.yaml 中没有定义 extra_fields"
                hint = did_you_mean(key, self.extra) or defined
                self.diags.append(doc.diag(base + ("extra", key), "GK201", f"未定义的扩展字段“{key}”{hint}", key=True))
            elif spec.choices and value not in spec.choices:
                self.diags.append(doc.diag(base + ("extra", key), "GK203",
                                           f"“{value}”不是{spec.label}的可选值（应为：{'、'.join(spec.choices)}）"
                                           f"{did_you_mean(value, spec.choices)}"))

    def _unknown_channel(self, doc: SourceDoc, path: Path_, channel: str) -> Diagnostic:
        """GK203 for a channel not in the list; for several joined by a full-width comma or 、 (as a Chinese
        keyboard types a list), at that character, naming each channel it joins."""
        sep = next((c for c in _LIST_MARKS if c in channel), None)
        if sep is None:
            hint = did_you_mean(channel, self.channels)
            return doc.diag(path, "GK203", f"未知渠道“{channel}”{hint or '；可用渠道见 gkcat.yaml 的 channels'}")
        parts = [p.strip() for p in re.split(f"[{''.join(_LIST_MARKS)}]", channel) if p.strip()]
        known = [p for p in parts if channel_base(p) in self.channels]
        line, col = doc.pos(path)
        text = doc.text.split("\n")[line - 1] if 0 < line <= doc.text.count("\n") + 1 else ""
        at = text.find(sep, col - 1)
        pos = (line, at + 1) if at >= 0 else (line, col)
        fix = f"列表项之间用半角逗号和空格分开：[{', '.join(parts)}]"
        if len(known) == len(parts) > 1:
            message = f"{_LIST_MARKS[sep]}不能分隔列表项：“{channel}”是 {len(parts)} 个渠道 {quote_list(parts)}，{fix}"
        else:
            unknown = [p for p in parts if p not in known]
            hints = "；".join(f"“{p}”{did_you_mean(p, self.channels).lstrip('，') or '不是可用渠道'}" for p in unknown)
            message = f"未知渠道“{channel}”：其中的{_LIST_MARKS[sep]}不能分隔列表项，{fix}；{hints}"
        return Diagnostic.make(doc.rel, pos, "GK203", message, format_path(path))

    def _level(self, doc: SourceDoc, path: Path_, level: str, domain: DomainDef | None) -> None:
        if level not in self.levels:
            msg = f"公开层级“{level}”（{LEVEL_ZH[level]}）不在项目的层级（{'、'.join(self.project.config.levels)}）之内"
            self.diags.append(doc.diag(path, "GK305", msg))
        elif domain is not None and level not in domain.levels:
            msg = f"公开层级“{level}”（{LEVEL_ZH[level]}）超出“{domain.name}”领域的层级（{'、'.join(domain.levels)}）"
            self.diags.append(doc.diag(path, "GK305", msg))

    def _levels_given_by_default(self, domain: DomainDef, values: ItemValues, history: dict[str, tuple[Step, ...]]) -> None:
        # Levels from a defaults block are checked against this item's domain here, once per file
        # and domain: a project-wide default can fit one domain and not another.
        steps = history.get("levels", ())
        if not steps or steps[0].action != "默认值":
            return
        step = steps[0]
        for i, level in enumerate(values.levels):
            if level in self.levels and level not in domain.levels:
                msg = f"默认公开层级“{level}”超出“{domain.name}”领域的层级（{'、'.join(domain.levels)}）"
                self.diags.append(step.doc.diag(step.path + (i,), "GK305", msg))

    def _subjects(self, loc: Locality, doc: SourceDoc, base: Path_, subject: Iterable[str]) -> None:
        chain = {id(x) for x in loc.chain()}
        for i, name in enumerate(subject):
            if is_role(name):
                continue
            owners = self.owners.get(name, [])
            if owners and not any(id(o) in chain or o.path.startswith(loc.path + "/") for o in owners):
                other = owners[0]
                mine = _role_for(loc, other, name)
                hint = f"本地区对应的部门是“{mine}”。" if mine else ""
                msg = f"公开主体“{name}”是{other.name}（{other.path}）的部门，不属于{loc.name}：是否从其他地区复制而来？{hint}"
                self.diags.append(doc.diag(base + ("subject", i), "GK308", msg))


def _role_for(loc: Locality, other: Locality, name: str) -> str | None:
    role = next((r for r, n in other.departments.items() if n == name), None)
    found = loc.roles.get(role) if role else None
    return found[0] if found else None


# The roles the published entries of a locality use, and the lead roles of its domains, that name no
# department there: (file, data path, role) each. By the keys of the locality's states, which name its chain's
# locality files and so its roles; kept on disk too. And one domain's part of the entries, shared by the towns
# of a county that publish the same entries with the same roles: by the key of the state that made the
# entries, the level and the roles (in the process only).
_UNNAMED = [(str, [{str, int}], str)]
UNNAMED_ROLES: Kind[tuple[tuple[str, Path_, str], ...]] = Kind(
    "unnamed-roles", dump=lambda found: [[rel, list(path), role] for rel, path, role in found],
    load=lambda data: tuple((rel, tuple(path), role) for rel, path, role in data) if fits(data, _UNNAMED) else None)
UNNAMED_USED: Kind[tuple[tuple[str, Path_, str], ...]] = Kind("unnamed-used")


def check_roles(resolver: Resolver, memo: Memo) -> list[Diagnostic]:
    """Every role used by a published item, and every lead role, resolves at each locality."""
    project = resolver.project
    docs = _docs(project)
    missing: dict[tuple[str, Path_, str], list[Locality]] = {}
    for loc in project.localities.values():
        reached = [(i, d) for i, d in enumerate(project.domains) if project.reaches(d, loc)]
        print_ = hashlib.blake2b(" ".join(resolver.key(loc, d) for _, d in reached).encode(), digest_size=20).hexdigest()
        key = Key(UNNAMED_ROLES, print_)
        found = memo.get(key)
        if found is None:
            found = memo.keep(key, _unresolved(resolver, memo, loc, reached))
        for at in found:
            missing.setdefault(at, []).append(loc)
    return [docs[rel].diag(path, "GK303", unresolved_role(role, locs)) for (rel, path, role), locs in missing.items()
            if rel in docs]


def _docs(project: Project) -> dict[str, SourceDoc]:
    """Every file of the project that an item's values can come from, by its path (the roles' findings name it)."""
    docs = {project.config_doc.rel: project.config_doc}
    if project.domains_doc is not None:
        docs[project.domains_doc.rel] = project.domains_doc
    for loc in project.localities.values():
        docs.update((src.doc.rel, src.doc) for src in loc.files.values())
    return docs


def _unresolved(resolver: Resolver, memo: Memo, loc: Locality, reached: list[tuple[int, DomainDef]],
                ) -> tuple[tuple[str, Path_, str], ...]:
    """The roles of the domains `reached` at one locality that name no department there, domain by domain."""
    project = resolver.project
    have = loc.roles.keys()
    roles = " ".join(sorted(have))
    out: list[tuple[str, Path_, str]] = []
    for index, domain in reached:
        for j, role in enumerate(domain.lead):
            if role not in have and project.domains_doc is not None:
                out.append((project.domains_doc.rel, (index, "lead", j), role))
        key = Key(UNNAMED_USED, f"{resolver.made_key(loc, domain)} {loc.level} {roles}")
        found = memo.get(key)
        if found is None:
            used = _roles_used(resolver.published(loc, domain))
            found = memo.keep(key, tuple((used[r].doc.rel, used[r].path, r) for r in sorted(used.keys() - have)))
        out += found
    return tuple(out)


def unresolved_role(role: str, locs: list[Locality]) -> str:
    """GK303's message: the role and the localities where it names no department."""
    names = [f"{x.name}（{x.path}）" for x in locs]
    return (f"部门角色“{role}”在 {quote_list(names, 5)} 无法解析：请在这些地区或其上级的 locality.yaml 的 departments 中"
            f"添加“{role}”；若是部门全称，请写中文名称")


def _roles_used(entries: list[Entry]) -> dict[str, Step]:
    used: dict[str, Step] = {}
    for e in entries:
        for i, s in enumerate(e.values.subject):
            if s not in used and is_role(s):
                step = e.history["subject"][-1]
                used[s] = step.at(i)
    return used
