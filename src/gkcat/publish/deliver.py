"""Workbooks gkcat hands to people (fill-in forms), written where the user says.

A form goes to a file name the user gives, or to one in the current folder where the unit's returned,
edited form of the same name may lie. So a form never replaces a file that is not a gkcat form, replaces
a form only when asked (`--force`), and never goes into the project's inputs (its catalog files,
templates/, static/) or any `.git` folder, where it would corrupt the project or git itself.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from gkcat.errors import naming
from gkcat.ingest.bounds import GridError
from gkcat.ingest.form import read_form
from gkcat.ingest.grids import read_xlsx
from gkcat.ingest.writer import Changes, write_changes
from gkcat.publish.outfolder import BuildRefused
from gkcat.source.files import CONFIG_FILE, DOMAINS_FILE, STATIC, TEMPLATES, in_git_folder

XLSX = ".xlsx"


def is_form(path: Path) -> bool:
    """Whether the file at `path` is a workbook gkcat wrote as a form (unreadable files are not)."""
    try:
        return read_form(read_xlsx(path)) is not None
    except (GridError, OSError):
        return False


def is_assessment(path: Path) -> bool:
    """Whether the file is a workbook `gkcat assess` wrote (its first sheet's title says so)."""
    try:
        grids = read_xlsx(path)
    except (GridError, OSError):
        return False
    return bool(grids) and grids[0].name == "总表" and grids[0].cell(0, 0).endswith("网上检查总表")


def check_target(project_dir: Path, top: str, target: Path, force: bool, ours: Callable[[Path], bool] = is_form,
                 what: str = "gkcat 填报表") -> Path:
    """The path a workbook may be written to, or BuildRefused (exit 2) naming the file and why not.

    An existing file is replaced only when `ours` says gkcat wrote it (a form, an assessment) and `force` allows.
    """
    if target.suffix.lower() != XLSX:
        raise BuildRefused(f"不能写入 {target}：这是 Excel 工作簿，文件名应以 {XLSX} 结尾")
    where = target.parent.resolve() / target.name  # the file itself may be a link: judged as it is
    if in_git_folder(where.parts):
        raise BuildRefused(f"不能写入 {where}：它在 .git 文件夹之中，那是 git 仓库的数据")
    root = project_dir.resolve()
    if where.is_relative_to(root):
        parts = where.relative_to(root).parts
        if parts[0] in (top, TEMPLATES, STATIC, CONFIG_FILE, DOMAINS_FILE):
            raise BuildRefused(f"不能写入 {where}：它在项目的{'目录文件' if parts[0] not in (TEMPLATES, STATIC) else parts[0]}"
                               f"之中，请写到项目之外（或用 -o 指定别处）")
    if where.is_symlink():
        raise BuildRefused(f"不能写入 {where}：它是符号链接，不会替换链接指向的文件")
    if where.exists():
        if where.is_dir():
            raise BuildRefused(f"不能写入 {where}：这是一个文件夹")
        if not ours(where):
            raise BuildRefused(f"不能写入 {where}：文件已存在，且不是 {what}，不会覆盖它（请换个文件名）")
        if not force:
            raise BuildRefused(f"不能写入 {where}：已有这个填报表（可能是单位交回、已填写的），未覆盖。"
                               "请先导入或移走它，或换个文件名；确需替换请加 --force")
    return where


def write_file(target: Path, data: bytes, replace: bool) -> None:
    """Write `data` whole or not at all; without `replace`, a file that appeared meanwhile is kept."""
    with naming(target):
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".gkcat-tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with naming(target), os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        if replace:
            os.replace(tmp, target)
        else:
            try:  # a link, not a rename: it fails rather than replace a file created since the check
                os.link(tmp, target)
            except FileExistsError:
                raise BuildRefused(f"不能写入 {target}：文件刚刚被创建，未覆盖它") from None
            except OSError:  # a file system without hard links (a USB stick's FAT): create it exclusively
                try:
                    with open(target, "xb") as f:
                        f.write(data)
                except FileExistsError:
                    raise BuildRefused(f"不能写入 {target}：文件刚刚被创建，未覆盖它") from None
    finally:
        tmp.unlink(missing_ok=True)


def deliver_round(root: Path, folder: Path, files: dict[str, bytes], record: str, text: str) -> None:
    """A round's forms into `folder` (new or empty) and its record into the project, together or not at all.

    The forms are written into a hidden folder beside `folder` first; then, in one step that Ctrl-C does not
    interrupt, that folder takes `folder`'s place and the record is renamed in (ingest/writer.py). A full disk,
    a name too long, an unwritable record or Ctrl-C before that leave neither forms nor record behind.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f".{folder.name[:40]}.", suffix=".gkcat-tmp", dir=folder.parent))
    try:
        for name, data in files.items():
            with naming(folder / name), open(staged / name, "xb") as f:
                f.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(staged, 0o777 & ~mask)  # mkdtemp's folder is the user's alone; the forms go to colleagues

        def move_in() -> Callable[[], None]:
            existed = folder.is_dir()
            if existed:
                folder.rmdir()  # empty, as checked (a file put there since makes this fail: nothing moved)
            os.rename(staged, folder)

            def back() -> None:
                os.rename(folder, staged)
                if existed:
                    folder.mkdir()

            return back

        write_changes(root, Changes(write={record: text}), first=move_in)
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
