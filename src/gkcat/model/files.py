"""The file formats of a project as pydantic models (format.md). No I/O here.

Titles and descriptions are Chinese: they become the JSON Schemas in `schemas/` that editors
show while a civil servant types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, RootModel, create_model

from gkcat.model.assessment import INDICATORS
from gkcat.model.fields import COMMON_ABLE, FIELDS, FieldSpec
from gkcat.model.vocabulary import CODE, ITEM_ID, LEVEL_NAMES, LINK, NATIONAL_CHANNELS, ROLE, SLUG, Level, level_id


def _as_list(value: Any) -> Any:
    """`content: 一句话` means a one-element list; an empty `links:` means none."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return value


# Editors should accept one string as well as a list, as gkcat does.
TextList = Annotated[list[str], BeforeValidator(_as_list, json_schema_input_type=str | list[str])]
Slug = Annotated[str, Field(pattern=SLUG)]
Role = Annotated[str, Field(pattern=ROLE)]
Link = Annotated[str, Field(pattern=LINK)]
# A level, by its id or by what people call it (县级, 乡镇级 ...): the model holds the id. Editors offer both.
LevelIn = Annotated[Level, BeforeValidator(level_id, json_schema_input_type=Literal[(*Level.__args__, *LEVEL_NAMES)])]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _annotation(spec: FieldSpec) -> Any:
    """A field's type in files, from its kind in the registry."""
    return {"texts": TextList, "levels": list[LevelIn], "links": list[Link], "extra": dict[str, str],
            "choice": Literal[spec.choices] if spec.choices else str}.get(spec.kind, str)


def _field(spec: FieldSpec, required: bool = False, described: bool = True) -> tuple[Any, Any]:
    """A registry field as a model field: optional (None when not given) unless `required`."""
    more: dict[str, Any] = {"title": spec.label}
    if described and spec.description:
        more["description"] = spec.description
    if spec.nonempty:
        more["min_length"] = 1
    if required:
        return _annotation(spec), Field(**more)
    return _annotation(spec) | None, Field(None, **more)


if TYPE_CHECKING:
    # What mypy sees. The fields themselves are built from the registry below: code that reads one by
    # name (an override's given fields, a defaults block's value) goes through getattr.
    class ItemPatch(Strict):
        def __getattr__(self, name: str) -> Any: ...

    class Item(ItemPatch):
        id: str

    class ItemDefaults(Strict):
        def __getattr__(self, name: str) -> Any: ...
else:
    ItemPatch = create_model(
        "ItemPatch", __base__=Strict, __module__=__name__,
        __doc__="The fields of an item that an overlay's `override` may replace (all optional).",
        **{f.id: _field(f) for f in FIELDS})
    Item = create_model(
        "Item", __base__=ItemPatch, __module__=__name__, __doc__="One row of a standard table (公开事项).",
        id=(str, Field(title="事项标识", pattern=ITEM_ID, description="在本领域内唯一且稳定，如 zcwj-jyfl")),
        **{f.id: _field(f, required=True, described=False) for f in FIELDS if f.required})
    ItemDefaults = create_model(
        "ItemDefaults", __base__=Strict, __module__=__name__, __doc__="Values for items that omit a field.",
        **{f.id: _field(f, described=False) for f in FIELDS if f.defaultable})


class Exclude(Strict):
    id: str = Field(title="排除的事项标识", pattern=ITEM_ID)
    reason: str = Field(title="不适用理由", min_length=1, description="会公开发布，如：本区无民办义务教育学校")


class Withheld(Strict):
    """An entry of the negative list (负面清单): what is not disclosed, with its legal basis."""

    id: str = Field(title="标识", pattern=ITEM_ID)
    title: str = Field(title="不予公开的事项", min_length=1)
    reason: str = Field(title="不予公开的理由", min_length=1)
    basis: TextList = Field(title="法律依据", min_length=1)
    reviewed: str | None = Field(None, title="最近评估日期", pattern=r"^\d{4}-\d{2}-\d{2}$",
                                 description="最近一次评估它是否仍不予公开的日期（YYYY-MM-DD）；每年应评估一次")


