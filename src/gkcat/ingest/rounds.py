"""Reading and writing a round's record, `rounds/<name>.yaml` (model/rounds.py): what went out, what came back."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import ValidationError

from gkcat.errors import GkcatError
from gkcat.ingest.writer import Changes, dump_yaml, write_changes
from gkcat.model.rounds import NAME, ROUNDS_DIR, Return, RoundFile, round_file
from gkcat.source.tree import read_input

_FORM_LINE = re.compile(r"^\s*- form: (.+)$")


class UnknownRound(GkcatError):
    """No round of that name in the project (exit code 1)."""

    exit_code = 1


class BadRound(GkcatError):
    """A round's name or record that cannot be used (exit code 2)."""

    exit_code = 2


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise BadRound(f"轮次名称“{name[:60]}”不能使用：只能用汉字、字母、数字、“-”和“_”，不超过 40 个字，如 2026-第一轮")
    return name


def read_round(root: Path, name: str) -> RoundFile:
    """The round's record; UnknownRound naming the rounds there are when it has none."""
    rel = round_file(check_name(name))
    path = root / rel
    if not path.is_file():
        there = sorted(p.stem for p in (root / ROUNDS_DIR).glob("*.yaml")) if (root / ROUNDS_DIR).is_dir() else []
        raise UnknownRound(f"项目中没有轮次“{name}”（{rel}）" + (f"；已有：{'、'.join(there)}" if there else ""))
    try:
        data = yaml.safe_load(read_input(path, rel).decode("utf-8-sig"))
        return RoundFile.model_validate(data)
    except (yaml.YAMLError, UnicodeDecodeError, ValidationError) as err:
        first = str(err).splitlines()[0][:200]
        raise BadRound(f"{rel} 无法读取（{first}）：它由 gkcat 写入，请用 git 恢复它") from None


def round_text(record: RoundFile) -> str:
    head = (f"# 填报轮次“{record.round}”的记录：gkcat round start 写入发出的填报表，gkcat import 写入每次交回。\n"
            "# 请随目录一起提交到 git；不要手工修改。\n")
    return head + dump_yaml(record.model_dump())


def save_round(root: Path, record: RoundFile) -> str:
    """Write the record whole (staged, then renamed in); its path relative to the project."""
    rel = round_file(record.round)
    write_changes(root, Changes(write={rel: round_text(record)}))
    return rel


def add_return(record: RoundFile, identity: str, ret: Return) -> RoundFile:
    """The record with one more return of the form `identity` (the record is frozen: a new one)."""
    forms = [f.model_copy(update={"returns": [*f.returns, ret]}) if f.form == identity else f for f in record.forms]
    return record.model_copy(update={"forms": forms})


def returned_before(record: RoundFile, sha256: str) -> tuple[str, Return] | None:
    """The form and its earlier return of the very same file, if it was imported before."""
    for f in record.forms:
        for ret in f.returns:
            if ret.sha256 == sha256:
                return f.unit, ret
    return None


def latest_round(root: Path) -> RoundFile | None:
    """The round started last (by its start date, then its name), or None when the project has none."""
    folder = root / ROUNDS_DIR
    if not folder.is_dir():
        return None
    found = [read_round(root, p.stem) for p in sorted(folder.glob("*.yaml")) if NAME.match(p.stem)]
    return max(found, key=lambda r: (r.started, r.round)) if found else None


def form_lines(root: Path, record: RoundFile | None) -> dict[str, int]:
    """Each form's line in its round's file (form identity -> line), for findings that point at it."""
    if record is None:
        return {}
    rel = round_file(record.round)
    lines = read_input(root / rel, rel).decode("utf-8-sig").splitlines()
    return {m.group(1): n for n, line in enumerate(lines, 1) if (m := _FORM_LINE.match(line))}
