"""Diagnostics as the user reads them: text (with colours on a terminal), JSON, GitHub Actions annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from gkcat.diagnostics.codes import CODES, Severity
from gkcat.diagnostics.diagnostic import Diagnostic, has_errors, visible

_SEV_ZH = {Severity.ERROR: "错误", Severity.WARNING: "警告"}
_COLOUR = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m"}


def format_text(diags: Sequence[Diagnostic], colour: bool = False, strict: bool = False) -> str:
    lines = []
    for d in diags:
        sev = _SEV_ZH[d.severity]
        if colour:
            sev = f"{_COLOUR[d.severity]}{sev}\033[0m"
        where = f"{visible(d.file)}:{d.line}:{d.column}"
        if colour:
            where = f"\033[1m{where}\033[0m"
        path = f"{visible(d.path)}: " if d.path else ""
        lines.append(f"{where}: {sev} {d.code} {path}{visible(d.message)}")
    lines.append(summary(diags, strict))
    return "\n".join(lines)


def summary(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    warnings = len(diags) - errors
    if not diags:
        return "检查通过，没有发现问题。"
    tail = "（--strict：警告按错误处理）" if strict and warnings else ""
    return f"共 {errors} 个错误，{warnings} 个警告{tail}。"


def to_json(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diags)
    body = {
        "valid": not has_errors(diags, strict),
        "errors": errors,
        "warnings": len(diags) - errors,
        "diagnostics": [
            {
                "file": d.file,
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "severity": d.severity.value,
                "path": d.path,
                "message": d.message,
            }
            for d in diags
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def gh_escape(text: str, prop: bool = False) -> str:
    """Text made safe for a GitHub workflow command (its data, or with prop=True a property)."""
    # Escaping rules of GitHub workflow commands: data escapes %, CR, LF; properties also : and ,
    # Controls (newlines too) are made visible first, so that no value can end the command early
    # or start a forged one; what is left to escape is only %.
    text = visible(text).replace("%", "%25")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diags: Sequence[Diagnostic], strict: bool = False) -> str:
    out = []
    for d in diags:
        kind = "error" if d.severity is Severity.ERROR or strict else "warning"
        title = gh_escape(f"{d.code} {CODES[d.code].title}", prop=True)
        path = f"{d.path}: " if d.path else ""
        props = f"file={gh_escape(d.file, True)},line={d.line},col={d.column},title={title}"
        out.append(f"::{kind} {props}::{gh_escape(path + d.message)}")
    out.append(summary(diags, strict))
    return "\n".join(out)
