"""A collection round (征求意见/填报轮次) as the project records it: `rounds/<name>.yaml`, tracked in git.

`gkcat round start` writes it with every form that went out; `gkcat import` adds each return of a
form (when, from which file, the unit's cover, what was written); `gkcat round status` reads it. The
folder `rounds/` sits beside gkcat.yaml, outside the locality tree, so it is never taken for a locality.
"""

from __future__ import annotations

import re

from pydantic import Field

from gkcat.model.files import Strict

ROUNDS_DIR = "rounds"
REGISTER_SHEET = "登记表"  # the register round start writes beside the forms, and import skips
REGISTER = f"{REGISTER_SHEET}.xlsx"
# A round's name is its file's name: letters (Chinese too), digits, "-" and "_", at most 40 of them.
NAME = re.compile(r"[^\W_][\w-]{0,39}")  # matched whole (fullmatch): "$" would let a final newline through


class Return(Strict):
    """One import of a returned form."""

    imported_at: str = Field(title="导入时间")  # ISO 8601 with the project's offset (gkcat.yaml timezone)
    file: str = Field(title="交回的文件名")
    sha256: str = Field(title="文件摘要", description="同一个文件再次导入时据此识别")
    cover: dict[str, str] = Field(default_factory=dict, title="封面", description="填报单位、填报人、联系电话、审核人、日期")
    applied: int = Field(0, title="写入的修改")
    conflicts: int = Field(0, title="冲突")
    refused: int = Field(0, title="不能接受的格子")
    unapplied: int = Field(0, title="未写入的修改")
    problems: list[str] = Field(default_factory=list, title="不能接受的格子",
                                description="整份未写入时，每个不能接受的格子及原因")
    answers: dict[str, str] = Field(default_factory=dict, title="单位的填报",
                                    description="领域/事项 -> 单位填报的这一行（它改动过的行）：单位再次交回时，以它上次的填报为准合并")


class SentForm(Strict):
    """One form of the round: whose it is and what it holds."""

    form: str = Field(title="填报表标识")  # locality path, "#role" for a department's
    file: str = Field(title="文件名")
    unit: str = Field(title="填报单位")
    locality: str = Field(title="地区")
    department: str = Field("", title="部门角色")
    domains: list[str] = Field(default_factory=list, title="领域")
    items: int = Field(0, title="事项数")
    made: str = Field(title="制表时间")
    sha256: str = Field("", title="发出时的文件摘要", description="导入时据此认出未经填写、原样放回的文件")
    seal: str = Field("", title="身份摘要",
                      description="填报表隐藏工作表中地区、部门、领域和事项的摘要：导入时据此核对，改动过的填报表不能导入")
    returns: list[Return] = Field(default_factory=list, title="交回记录")


class RoundFile(Strict):
    """rounds/<name>.yaml."""

    round: str = Field(title="轮次名称")
    locality: str = Field(title="地区", description="发出填报表的地区（其下各级都在本轮中）")
    started: str = Field(title="开始日期")
    forms: list[SentForm] = Field(default_factory=list, title="填报表")

    def form(self, identity: str) -> SentForm | None:
        return next((f for f in self.forms if f.form == identity), None)


def round_file(name: str) -> str:
    """The round's file, relative to the project."""
    return f"{ROUNDS_DIR}/{name}.yaml"
