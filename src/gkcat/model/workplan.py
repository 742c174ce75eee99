"""The yearly work plan (政务公开工作要点) and its task ledger (任务分解表): `<locality>/workplan-2022.yaml`.

A plan has sections (一、二、…) of tasks; a task has one or more main tasks (主要任务), each with
its lead departments (牵头部门) and responsible units (责任单位) where the table gives them per line,
a deadline as printed (完成时限) and progress entries per unit. No I/O here; deadlines are read by
`read_deadline`, a pure function.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import Field

from gkcat.model.files import Link, Strict, TextList

NOT_STARTED, UNDER_WAY, DONE = "未开始", "推进中", "已完成"  # the states of Progress, in order
ONGOING = "长期坚持"


def workplan_name(year: int) -> str:
    """The file (and page) stem of a locality's plan for `year`: workplan-2022."""
    return f"workplan-{year}"


class MainTask(Strict):
    """One line of the 主要任务 column; lead and units left out are the task's (a merged cell in the table)."""

    task: str = Field(title="主要任务", min_length=1)
    lead: TextList | None = Field(None, title="牵头部门", description="部门角色（如 finance）或名称；不写时沿用任务的牵头部门")
    units: TextList | None = Field(None, title="责任单位", description="角色或名称，如：区政府有关部门、各镇、街")


class Progress(Strict):
    """How one unit stands with a task (台账)."""

    unit: str = Field(title="单位", min_length=1, description="部门角色或名称")
    state: Literal["未开始", "推进中", "已完成"] = Field(title="进展")
    date: dt.date | None = Field(None, title="日期", description="如 2022-06-30")
    link: Link | None = Field(None, title="已公开内容链接")
    note: str | None = Field(None, title="说明")


class Task(Strict):
    id: int = Field(title="序号", ge=1, description="任务在本计划中的序号，如 3")
    name: str = Field(title="事项名称", min_length=1)
    main: list[MainTask] = Field(title="主要任务", min_length=1)
    lead: TextList = Field(default_factory=list, title="牵头部门", description="各项主要任务共同的牵头部门")
    units: TextList = Field(default_factory=list, title="责任单位", description="各项主要任务共同的责任单位")
    deadline: str = Field(title="完成时限", min_length=1,
                          description="照原表写：2022年6月底前、2022年12月底前、长期坚持、2022年6月底前，长期坚持")
    upstream: int | None = Field(None, title="上级任务", ge=1, description="落实的是上级地区同年计划中的第几项任务")
    progress: list[Progress] = Field(default_factory=list, title="进展")


class Section(Strict):
    title: str = Field(title="部分标题", min_length=1, description="如：一、加强政府信息公开，夯实一流基础")
    tasks: list[Task] = Field(default_factory=list, title="任务")


class Declined(Strict):
    upstream: int = Field(title="不承接的上级任务", ge=1)
    reason: str = Field(title="理由", min_length=1, description="会公开发布")


class WorkPlanFile(Strict):
    """workplan-<year>.yaml: a locality's work points for one year and their task breakdown."""

    title: str = Field(title="标题", min_length=1, description="如：沈阳市辽中区 2022 年政务公开工作要点")
    year: int = Field(title="年度", ge=2000, le=2100, description="与文件名中的年份相同")
    sections: list[Section] = Field(title="各部分", min_length=1)
    declined: list[Declined] = Field(default_factory=list, title="不承接的上级任务", description="每项都要写明理由")


@dataclass(frozen=True)
class Deadline:
    """A deadline as read: the last day it allows (None: no date) and whether the task goes on after it."""

    due: date | None
    ongoing: bool


_SPACE = re.compile(r"\s+")
_MONTH = re.compile(r"^(\d{4})年(\d{1,2})月(?:底|末)?前?$")
_DAY = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日前?$")
_YEAR_END = re.compile(r"^(\d{4})年(?:底|末)前?$")


def read_deadline(text: str) -> tuple[Deadline | None, str]:
    """(the deadline, "") for a readable 完成时限, else (None, what is wrong, in Chinese).

    Parts are separated by ，, or 、: 2022年6月底前，长期坚持 is due at the end of June and goes on.
    Spaces are ignored (tables copied from PDF have them: 2022 年 6 月底前).
    """
    due: date | None = None
    ongoing = False
    for part in re.split(r"[，,、；;]", _SPACE.sub("", text)):
        if not part:
            continue
        if part == ONGOING:
            ongoing = True
            continue
        found, problem = _one_date(part)
        if found is None:
            return None, problem
        due = found if due is None else max(due, found)
    if due is None and not ongoing:
        return None, f"“{text}”中没有日期，也不是“{ONGOING}”"
    return Deadline(due, ongoing), ""


def _one_date(part: str) -> tuple[date | None, str]:
    hint = "，应写成“2022年6月底前”“2022年6月30日前”“2022年底前”或“长期坚持”"
    if m := _YEAR_END.match(part):
        return date(int(m.group(1)), 12, 31), ""
    if m := _MONTH.match(part):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return None, f"“{part}”中的月份 {month} 不存在"
        return date(year, month, calendar.monthrange(year, month)[1]), ""
    if m := _DAY.match(part):
        year, month, day = (int(g) for g in m.groups())
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None, f"“{part}”不是真实的日期"
        return date(year, month, day), ""
    return None, f"无法识别完成时限“{part}”{hint}"
