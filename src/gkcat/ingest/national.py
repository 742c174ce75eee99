"""What `gkcat init` starts a project with: the 26 national domains (their usual levels and lead
departments, as the Shenyang plan of seed 000 registers them) and department names to fill in."""

from __future__ import annotations

# (id, name, levels, lead roles), in the order of the national list
NATIONAL_DOMAINS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ('zhongda-jianshe-xiangmu', '重大建设项目', ('city', 'county'), ('development-reform',)),
    ('gonggong-ziyuan-jiaoyi', '公共资源交易', ('city', 'county'), ('development-reform', 'public-resources-trading')),
    ('yiwu-jiaoyu', '义务教育', ('city', 'county', 'town'), ('education',)),
    ('huji-guanli', '户籍管理', ('city', 'county', 'town'), ('public-security',)),
    ('shehui-jiuzhu', '社会救助', ('city', 'county', 'town'), ('civil-affairs',)),
    ('yanglao-fuwu', '养老服务', ('city', 'county', 'town'), ('civil-affairs',)),
    ('gonggong-falv-fuwu', '公共法律服务', ('city', 'county', 'town'), ('justice',)),
    ('caizheng-yujuesuan', '财政预决算', ('city', 'county'), ('finance',)),
    ('jiuye', '就业', ('city', 'county', 'town'), ('human-resources',)),
    ('shehui-baoxian', '社会保险', ('city', 'county', 'town'), ('human-resources', 'healthcare-security')),
    ('guotu-kongjian-guihua', '城乡规划', ('city', 'county'), ('natural-resources',)),
    ('nongcun-jiti-tudi-zhengshou', '农村集体土地征收', ('city', 'county', 'town'), ('natural-resources',)),
    ('shengtai-huanjing', '生态环境', ('city', 'county'), ('ecology-environment',)),
    ('baozhangxing-zhufang', '保障性住房', ('city', 'county', 'town'), ('housing',)),
    ('guoyou-tudi-fangwu-zhengshou', '国有土地上房屋征收与补偿', ('city', 'county'), ('natural-resources',)),
    ('nongcun-weifang-gaizao', '农村危房改造', ('city', 'county', 'town'), ('housing',)),
    ('shizheng-fuwu', '市政服务', ('city', 'county'), ('public-utilities', 'urban-rural-construction', 'urban-management', 'water')),
    ('chengshi-zonghe-zhifa', '城市综合执法', ('city', 'county', 'town'), ('urban-management',)),
    ('shenong-butie', '涉农补贴', ('city', 'county'), ('agriculture',)),
    ('gonggong-wenhua-fuwu', '公共文化服务', ('city', 'county', 'town'), ('culture-tourism',)),
    ('weisheng-jiankang', '卫生健康', ('city', 'county'), ('health',)),
    ('anquan-shengchan', '安全生产', ('city', 'county', 'town'), ('emergency',)),
    ('jiuzai', '救灾', ('city', 'county', 'town'), ('emergency',)),
    ('shipin-yaopin-jianguan', '食品药品监管', ('city', 'county', 'town'), ('market-regulation',)),
    ('shuishou-guanli', '税收管理', ('city', 'county'), ('taxation',)),
    ('fupin', '扶贫', ('city', 'county', 'town'), ('agriculture',)),
)

# role -> department name after the locality's name (市教育局 -> 某某市教育局); None: written as is
DEPARTMENTS: dict[str, str | None] = {
    'government': '人民政府',
    'township': None,  # 各乡镇人民政府（街道办事处）
    'development-reform': '发展改革委',
    'public-resources-trading': '公共资源交易中心',
    'education': '教育局',
    'public-security': '公安局',
    'civil-affairs': '民政局',
    'justice': '司法局',
    'finance': '财政局',
    'human-resources': '人力资源社会保障局',
    'healthcare-security': '医保局',
    'natural-resources': '自然资源局',
    'ecology-environment': '生态环境局',
    'housing': '房产局',
    'public-utilities': '市政公用局',
    'urban-rural-construction': '城乡建设局',
    'urban-management': '城市管理综合执法局',
    'water': '水务局',
    'agriculture': '农业农村局',
    'culture-tourism': '文化旅游广电局',
    'health': '卫生健康委',
    'emergency': '应急局',
    'market-regulation': '市场监管局',
    'taxation': '税务局',
    'transport': '交通运输局',
    'statistics': '统计局',
    'business-environment': '营商局',
}
TOWNSHIP = "各乡镇人民政府（街道办事处）"