class DomainFile(Strict):
    """A domain file: a full catalog at the top locality, an overlay below it."""

    domain: Slug = Field(title="领域标识", description="与文件名相同，如 yiwu-jiaoyu")
    defaults: ItemDefaults | None = Field(None, title="本文件的默认值", description="优先于 gkcat.yaml 的 defaults")
    override: dict[str, ItemPatch] = Field(default_factory=dict, title="修改上级事项", description="只替换给出的字段")
    exclude: list[Exclude] = Field(default_factory=list, title="不适用的上级事项")
    items: list[Item] = Field(default_factory=list, title="事项", description="顶层为完整目录，下级为本地个性事项")
    withheld: list[Withheld] = Field(default_factory=list, title="负面清单")


class LocalityFile(Strict):
    """locality.yaml: one government."""

    name: str = Field(title="地区名称", min_length=1, description="如：辽中区")
    level: LevelIn = Field(title="层级", description="必须与文件夹深度对应的层级一致")
    code: str | None = Field(None, title="行政区划代码", pattern=CODE, description="6 位或 12 位数字，写成文本")
    departments: dict[Role, str] = Field(
        default_factory=dict, title="部门", description="角色 → 本地区部门名称，如 education: 区教育局"
    )


class DomainDef(Strict):
    id: Slug = Field(title="领域标识", description="也是领域文件名，如 yiwu-jiaoyu")
    name: str = Field(title="领域名称", min_length=1)
    levels: list[LevelIn] = Field(title="延伸到的层级", min_length=1)
    lead: list[Role] = Field(default_factory=list, title="牵头部门角色")


class DomainsFile(RootModel[list[DomainDef]]):
    """domains.yaml: the domain registry."""


class ExtraField(Strict):
    id: str = Field(title="字段标识", pattern=r"^[a-z][a-z0-9_-]*$")
    label: str = Field(title="列名", min_length=1, description="如：咨询电话")
    choices: list[str] | None = Field(None, title="可选值")


class HistoryConfig(Strict):
    tags: str = Field("*", title="发布标签", min_length=1,
                      description="git 标签的匹配模式（如 v*）；有匹配的标签时，每个标签是一次发布")
    commits: int = Field(10, ge=1, le=500, title="提交数",
                         description="没有匹配的标签时，列出最近多少次修改了项目的提交")


def _default_levels() -> list[Level]:
    return ["city", "county", "town"]


_INDICATOR = Literal[tuple(i.id for i in INDICATORS)]  # type: ignore[valid-type]  # ids from the indicator table
_POINTS = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]  # points of a score out of 100


class AssessmentConfig(Strict):
    """gkcat.yaml `assessment:`: how `gkcat assess` scores, and whether the site shows the report."""

    publish: bool = Field(False, title="在网站上发布", description="true：网站增加一页“网上检查”（默认不发布：检查是内部的）")
    weights: dict[_INDICATOR, _POINTS] = Field(default_factory=dict, title="每项扣分",  # type: ignore[valid-type]
                                             description="指标 -> 每个问题扣几分（缺少链接为按比例扣分的满额）")
    caps: dict[_INDICATOR, _POINTS] = Field(default_factory=dict, title="每项最多扣分",  # type: ignore[valid-type]
                                          description="指标 -> 这一项最多扣几分")


class ProjectConfig(Strict):
    """gkcat.yaml: project settings."""

    title: str = Field(title="目录标题", min_length=1)
    root: Slug = Field(title="顶层地区文件夹")
    levels: list[LevelIn] = Field(default_factory=_default_levels, title="层级", min_length=1)
    common_fields: list[Literal[COMMON_ABLE]] = Field(  # type: ignore[valid-type]  # choices from the registry
        default_factory=list, title="共性要素", description="下级不得修改的字段"
    )
    channels: list[str] = Field(default_factory=lambda: list(NATIONAL_CHANNELS), title="公开渠道清单", min_length=1)
    defaults: ItemDefaults | None = Field(None, title="默认值")
    extra_fields: list[ExtraField] = Field(default_factory=list, title="扩展字段")
    history: HistoryConfig | None = Field(None, title="更新记录", description="网站“更新记录”和订阅（Atom）取哪些版本")
    assessment: AssessmentConfig | None = Field(None, title="网上检查", description="gkcat assess 的扣分和是否在网站上发布")
    timezone: str = Field("Asia/Shanghai", title="时区", pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$",
                          description="填报轮次等记录的时间按这个时区书写（IANA 名称），默认 Asia/Shanghai（北京时间）")
    site_url: Link | None = Field(None, title="网站地址",
                                  description="网站发布后的地址（http 或 https），如 https://gk.example.gov.cn/；"
                                              "有了它，每个地区生成一张印有目录地址和二维码的海报（poster.html）")
