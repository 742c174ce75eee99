"""`gkcat init`: a new project with the national domains and a top locality whose departments are to fill in."""

from __future__ import annotations

import re
from pathlib import Path

from gkcat.check.load import load_project
from gkcat.ingest.national import DEPARTMENTS, NATIONAL_DOMAINS, TOWNSHIP
from gkcat.ingest.writer import Outcome, Refused, dump_yaml, planned_changes, write_changes
from gkcat.model.vocabulary import LEVELS, NATIONAL_CHANNELS, SLUG
from gkcat.source.files import CONFIG_FILE


def init_project(folder: Path, name: str, level: str, root_id: str) -> Outcome:
    """A new project: gkcat.yaml, domains.yaml with the national domains, and the top locality."""
    if level not in LEVELS[:-1]:
        raise Refused(f"层级“{level}”不可用，应为 {'、'.join(LEVELS[:-1])} 之一")
    if not re.match(SLUG, root_id):
        raise Refused(f"地区文件夹名“{root_id}”不可用：只能用小写字母、数字和连字符（如 shenyang），请用 --id 指定")
    if folder.exists() and any(folder.iterdir()):
        raise Refused(f"{folder} 不是空文件夹，未写入任何文件")
    levels = list(LEVELS[LEVELS.index(level):LEVELS.index("town") + 1]) if level != "town" else ["town"]
    config = {"title": f"{name}基层政务公开标准目录", "root": root_id, "levels": levels,
              "common_fields": ["level1", "level2", "content", "basis"], "channels": list(NATIONAL_CHANNELS),
              "defaults": {"deadline": "自该政府信息形成或者变更之日起20个工作日内", "audience": "全社会", "method": "主动"}}
    domains = [{"id": i, "name": n, "levels": [lv for lv in lv_ if lv in levels], "lead": list(lead)}
               for i, n, lv_, lead in NATIONAL_DOMAINS if any(lv in levels for lv in lv_)]
    roles = sorted({r for _, _, _, lead in NATIONAL_DOMAINS for r in lead} | {"government", "township"})
    departments = {r: (TOWNSHIP if DEPARTMENTS.get(r) is None else f"{name}{DEPARTMENTS[r]}") for r in roles}
    files = {
        CONFIG_FILE: "# gkcat 项目设置：标题、顶层地区、层级、共性要素（下级不能改）、公开渠道清单、默认值\n" + dump_yaml(config),
        "domains.yaml": "# 国家 26 个试点领域及其通常延伸的层级、牵头部门（角色）\n" + dump_yaml(domains),
        f"{root_id}/locality.yaml": (f"# {name}：请把部门名称改为本地实际名称，删除不用的角色\n"
                                     + dump_yaml({"name": name, "level": level, "departments": departments})),
    }
    out = Outcome(write_changes(folder, planned_changes(folder, {}, force=False, texts=files)))
    out.diagnostics = load_project(folder).diagnostics
    out.report.append(f"已建立项目：{len(domains)} 个领域；下一步可用 gkcat import xlsx 导入 {name}的标准目录表")
    return out
