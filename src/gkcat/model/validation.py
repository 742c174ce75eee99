"""Turning pydantic's validation errors into diagnostics at file:line:column, in Chinese."""

from __future__ import annotations

import copy
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, RootModel, ValidationError
from pydantic_core import ErrorDetails

from gkcat.diagnostics.diagnostic import Diagnostic, did_you_mean
from gkcat.model.fields import BY_ID
from gkcat.model.vocabulary import link_problem
from gkcat.source.yamldoc import MISSING, Path_, SourceDoc, child, format_path


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        else:
            return tp


def _type_at(model: type[BaseModel], loc: Path_) -> Any:
    """The declared type at `loc` inside `model` (a model class, list[...], Literal[...], ...)."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, RootModel):
            tp = _unwrap(tp.model_fields["root"].annotation)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not (isinstance(part, str) and part in tp.model_fields):
                return None
            tp = tp.model_fields[part].annotation
            continue
        origin = get_origin(tp)
        if origin is list:
            tp = get_args(tp)[0]
        elif origin is dict:
            tp = get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _kind(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, dict):
        return "映射（键: 值）"
    if isinstance(value, list):
        return "列表"
    return f"文本“{value}”"


_PATTERN_MESSAGES = {
    "links": ("GK207", "链接“{v}”无效：{why}"),
    "code": ("GK206", "行政区划代码“{v}”不合规：应为 6 位或 12 位数字，如 \"210115\""),
}
_ID_MESSAGE = "标识“{v}”不合规：只能用英文字母、数字和“.”“_”“-”，并以字母或数字开头"
_SLUG_MESSAGE = "标识“{v}”不合规：只能用小写英文字母、数字和“-”，并以字母或数字开头（如 yiwu-jiaoyu）"
_ROLE_MESSAGE = "部门角色“{v}”不合规：应为小写英文字母、数字和“-”，并以字母开头（如 civil-affairs）"


def _pattern(loc: Path_, value: Any, pattern: str, is_key: bool) -> tuple[str, str]:
    names = [p for p in loc if isinstance(p, str)]
    for name in reversed(names):
        if name in _PATTERN_MESSAGES and not is_key:
            code, msg = _PATTERN_MESSAGES[name]
            return code, msg.format(v=value, why=link_problem(str(value)))
    if is_key or names[-1:] == ["lead"]:
        return "GK205", _ROLE_MESSAGE.format(v=value)
    if pattern.startswith("^[a-z0-9]"):
        return "GK205", _SLUG_MESSAGE.format(v=value)
    return "GK205", _ID_MESSAGE.format(v=value)


def _allowed_fields(model: type[BaseModel], loc: Path_) -> list[str]:
    tp = _type_at(model, loc)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _key_of_label(model: type[BaseModel], loc: Path_, name: str) -> str | None:
    """The field a Chinese name means at `loc` (一级事项 -> level1, 名称 -> name), or None."""
    tp = _type_at(model, loc)
    if not (isinstance(tp, type) and issubclass(tp, BaseModel)):
        return None
    wanted = "".join(name.split())
    for key, info in tp.model_fields.items():
        spec = BY_ID.get(key)
        names = {info.title or "", *((spec.label, spec.short, spec.header) if spec else ())}
        if wanted in {n for n in names if n}:
            return key
    return None


def _title(model: type[BaseModel], loc: Path_) -> str:
    parent = _type_at(model, loc[:-1])
    if isinstance(parent, type) and issubclass(parent, BaseModel) and loc and loc[-1] in parent.model_fields:
        title = parent.model_fields[str(loc[-1])].title
        return f"（{title}）" if title else ""
    return ""


def _one(doc: SourceDoc, model: type[BaseModel], err: ErrorDetails, base: Path_) -> Diagnostic:
    loc: Path_ = tuple(err["loc"])
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    is_key = "[key]" in loc
    loc = tuple(p for p in loc if p != "[key]")
    path = base + loc
    shown = format_path(path)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _allowed_fields(model, loc[:-1])
        key = _key_of_label(model, loc[:-1], name)
        if key is not None:  # a field's Chinese name, as the national table heads its column
            msg = f"未知字段“{name}”：“{name}”应写作 {key}（字段名用英文，中文名称是它在表中的列名）"
        else:
            msg = f"未知字段“{name}”{did_you_mean(name, allowed)}"
        if key is None and not did_you_mean(name, allowed):
            msg += f"；允许的字段：{'、'.join(allowed)}"
        return doc.diag(path, "GK201", msg, key=True, shown=shown)
    if kind == "missing":
        return doc.diag(path[:-1], "GK202", f"缺少必填字段“{loc[-1]}”{_title(model, loc)}", shown=shown)
    if kind in ("literal_error", "enum"):
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = did_you_mean(str(value), expected)
        return doc.diag(path, "GK203", f"“{value}”不是允许的取值（应为：{'、'.join(expected)}）{hint}", shown=shown)
    if kind == "string_pattern_mismatch":
        code, msg = _pattern(loc, value, str(ctx.get("pattern", "")), is_key)
        return doc.diag(path, code, msg, key=is_key, shown=shown)
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        if value is None:
            return doc.diag(path, "GK208", f"不能为空{_title(model, loc)}", shown=shown)
        want = {"string_type": "文本", "list_type": "列表（如 [甲, 乙]）"}.get(kind, "映射（键: 值）")
        return doc.diag(path, "GK204", f"应为{want}，实际为{_kind(value)}", shown=shown)
    if kind.startswith(("date_", "datetime_")):
        return doc.diag(path, "GK204", f"应为日期，写成 2022-06-30，实际为“{value}”", shown=shown)
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return doc.diag(path, "GK204", f"应为整数，实际为“{value}”", shown=shown)
    if kind in ("float_parsing", "float_type", "finite_number"):
        return doc.diag(path, "GK204", f"应为数（如 2 或 0.5），实际为“{value}”", shown=shown)
    if kind in ("bool_parsing", "bool_type"):
        return doc.diag(path, "GK204", f"应为 true 或 false，实际为“{value}”", shown=shown)
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return doc.diag(path, "GK203", f"“{value}”超出范围（应{'不小于' if 'ge' in ctx else '不大于'} {bound}）", shown=shown)
    if kind in ("too_short", "string_too_short"):
        return doc.diag(path, "GK208", f"不能为空{_title(model, loc)}", shown=shown)
    # pydantic's own words are English: only its kind of error is named, with the value
    return doc.diag(path, "GK204", f"取值“{value}”无效（{kind}）", shown=shown)


def model_diagnostics(doc: SourceDoc, model: type[BaseModel], error: ValidationError, base: Path_ = ()) -> list[Diagnostic]:
    """One diagnostic per pydantic error, each at the line and column of the offending value."""
    return [_one(doc, model, err, base) for err in error.errors(include_url=False)]


def validate_model(doc: SourceDoc, model: type[Any], data: Any, base: Path_ = ()) -> tuple[Any, list[Diagnostic]]:
    """`model.model_validate(data)`, or None with the diagnostics when the data does not fit."""
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        return None, model_diagnostics(doc, model, error, base)


def _delete(data: Any, path: Path_) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]


def _existing(data: Any, loc: Path_) -> Path_:
    """The longest prefix of `loc` that exists in `data`."""
    node, out = data, []
    for part in loc:
        node = child(node, part)
        if node is MISSING:
            break
        out.append(part)
    return tuple(out)


def _order(path: Path_) -> tuple[tuple[bool, Any], ...]:
    return tuple((isinstance(p, str), p) for p in path)


def validate_pruned(doc: SourceDoc, model: type[Any], data: Any) -> tuple[Any, bool, list[Diagnostic]]:
    """Validate; on errors, remove the offending values and validate what is left.

    Returns (model or None, whether something was removed, diagnostics of the first pass), so
    that one bad value never hides the problems of the rest of the file. Removal starts with the
    bad value itself (an unknown key, one bad list entry) and widens only when that is not enough
    (a bad required field takes its whole item with it).
    """
    try:
        return model.model_validate(data), False, []
    except ValidationError as error:
        diags = model_diagnostics(doc, model, error, ())
        errors = [tuple(p for p in e["loc"] if p != "[key]") for e in error.errors(include_url=False)]
    pruned = copy.deepcopy(data)
    for _ in range(3):
        paths = {_existing(pruned, loc) for loc in errors}
        if () in paths or not isinstance(pruned, dict):
            return None, True, diags
        # Deepest and last first, so that removing a list entry never shifts another one.
        for path in sorted(paths, key=_order, reverse=True):
            if not any(path[: len(other)] == other for other in paths if len(other) < len(path)):
                _delete(pruned, path)
        try:
            return model.model_validate(pruned), True, diags
        except ValidationError as again:
            errors = [tuple(p for p in e["loc"] if p != "[key]")[:-1] or ("",) for e in again.errors(include_url=False)]
    return None, True, diags
