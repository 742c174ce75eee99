"""Reading and writing a round's record, `rounds/<name>.yaml` (model/rounds.py): what went out, what came back."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from gkcat.diagnostics.diagnostic import visible
from gkcat.errors import GkcatError, InputError
from gkcat.ingest.writer import Changes, dump_yaml, write_changes
from gkcat.model.form import FormRow, row_from_text
from gkcat.model.rounds import NAME, ROUNDS_DIR, Return, RoundFile, SentForm, round_file
from gkcat.model.validation import validate_model
from gkcat.source.files import inside, read_input
from gkcat.source.yamldoc import parse

_FORM_LINE = re.compile(r"^\s*- form: (.+)$")
# names Windows keeps for devices: rounds/CON.yaml cannot be made there, whatever the extension
_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in "123456789¹²³")})
MAX_RECORD = 20 * 2**20  # bytes: a round of a province's 1,500 towns records a few MB


class UnknownRound(GkcatError):
    """No round of that name in the project (exit code 1)."""

    exit_code = 1


class BadRound(GkcatError):
    """A round's name or record that cannot be used (exit code 2)."""

    exit_code = 2


def check_name(name: str) -> str:
    """The round's name as its file is named (NFC: macOS writes names decomposed, and a name typed either way is
    one round), or BadRound."""
    name = unicodedata.normalize("NFC", name)
    if not NAME.fullmatch(name) or name.casefold() in _DEVICES:  # fullmatch: "$" would let "r1\n" through
        raise BadRound(f"轮次名称“{visible(name[:60])}”不能使用：只能用汉字、字母、数字、“-”和“_”，不超过 40 个字，"
                       "不能是 CON、NUL 等 Windows 保留的名称，如 2026-第一轮")
    return name


def round_names(root: Path) -> list[str]:
    """The rounds the project records, by the names of their files."""
    folder = root / ROUNDS_DIR
    if not folder.is_dir() or not inside(folder, root):
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if NAME.fullmatch(p.stem) and p.is_file())


def same_name(root: Path, name: str) -> str | None:
    """A round already recorded under `name` in another case (Round1 beside round1): one file on Windows and macOS."""
    def same(n: str) -> str:  # one file on Windows and macOS (case, composed or not), or one to a reader (２ and 2)
        return unicodedata.normalize("NFKC", n).casefold()

    return next((n for n in round_names(root) if same(n) == same(name)), None)


def read_round(root: Path, name: str) -> RoundFile:
    """The round's record, read as catalog files are (never through a link out of the project or into .git, within
    bounds, by gkcat's own YAML reader); UnknownRound naming the rounds there are when it has none."""
    name = check_name(name)
    rel = round_file(name)
    path = root / rel
    if not path.exists() and not path.is_symlink():
        there = round_names(root)
        raise UnknownRound(f"项目中没有轮次“{name}”（{rel}）" + (f"；已有：{'、'.join(there)}" if there else ""))
    if not inside(path, root):
        raise BadRound(f"{rel} 是指向项目之外或 .git 文件夹中的符号链接，已拒绝读取（GK108）：轮次记录须是项目中的文件")
    try:
        raw = read_input(path, rel, MAX_RECORD)
    except InputError as err:
        raise BadRound(str(err)) from None
    doc, problems = parse(rel, raw)
    if doc is not None and not problems:
        record, problems = validate_model(doc, RoundFile, doc.data)
        if record is not None:
            return record
    first = problems[0] if problems else None
    where = f"{first.file}:{first.line}:{first.column}: {first.path + '：' if first.path else ''}{first.message}" if first else rel
    more = f"（另有 {len(problems) - 1} 处）" if len(problems) > 1 else ""
    raise BadRound(f"轮次记录无法读取：{visible(where)}{more}。它由 gkcat 写入，请用 git 恢复它（git checkout -- {rel}）")


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
    """The record with the return `ret` of the form `identity` (the record is frozen: a new one). The same file
    imported again (a `--conflicts take` run over a form already imported) is no second return: its return is
    brought up to date, the edits written now added to it."""

    def returns(f: SentForm) -> list[Return]:
        old = next((r for r in f.returns if r.sha256 == ret.sha256 and not r.refused), None)
        if old is None:
            return [*f.returns, ret]
        now = ret.model_copy(update={"applied": old.applied + ret.applied, "answers": {**old.answers, **ret.answers},
                                     "imported_at": old.imported_at})
        return [now if r is old else r for r in f.returns]

    forms = [f.model_copy(update={"returns": returns(f)}) if f.form == identity else f for f in record.forms]
    return record.model_copy(update={"forms": forms})


def earlier_answers(sent: SentForm, sha256: str) -> dict[tuple[str, str], FormRow]:
    """What the unit answered in its earlier returns of this form (other files than `sha256`), row by row, the
    latest answer of each row: the base its corrected form is merged against. A refused return wrote nothing and
    counts for nothing; the same file imported again (with --conflicts take) is merged as made, as the first time."""
    out: dict[tuple[str, str], FormRow] = {}
    for ret in sent.returns:
        if ret.refused or ret.sha256 == sha256:
            continue
        for key, text in ret.answers.items():
            domain, _, item = key.partition("/")
            row = row_from_text(text)
            if row is not None and row.id == item:
                out[(domain, item)] = row
    return out


def returned_before(record: RoundFile, sha256: str) -> tuple[str, Return] | None:
    """The form and its earlier return of the very same file, if it was imported (or refused) before."""
    for f in record.forms:
        for ret in f.returns:
            if ret.sha256 == sha256:
                return f.unit, ret
    return None


def rounds_of(root: Path) -> list[RoundFile]:
    """Every round the project records, by name."""
    return [read_round(root, name) for name in round_names(root)]


def latest_round(root: Path) -> RoundFile | None:
    """The round started last (by its start date, then its name), or None when the project has none."""
    found = rounds_of(root)
    return max(found, key=lambda r: (r.started, r.round)) if found else None


def form_lines(root: Path, record: RoundFile | None) -> dict[str, int]:
    """Each form's line in its round's file (form identity -> line), for findings that point at it."""
    if record is None:
        return {}
    rel = round_file(record.round)
    lines = read_input(root / rel, rel, MAX_RECORD).decode("utf-8-sig").splitlines()
    return {m.group(1): n for n, line in enumerate(lines, 1) if (m := _FORM_LINE.match(line))}
