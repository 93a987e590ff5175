"""Demo data tables: a weighing-equipment maker's customers (highway
authorities, mining enterprises, dealers), its departments and regions."""

# name, abbreviation (record-number prefix), parent abbreviation
DEPARTMENTS = (
    ("总经理办公室", "ZJB", None),
    ("营销部", "YX", None),
    ("销售一部", "XS1", "YX"),
    ("销售二部", "XS2", "YX"),
    ("品质部", "PZ", None),
    ("售后服务中心", "KF", "YX"),
    ("行政管理部", "XZ", None),
    ("人力资源部", "RL", None),
    ("财务部", "CW", None),
    ("技术部", "JS", None),
    ("信息中心", "XX", None),
)

# employees without a login: name, department, position
OTHER_EMPLOYEES = (
    ("黄涛", "XS2", "销售经理"),
    ("何平", "XS2", "业务员"),
    ("马超", "KF", "维修技术员"),
    ("杨帆", "KF", "服务接待员"),
    ("钱芳", "CW", "会计"),
    ("孙浩", "JS", "技术主管"),
    ("高远", "PZ", "质检员"),
    ("林晓", "XZ", "门卫"),
    ("刘振华", "ZJB", "副总经理"),
)

# region, department, manager (username or employee name)
REGIONS = (
    ("华北区", "XS1", "regional"),
    ("西北区", "XS1", "regional"),
    ("华东区", "XS2", "黄涛"),
    ("华南区", "XS2", "黄涛"),
    ("西南区", "XS1", "salesmgr"),
)

# name, kind, channel role, grade, industry segment, region
CUSTOMERS = (
    ("陕西省高速公路管理局", "unit", "user_unit", "A", "highway", "西北区"),
    ("宝鸡市交通运输局", "unit", "user_unit", "A", "highway", "西北区"),
    ("甘肃省公路路政执法管理局", "unit", "user_unit", "A", "highway", "西北区"),
    ("河北省高速公路京石管理处", "unit", "user_unit", "A", "highway", "华北区"),
    ("山西路桥集团运营公司", "unit", "user_unit", "A", "highway", "华北区"),
    ("江苏宁沪高速公路股份有限公司", "unit", "user_unit", "A", "highway", "华东区"),
    ("广东省公路建设有限公司", "unit", "user_unit", "A", "highway", "华南区"),
    ("四川成乐高速公路有限责任公司", "unit", "user_unit", "A", "highway", "西南区"),
    ("咸阳市公路管理局", "unit", "user_unit", "B", "secondary_road", "西北区"),
    ("渭南市公路局", "unit", "user_unit", "B", "secondary_road", "西北区"),
    ("保定市公路管理处", "unit", "user_unit", "B", "secondary_road", "华北区"),
    ("陕西神木煤业集团有限公司", "unit", "user_unit", "B", "industrial", "西北区"),
    ("宝钢集团八一钢铁有限公司", "unit", "user_unit", "B", "industrial", "西北区"),
    ("山西潞安矿业集团", "unit", "user_unit", "B", "industrial", "华北区"),
    ("安徽海螺水泥股份有限公司", "unit", "user_unit", "B", "industrial", "华东区"),
    ("攀钢集团西昌钢钒有限公司", "unit", "user_unit", "B", "industrial", "西南区"),
    ("陕西有色金属控股集团", "unit", "user_unit", "B", "industrial", "西北区"),
    ("中煤能源韩城矿业公司", "unit", "user_unit", "B", "industrial", "西北区"),
    ("西安衡通衡器经销部", "unit", "dealer", "C", "general", "西北区"),
    ("兰州金秤衡器商行", "unit", "dealer", "C", "general", "西北区"),
    ("石家庄恒准称重设备经销公司", "unit", "dealer", "C", "general", "华北区"),
    ("太原市精衡电子衡器店", "unit", "dealer", "C", "general", "华北区"),
    ("南京宁衡计量器具有限公司", "unit", "agent", "C", "general", "华东区"),
    ("杭州称心衡器代理有限公司", "unit", "agent", "C", "general", "华东区"),
    ("广州穗衡电子秤经销部", "unit", "dealer", "C", "general", "华南区"),
    ("成都蓉城衡器贸易公司", "unit", "dealer", "C", "general", "西南区"),
    ("宝鸡市金台区粮油收购站", "unit", "user_unit", "C", "general", "西北区"),
    ("汉中市物流园区管理公司", "unit", "user_unit", "C", "general", "西北区"),
    ("延安市建材批发市场", "unit", "user_unit", "D", "general", "西北区"),
    ("唐山港京唐港区码头公司", "unit", "user_unit", "B", "industrial", "华北区"),
    ("连云港港口集团", "unit", "user_unit", "B", "industrial", "华东区"),
    ("昆明钢铁控股有限公司", "unit", "user_unit", "C", "industrial", "西南区"),
    ("重庆渝衡衡器加盟店", "unit", "franchisee", "D", "general", "西南区"),
    ("榆林市榆阳区废旧物资回收站", "unit", "user_unit", "D", "general", "西北区"),
    ("天水市秦州区农机公司", "unit", "user_unit", "D", "general", "西北区"),
    ("青海盐湖工业股份有限公司", "unit", "user_unit", "B", "industrial", "西北区"),
)

