"""JSON Schemas of the file formats, generated from the pydantic models, for editors.

`python -m gkcat.model.schema schemas/` (or `make schemas`) rewrites them; a test fails when the
committed copies are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gkcat.model.files import DomainFile, DomainsFile, LocalityFile, ProjectConfig
from gkcat.model.workplan import WorkPlanFile

# Titles and descriptions shown by editors, per model (the models' docstrings are for developers).
_TEXTS: dict[str, tuple[str, str]] = {
    "ProjectConfig": ("gkcat.yaml 项目设置", "目录标题、顶层地区、层级、共性要素、渠道清单、默认值和扩展字段"),
    "DomainsFile": ("domains.yaml 领域登记", "每个领域的标识、名称、延伸层级和牵头部门角色"),
    "DomainDef": ("领域", "一个公开领域，如义务教育"),
    "LocalityFile": ("locality.yaml 地区", "地区名称、层级、行政区划代码和部门"),
    "DomainFile": ("领域目录", "顶层地区为完整目录；下级地区只写与上级不同之处"),
    "Item": ("公开事项", "标准目录中的一行"),
    "ItemPatch": ("修改上级事项", "只替换给出的字段；共性要素不能修改"),
    "ItemDefaults": ("默认值", "事项未填写的字段取此处的值"),
    "Exclude": ("不适用事项", "上级目录中不适用于本地区的事项，理由会公开发布"),
    "Withheld": ("负面清单条目", "不予公开的事项及其法律依据"),
    "ExtraField": ("扩展字段", "项目自定义的列，如咨询电话、五公开"),
    "WorkPlanFile": ("workplan-<年度>.yaml 工作要点", "一个地区一年的政务公开工作要点及其任务分解表"),
    "Section": ("部分", "工作要点的一个部分（一、二、…）及其任务"),
    "Task": ("任务", "任务分解表中的一项：事项名称、主要任务、牵头部门、责任单位、完成时限"),
    "MainTask": ("主要任务", "任务分解表中的一行"),
    "Progress": ("进展", "一个单位落实这项任务的情况"),
    "Declined": ("不承接的上级任务", "上级同年工作要点中本地区不承接的任务及理由"),
}

SCHEMAS: dict[str, type[BaseModel]] = {
    "gkcat": ProjectConfig,
    "domains": DomainsFile,
    "locality": LocalityFile,
    "domain-base": DomainFile,
    "domain-overlay": DomainFile,
    "workplan": WorkPlanFile,
}


def _texts(node: dict[str, Any], name: str) -> None:
    title, description = _TEXTS.get(name, (None, None))
    if title:
        node["title"], node["description"] = title, description


def schema_for(name: str) -> dict[str, Any]:
    """The JSON Schema of one file kind (see SCHEMAS)."""
    model = SCHEMAS[name]
    schema = model.model_json_schema(mode="validation")
    _texts(schema, model.__name__)
    for def_name, node in schema.get("$defs", {}).items():
        _texts(node, def_name)
    if name == "domain-base":
        # The top locality's file is a full catalog: nothing above it to override or exclude.
        for key in ("override", "exclude"):
            schema["properties"].pop(key)
        schema["title"] = "领域目录（顶层，完整目录）"
    elif name == "domain-overlay":
        schema["title"] = "领域目录（下级，只写不同之处）"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def render_schemas() -> dict[str, str]:
    """File name -> content of every schema file, deterministic."""
    return {f"{name}.schema.json": json.dumps(schema_for(name), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            for name in SCHEMAS}


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "schemas")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render_schemas().items():
        (out / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
