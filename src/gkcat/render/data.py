"""Resolved catalogs and item stories as JSON (cli.md: the `show --format json` contract)."""

from __future__ import annotations

import json
from typing import Any

from gkcat.model.fields import FIELDS, FieldSpec
from gkcat.model.project import Locality
from gkcat.resolve.catalog import ResolvedCatalog, ResolvedItem, Story
from gkcat.resolve.duties import Department


def _json_value(spec: FieldSpec, value: Any) -> Any:
    if spec.id == "extra":
        return dict(sorted(value.items()))
    if spec.many:
        return list(value)
    return "" if spec.id == "deadline" and value is None else value  # cli.md prints no deadline as ""


def item_json(item: ResolvedItem) -> dict[str, Any]:
    """One item as cli.md's `show` prints it: its id, every field in registry order, where it was defined."""
    origin = item.entry.origin
    fields = {f.id: _json_value(f, item.value(f.id)) for f in FIELDS}
    return {"id": item.id, **fields, "source": {"file": origin.file, "line": origin.line}}


def catalog_json(cat: ResolvedCatalog) -> dict[str, Any]:
    return {
        "id": cat.domain.id,
        "name": cat.domain.name,
        "items": [item_json(i) for i in cat.items],
        "excluded": [
            {"id": x.id, "reason": x.reason, "source": {"file": x.step.file, "line": x.step.line}} for x in cat.excluded
        ],
        "withheld": [{"id": w.id, "title": w.title, "reason": w.reason, "basis": list(w.basis)} for w in cat.withheld],
    }


def locality_json(loc: Locality) -> dict[str, str]:
    return {"path": loc.path, "name": loc.name, "level": loc.level}


def show_data(loc: Locality, catalogs: list[ResolvedCatalog]) -> dict[str, Any]:
    return {"locality": locality_json(loc), "domains": [catalog_json(c) for c in catalogs]}


def duties_json(loc: Locality, dept: Department) -> dict[str, Any]:
    """`show --department --format json`: the department and each item it publishes, with its domain."""
    return {
        "locality": locality_json(loc),
        "department": {"name": dept.name, "roles": list(dept.roles),
                       "named_by": dept.named_by.path if dept.named_by else None},
        "items": [{"domain": {"id": d.domain.id, "name": d.domain.name}, **item_json(d.item)} for d in dept.duties],
    }


def dumps(data: Any) -> str:
    """Stable JSON: Chinese kept as is, two-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def story_json(story: Story) -> dict[str, Any]:
    return {
        "locality": locality_json(story.locality),
        "domain": {"id": story.domain.id, "name": story.domain.name},
        "item": story.item.id,
        "published_here": story.item.here,
        "fields": [
            {
                "field": f.name,
                "value": list(f.value) if isinstance(f.value, tuple) else f.value,
                "steps": [{"file": s.file, "line": s.line, "action": s.action} for s in f.steps],
                "roles": [{"role": r, "name": n, "locality": x.path} for r, n, x in f.roles],
            }
            for f in story.fields
        ],
    }