# account owners, cycled
OWNERS = ("sales", "sales2", "regional", "何平", "sales", "黄涛")

LIFECYCLE_CYCLE = ("trading", "trading", "trading", "prospect", "trading", "former", "trading")

SCOPES = {
    "highway": "高速公路计重收费、超限检测站点建设与运营",
    "secondary_road": "普通公路养护与路政管理，设有超限检测站",
    "industrial": "大宗原料及产品进出厂计量，汽车衡、轨道衡使用单位",
    "general": "衡器销售、维修及计量服务",
}

VISIT_PURPOSES = (
    "回访计重收费设备使用情况", "了解新建超限检测站需求", "走访了解年度采购计划",
    "新产品动态汽车衡推介", "收集售后服务意见", "陪同技术员检查设备运行",
)

VISIT_FINDINGS = (
    "设备运行正常，客户对称重精度满意，提出希望缩短售后响应时间。",
    "客户计划明年新建两个超限检测站，已索取技术方案。",
    "秤台基础出现轻微沉降，已约售后中心下周上门检修。",
    "客户反映数据上传接口偶有中断，已记录并转技术部。",
    "客户更换了设备管理负责人，已更新联系人信息。",
    "对比了竞争对手报价，客户更看重长期服务保障。",
    "客户希望增加年度保养合同内容，需报价。",
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = ("建华", "志强", "秀英", "海燕", "国庆", "红梅", "俊杰", "丽娟", "文斌", "晓东", "春燕", "卫东")

STREETS = {
    "西北区": ("陕西省西安市雁塔区科技路", "陕西省宝鸡市金台区宝光路", "甘肃省兰州市城关区东岗西路"),
    "华北区": ("河北省石家庄市长安区中山东路", "山西省太原市小店区长治路", "北京市丰台区南四环西路"),
    "华东区": ("江苏省南京市建邺区江东中路", "浙江省杭州市西湖区文三路", "安徽省芜湖市镜湖区北京中路"),
    "华南区": ("广东省广州市天河区天河北路", "广东省深圳市南山区科技园路"),
    "西南区": ("四川省成都市武侯区人民南路", "重庆市渝北区金开大道", "云南省昆明市盘龙区北京路"),
}


def person(i):
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 5) % len(GIVEN)]


def phone(i):
    return f"13{(i * 7919) % 10}{(i * 104729 + 20261122) % 100000000:08d}"


def address(region, i):
    streets = STREETS[region]
    return f"{streets[i % len(streets)]}{(i * 37) % 300 + 1}号"
