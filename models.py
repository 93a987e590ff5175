"""Every register and form of the customer-management regulations.

One Peewee model per register (DOMAIN.md section 2), each with a `Register`
inner class: its menu group, list columns, search, filters, numbering, row
rule and default permissions. Views, API, exports and permission rows are
generated from it (portal/registry.py). Field labels are Simplified Chinese;
choice fields store ASCII codes.
"""
from peewee import (BooleanField, CharField, DateField, DateTimeField,
                    DecimalField, DeferredForeignKey, ForeignKeyField, IntegerField,
                    TextField)

from permissions.roles import (LEADERS, MANAGERS, ROLES, SALES, SALES_FRONT,
                               STAFF)
from portal.accounts import User
from portal.db import BaseModel
from portal.clock import now, today
from portal.fields import ListField, NotApplicableField
from portal.record import (CONFIDENTIALITY, RETENTION, Char, Choice, Date,
                           Flag, Int, Money, RecordBase, Text)
from portal.settings import get as setting
from portal.workflows.approvals import APPROVAL_STATES, Step, approval_flow

ROLE_CHOICES = tuple((key, name) for key, name, _ in ROLES)

# ---------------------------------------------------------------------------
# Reference registers: departments, regions, employees (DOMAIN.md section 1)
# ---------------------------------------------------------------------------


class Department(RecordBase):
    name = CharField(max_length=60, unique=True, verbose_name="部门名称")
    abbr = CharField(max_length=10, unique=True, verbose_name="汉字缩写",
                     help_text="记录编号前缀（000-四 412）")
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT",
                             verbose_name="上级部门")
    head = DeferredForeignKey("Employee", null=True, on_delete="SET NULL",
                              verbose_name="部门负责人")

    class Register:
        label = "部门"
        group = "system"
        domain_ids = ("§1",)
        numbering = "prefix"
        number_prefix = "BM"
        row_scope = "all"
        list_columns = ("record_no", "name", "abbr", "parent", "head")
        search = ("name", "abbr")
        filters = ("parent",)
        permissions = {"view": STAFF + ("admin",), "create": ("admin", "hr"),
                       "edit": ("admin", "hr"), "delete": ("admin",), "export": ("admin", "hr")}


class Employee(RecordBase):
    name = CharField(max_length=60, verbose_name="姓名")
    dept = ForeignKeyField(Department, backref="employees", on_delete="RESTRICT",
                           verbose_name="所属部门")
    position = Char("岗位", max_length=60)
    superior = ForeignKeyField("self", null=True, backref="subordinates", on_delete="SET NULL",
                               verbose_name="直属上级")
    phone = Char("电话", max_length=40)
    email = Char("电子邮件", max_length=120)
    user = ForeignKeyField(User, null=True, unique=True, backref="+", on_delete="SET NULL",
                           verbose_name="登录账号")
    status = Choice((("active", "在职"), ("departed", "已离职")), default="active",
                    verbose_name="在职状态")
    hired_on = Date("入职日期")
    departed_on = Date("离职日期")

    class Register:
        label = "员工"
        group = "handover"
        domain_ids = ("§1",)
        numbering = "prefix"
        number_prefix = "YG"
        row_scope = "all"
        list_columns = ("record_no", "name", "dept", "position", "superior", "status")
        search = ("name", "position", "phone")
        filters = ("dept", "status")
        readonly_fields = ("user", "status", "departed_on")
        lookup_active = ("status", "active")
        permissions = {"view": STAFF + ("admin",), "create": ("hr", "admin"),
                       "edit": ("hr", "admin"), "delete": ("hr",), "export": ("hr", "admin")}


class Region(RecordBase):
    name = CharField(max_length=60, unique=True, verbose_name="区域名称")
    dept = ForeignKeyField(Department, null=True, backref="regions", on_delete="SET NULL",
                           verbose_name="所属部门")
    manager = ForeignKeyField(Employee, null=True, backref="regions", on_delete="SET NULL",
                              verbose_name="区域经理")

    class Register:
        label = "区域"
        group = "system"
        domain_ids = ("ROLE-13",)
        numbering = "prefix"
        number_prefix = "QY"
        row_scope = "all"
        list_columns = ("record_no", "name", "dept", "manager")
        search = ("name",)
        filters = ("dept",)
        permissions = {"view": STAFF + ("admin",), "create": ("admin", "marketing_head"),
                       "edit": ("admin", "marketing_head"), "delete": ("admin",)}


# ---------------------------------------------------------------------------
# The cross-cutting record fields (DOMAIN.md 0.3, 000-四 41-45)
# ---------------------------------------------------------------------------


class FormRecord(RecordBase):
    """Fields of every customer-service record (000-四): numbered by the owning
    department, dated and signed, with retention, custodian and confidentiality."""
    dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="主管部门")
    filled_at = DateField(default=today, verbose_name="填写日期")
    filled_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="填写人")
    # 000-四 43: 「負責人簽名欄目不允許空白」 once the record leaves draft.
    responsible_signer = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                         verbose_name="负责人签名")
    signed_at = DateTimeField(null=True, verbose_name="签名时间")
    # 000-四 43: items that cannot be filled are struck through (单杠划去).
    na_fields = NotApplicableField(verbose_name="不适用项（单杠划去）")
    retention_class = Choice(RETENTION, default="three_years", verbose_name="保存期限类别")
    retention_until = DateField(null=True, verbose_name="保存至")
    custodian = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="保管人")
    confidentiality = Choice(CONFIDENTIALITY, default="internal", verbose_name="密级")
    is_long_term = BooleanField(default=False, verbose_name="长期保存")

    def derive(self, actor):
        """Computed fields, before every save. Registers that compute more
        override this and call super().derive(actor)."""
        self.retention_until = retention_date(self)


def retention_date(row):
    """保存至 from the retention class (000-四 441/442, 002 篇一; years are settings)."""
    from portal.calendar import add_months
    start = row.filled_at or today()
    years = {
        "three_years": setting("retention_years_default"),
        "unspecified": setting("retention_years_default"),      # R-REC-10
        "one_year": setting("retention_years_complaint"),
        "one_year_extended": (setting("retention_years_important")
                              if getattr(row, "is_important", False) else setting("retention_years_complaint")),
        "product_lifetime": setting("retention_years_product"),
    }.get(row.retention_class)
    return add_months(start, 12 * years) if years else None      # long-term: kept


class LineItem(BaseModel):
    """A row of a multi-row form (parts used, report lines, handed copies...),
    edited inline on its parent's form and saved in the parent's transaction."""


def copy_log(parent, label="流转记录（联）"):
    """The hand-off log of a multi-copy paper form (联): one child row per
    copy, with where it went and why (DOMAIN.md 0.3 RoutingLog). The copies a
    form has are declared in its `Register.copies`."""
    attrs = {
        "__module__": __name__,
        "record": ForeignKeyField(parent, backref="copies", on_delete="CASCADE", verbose_name=label),
        "copy_no": IntegerField(verbose_name="第几联"),
        "copy_name": CharField(max_length=40, verbose_name="联名"),
        "purpose": Char("用途/去向", max_length=200),
        "to_dept": ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="送交部门"),
        "handed_at": DateTimeField(null=True, verbose_name="送交时间"),
        "handed_by": ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="送交人"),
    }
    model = type(parent.__name__ + "Copy", (LineItem,), attrs)
    model.is_copy_log = True
    return model


class ApprovalRecord(FormRecord):
    """A form that goes through an approval chain (DOMAIN.md R-APR, WF-10);
    its register declares `workflow = approval_flow([...steps...], ...)`."""
    state = Choice(APPROVAL_STATES, default="draft", index=True, verbose_name="状态")
    approval_step = Int("审批步骤")
    current_approver = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                       verbose_name="当前审批人")
    approver_role = Choice(ROLE_CHOICES, null=True, verbose_name="审批角色")
    approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="批准人")
    approved_at = DateTimeField(null=True, verbose_name="批准时间")
    rejection_reason = Text("驳回理由")


# Fields the form shows in its "记录管理" section rather than among the form's own.
RECORD_FIELDS = ("dept", "filled_at", "filled_by", "responsible_signer", "na_fields",
                 "retention_class", "custodian", "confidentiality", "is_long_term")

# ---------------------------------------------------------------------------
# 2.A Customer master and customer archives
# ---------------------------------------------------------------------------

CUSTOMER_KIND = (("unit", "单位客户"), ("individual", "个人顾客"), ("walk_in", "散客"))
CHANNEL_ROLE = (("user_unit", "使用单位"), ("dealer", "经销商"), ("agent", "代理商"),
                ("franchisee", "加盟商"), ("end_consumer", "终端消费者"),
                ("tobacco_retailer", "卷烟零售客户"))
GRADE = (("A", "A类"), ("B", "B类"), ("C", "C类"), ("D", "D类"))  # E-01 / E-02
INDUSTRY = (("highway", "高速公路系统"), ("secondary_road", "二级公路"),
            ("industrial", "大中型工矿企业"), ("general", "一般客户"))
LIFECYCLE = (("prospect", "潜在客户"), ("trading", "正在交易"), ("former", "老客户(交易中断)"),
             ("suspended", "交易中止"), ("past", "交易过去"),
             ("dissolved", "已解散/交易关系解除"), ("disposed", "已处理(销毁)"))  # E-04
SEGMENTS = (("vip", "vip客户"), ("returning", "回头客"), ("long_term_partner", "长期协作单位"))
TERMINATION = (("dissolved", "解散"), ("relationship_ended", "交易关系解除"))
CLOSED_BIN = (("suspended", "交易中止"), ("past", "交易过去"))


class Customer(FormRecord):
    """F-01 客户档案 / 客户档案卡: one card per customer (000-一, 001-名簿, 003 §4.1)."""
    dept = None  # the owning department is 负责部科 (001-名簿 第二条)
    name = CharField(max_length=200, verbose_name="客户名称")
    customer_kind = Choice(CUSTOMER_KIND, default="unit", verbose_name="客户类型")
    channel_role = Choice(CHANNEL_ROLE, null=True, verbose_name="客户身份")
    grade = Choice(GRADE, default="C", verbose_name="客户等级")
    industry_segment = Choice(INDUSTRY, null=True, verbose_name="行业类别")
    region = ForeignKeyField(Region, backref="customers", on_delete="RESTRICT", verbose_name="区域")
    account_owner = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                    verbose_name="客户管理责任人")
    patrol_visitor = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="巡访专人")
    responsible_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT",
                                       verbose_name="负责部科")
    lifecycle_status = Choice(LIFECYCLE, default="prospect", verbose_name="交易状态")
    is_key_account = Flag("重大客户/大客户")
    nature = Char("性质", max_length=100)
    business_scope = Text("经营内容")
    legal_representative = Char("法定代表人", max_length=60)
    person_in_charge = Char("负责人姓名", max_length=60)
    contact_name = Char("联系人姓名", max_length=60)
    contact_method = Char("联系方式", max_length=100)
    phone = Char("电话", max_length=40)
    fax = Char("传真", max_length=40)
    address = Char("地址", max_length=300)
    postcode = Char("邮编", max_length=10)
    invoicing_info = Text("开票信息")
    main_needs = Text("主要消费需求")
    agreed_rate = Money("认定的房价")
    discount_rate = Money("消费折扣率")
    payment_method = Char("付款方式", max_length=60)
    scale = Char("规模", max_length=60)
    sales_volume = Money("销售额")
    development_trend = Char("经营发展趋势", max_length=200)
    organization = Text("机构")
    business_content = Text("内容")
    credit = Text("信用(信用度)")
    relationship = Text("与本企业的关系")
    business_policy = Text("营业方针")
    trading_attitude = Text("交易的态度")
    segments = ListField(SEGMENTS, verbose_name="客户标签")
    system_registered = Flag("已登录生产管理系统")
    registered_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                    verbose_name="登录人(生产管理课)")
    last_review_at = Date("最近定期调查")
    next_tracking_due = Date("下次跟踪期限")
    terminated_at = Date("交易解除日期")
    termination_reason = Choice(TERMINATION, null=True, verbose_name="解除原因")
    closed_file_bin = Choice(CLOSED_BIN, null=True, verbose_name="资料归类")
    disposal_approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                           verbose_name="处理认可人(销售经理)")

    class Register:
        label = "客户档案"
        group = "customers"
        domain_ids = ("F-01", "F-03")
        archive = True
        row_scope = "archive"
        owner_field = "account_owner"
        dept_fields = ("responsible_dept",)
        list_columns = ("record_no", "name", "grade", "region", "account_owner",
                        "responsible_dept", "lifecycle_status", "confidentiality")
        search = ("record_no", "name", "contact_name", "phone", "address")
        filters = ("grade", "customer_kind", "region", "account_owner", "responsible_dept",
                   "lifecycle_status", "confidentiality", "is_key_account", "next_tracking_due")
        required = ("contact_name", "phone", "address")
        permissions = {"create": SALES, "edit": SALES, "view": SALES + LEADERS,
                       "delete": ("sales_clerk", "sales_manager", "marketing_head"),
                       "export": ("sales_clerk", "sales_manager", "marketing_head",
                                  "general_manager")}


class CustomerVisitRecord(FormRecord):
    """F-06 客户访问表 / 用户走访信息登记表 (000-一 第十五条; 000-四 record 66)."""
    customer = ForeignKeyField(Customer, null=True, backref="visits", on_delete="RESTRICT",
                               verbose_name="客户")
    prospect_name = Char("未来客户名称", help_text="尚未建档的客户（000-一 第十九条）")
    visited_at = DateField(default=today, verbose_name="访问日期")
    visitor = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="访问人")
    purpose = Text("访问目的")
    findings = TextField(verbose_name="访问情况")
    changes = Text("客户情况变化")
    submitted_at = DateTimeField(null=True, verbose_name="上报时间")
    consolidated = Flag("已汇总入档")

    class Register:
        label = "客户访问表"
        group = "customers"
        domain_ids = ("F-06",)
        list_columns = ("record_no", "customer", "prospect_name", "visited_at", "visitor",
                        "submitted_at", "consolidated")
        search = ("record_no", "prospect_name", "findings", "purpose")
        filters = ("visited_at", "visitor", "customer", "consolidated", "dept")
        person_fields = ("visitor", "filled_by")
        permissions = {"create": SALES_FRONT + ("sales_manager",), "edit": SALES_FRONT + ("sales_manager",),
                       "view": SALES + LEADERS}


# ---------------------------------------------------------------------------
# 2.B Patrol visits, gifts, customer care
# ---------------------------------------------------------------------------


class GiftBudgetRequest(ApprovalRecord):
    """F-23 赠送礼品预算申请表: a gift to a special customer, 「报上级主管审批」
    (001-服务 第六条)."""
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="客户")
    reason = TextField(verbose_name="赠送理由")
    gift = Char("礼品", max_length=200)
    budget = Money("预算金额", null=False)

    class Register:
        label = "赠送礼品预算申请表"
        group = "customers"
        domain_ids = ("F-23",)
        list_columns = ("record_no", "customer", "gift", "budget", "filled_by", "current_approver")
        search = ("record_no", "gift", "reason")
        filters = ("filled_at", "customer", "filled_by")
        required = ("gift",)
        person_fields = ("filled_by", "current_approver", "approved_by")
        workflow = approval_flow(
            [Step("上级主管审批", "superior"),
             Step("总经理审批", "general_manager",
                  when=lambda row: row.budget is not None
                  and row.budget > setting("gift_budget_gm_threshold"))],
            creators=SALES_FRONT)
        permissions = {"create": SALES_FRONT, "edit": SALES_FRONT, "view": SALES + LEADERS}


# ---------------------------------------------------------------------------
# Enumerations shared by several sections (DOMAIN.md section 3)
# ---------------------------------------------------------------------------

# E-09 沟通渠道 (000-二 §三; 003 §4.2; 004 §5.2; 001-售后; 002 篇一)
CHANNELS = (("hotline", "服务(热线)电话"), ("phone", "电话"), ("call_in", "来电"), ("letter", "来信"),
            ("visit_in", "来访"), ("mailbox", "信箱"), ("fax", "传真"), ("email", "电子邮件"),
            ("customer_visit", "客户走访"), ("reception", "客户接待"), ("oral", "口头"),
            ("repair_call", "叫修电话"), ("document", "文件"),
            ("complaint_hotline", "免费投诉监督电话"), ("other", "其他方式"))
# E-08 客户信息等级 (003 §4.2 b): AA 24 h, A 48 h, B 72 h (SLA rules feedback_AA/A/B)
FEEDBACK_LEVELS = (("AA", "AA级"), ("A", "A级"), ("B", "B级"))
# E-19 服务类别 (000-二 §五.3; 001-售后 第二章 第一条)
SERVICE_TYPES = (("free", "免费服务"), ("paid", "有偿服务"), ("contract", "合同服务"),
                 ("admin_work", "一般行政工作"))
# E-20 派工区域 (001-售后 第二章 第十二条): urban 6 / suburban 7 working hours
ZONES = (("urban", "市区"), ("suburban", "郊区"))
MARKETS = (("domestic", "国内"), ("foreign", "国外"))


# ---------------------------------------------------------------------------
# 2.D Complaints: the case record (F-36); its documents are in SECTION B
# ---------------------------------------------------------------------------

COMPLAINT_TYPES = (("consultation", "咨询"), ("suggestion", "建议"), ("complaint", "投诉"))  # E-10
COMPLAINT_SUBJECTS = (("work_service", "工作或服务"), ("goods", "商品(产品)"))          # E-12
CAUSE_CLASSES = (("quality", "质量异常(品质异常)"), ("non_quality", "非质量异常(人为因素)"))  # E-13
CUSTOMER_REQUESTS = (("price_cut", "减价"), ("return", "退货"), ("exchange", "换货"),
                     ("free_repair", "无偿修理加工"), ("damages", "损害赔偿"),
                     ("criticism", "批评建议"))                                           # E-14
SCOPE_ITEMS = (("quality_defect", "产品在质量上有缺陷"),
               ("spec_mismatch", "产品规格、等级、数量等与合同规定或与货物清单不符"),
               ("tolerance", "产品技术规格超过允许误差范围"),
               ("transport_damage", "产品在运输途中受到损坏"),
               ("packaging_damage", "因包装不良造成损坏"),
               ("other_breach", "存在其它质量问题或违反合同问题"))                          # E-15
ROUTINGS = (("quality", "质量问题→质量管理科"), ("contract", "合同纠纷→企业有关领导"),
            ("shipping", "发货手续→内销业务处理办法"))                                     # E-16
INVOLVEMENT = (("product", "产品质量/使用功能"), ("staff_attitude", "营销/安装/售后人员态度"),
               ("intermediary", "中间商/零售商"))                                          # E-17
ESCALATION = (("normal", "普通"), ("special", "专案"), ("individual", "个案"))                # E-18
FINDINGS = (("violation", "违规或工作失职"), ("minor_error", "一般工作失误、服务欠缺"),
            ("customer_side", "客户自身问题或误解"))                                         # E-11
DECISION_TIERS = (("sales_manager", "业务部经理"), ("deputy_gm", "副总经理"),
                  ("general_manager", "总经理"))                                            # E-39
RESOLUTION_MODES = (("allowance", "折让、赔款"), ("return_rework", "退货、重处理"),
                    ("explanation", "解释说明"), ("other", "其他"))                          # E-37
REPLY_METHODS = (("written", "书面"), ("oral", "口头"), ("letter", "书信"), ("phone", "电话"))
ACCEPTANCE = (("pending", "待裁定"), ("accepted", "受理"), ("not_accepted", "不受理"))
SERVICE_CHARGE = (("paid", "有偿"), ("free", "无偿"))
# WF-01 complaint case states
COMPLAINT_STATES = (
    ("registered", "已登记"), ("awaiting_decision", "待裁定"), ("not_accepted", "不受理"),
    ("accepted", "已受理"), ("assigned", "已分派"), ("investigating", "调查中"),
    ("under_review", "待审核"), ("awaiting_ruling", "待核决"), ("ruled", "已核决"),
    ("reported", "已上报领导"), ("instructed", "已批示"),
    ("replied", "已答复"), ("closed", "已结案"), ("archived", "已归档"),
)


class Complaint(FormRecord):
    """F-36 客户投诉: one record per complaint case (投诉记录卡 / 客户投诉记录表 /
    客户抱怨处理表 / 顾客投诉处理单 ...). Numbered YYMM-serial (R-NUM-02)."""
    state = Choice(COMPLAINT_STATES, default="registered", index=True, verbose_name="状态")
    received_at = DateTimeField(default=now, verbose_name="受理时间")
    received_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="受理人")
    customer = ForeignKeyField(Customer, backref="complaints", on_delete="RESTRICT",
                               verbose_name="投诉客户名称")
    channel = Choice(CHANNELS, default="phone", verbose_name="投诉渠道")
    type = Choice(COMPLAINT_TYPES, default="complaint", verbose_name="类型")
    subject_kind = Choice(COMPLAINT_SUBJECTS, null=True, verbose_name="投诉对象")
    title = CharField(max_length=200, verbose_name="投诉事由")
    content = TextField(verbose_name="投诉内容")
    cause_class = Choice(CAUSE_CLASSES, null=True, verbose_name="客诉原因类别")
    scope_items = ListField(SCOPE_ITEMS, verbose_name="投诉事项")
    customer_request = ListField(CUSTOMER_REQUESTS, verbose_name="客户要求")
    customer_request_text = Text("客户要求说明")
    order_no = Char("订单编号", max_length=60)
    part_no = Char("料号", max_length=60)
    quantity = Int("数量")
    ship_date = Date("交运日期")
    defect_qty = Int("不良数量")
    delivery_amount = Money("交货金额")
    sample_received = Flag("已收异常样品")
    sample_opinion = Text("签注意见")
    accepted = Choice(ACCEPTANCE, default="pending", verbose_name="是否受理")
    rejection_reason = Text("不受理理由")
    routing = Choice(ROUTINGS, null=True, verbose_name="处理途径")
    involvement = ListField(INVOLVEMENT, verbose_name="涉及")
    service_charge = Choice(SERVICE_CHARGE, null=True, verbose_name="服务性质")
    charge_confirmed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                          verbose_name="有偿确认人(营销主管)")
    feedback_level = Choice(FEEDBACK_LEVELS, null=True, verbose_name="紧急等级")
    escalation = Choice(ESCALATION, default="normal", verbose_name="升级")
    is_special_case = Flag("特殊情况")
    market = Choice(MARKETS, default="domestic", verbose_name="国内/国外")
    receiving_unit = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="受理单位")
    handler = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                              verbose_name="承办人")
    investigator = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="调查专人")
    finding = Choice(FINDINGS, null=True, verbose_name="处理认定")
    responsible_dept = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                       verbose_name="责任归属部门")
    responsible_person = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                         verbose_name="责任者")
    responsibility_ratio = Money("责任比率(%)")
    track_improvement = Flag("列案追踪")
    quality_opinion = Text("质量管理部意见")
    production_opinion = Text("生产单位处理对策")
    rnd_opinion = Text("研发部提示意见")
    manager_office_opinion = Text("经理室批示")
    handling_opinion = Text("受理单位处理意见")
    comprehensive_opinion = Text("总经理室综合意见")
    decision_tier = Choice(DECISION_TIERS, null=True, verbose_name="核决权限")
    decided_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="核决人")
    decided_at = DateTimeField(null=True, verbose_name="核决时间")
    resolution_mode = Choice(RESOLUTION_MODES, null=True, verbose_name="处理方式")
    loss_amount = Money("客诉损失金额")
    negotiation_result = Text("交涉结果")
    negotiation_reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                              verbose_name="交涉结果核阅人")
    reply_method = Choice(REPLY_METHODS, null=True, verbose_name="答复方式")
    replied_at = DateTimeField(null=True, verbose_name="答复时间")
    reply_content = Text("答复内容")
    complainant_opinion = Text("投诉人对处理结果的意见")
    customer_accepts = BooleanField(null=True, verbose_name="客户接受处理结果")
    reopened_from = ForeignKeyField("self", null=True, backref="reopened_as", on_delete="SET NULL",
                                    verbose_name="原投诉")
    established = BooleanField(null=True, verbose_name="客诉成立")
    third_party = Flag("涉及其他公司/原物料供应商")
    due_at = DateTimeField(null=True, index=True, verbose_name="处理期限")
    closed_at = DateTimeField(null=True, verbose_name="结案时间")
    overdue = Flag("逾期")
    verified_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="抽查验证人")
    verified_at = DateTimeField(null=True, verbose_name="抽查验证时间")
    verification_result = Text("抽查验证结果")
    is_important = Flag("重要资料")

    class Register:
        label = "客户投诉"
        group = "complaints"
        domain_ids = ("F-36",)
        numbering = "yymm"
        title_field = "title"
        list_columns = ("record_no", "state", "customer", "type", "title", "received_at",
                        "receiving_unit", "handler", "due_at", "escalation")
        search = ("record_no", "title", "content")
        filters = ("state", "type", "received_at", "customer", "receiving_unit", "handler",
                   "escalation", "feedback_level", "market", "overdue", "due_at")
        dept_fields = ("dept", "receiving_unit", "responsible_dept")
        person_fields = ("received_by", "handler", "investigator", "filled_by", "decided_by")
        default_retention = "one_year_extended"
        flags = ("no_customer_copy",)
        signatures = ("受理人", "受理单位负责人", "质量管理科", "部主管")
        inlines = ("ComplaintCopy",)
        copies = (("存根", "市场营销部门留存备查"),
                  ("通知", "市场营销部门连同第4~7联交送质量管理科"),
                  ("通知副本", "市场营销部门呈报上级主管"),
                  ("调查", "由质量管理科连同第五联交受理单位"),
                  ("调查报告", "由受理单位调查后交质量管理科"),
                  ("答复", "质量管理科审核整理后连同调查报告回复受理单位"),
                  ("审核", "质量管理科呈报部主管审核"))
        permissions = {"create": SALES + ("after_sales", "quality_dept", "admin_dept"),
                       "edit": SALES + ("after_sales", "quality_dept", "admin_dept"),
                       "view": SALES + ("after_sales", "quality_dept", "admin_dept") + LEADERS,
                       "delete": ("sales_manager", "marketing_head", "quality_dept"),
                       "export": ("sales_manager", "marketing_head", "quality_dept") + LEADERS}


ComplaintCopy = copy_log(Complaint)


# ===========================================================================
# SECTION A (2.A / 2.B): customer archives, tracking, demand, consumer files,
# patrol visits, customer care
# ===========================================================================

class PatrolDailyReport(FormRecord):
    """F-19 巡访日报表: the patrol visitor reports every day to the superior,
    together with the customer cards (001-服务 第九条)."""
    visitor = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="巡回访问人员")
    date = DateField(default=today, verbose_name="日期")
    submitted_to = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="上级主管")

    class Register:
        label = "巡访日报表"
        group = "customers"
        domain_ids = ("F-19",)
        title_field = "record_no"
        list_columns = ("record_no", "date", "visitor", "submitted_to")
        search = ("record_no",)
        filters = ("date", "visitor", "submitted_to")
        person_fields = ("visitor", "submitted_to", "filled_by")
        inlines = ("PatrolDailyEntry",)
        signatures = ("巡回访问人员", "上级主管")
        permissions = {"create": SALES_FRONT, "edit": SALES_FRONT, "view": SALES + LEADERS}


class PatrolDailyEntry(LineItem):
    """One customer of a 巡访日报表."""
    report = ForeignKeyField(PatrolDailyReport, backref="entries", on_delete="CASCADE",
                             verbose_name="巡访日报表")
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="客户名称")
    visited_at = DateTimeField(verbose_name="巡访时间")
    opinions = Text("客户意见")
    suggestions = Text("建议")
    wishes = Text("希望")
    market = Text("市场行情")
    competitors = Text("竞争对手动向及其它企业的销售政策")
    effect = Text("巡访活动的效果")
    handling = Text("主要处理事项的处理经过及结果")
    other = Text("其它必要报告事项")

# --- end of SECTION A ---

# ===========================================================================
# SECTION B (2.C / 2.D): contacts, feedback, surveys, complaint documents
# ===========================================================================

# --- end of SECTION B ---

# ===========================================================================
# SECTION C (2.E / 2.F / 2.G): returns, repair and after-sales, spare parts,
# tools, technical documents
# ===========================================================================

from datetime import timedelta as _sc_timedelta  # noqa: E402
from decimal import Decimal as _SC_D  # noqa: E402

from permissions.roles import SALES_MANAGERS, SERVICE  # noqa: E402
from portal.i18n import gettext  # noqa: E402
from portal.record import When  # noqa: E402
from portal.workflows import effects as fx  # noqa: E402
from portal.workflows import relations as rel  # noqa: E402
from portal.workflows.engine import Input, Relation, State, T, Workflow  # noqa: E402

# --- enumerations of section C (DOMAIN.md section 3) -----------------------
ALLOWANCE_KINDS = (("allowance", "折让"), ("compensation", "赔款"))          # E-37 折让、赔款
RETURN_HANDLING = (("return", "退货"), ("rework", "重处理"))                  # E-37 退货、重处理
RETURN_EVIDENCE = (                                                           # E-38
    ("stamped_invoice", "收回原开立统一发票,要求买受人在发票上盖统一发票章"),
    ("invoice_copy", "收回注明退货数量、单价、金额及实收数量、单价金额的原开立统一发票的影印本,"
                     "且必须由买受人盖统一发票章"),
    ("return_certificate", "填写\"销货退回证明单\"由买受人盖统一发票章后签回"),
)
RETURN_EXCHANGE_TYPES = (("return", "退货"), ("exchange", "换货"))
# 叫修 channels of 001-售后 / 000-二 §五.5 (codes of the shared E-09 list; 来函 = 来信)
REPAIR_CHANNELS = tuple(c for c in CHANNELS
                        if c[0] in ("phone", "repair_call", "call_in", "letter", "document"))
PROVIDER_TYPES = (("own_team", "专业售后服务队伍"), ("authorised", "特约服务商"),
                  ("repairer", "维修商"), ("station", "维修服务站"))
SPARE_ABC = (("A", "A类"), ("B", "B类"), ("C", "C类"))                        # E-29
TOOL_STATUS = (("in_use", "在用"), ("handed_over", "已移交"), ("lost", "丢失"),
               ("damaged", "损坏"), ("scrapped", "报废"))
TOOL_INCIDENT_KINDS = (("lost", "丢失"), ("damaged", "损坏"), ("normal_wear", "正常损耗"),
                       ("valuable_damaged", "毁损贵重工具"))
TECH_DOC_TYPES = (("tech_manual", "技术手册"), ("parts_manual", "零件手册"),          # E-53
                  ("parts_price_list", "零件价目表"), ("tech_charts", "技术图表"),
                  ("instructions", "技术说明书"), ("periodical", "技术刊物"),
                  ("reference_book", "参考书籍"), ("repair_guide", "检测、维修指导手册"))

# Fields of an approval form that only its workflow writes.
_SC_APPROVAL_RO = ("approval_step", "current_approver", "approver_role", "approved_by",
                   "approved_at", "rejection_reason")
# Leaders always see the returns registers (the deputy GM signs allowances).
_SC_RETURN_READERS = LEADERS + ("finance", "quality_dept")


# --- helpers ------------------------------------------------------------------

def _sc_not_named(field, message):
    """Anyone but the employee named in `field` (主管验讫 / 核阅: not the technician himself)."""
    def check(actor, row):
        return bool(actor.employee_id) and row.__data__.get(field) != actor.employee_id

    def expr(actor, Model):
        column = getattr(Model, field)
        return column.is_null() | (column != (actor.employee_id or 0))
    return Relation(f"not:{field}", check, expr, message)


def _sc_approval(steps, creators, extra=(), drop=("execute",), step_effect=None):
    """An approval chain (WF-10) whose "after approval" step is one of this
    form's own transitions (`extra`) instead of the generic 执行."""
    flow = approval_flow(steps, creators=creators, extra_transitions=extra)
    for name in drop:
        flow.transitions.pop(name, None)
    if step_effect is not None:
        # record who signed which line of the paper form, before the chain moves on
        approve = flow.transitions["approve"]
        approve.effects = (step_effect,) + tuple(approve.effects)
    return flow


def _sc_rule_before(key, day):
    """`day` minus the SLA rule `key` (e.g. the warranty notice one month before expiry)."""
    from portal.calendar import add_months
    if day is None:
        return None
    rule = SlaRule.select().where(SlaRule.key == key, SlaRule.deleted_at.is_null()).first()
    if rule is None:
        return None
    if rule.unit == "months":
        return add_months(day, -int(rule.value))
    if rule.unit in ("days", "working_days"):
        return day - _sc_timedelta(days=int(rule.value))
    return None


def _sc_customer_or_name(row, errors):
    """After-sales staff may not read the customer archive (R-ARC-02): a form
    names the customer by archive (FK) or by name as on the paper form."""
    if row.__data__.get("customer") is not None and not row.customer_name:
        row.customer_name = row.customer.name
    if row.__data__.get("customer") is None and not (row.customer_name or "").strip():
        errors["customer_name"] = gettext("请选择客户档案或填写客户名称。")


class _ScTyped:
    """Values given as text (demo seed, imports) take their field's type
    before the field rules compare them."""

    def derive(self, actor):
        for field in self._meta.sorted_fields:
            value = self.__data__.get(field.name)
            if isinstance(value, str) and not isinstance(field, (CharField, TextField,
                                                                 ForeignKeyField)):
                try:
                    self.__data__[field.name] = field.python_value(value.strip()) \
                        if value.strip() else None
                except (ValueError, TypeError, ArithmeticError):
                    pass        # the form layer reports the bad value
        super().derive(actor)


# ===========================================================================
# 2.E Returns, allowances, exchanges (002 篇五 第十三条; 000-二 §四)
# ===========================================================================

def _sc_allowance_signers(actor, row, inputs):
    """经(副)理 signs the first line, 总(副)经理 the second (002 篇五 第十三条(一)1)."""
    if (row.approval_step or 0) == 0:
        row.signed_manager = actor.employee
    else:
        row.signed_gm = actor.employee


class SalesAllowanceCertificate(_ScTyped, ApprovalRecord):
    """F-45 销货折让证明单: issued from a closed complaint resolved by 折让 or 赔款;
    「一式二联,呈经(副)理、总(副)经理核签及送客户签章后一份存业务部,一份送会计作帐」."""
    complaint = ForeignKeyField(Complaint, backref="allowance_certificates", on_delete="RESTRICT",
                                verbose_name="客户投诉")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    kind = Choice(ALLOWANCE_KINDS, default="allowance", verbose_name="折让/赔款")
    amount = Money("折让金额", null=False)
    invoice_no = Char("原发票号", max_length=60)
    reason = Text("折让原因")
    signed_manager = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="经(副)理")
    signed_gm = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="总(副)经理")
    customer_sealed_at = Date("客户签章日期")

    class Register:
        label = "销货折让证明单"
        group = "complaints"
        domain_ids = ("F-45",)
        list_columns = ("record_no", "complaint", "customer", "kind", "amount", "invoice_no",
                        "current_approver", "customer_sealed_at")
        search = ("record_no", "invoice_no", "reason")
        filters = ("kind", "filled_at", "customer", "complaint", "customer_sealed_at", "filled_by")
        required = ("invoice_no", "reason")
        readonly_fields = _SC_APPROVAL_RO + ("customer", "signed_manager", "signed_gm",
                                             "customer_sealed_at")
        person_fields = ("filled_by", "current_approver", "approved_by", "signed_manager",
                         "signed_gm")
        all_rows_roles = _SC_RETURN_READERS
        signatures = ("业务员", "经(副)理", "总(副)经理", "客户签章")
        inlines = ("SalesAllowanceCertificateCopy",)
        copies = (("业务部", "存业务部"), ("会计", "送会计作帐"))
        workflow = _sc_approval(
            [Step("经(副)理核签", "sales_manager"), Step("总(副)经理核签", "deputy_gm")],
            creators=SALES_FRONT, step_effect=_sc_allowance_signers,
            extra=(T("seal", "客户签章", "approved", "executed", roles=SALES_FRONT,
                     inputs=(Input("sealed_at", "客户签章日期", "date", required=True,
                                   field="customer_sealed_at"),)),))
        permissions = {"create": SALES_FRONT, "edit": SALES_FRONT,
                       "view": SALES + LEADERS + ("finance",)}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("complaint") is not None:
            self.customer = self.complaint.customer_id

    def check(self, actor, is_new):
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = gettext("折让金额必须大于零。")
        if self.__data__.get("complaint") is not None \
                and self.complaint.resolution_mode != "allowance":
            errors["complaint"] = gettext(
                "该投诉的处理方式不是「折让、赔款」，不能开具销货折让证明单（002 篇五 第十三条）。")
        if self.customer_sealed_at and self.customer_sealed_at < self.filled_at:
            errors["customer_sealed_at"] = gettext("客户签章日期不能早于填写日期。")
        return errors


SalesAllowanceCertificateCopy = copy_log(SalesAllowanceCertificate)


def _sc_receive_guard(actor, row, inputs):
    from portal.i18n import gettext
    if row.actual_qty is None or row.actual_qty < 0:
        return {"actual_qty": gettext("实退量必须是不小于零的整数。")}
    if row.approved_qty is not None and row.actual_qty != row.approved_qty \
            and not (row.receipt_note or "").strip():
        return {"note": gettext("实退量与核定退货量不符：请注明请示处理的结果后按实际签收"
                                "（002 篇五 第十三条(二)）。")}
    return None


def _sc_book_guard(actor, row, inputs):
    from portal.i18n import gettext
    if row.booked_at is not None:
        return {"voucher_no": gettext("该退货单已入账，不能重复入账。")}
    approved, actual = row.approved_qty, row.actual_qty
    if approved is not None and actual is not None and actual > approved:
        ratio = row.over_accept_ratio
        if ratio is None:
            ratio = setting("return_over_accept_ratio") or _SC_D(0)
        if _SC_D(actual) > _SC_D(approved) * (1 + _SC_D(ratio) / 100):
            return {"voucher_no": gettext(
                "实退量超过核定退货量及超量允收比率（%(ratio)s%%），须请示后再入账"
                "（002 篇五 第十三条(二)）。", ratio=ratio)}
    if row.evidence == "return_certificate":
        stamped = (SalesReturnCertificate.select()
                   .where(SalesReturnCertificate.return_note == row.id,
                          SalesReturnCertificate.buyer_stamp == True,  # noqa: E712
                          SalesReturnCertificate.deleted_at.is_null()).exists())
        if not stamped:
            return {"evidence": gettext("退货证明选用销货退回证明单时，须先登记买受人盖章签回的"
                                        "销货退回证明单。")}
    return None


class FinishedGoodsReturnNote(_ScTyped, ApprovalRecord):
    """F-46 成品退货单 (= 成品销货退回单): return or rework of a complaint,
    approved by 经(副)理, received by 成品仓储, booked by accounting (R-RET-02..06)."""
    complaint = ForeignKeyField(Complaint, backref="return_notes", on_delete="RESTRICT",
                                verbose_name="客户投诉")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    reason = TextField(verbose_name="退货原因")
    handling = Choice(RETURN_HANDLING, verbose_name="处理方式")
    basis = TextField(verbose_name="退回依据")
    part_no = Char("料号", max_length=60)
    approved_qty = Int("核定退货量")
    over_accept_ratio = Money("超量允收比率(%)", help_text="客户未规定时按公司规定（参数设置）")
    actual_qty = Int("实退量")
    received_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="成品仓储签收")
    received_at = When("签收时间")
    receipt_note = Text("签收差异说明")
    evidence = Choice(RETURN_EVIDENCE, null=True, verbose_name="退货证明")
    voucher_no = Char("传票号", max_length=60)
    booked_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="入账人")
    booked_at = When("入账时间")

    class Register:
        label = "成品退货单"
        group = "complaints"
        domain_ids = ("F-46",)
        list_columns = ("record_no", "complaint", "customer", "handling", "part_no",
                        "approved_qty", "actual_qty", "voucher_no")
        search = ("record_no", "part_no", "reason", "basis", "voucher_no")
        filters = ("handling", "evidence", "filled_at", "customer", "complaint", "received_at",
                   "filled_by")
        required = ("part_no", "approved_qty")
        readonly_fields = _SC_APPROVAL_RO + ("customer", "actual_qty", "received_by",
                                             "received_at", "receipt_note", "voucher_no",
                                             "booked_by", "booked_at")
        person_fields = ("filled_by", "current_approver", "approved_by", "received_by",
                         "booked_by")
        all_rows_roles = _SC_RETURN_READERS
        signatures = ("业务员", "经(副)理", "成品仓储签收", "会计")
        inlines = ("FinishedGoodsReturnNoteCopy",)
        copies = (("业务部自存", "业务部自存督促"),
                  ("成品仓储", "成品仓储签收后留存"),
                  ("会计科", "成品仓储签收后送会计科"),
                  ("业务部", "成品仓储签收后送回业务部"))
        workflow = _sc_approval(
            [Step("经(副)理核准", "sales_manager")], creators=SALES_FRONT,
            extra=(
                T("receive", "成品仓储签收", "approved", "executed", roles=("quality_dept",),
                  inputs=(Input("actual_qty", "实退量", "integer", required=True,
                                field="actual_qty"),
                          Input("note", "差异说明（请示结果）", "textarea",
                                field="receipt_note")),
                  guard=_sc_receive_guard,
                  effects=(fx.stamp("received_by", "received_at"),)),
                T("book", "会计入账", "executed", None, roles=("finance",),
                  inputs=(Input("evidence", "退货证明", "choice", required=True,
                                choices=RETURN_EVIDENCE, field="evidence"),
                          Input("voucher_no", "传票号", required=True, max_length=60,
                                field="voucher_no")),
                  guard=_sc_book_guard, effects=(fx.stamp("booked_by", "booked_at"),)),
            ))
        permissions = {"create": SALES_FRONT, "edit": SALES_FRONT,
                       "view": SALES + LEADERS + ("finance", "quality_dept")}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("complaint") is not None:
            self.customer = self.complaint.customer_id

    def check(self, actor, is_new):
        errors = {}
        if self.approved_qty is not None and self.approved_qty <= 0:
            errors["approved_qty"] = gettext("核定退货量必须大于零。")
        if self.over_accept_ratio is not None and not 0 <= self.over_accept_ratio <= 100:
            errors["over_accept_ratio"] = gettext("超量允收比率应在 0 到 100 之间。")
        if self.__data__.get("complaint") is not None \
                and self.complaint.resolution_mode != "return_rework":
            errors["complaint"] = gettext(
                "该投诉的处理方式不是「退货、重处理」，不能开具成品退货单（002 篇五 第十三条）。")
        return errors


FinishedGoodsReturnNoteCopy = copy_log(FinishedGoodsReturnNote)


class SalesReturnCertificate(_ScTyped, FormRecord):
    """F-47 销货退回证明单: the third way of proving a return (E-38 (3)): filled
    and stamped by the buyer with its 统一发票章, sent with the return note to
    accounting (002 篇五 第十三条(二)4(3))."""
    return_note = ForeignKeyField(FinishedGoodsReturnNote, backref="return_certificates",
                                  on_delete="RESTRICT", verbose_name="成品退货单")
    buyer = CharField(max_length=200, verbose_name="买受人")
    qty = Int("退回数量")
    unit_price = Money("单价")
    amount = Money("金额")
    buyer_stamp = Flag("买受人已盖统一发票章")
    sent_to_accounting_at = Date("送会计日期")

    class Register:
        label = "销货退回证明单"
        group = "complaints"
        domain_ids = ("F-47",)
        title_field = "record_no"
        list_columns = ("record_no", "return_note", "buyer", "qty", "unit_price", "amount",
                        "buyer_stamp", "sent_to_accounting_at")
        search = ("record_no", "buyer")
        filters = ("buyer_stamp", "filled_at", "return_note", "sent_to_accounting_at")
        required = ("qty", "unit_price")
        person_fields = ("filled_by",)
        all_rows_roles = _SC_RETURN_READERS
        signatures = ("买受人（统一发票章）", "业务员")
        permissions = {"create": SALES_FRONT, "edit": SALES_FRONT,
                       "view": SALES + LEADERS + ("finance",)}

    def derive(self, actor):
        super().derive(actor)
        if self.amount is None and self.qty is not None and self.unit_price is not None:
            self.amount = self.qty * self.unit_price

    def check(self, actor, is_new):
        errors = {}
        if not self.buyer_stamp:
            errors["buyer_stamp"] = gettext(
                "销货退回证明单须由买受人盖统一发票章后签回（002 篇五 第十三条(二)4(3)）。")
        if self.qty is not None and self.qty <= 0:
            errors["qty"] = gettext("退回数量必须大于零。")
        if self.unit_price is not None and self.unit_price < 0:
            errors["unit_price"] = gettext("单价不能为负数。")
        if self.amount is not None and self.qty is not None and self.unit_price is not None \
                and self.amount != self.qty * self.unit_price:
            errors["amount"] = gettext("金额应等于退回数量 × 单价（%(value)s）。",
                                       value=self.qty * self.unit_price)
        note = self.__data__.get("return_note")
        if note is not None and self.qty is not None:
            actual = self.return_note.actual_qty
            limit = actual if actual is not None else self.return_note.approved_qty
            if limit is not None and self.qty > limit:
                errors["qty"] = gettext("退回数量不能超过退货单的实退量（或核定退货量）%(n)s。",
                                        n=limit)
        return errors


class ReturnExchangeRecord(_ScTyped, FormRecord):
    """F-48 退货换货记录: the cause of every return or exchange and the department
    and person responsible, for performance appraisal (000-二 §四)."""
    type = Choice(RETURN_EXCHANGE_TYPES, verbose_name="类型")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    product = Char("产品", max_length=200)
    qty = Int("数量")
    cause = TextField(verbose_name="退换原因")
    responsible_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT",
                                       verbose_name="责任部门")
    responsible_person = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                         verbose_name="责任人")
    complaint = ForeignKeyField(Complaint, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="客户投诉")
    return_note = ForeignKeyField(FinishedGoodsReturnNote, null=True, backref="+",
                                  on_delete="SET NULL", verbose_name="成品退货单")
    for_performance = Flag("计入业绩考核", default=True)
    voucher_no = Char("传票号", max_length=60)
    invoice_no = Char("发票号", max_length=60)

    class Register:
        label = "退货换货记录"
        group = "complaints"
        domain_ids = ("F-48",)
        title_field = "product"
        list_columns = ("record_no", "type", "customer", "product", "qty", "responsible_dept",
                        "responsible_person", "for_performance")
        search = ("record_no", "product", "cause", "voucher_no", "invoice_no")
        filters = ("type", "filled_at", "customer", "responsible_dept", "responsible_person",
                   "for_performance", "complaint")
        required = ("product", "responsible_person")
        dept_fields = ("dept", "responsible_dept")
        person_fields = ("filled_by", "responsible_person")
        all_rows_roles = LEADERS + ("hr",)
        signatures = ("填表人", "责任部门负责人")
        permissions = {"create": SALES_FRONT + ("after_sales",),
                       "edit": SALES_FRONT + ("after_sales",),
                       "view": SALES + LEADERS + ("after_sales", "quality_dept", "hr")}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("customer") is None:
            if self.__data__.get("complaint") is not None:
                self.customer = self.complaint.customer_id
            elif self.__data__.get("return_note") is not None:
                self.customer = self.return_note.complaint.customer_id

    def check(self, actor, is_new):
        errors = {}
        if self.__data__.get("customer") is None:
            errors["customer"] = gettext("请选择客户（或关联客户投诉）。")
        if self.qty is not None and self.qty <= 0:
            errors["qty"] = gettext("数量必须大于零。")
        note = self.__data__.get("return_note")
        if note is not None:
            if self.type != "return":
                errors["return_note"] = gettext("只有退货记录才能关联成品退货单。")
            elif self.__data__.get("complaint") is not None \
                    and self.return_note.complaint_id != self.__data__.get("complaint"):
                errors["return_note"] = gettext("成品退货单与所选客户投诉不是同一案件。")
        complaint = self.__data__.get("complaint")
        if complaint is not None and self.__data__.get("customer") is not None \
                and self.complaint.customer_id != self.__data__.get("customer"):
            errors["customer"] = gettext("客户与所关联投诉的客户不一致。")
        if self.__data__.get("responsible_person") is not None \
                and self.responsible_person.dept_id != self.__data__.get("responsible_dept") \
                and self.responsible_person.dept.parent_id != self.__data__.get("responsible_dept"):
            errors["responsible_person"] = gettext("责任人不属于所填责任部门。")
        return errors


# ===========================================================================
# 2.G / 2.F reference registers: spare parts, warranty terms, product units,
# service contracts, fee schedule, service providers
# ===========================================================================

class SparePart(_ScTyped, FormRecord):
    """F-62 备品备件: dedicated stock, 「适时、适量、适质」, ABC classes (000-二 §六.1–3)."""
    part_no = CharField(max_length=60, verbose_name="料号")
    name = CharField(max_length=200, verbose_name="名称")
    specification = Char("规格型号", max_length=200)
    abc_class = Choice(SPARE_ABC, verbose_name="ABC分类")
    unit = Char("单位", max_length=20)
    unit_price = Money("单价")
    stock_qty = Int("库存数量")
    reorder_point = Int("订货点")
    below_reorder = Flag("低于订货点")
    purchase_plan = Text("采购计划")
    is_substitute = Flag("可作替补商品", help_text="修理期间可借给客户使用的整机（000-二 §六.4）")

    class Register:
        label = "备品备件"
        group = "after_sales"
        domain_ids = ("F-62",)
        row_scope = "all"
        title_field = "name"
        lookup_fields = ("record_no", "part_no", "name")
        list_columns = ("record_no", "part_no", "name", "specification", "abc_class", "stock_qty",
                        "reorder_point", "below_reorder")
        search = ("record_no", "part_no", "name", "specification")
        filters = ("abc_class", "below_reorder", "is_substitute")
        required = ("unit", "stock_qty")
        readonly_fields = ("below_reorder",)
        permissions = {"create": ("after_sales",), "edit": ("after_sales",),
                       "view": SERVICE + LEADERS + SALES_MANAGERS + ("finance",)}

    def derive(self, actor):
        super().derive(actor)
        self.below_reorder = (self.stock_qty is not None and self.reorder_point is not None
                              and self.stock_qty <= self.reorder_point)

    def check(self, actor, is_new):
        errors = {}
        for name in ("stock_qty", "reorder_point"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = gettext("数量不能为负数。")
        if self.unit_price is not None and self.unit_price < 0:
            errors["unit_price"] = gettext("单价不能为负数。")
        if self.part_no:
            clash = SparePart.select().where(SparePart.part_no == self.part_no.strip(),
                                             SparePart.deleted_at.is_null())
            if self.id:
                clash = clash.where(SparePart.id != self.id)
            if clash.exists():
                errors["part_no"] = gettext("料号已存在。")
        return errors


class WarrantyTerm(_ScTyped, FormRecord):
    """F-58 保质期/保修期: set per product model, and per part where parts differ;
    printed in the product materials; promotional changes are notified to
    after-sales (000-二 §五.1–2)."""
    model = CharField(max_length=100, verbose_name="型号")
    part = Char("部位/部件", max_length=100, help_text="空白表示整机")
    quality_period = Int("保质期(月)")
    warranty_period = IntegerField(verbose_name="保修期(月)")
    in_product_materials = Flag("载于产品说明材料")
    promo_override = Text("促销变化")
    notified_after_sales_at = Date("通知售后服务部门日期")
    valid_from = Date("生效日期")

    class Register:
        label = "保质期/保修期"
        group = "after_sales"
        domain_ids = ("F-58",)
        row_scope = "all"
        title_field = "model"
        lookup_fields = ("record_no", "model", "part")
        list_columns = ("record_no", "model", "part", "quality_period", "warranty_period",
                        "in_product_materials", "valid_from")
        search = ("record_no", "model", "part", "promo_override")
        filters = ("in_product_materials", "valid_from", "notified_after_sales_at")
        permissions = {"create": ("after_sales", "quality_dept") + SALES_MANAGERS,
                       "edit": ("after_sales", "quality_dept") + SALES_MANAGERS,
                       "view": SERVICE + SALES + LEADERS + ("quality_dept", "finance")}

    def __str__(self):
        return f"{self.model} {self.part or '整机'} {self.warranty_period}个月"

    def check(self, actor, is_new):
        errors = {}
        for name in ("quality_period", "warranty_period"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = gettext("期限不能为负数。")
        if (self.promo_override or "").strip() and not self.notified_after_sales_at:
            errors["notified_after_sales_at"] = gettext(
                "促销引起的保质期、保修期变化须通知售后服务部门（000-二 §五.2），请填写通知日期。")
        return errors


class ProductUnit(_ScTyped, FormRecord):
    """F-58 产品维修档案: one installed product and its repair history (its
    service vouchers), built by the after-sales centre (000-二 §二.5)."""
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    customer_name = Char("客户名称")
    model = CharField(max_length=100, verbose_name="型号")
    serial = Char("出厂编号", max_length=60)
    sold_on = Date("销售日期")
    installed_on = Date("安装日期")
    site = Char("安装地点")
    warranty_until = Date("整机保修至")

    class Register:
        label = "产品维修档案"
        group = "after_sales"
        domain_ids = ("F-58",)
        row_scope = "all"
        title_field = "serial"
        lookup_fields = ("record_no", "serial", "model", "customer_name")
        list_columns = ("record_no", "customer_name", "model", "serial", "sold_on",
                        "installed_on", "warranty_until")
        search = ("record_no", "customer_name", "model", "serial", "site")
        filters = ("customer", "sold_on", "installed_on", "warranty_until")
        required = ("serial", "installed_on")
        readonly_fields = ("warranty_until",)
        default_retention = "product_lifetime"
        inlines = ("ProductUnitWarranty",)
        permissions = {"create": ("after_sales",), "edit": ("after_sales",),
                       "view": SERVICE + SALES + LEADERS + ("finance",)}

    def __str__(self):
        return f"{self.model} {self.serial or self.record_no}"

    def derive(self, actor):
        super().derive(actor)
        from portal.calendar import add_months
        start = self.installed_on or self.sold_on
        terms = WarrantyTerm.select().where(WarrantyTerm.model == self.model,
                                            (WarrantyTerm.part.is_null()) | (WarrantyTerm.part == ""),
                                            WarrantyTerm.deleted_at.is_null())
        if self.id:
            own = (ProductUnitWarranty.select(ProductUnitWarranty.term)
                   .where(ProductUnitWarranty.unit == self.id))
            chosen = terms.where(WarrantyTerm.id.in_(own)).order_by(WarrantyTerm.id.desc()).first()
        else:
            chosen = None
        chosen = chosen or terms.order_by(WarrantyTerm.id.desc()).first()
        self.warranty_until = add_months(start, chosen.warranty_period) \
            if start and chosen and chosen.warranty_period is not None else None

    def check(self, actor, is_new):
        errors = {}
        _sc_customer_or_name(self, errors)
        if self.sold_on and self.installed_on and self.installed_on < self.sold_on:
            errors["installed_on"] = gettext("安装日期不能早于销售日期。")
        return errors


class ProductUnitWarranty(LineItem):
    """适用的保质期/保修期条款（各部件保修期不同时分别列出）"""
    unit = ForeignKeyField(ProductUnit, backref="warranty_terms", on_delete="CASCADE",
                           verbose_name="产品维修档案")
    term = ForeignKeyField(WarrantyTerm, backref="+", on_delete="RESTRICT",
                           verbose_name="保质期/保修期条款")
    note = Char("说明", max_length=200)


class ServiceContract(_ScTyped, FormRecord):
    """F-57 商品保养合同书 / 专用合同: the basis of 合同服务 (001-售后 第二章
    第一条.2; 000-二 §五.3(3))."""
    contract_no = CharField(max_length=60, verbose_name="合同编号")
    customer = ForeignKeyField(Customer, backref="service_contracts", on_delete="RESTRICT",
                               verbose_name="客户")
    start_on = Date("起始日期")
    end_on = DateField(verbose_name="期满日期")
    fee = Money("合同金额")
    fee_terms = Text("收费条款")
    scope = Text("服务范围")
    signed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="签订人")

    class Register:
        label = "商品保养合同书"
        group = "after_sales"
        domain_ids = ("F-57",)
        title_field = "contract_no"
        lookup_fields = ("record_no", "contract_no")
        list_columns = ("record_no", "contract_no", "customer", "start_on", "end_on", "fee",
                        "signed_by")
        search = ("record_no", "contract_no", "scope", "fee_terms")
        filters = ("customer", "start_on", "end_on", "signed_by")
        required = ("start_on", "scope")
        person_fields = ("filled_by", "signed_by")
        all_rows_roles = LEADERS + ("after_sales", "finance", "sales_manager")
        inlines = ("ServiceContractUnit",)
        signatures = ("客户（盖章）", "公司代表")
        permissions = {"create": SALES_FRONT + SALES_MANAGERS, "edit": SALES_FRONT + SALES_MANAGERS,
                       "view": SALES + LEADERS + ("after_sales", "technician", "finance")}

    def check(self, actor, is_new):
        errors = {}
        if self.start_on and self.end_on and self.end_on <= self.start_on:
            errors["end_on"] = gettext("期满日期必须晚于起始日期。")
        if self.fee is not None and self.fee < 0:
            errors["fee"] = gettext("合同金额不能为负数。")
        if self.contract_no:
            clash = ServiceContract.select().where(
                ServiceContract.contract_no == self.contract_no.strip(),
                ServiceContract.deleted_at.is_null())
            if self.id:
                clash = clash.where(ServiceContract.id != self.id)
            if clash.exists():
                errors["contract_no"] = gettext("合同编号已存在。")
        return errors


class ServiceContractUnit(LineItem):
    """合同保养的产品"""
    contract = ForeignKeyField(ServiceContract, backref="units", on_delete="CASCADE",
                               verbose_name="商品保养合同书")
    product_unit = ForeignKeyField(ProductUnit, backref="+", on_delete="RESTRICT",
                                   verbose_name="产品")
    note = Char("说明", max_length=200)


class WarrantyExpiryNotice(_ScTyped, FormRecord):
    """F-56 保修到期通知书: 「保修合同期满前一个月,市场营销部应填写《保修到期
    通知书》寄给客户」 (001-售后 第二章 第十三条); due date from the SLA rule
    warranty_notice."""
    contract = ForeignKeyField(ServiceContract, backref="expiry_notices", on_delete="RESTRICT",
                               verbose_name="商品保养合同书")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    expires_on = Date("保修期满日期")
    due_send_on = Date("应寄送日期")
    content = Text("通知内容")
    sent_at = Date("寄送日期")
    sent_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                              verbose_name="寄送人(市场营销部)")
    sent_late = Flag("逾期寄送")
    renewal_intent = Text("客户续约意向")

    class Register:
        label = "保修到期通知书"
        group = "after_sales"
        domain_ids = ("F-56",)
        title_field = "record_no"
        list_columns = ("record_no", "contract", "customer", "expires_on", "due_send_on",
                        "sent_at", "sent_by", "sent_late")
        search = ("record_no", "content", "renewal_intent")
        filters = ("customer", "expires_on", "due_send_on", "sent_at", "sent_by", "sent_late")
        readonly_fields = ("customer", "expires_on", "due_send_on", "sent_late")
        person_fields = ("filled_by", "sent_by")
        all_rows_roles = LEADERS + ("sales_manager",)
        signatures = ("市场营销部",)
        permissions = {"create": SALES_FRONT + SALES_MANAGERS, "edit": SALES_FRONT + SALES_MANAGERS,
                       "view": SALES + LEADERS + ("after_sales",)}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("contract") is not None:
            self.customer = self.contract.customer_id
            self.expires_on = self.contract.end_on
        self.due_send_on = _sc_rule_before("warranty_notice", self.expires_on)
        self.sent_late = bool(self.sent_at and self.due_send_on and self.sent_at > self.due_send_on)

    def check(self, actor, is_new):
        errors = {}
        if self.sent_at and self.__data__.get("sent_by") is None:
            errors["sent_by"] = gettext("已寄送的通知书须填写寄送人。")
        if self.sent_at and self.expires_on and self.sent_at > self.expires_on:
            errors["sent_at"] = gettext("保修期满后才寄送的通知已失去意义：通知书应在期满前一个月寄出"
                                        "（001-售后 第二章 第十三条）。")
        contract = self.__data__.get("contract")
        if contract is not None:
            clash = WarrantyExpiryNotice.select().where(
                WarrantyExpiryNotice.contract == contract, WarrantyExpiryNotice.deleted_at.is_null())
            if self.id:
                clash = clash.where(WarrantyExpiryNotice.id != self.id)
            if clash.exists():
                errors["contract"] = gettext("该合同已有保修到期通知书。")
        return errors


class ServiceFeeSchedule(_ScTyped, FormRecord):
    """F-59 维修项目与收费标准表: shown to the customer before charging
    (000-二 §五.11); 常用元器件报价 (002 篇七 8.1)."""
    item = CharField(max_length=200, verbose_name="维修项目")
    product_model = Char("适用型号", max_length=100)
    standard_fee = Money("收费标准")
    component_base_price = Money("元器件基价")
    unit = Char("计价单位", max_length=20)
    valid_from = Date("生效日期")

    class Register:
        label = "维修项目与收费标准表"
        group = "after_sales"
        domain_ids = ("F-59",)
        row_scope = "all"
        title_field = "item"
        list_columns = ("record_no", "item", "product_model", "standard_fee",
                        "component_base_price", "unit", "valid_from")
        search = ("record_no", "item", "product_model")
        filters = ("valid_from",)
        permissions = {"create": ("after_sales", "finance"), "edit": ("after_sales", "finance"),
                       "view": SERVICE + SALES + LEADERS + ("finance",)}

    def check(self, actor, is_new):
        errors = {}
        if self.standard_fee is None and self.component_base_price is None:
            errors["standard_fee"] = gettext("收费标准与元器件基价至少填写一项。")
        for name in ("standard_fee", "component_base_price"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = gettext("金额不能为负数。")
        return errors


class ServiceProvider(_ScTyped, FormRecord):
    """F-60 特约服务商 / 维修商 / 维修服务站: bound by an entrustment agreement
    or contract; service stations by a cost-contracting scheme (000-二 §二.2–4)."""
    name = CharField(max_length=200, verbose_name="名称")
    type = Choice(PROVIDER_TYPES, verbose_name="类型")
    region = ForeignKeyField(Region, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="区域")
    contact = Char("联系人", max_length=60)
    phone = Char("电话", max_length=40)
    address = Char("地址", max_length=300)
    contract = Char("委托协议或合同", help_text="协议/合同编号或存放位置")
    cost_contracting = Text("费用承包办法")
    network_node = Flag("维修网络节点", help_text="接收检测、维修指导手册（000-二 §七.4）")

    class Register:
        label = "特约服务商/维修商/维修服务站"
        group = "after_sales"
        domain_ids = ("F-60",)
        row_scope = "all"
        list_columns = ("record_no", "name", "type", "region", "contact", "phone",
                        "network_node")
        search = ("record_no", "name", "contact", "phone", "address", "contract")
        filters = ("type", "region", "network_node")
        required = ("contact", "phone")
        permissions = {"create": ("after_sales",), "edit": ("after_sales",),
                       "view": SERVICE + SALES + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        if self.type in ("authorised", "repairer") and not (self.contract or "").strip():
            errors["contract"] = gettext(
                "特约服务商、维修商须以委托协议或合同约束（000-二 §二.2–3），请填写协议或合同。")
        if self.type == "station" and not (self.cost_contracting or "").strip():
            errors["cost_contracting"] = gettext(
                "维修服务站须制定费用承包办法（000-二 §二.4）。")
        return errors


# ===========================================================================
# 2.F Repair calls and after-sales service (WF-03; R-RPR)
# ===========================================================================

def _sc_request_vouchers(row):
    return list(ServiceVoucher.select().where(ServiceVoucher.request == row.id,
                                              ServiceVoucher.deleted_at.is_null())
                .order_by(ServiceVoucher.id))


def _sc_signed(voucher):
    return bool(voucher.customer_signature) or \
        voucher.__data__.get("signature_exempted_by") is not None


def _sc_request_receipts(row):
    return GoodsReceipt.select().where(GoodsReceipt.request == row.id,
                                       GoodsReceipt.deleted_at.is_null())


def _sc_request_ledger(row):
    receipts = GoodsReceipt.select(GoodsReceipt.id).where(GoodsReceipt.request == row.id)
    vouchers = ServiceVoucher.select(ServiceVoucher.id).where(ServiceVoucher.request == row.id)
    return CustomerGoodsLedger.select().where(
        CustomerGoodsLedger.receipt.in_(receipts) | CustomerGoodsLedger.voucher.in_(vouchers),
        CustomerGoodsLedger.deleted_at.is_null())


def _sc_request_tags(row):
    entries = _sc_request_ledger(row).select(CustomerGoodsLedger.id)
    return list(RepairTag.select().where(RepairTag.ledger_entry.in_(entries),
                                         RepairTag.deleted_at.is_null()))


def _sc_vouchers_signed(row):
    """The customer's signature (or an approved exemption) on every voucher of the call."""
    vouchers = _sc_request_vouchers(row)
    if not vouchers:
        return {"__all__": gettext("该叫修尚无服务凭证：请先开具服务凭证并请客户签字。")}
    unsigned = [v.record_no for v in vouchers if not _sc_signed(v)]
    if unsigned:
        return {"__all__": gettext(
            "服务凭证 %(nos)s 尚无客户签字，也未经同意免签：不能注销叫修或确认签字"
            "（001-售后 第二章 第三条；002 篇七 9.5）。", nos="、".join(unsigned))}
    return None


def _sc_dispatch_guard(actor, row, inputs):
    errors = {}
    if not row.zone:
        errors["zone"] = gettext("派工前须确定派工区域（市区/郊区），到达期限据此计算"
                                 "（001-售后 第二章 第十二条）。")
    if row.__data__.get("technician") is None:
        errors["technician"] = gettext("派工须指定维修技术人员。")
    return errors or None


def _sc_arrive_guard(actor, row, inputs):
    if row.arrived_at is not None and row.called_at is not None and row.arrived_at < row.called_at:
        return {"arrived_at": gettext("到达时间不能早于叫修时间。")}
    return None


def _sc_complete_guard(actor, row, inputs):
    if not any((v.work_done or "").strip() for v in _sc_request_vouchers(row)):
        return {"__all__": gettext("现场处理完妥后须在服务凭证上填写服务内容"
                                   "（001-售后 第二章 第三条）。")}
    return None


def _sc_sign_guard(actor, row, inputs):
    return _sc_vouchers_signed(row)


def _sc_take_back_guard(actor, row, inputs):
    if not _sc_request_receipts(row).exists():
        return {"__all__": gettext("携回修护的商品须开具客户商品领取收据交客户"
                                   "（001-售后 第二章 第五条）。")}
    return None


def _sc_inspect_guard(actor, row, inputs):
    tags = _sc_request_tags(row)
    if not tags:
        return {"__all__": gettext("携回商品须登记客户商品进出登记簿并填写修护卡后才能验讫"
                                   "（001-售后 第二章 第五、六条）。")}
    pending = [t.record_no for t in tags if t.state != "inspected"]
    if pending:
        return {"__all__": gettext("修护卡 %(nos)s 尚未经主管验讫。", nos="、".join(pending))}
    return None


def _sc_return_guard(actor, row, inputs):
    entries = list(_sc_request_ledger(row))
    if not entries or any(e.returned_at is None for e in entries):
        return {"__all__": gettext("请先在客户商品进出登记簿登记归还商品日期"
                                   "（001-售后 第二章 第六条）。")}
    open_receipts = [r.record_no for r in _sc_request_receipts(row) if not r.voided]
    if open_receipts:
        return {"__all__": gettext("客户商品领取收据 %(nos)s 尚未收回作废（001-售后 第二章 第六条）。",
                                   nos="、".join(open_receipts))}
    return _sc_vouchers_signed(row)


def _sc_paid(voucher):
    return voucher.fee is not None and voucher.fee > 0


def _sc_invoice_guard(actor, row, inputs):
    paid = [v for v in _sc_request_vouchers(row) if _sc_paid(v)]
    if not paid:
        return {"__all__": gettext("该叫修没有收费的服务凭证，无须开票。")}
    for v in paid:
        if v.fee_collected_on_site:
            if v.handed_to_accounting_at is None:
                return {"__all__": gettext("服务凭证 %(no)s 当场收取的费用尚未交会计"
                                           "（000-二 §五.11）。", no=v.record_no)}
        elif not (v.invoice_no and v.invoice_issued_at):
            return {"__all__": gettext("服务凭证 %(no)s 尚未开具发票：未当场收费的，应于当天凭服务凭证"
                                       "至会计处开具发票（001-售后 第二章 第四条）。", no=v.record_no)}
    return None


def _sc_cancel_guard(actor, row, inputs):
    problem = _sc_vouchers_signed(row)
    if problem:
        return problem
    if row.state != "invoiced" and any(_sc_paid(v) for v in _sc_request_vouchers(row)):
        return {"__all__": gettext("有偿服务须先开票或收费，叫修才能注销。")}
    return None


def _sc_file_vouchers(actor, row, inputs):
    """Filing the call files its vouchers (each checks its own signature rule)."""
    from portal import services
    for voucher in _sc_request_vouchers(row):
        if voucher.filed_at is None:
            services.update(actor, voucher, {"filed_at": today()}, voucher.version,
                            check_permission=False)


def _sc_send_guard(actor, row, inputs):
    if row.sent_to_marketing_at is not None:
        return {"__all__": gettext("该叫修已报送市场营销部。")}
    return None


def _sc_dispatch_rule(row):
    return "dispatch_suburban" if row.zone == "suburban" else "dispatch_urban"


_SC_ON_SITE = rel.named_or_role("technician", "after_sales")
_SC_DISPATCHERS = ("sales_manager", "after_sales")

REPAIR_FLOW = Workflow(
    states=[
        State("registered", "已登记", draft=True),
        State("dispatched", "已派工"),
        State("arrived", "已到达"),
        State("completed_onsite", "现场完成"),
        State("signed", "客户已签字"),
        State("taken_back", "已携回"),
        State("inspected", "已验讫"),
        State("returned", "已归还"),
        State("invoiced", "已开票/已收费"),
        State("cancelled", "已注销"),
        State("filed", "凭证已归档", terminal=True),
    ],
    transitions=[
        T("dispatch", "派工", "registered", "dispatched", roles=_SC_DISPATCHERS,
          inputs=(Input("technician", "维修技术人员", "employee", field="technician"),
                  Input("assessment", "初步评价", "textarea", field="fault_assessment")),
          guard=_sc_dispatch_guard,
          effects=(fx.stamp("dispatcher", "dispatched_at"), fx.sign,
                   fx.deadline("arrival_deadline", _sc_dispatch_rule, "called_at"),
                   fx.notify_employees("technician", lambda r: f"叫修派工：{r.customer_name} "
                                                               f"{r.product_model or ''}"))),
        T("redispatch", "改派（次日优先派工）", "dispatched", "dispatched", roles=_SC_DISPATCHERS,
          inputs=(Input("technician", "维修技术人员", "employee", required=True,
                        field="technician"),),
          effects=(fx.stamp("dispatcher", "dispatched_at"),
                   fx.notify_employees("technician", lambda r: f"叫修改派：{r.customer_name} "
                                                               f"{r.product_model or ''}"))),
        T("arrive", "到达现场", "dispatched", "arrived", roles=SERVICE, relations=(_SC_ON_SITE,),
          inputs=(Input("arrived_at", "到达时间", "datetime", field="arrived_at"),),
          guard=_sc_arrive_guard,
          effects=(fx.set_fields(arrived_at=lambda a, r, i: r.arrived_at or now()),)),
        T("complete_onsite", "现场处理完妥", "arrived", "completed_onsite", roles=SERVICE,
          relations=(_SC_ON_SITE,), guard=_sc_complete_guard),
        T("customer_sign", "客户签字确认", "completed_onsite", "signed", roles=SERVICE,
          relations=(_SC_ON_SITE,), guard=_sc_sign_guard),
        T("take_back", "携回修护", "arrived", "taken_back", roles=SERVICE,
          relations=(_SC_ON_SITE,), guard=_sc_take_back_guard),
        T("inspect", "主管验讫", "taken_back", "inspected", roles=("after_sales",),
          relations=(_sc_not_named("technician", gettext("修护人员本人不能验讫自己修护的商品。")),),
          guard=_sc_inspect_guard),
        T("return_goods", "归还商品", "inspected", "returned", roles=SERVICE,
          guard=_sc_return_guard),
        T("invoice", "开票/收费", ("signed", "returned"), "invoiced",
          roles=("after_sales", "finance"), guard=_sc_invoice_guard),
        T("cancel_call", "注销叫修", ("signed", "returned", "invoiced"), "cancelled",
          roles=("after_sales",), guard=_sc_cancel_guard,
          effects=(fx.stamp(at_field="cancelled_at"),)),
        T("file", "服务凭证归档", "cancelled", "filed", roles=("after_sales",),
          effects=(_sc_file_vouchers,)),
        T("send_register", "报送市场营销部", "*", None, roles=("after_sales",), bulk=True,
          guard=_sc_send_guard, effects=(fx.stamp(at_field="sent_to_marketing_at"),)),
    ],
    initial="registered", due_field="arrival_deadline", handler_field="technician")


class RepairRequest(_ScTyped, FormRecord):
    """F-49 叫修登记簿 / 报修单: every repair call or letter, registered by the
    service receptionist and dispatched within 6 (市区) / 7 (郊区) working hours
    (001-售后 第二章 第二、十二条; 000-二 §五.5–6)."""
    state = REPAIR_FLOW.make_state_field()
    called_at = DateTimeField(default=now, verbose_name="叫修时间")
    received_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                  verbose_name="受理人(服务接待员)")
    channel = Choice(REPAIR_CHANNELS, default="repair_call", verbose_name="叫修方式")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    customer_name = Char("客户名称")
    address = Char("地址", max_length=300)
    phone = Char("电话", max_length=40)
    product_unit = ForeignKeyField(ProductUnit, null=True, backref="repair_requests",
                                   on_delete="SET NULL", verbose_name="产品维修档案")
    product_model = Char("产品型号", max_length=100)
    problem = Text("存在问题")
    symptom = Text("故障现象")
    zone = Choice(ZONES, null=True, verbose_name="区域")
    service_type = Choice(SERVICE_TYPES, null=True, verbose_name="服务类别")
    fault_assessment = Text("初步评价")
    dispatcher = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="派工人")
    technician = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="维修技术人员")
    dispatched_at = When("派工时间")
    arrival_deadline = When("到达期限")
    arrived_at = When("到达时间")
    arrived_late = Flag("超时到达")
    cancelled_at = When("注销时间")
    sent_to_marketing_at = When("报送市场营销部时间")

    class Register:
        label = "叫修登记簿"
        group = "after_sales"
        domain_ids = ("F-49",)
        title_field = "record_no"
        lookup_fields = ("record_no", "customer_name", "product_model")
        list_columns = ("record_no", "called_at", "customer_name", "product_model", "zone",
                        "technician", "arrival_deadline", "arrived_late")
        search = ("record_no", "customer_name", "address", "phone", "product_model", "symptom")
        filters = ("called_at", "zone", "service_type", "channel", "technician", "dispatcher",
                   "arrival_deadline", "arrived_late")
        required = ("address", "phone", "product_model", "zone", "service_type")
        readonly_fields = ("dispatcher", "dispatched_at", "arrival_deadline", "arrived_at",
                           "arrived_late", "cancelled_at", "sent_to_marketing_at")
        person_fields = ("received_by", "dispatcher", "technician", "filled_by")
        all_rows_roles = LEADERS + ("sales_manager", "finance")
        default_sort = ("called_at", True)
        signatures = ("服务接待员", "派工人", "维修技术人员")
        workflow = REPAIR_FLOW
        permissions = {"create": ("after_sales",), "edit": ("after_sales",),
                       "view": SERVICE + LEADERS + SALES_MANAGERS + ("finance",)}

    def derive(self, actor):
        super().derive(actor)
        unit = self.__data__.get("product_unit")
        if unit is not None:
            if not self.product_model:
                self.product_model = self.product_unit.model
            if self.__data__.get("customer") is None and not self.customer_name:
                self.customer_name = self.product_unit.customer_name
        self.arrived_late = bool(self.arrived_at and self.arrival_deadline
                                 and self.arrived_at > self.arrival_deadline)

    def check(self, actor, is_new):
        errors = {}
        _sc_customer_or_name(self, errors)
        if not (self.problem or "").strip() and not (self.symptom or "").strip():
            errors["symptom"] = gettext("请尽量问清存在问题和故障现象，至少填写一项"
                                        "（001-售后 第二章 第二条）。")
        unit = self.__data__.get("product_unit")
        if unit is not None and self.service_type == "free" and self.product_unit.warranty_until \
                and self.called_at and self.called_at.date() > self.product_unit.warranty_until:
            errors["service_type"] = gettext(
                "该产品已过保修期（保修至 %(day)s），不能按免费服务登记（000-二 §五.3）。",
                day=self.product_unit.warranty_until.isoformat())
        return errors


class ServiceVoucher(_ScTyped, FormRecord):
    """F-50 服务凭证 / 维修派工单 / 服务记录单 / 维修报告单: the per-job document
    the technician carries and the customer signs (001-售后 第二章 第二–七条;
    000-二 §五.10; 002 篇七 9.5)."""
    request = ForeignKeyField(RepairRequest, null=True, backref="vouchers", on_delete="SET NULL",
                              verbose_name="叫修登记")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    customer_name = Char("客户名称")
    product_unit = ForeignKeyField(ProductUnit, null=True, backref="vouchers",
                                   on_delete="SET NULL", verbose_name="产品维修档案")
    product_model = Char("产品型号", max_length=100)
    technician = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                 verbose_name="维修技术人员")
    service_type = Choice(SERVICE_TYPES, verbose_name="服务类别")
    served_on = DateField(default=today, verbose_name="服务日期")
    work_done = Text("服务内容")
    onsite_completed = Flag("当场处理完妥")
    taken_back = Flag("携回修护")
    customer_signature = Flag("客户签字")
    customer_signed_at = When("客户签字时间")
    signature_exempted_by = ForeignKeyField(Employee, null=True, backref="+",
                                            on_delete="SET NULL", verbose_name="同意免签人")
    exemption_reason = Text("免签原因")
    fee = Money("服务费")
    fee_collected_on_site = Flag("当场收费")
    handed_to_accounting_at = When("交会计时间")
    invoice_no = Char("发票号", max_length=60)
    invoice_issued_at = Date("开票日期")
    filed_at = Date("归档日期")

    class Register:
        label = "服务凭证"
        group = "after_sales"
        domain_ids = ("F-50",)
        title_field = "record_no"
        lookup_fields = ("record_no", "customer_name", "product_model")
        list_columns = ("record_no", "request", "customer_name", "product_model", "technician",
                        "service_type", "customer_signature", "fee", "filed_at")
        search = ("record_no", "customer_name", "product_model", "work_done", "invoice_no")
        filters = ("service_type", "served_on", "technician", "customer_signature",
                   "fee_collected_on_site", "filed_at", "request")
        required = ("product_model",)
        person_fields = ("technician", "signature_exempted_by", "filled_by")
        # sales keep the goods ledger that refers to the vouchers (001-售后 第二章 第五条)
        all_rows_roles = LEADERS + SALES + ("finance",)
        default_retention = "product_lifetime"      # the product's repair history (000-四 442)
        signatures = ("维修技术人员", "客户签字", "主管")
        permissions = {"create": SERVICE, "edit": SERVICE + ("finance",),
                       "view": SERVICE + LEADERS + SALES + ("finance",)}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("request") is not None:
            req = self.request
            if self.__data__.get("customer") is None and req.__data__.get("customer") is not None:
                self.customer = req.customer_id
            self.customer_name = self.customer_name or req.customer_name
            self.product_model = self.product_model or req.product_model
            if self.__data__.get("product_unit") is None:
                self.product_unit = req.product_unit_id
        if self.__data__.get("product_unit") is not None and not self.product_model:
            self.product_model = self.product_unit.model
        if self.customer_signature and self.customer_signed_at is None:
            self.customer_signed_at = now()
        if not self.customer_signature:
            self.customer_signed_at = None

    def check(self, actor, is_new):
        errors = {}
        _sc_customer_or_name(self, errors)
        if self.onsite_completed and self.taken_back:
            errors["taken_back"] = gettext("「当场处理完妥」与「携回修护」只能选择其一。")
        if self.customer_signature and not (self.work_done or "").strip():
            errors["work_done"] = gettext("请客户签字前须填写服务内容。")
        exempted = self.__data__.get("signature_exempted_by")
        if exempted is not None:
            if not (self.exemption_reason or "").strip():
                errors["exemption_reason"] = gettext("免签须说明特殊情况（002 篇七 9.5）。")
            if exempted == self.__data__.get("technician"):
                errors["signature_exempted_by"] = gettext("维修技术人员不能自己同意免签。")
        if self.filed_at and not self.customer_signature and exempted is None:
            errors["filed_at"] = gettext(
                "服务凭证须有客户签字才能归档；特殊情况须经同意免签（002 篇七 9.5；"
                "001-售后 第二章 第三条）。")
        paid = self.fee is not None and self.fee > 0
        if self.fee is not None and self.fee < 0:
            errors["fee"] = gettext("服务费不能为负数。")
        if self.service_type == "free" and paid:
            errors["fee"] = gettext("免费服务不收取服务费（000-二 §五.3）。")
        if self.fee_collected_on_site and not paid:
            errors["fee_collected_on_site"] = gettext("当场收费须填写服务费金额。")
        if self.invoice_no and not self.invoice_issued_at:
            errors["invoice_issued_at"] = gettext("请填写开票日期。")
        signed_day = self.customer_signed_at.date() if self.customer_signed_at else None
        if paid and not self.fee_collected_on_site and self.invoice_issued_at and signed_day \
                and self.invoice_issued_at != signed_day:
            errors["invoice_issued_at"] = gettext(
                "未当场收费的，应于服务当天（%(day)s）凭服务凭证至会计处开具发票"
                "（001-售后 第二章 第四、七条）。", day=signed_day.isoformat())
        if paid and self.filed_at:
            if self.fee_collected_on_site and self.handed_to_accounting_at is None:
                errors["handed_to_accounting_at"] = gettext(
                    "当场收取的费用须交会计后才能归档（000-二 §五.11）。")
            if not self.fee_collected_on_site and not self.invoice_no:
                errors["invoice_no"] = gettext("有偿服务须开具发票后才能归档。")
        unit = self.__data__.get("product_unit")
        if unit is not None and self.service_type == "free" and self.served_on \
                and self.product_unit.warranty_until and self.served_on > self.product_unit.warranty_until:
            errors["service_type"] = gettext(
                "该产品已过保修期（保修至 %(day)s），不能按免费服务处理（000-二 §五.3）。",
                day=self.product_unit.warranty_until.isoformat())
        return errors


class GoodsReceipt(_ScTyped, FormRecord):
    """F-52 客户商品领取收据 / 收据: given to the customer when goods are taken
    back; recovered and voided when they are returned (001-售后 第二章 第五、六条)."""
    request = ForeignKeyField(RepairRequest, null=True, backref="receipts", on_delete="SET NULL",
                              verbose_name="叫修登记")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    customer_name = Char("客户名称")
    goods = CharField(max_length=200, verbose_name="商品")
    qty = Int("数量", default=1)
    issued_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="开具人")
    issued_at = DateTimeField(default=now, verbose_name="开具时间")
    recovered_at = When("收回时间")
    voided = Flag("已作废")

    class Register:
        label = "客户商品领取收据"
        group = "after_sales"
        domain_ids = ("F-52",)
        title_field = "record_no"
        lookup_fields = ("record_no", "customer_name", "goods")
        list_columns = ("record_no", "request", "customer_name", "goods", "qty", "issued_by",
                        "issued_at", "recovered_at", "voided")
        search = ("record_no", "customer_name", "goods")
        filters = ("issued_at", "recovered_at", "voided", "issued_by", "request")
        readonly_fields = ("voided",)
        person_fields = ("issued_by", "filled_by")
        all_rows_roles = LEADERS + SALES
        signatures = ("开具人", "客户")
        permissions = {"create": SERVICE, "edit": SERVICE + SALES_FRONT,
                       "view": SERVICE + SALES + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("request") is not None:
            req = self.request
            if self.__data__.get("customer") is None and req.__data__.get("customer") is not None:
                self.customer = req.customer_id
            self.customer_name = self.customer_name or req.customer_name
        if self.__data__.get("issued_by") is None:
            self.issued_by = self.__data__.get("filled_by")
        self.voided = self.recovered_at is not None

    def check(self, actor, is_new):
        errors = {}
        _sc_customer_or_name(self, errors)
        if self.qty is not None and self.qty <= 0:
            errors["qty"] = gettext("数量必须大于零。")
        if self.recovered_at and self.issued_at and self.recovered_at < self.issued_at:
            errors["recovered_at"] = gettext("收回时间不能早于开具时间。")
        return errors


class CustomerGoodsLedger(_ScTyped, FormRecord):
    """F-53 客户商品进出登记薄 / 公司进出商品簿: goods taken back for repair are
    handed to sales and entered; the return date is entered after the
    supervisor's inspection (001-售后 第二章 第五、六条; 000-二 §五.10)."""
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    customer_name = Char("客户名称")
    goods = CharField(max_length=200, verbose_name="商品")
    model = Char("型号", max_length=100)
    serial = Char("编号", max_length=60)
    qty = Int("数量", default=1)
    received_at = DateTimeField(default=now, verbose_name="收进时间")
    received_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                  verbose_name="收件人(销售人员)")
    receipt = ForeignKeyField(GoodsReceipt, null=True, backref="ledger_entries",
                              on_delete="SET NULL", verbose_name="客户商品领取收据")
    voucher = ForeignKeyField(ServiceVoucher, null=True, backref="ledger_entries",
                              on_delete="SET NULL", verbose_name="服务凭证")
    promised_at = Date("原定修好时间")
    returned_at = When("归还商品日期")

    class Register:
        label = "客户商品进出登记簿"
        group = "after_sales"
        domain_ids = ("F-53",)
        title_field = "goods"
        lookup_fields = ("record_no", "goods", "customer_name", "serial")
        list_columns = ("record_no", "customer_name", "goods", "model", "received_at",
                        "received_by", "promised_at", "returned_at")
        search = ("record_no", "customer_name", "goods", "model", "serial")
        filters = ("received_at", "received_by", "promised_at", "returned_at", "customer")
        required = ("model", "promised_at")
        person_fields = ("received_by", "filled_by")
        all_rows_roles = LEADERS + SERVICE + ("sales_manager",)
        signatures = ("收件人", "主管验讫", "客户签收")
        permissions = {"create": SALES_FRONT + SERVICE, "edit": SALES_FRONT + SERVICE,
                       "view": SALES + SERVICE + LEADERS}

    def __str__(self):
        return f"{self.record_no} {self.goods}"

    def derive(self, actor):
        super().derive(actor)
        source = self.receipt if self.__data__.get("receipt") is not None else (
            self.voucher if self.__data__.get("voucher") is not None else None)
        if source is not None:
            if self.__data__.get("customer") is None and source.__data__.get("customer") is not None:
                self.customer = source.customer_id
            self.customer_name = self.customer_name or source.customer_name

    def check(self, actor, is_new):
        errors = {}
        _sc_customer_or_name(self, errors)
        if self.returned_at and self.received_at and self.returned_at < self.received_at:
            errors["returned_at"] = gettext("归还日期不能早于收进时间。")
        if self.promised_at and self.received_at and self.promised_at < self.received_at.date():
            errors["promised_at"] = gettext("原定修好时间不能早于收进时间。")
        if self.returned_at and self.id:
            tags = list(RepairTag.select().where(RepairTag.ledger_entry == self.id,
                                                 RepairTag.deleted_at.is_null()))
            if not tags:
                errors["returned_at"] = gettext("商品归还前须填写修护卡（001-售后 第二章 第五条）。")
            elif any(t.__data__.get("inspected_by") is None for t in tags):
                errors["returned_at"] = gettext("修护卡未经主管验讫，商品不得归还"
                                                "（001-售后 第二章 第六条）。")
        elif self.returned_at:
            errors["returned_at"] = gettext("商品归还前须填写修护卡（001-售后 第二章 第五条）。")
        return errors


class RepairTag(_ScTyped, FormRecord):
    """F-51 修护卡: hung on the goods; the technician writes the actual repair
    work and the parts replaced; the supervisor inspects (验讫) before the goods
    go back (001-售后 第二章 第五、六条)."""
    state = Choice((("repairing", "修护中"), ("inspected", "已验讫")), default="repairing",
                   index=True, verbose_name="状态")
    ledger_entry = ForeignKeyField(CustomerGoodsLedger, backref="repair_tags",
                                   on_delete="RESTRICT", verbose_name="客户商品进出登记")
    technician = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                 verbose_name="修护人员")
    work = TextField(verbose_name="实际修护使用")
    hours = Money("工时(小时)")
    inspected_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="主管验讫")
    inspected_at = When("验讫时间")

    class Register:
        label = "修护卡"
        group = "after_sales"
        domain_ids = ("F-51",)
        title_field = "record_no"
        list_columns = ("record_no", "ledger_entry", "technician", "hours", "inspected_by",
                        "inspected_at")
        search = ("record_no", "work")
        filters = ("technician", "inspected_by", "inspected_at", "filled_at")
        readonly_fields = ("inspected_by", "inspected_at")
        person_fields = ("technician", "inspected_by", "filled_by")
        default_retention = "product_lifetime"      # parts replaced: traceability (000-四 442)
        inlines = ("RepairTagPart",)
        signatures = ("修护人员", "主管验讫")
        workflow = Workflow(
            states=[State("repairing", "修护中", draft=True), State("inspected", "已验讫", terminal=True)],
            transitions=[T("inspect", "主管验讫", "repairing", "inspected", roles=("after_sales",),
                           relations=(_sc_not_named("technician", gettext(
                               "修护人员本人不能验讫自己修护的商品。")),),
                           effects=(fx.stamp("inspected_by", "inspected_at"), fx.sign))],
            initial="repairing")
        permissions = {"create": SERVICE, "edit": SERVICE,
                       "view": SERVICE + LEADERS + SALES_MANAGERS}

    def check(self, actor, is_new):
        errors = {}
        if self.hours is not None and self.hours < 0:
            errors["hours"] = gettext("工时不能为负数。")
        return errors


class RepairTagPart(LineItem):
    """配换零件"""
    tag = ForeignKeyField(RepairTag, backref="parts", on_delete="CASCADE", verbose_name="修护卡")
    part = ForeignKeyField(SparePart, backref="+", on_delete="RESTRICT", verbose_name="零件")
    qty = IntegerField(default=1, verbose_name="数量")


class TechnicianDailyReport(_ScTyped, FormRecord):
    """F-54 技术人员工作日报表: every day each technician reports the category
    and time of his work; the supervisor reviews and files it (001-售后 第二章 第九条)."""
    state = Choice((("submitted", "已提交"), ("reviewed", "已核阅")), default="submitted",
                   index=True, verbose_name="状态")
    technician = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                 verbose_name="技术人员")
    date = DateField(default=today, verbose_name="日期")
    reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="主管核阅")
    reviewed_at = When("核阅时间")

    class Register:
        label = "技术人员工作日报表"
        group = "after_sales"
        domain_ids = ("F-54",)
        title_field = "record_no"
        list_columns = ("record_no", "date", "technician", "reviewed_by", "reviewed_at")
        search = ("record_no",)
        filters = ("date", "technician", "reviewed_by")
        readonly_fields = ("reviewed_by", "reviewed_at")
        person_fields = ("technician", "reviewed_by", "filled_by")
        inlines = ("TechnicianDailyEntry",)
        signatures = ("技术人员", "主管核阅")
        default_sort = ("date", True)
        workflow = Workflow(
            states=[State("submitted", "已提交", draft=True), State("reviewed", "已核阅", terminal=True)],
            transitions=[T("review", "主管核阅", "submitted", "reviewed", roles=("after_sales",),
                           relations=(_sc_not_named("technician", gettext(
                               "技术人员不能核阅自己的工作日报表。")),),
                           guard=lambda actor, row, inputs: _sc_daily_guard(row),
                           effects=(fx.stamp("reviewed_by", "reviewed_at"), fx.sign), bulk=True)],
            initial="submitted")
        permissions = {"create": SERVICE, "edit": SERVICE,
                       "view": SERVICE + LEADERS + SALES_MANAGERS}

    def check(self, actor, is_new):
        errors = {}
        tech = self.__data__.get("technician")
        if tech is not None and self.date:
            clash = TechnicianDailyReport.select().where(
                TechnicianDailyReport.technician == tech, TechnicianDailyReport.date == self.date,
                TechnicianDailyReport.deleted_at.is_null())
            if self.id:
                clash = clash.where(TechnicianDailyReport.id != self.id)
            if clash.exists():
                errors["date"] = gettext("该技术人员当天的工作日报表已填写。")
        if self.date and self.date > today():
            errors["date"] = gettext("不能填写未来日期的工作日报表。")
        return errors


def _sc_daily_guard(row):
    entries = list(TechnicianDailyEntry.select().where(TechnicianDailyEntry.report == row.id))
    if not entries:
        return {"__all__": gettext("日报表没有工作记录，不能核阅。")}
    total = sum((e.hours or _SC_D(0)) for e in entries)
    if total > 24 or any((e.hours or 0) <= 0 for e in entries):
        return {"__all__": gettext("工时须大于零，且一天合计不能超过 24 小时。")}
    return None


class TechnicianDailyEntry(LineItem):
    """工作记录（服务类别与时间）"""
    report = ForeignKeyField(TechnicianDailyReport, backref="entries", on_delete="CASCADE",
                             verbose_name="技术人员工作日报表")
    voucher = ForeignKeyField(ServiceVoucher, null=True, backref="+", on_delete="SET NULL",
                              verbose_name="服务凭证")
    category = Choice(SERVICE_TYPES, verbose_name="服务类别")
    hours = DecimalField(max_digits=5, decimal_places=2, auto_round=True, verbose_name="工时(小时)")
    work = Char("工作内容", max_length=200)


def _sc_countersign_guard(actor, row):
    row.derive(actor)           # the figures the general manager signs are today's
    if not row.total_hours:
        return {"__all__": gettext("当天没有技术人员工作日报表的工时，不能核签。")}
    return None


_SC_CATEGORY_FIELDS = (("paid", "hours_paid"), ("contract", "hours_contract"),
                       ("free", "hours_free"), ("admin_work", "hours_admin"))


class ServiceDailyReport(_ScTyped, FormRecord):
    """F-55 服务日报表: compiled daily by the technical supervisor from the
    technicians' reports, countersigned by the general manager, then sent to
    市场营销部 (001-售后 第二章 第十条 「请总经理核签后」)."""
    state = Choice((("compiled", "已编制"), ("countersigned", "总经理已核签"),
                    ("forwarded", "已转送市场营销部")), default="compiled", index=True,
                   verbose_name="状态")
    date = DateField(default=today, verbose_name="日期")
    hours_paid = Money("有偿服务工时")
    hours_contract = Money("合同服务工时")
    hours_free = Money("免费服务工时")
    hours_admin = Money("一般行政工作工时")
    total_hours = Money("合计工时")
    technician_count = Int("技术人员人数")
    summary = Text("各技术人员工时")
    undispatched_calls = Int("未派工叫修数")
    notes = Text("说明")
    countersigned_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                       verbose_name="总经理核签")
    countersigned_at = When("核签时间")
    forwarded_to_marketing_at = When("转送市场营销部时间")

    class Register:
        label = "服务日报表"
        group = "after_sales"
        domain_ids = ("F-55",)
        title_field = "record_no"
        list_columns = ("record_no", "date", "total_hours", "hours_paid", "hours_free",
                        "technician_count", "undispatched_calls", "countersigned_by")
        search = ("record_no", "summary", "notes")
        filters = ("date", "countersigned_by", "forwarded_to_marketing_at")
        readonly_fields = ("hours_paid", "hours_contract", "hours_free", "hours_admin",
                           "total_hours", "technician_count", "summary", "undispatched_calls",
                           "countersigned_by", "countersigned_at", "forwarded_to_marketing_at")
        person_fields = ("filled_by", "countersigned_by")
        all_rows_roles = LEADERS + SALES_MANAGERS       # sent on to 市场营销部
        default_sort = ("date", True)
        signatures = ("技术主管", "总经理核签")
        workflow = Workflow(
            states=[State("compiled", "已编制", draft=True),
                    State("countersigned", "总经理已核签"),
                    State("forwarded", "已转送市场营销部", terminal=True)],
            transitions=[
                T("countersign", "总经理核签", "compiled", "countersigned",
                  roles=("general_manager",), guard=lambda actor, row, inputs: _sc_countersign_guard(actor, row),
                  effects=(fx.stamp("countersigned_by", "countersigned_at"), fx.sign)),
                T("forward", "转送市场营销部", "countersigned", "forwarded", roles=("after_sales",),
                  effects=(fx.stamp(at_field="forwarded_to_marketing_at"),)),
            ],
            initial="compiled")
        permissions = {"create": ("after_sales",), "edit": ("after_sales",),
                       "view": ("after_sales",) + LEADERS + SALES_MANAGERS}

    def derive(self, actor):
        super().derive(actor)
        if self.state not in (None, "compiled") or not self.date:
            return          # the countersigned figures stay as signed
        rows = (TechnicianDailyEntry
                .select(TechnicianDailyEntry, TechnicianDailyReport, Employee)
                .join(TechnicianDailyReport)
                .join(Employee, on=(TechnicianDailyReport.technician == Employee.id))
                .where(TechnicianDailyReport.date == self.date,
                       TechnicianDailyReport.deleted_at.is_null())
                .order_by(Employee.name, TechnicianDailyEntry.id))
        totals = {code: _SC_D(0) for code, _ in _SC_CATEGORY_FIELDS}
        per_person = {}
        labels = dict(SERVICE_TYPES)
        for entry in rows:
            name = entry.report.technician.name
            hours = entry.hours or _SC_D(0)
            totals[entry.category] = totals.get(entry.category, _SC_D(0)) + hours
            person = per_person.setdefault(name, {})
            person[entry.category] = person.get(entry.category, _SC_D(0)) + hours
        for code, field in _SC_CATEGORY_FIELDS:
            setattr(self, field, totals[code])
        self.total_hours = sum(totals.values(), _SC_D(0))
        self.technician_count = len(per_person)
        lines = []
        for name, cats in per_person.items():
            parts = "，".join(f"{labels[c]} {h:.1f}" for c, h in cats.items())
            lines.append(f"{name}：{parts}（合计 {sum(cats.values(), _SC_D(0)):.1f} 小时）")
        self.summary = "\n".join(lines) or None
        from datetime import datetime, time
        end = datetime.combine(self.date, time(23, 59, 59))
        self.undispatched_calls = (RepairRequest.select()
                                   .where(RepairRequest.called_at <= end,
                                          RepairRequest.state == "registered",
                                          RepairRequest.deleted_at.is_null()).count())

    def check(self, actor, is_new):
        errors = {}
        if self.date:
            clash = ServiceDailyReport.select().where(ServiceDailyReport.date == self.date,
                                                      ServiceDailyReport.deleted_at.is_null())
            if self.id:
                clash = clash.where(ServiceDailyReport.id != self.id)
            if clash.exists():
                errors["date"] = gettext("当天的服务日报表已编制。")
        return errors


class RepairCaseReport(_ScTyped, FormRecord):
    """F-61 疑难、罕见故障维修案例书面总结报告: written by the technician and
    kept inside the department for reference; technical secrets must not leak
    (000-二 §七.5–6)."""
    technician = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                 verbose_name="维修技术人员")
    written_at = DateField(default=today, verbose_name="撰写日期")
    product_model = Char("产品型号", max_length=100)
    fault = TextField(verbose_name="故障现象")
    diagnosis = Text("故障分析")
    solution = TextField(verbose_name="处理方法")
    voucher = ForeignKeyField(ServiceVoucher, null=True, backref="+", on_delete="SET NULL",
                              verbose_name="服务凭证")

    class Register:
        label = "疑难、罕见故障维修案例报告"
        group = "after_sales"
        domain_ids = ("F-61",)
        title_field = "product_model"
        archive = True
        row_scope = "archive"
        owner_field = "technician"
        default_confidentiality = "internal"
        default_retention = "product_lifetime"
        list_columns = ("record_no", "written_at", "technician", "product_model",
                        "confidentiality", "custodian")
        search = ("record_no", "product_model", "fault", "diagnosis", "solution")
        filters = ("written_at", "technician", "confidentiality")
        required = ("product_model", "diagnosis")
        person_fields = ("technician", "filled_by")
        signatures = ("维修技术人员", "维修主管")
        permissions = {"create": SERVICE, "edit": SERVICE,
                       "view": SERVICE + LEADERS + SALES_MANAGERS}

    def check(self, actor, is_new):
        if self.confidentiality not in ("internal", "restricted", "secret"):
            return {"confidentiality": gettext(
                "维修案例报告在部门内部保存参考，密级应为「内部」，涉及技术秘密时为「商业/技术秘密」"
                "（000-二 §七.5–6）。")}
        return {}


class SubstituteLoan(_ScTyped, FormRecord):
    """F-63 替补商品借用: a substitute works at the customer while the
    customer's product is repaired, and returns to stock afterwards (000-二 §六.4)."""
    substitute = ForeignKeyField(SparePart, backref="loans", on_delete="RESTRICT",
                                 verbose_name="替补商品")
    qty = Int("数量", default=1)
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    customer_name = Char("客户名称")
    ledger_entry = ForeignKeyField(CustomerGoodsLedger, null=True, backref="substitute_loans",
                                   on_delete="SET NULL", verbose_name="客户商品进出登记")
    lent_at = DateField(default=today, verbose_name="借出日期")
    lent_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                              verbose_name="经办人")
    returned_at = Date("收回还仓日期")
    on_loan = Flag("借用中")

    class Register:
        label = "替补商品借用"
        group = "after_sales"
        domain_ids = ("F-63",)
        title_field = "record_no"
        list_columns = ("record_no", "substitute", "qty", "customer_name", "ledger_entry",
                        "lent_at", "returned_at", "on_loan")
        search = ("record_no", "customer_name")
        filters = ("substitute", "lent_at", "returned_at", "on_loan", "lent_by")
        required = ("ledger_entry",)
        readonly_fields = ("on_loan",)
        person_fields = ("lent_by", "filled_by")
        all_rows_roles = LEADERS + ("sales_manager",)
        signatures = ("经办人", "客户")
        permissions = {"create": SERVICE, "edit": SERVICE, "view": SERVICE + SALES + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("ledger_entry") is not None:
            entry = self.ledger_entry
            if self.__data__.get("customer") is None and entry.__data__.get("customer") is not None:
                self.customer = entry.customer_id
            self.customer_name = self.customer_name or entry.customer_name
        self.on_loan = self.returned_at is None

    def check(self, actor, is_new):
        errors = {}
        _sc_customer_or_name(self, errors)
        if self.qty is not None and self.qty <= 0:
            errors["qty"] = gettext("数量必须大于零。")
        if self.returned_at and self.lent_at and self.returned_at < self.lent_at:
            errors["returned_at"] = gettext("收回日期不能早于借出日期。")
        if self.__data__.get("substitute") is not None and not self.substitute.is_substitute:
            errors["substitute"] = gettext("所选备品未登记为可作替补商品。")
        return errors


class ToolCustody(_ScTyped, FormRecord):
    """F-64 检测、维修设备工具登记: valuable tools are fixed assets; personal
    tools are registered and kept by the technician (保管人 = `custodian`), not
    for private use, and handed over when leaving the post (000-二 §六.5–6)."""
    tool = CharField(max_length=200, verbose_name="工具名称")
    model = Char("规格型号", max_length=100)
    asset_no = Char("固定资产编号", max_length=60)
    value = Money("价值")
    fixed_asset = Flag("列入固定资产")
    registered_at = DateField(default=today, verbose_name="登记日期")
    status = Choice(TOOL_STATUS, default="in_use", verbose_name="状态")
    handed_over_to = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="移交接收人")
    handed_over_at = Date("移交日期")

    class Register:
        label = "检测、维修设备工具登记"
        group = "after_sales"
        domain_ids = ("F-64",)
        title_field = "tool"
        lookup_fields = ("record_no", "tool", "asset_no")
        list_columns = ("record_no", "tool", "model", "custodian", "value", "fixed_asset",
                        "status", "registered_at")
        search = ("record_no", "tool", "model", "asset_no")
        filters = ("status", "custodian", "fixed_asset", "registered_at", "handed_over_to")
        person_fields = ("custodian", "handed_over_to", "filled_by")
        all_rows_roles = LEADERS + ("hr",)
        signatures = ("保管人", "售后服务中心")
        permissions = {"create": SERVICE, "edit": SERVICE, "view": SERVICE + LEADERS + ("hr",)}

    def check(self, actor, is_new):
        errors = {}
        holder = self.__data__.get("custodian")
        if holder is None:
            errors["custodian"] = gettext("工具须登记保管人（000-二 §六.5）。")
        elif self.status == "in_use" and self.custodian.status == "departed":
            errors["custodian"] = gettext("保管人已离职：工具须移交接替人员（000-二 §六.6 「调离本岗时应移交」）。")
        if self.status == "handed_over":
            if self.__data__.get("handed_over_to") is None:
                errors["handed_over_to"] = gettext("已移交的工具须填写移交接收人。")
            if not self.handed_over_at:
                errors["handed_over_at"] = gettext("已移交的工具须填写移交日期。")
        if holder is not None and self.__data__.get("handed_over_to") == holder:
            errors["handed_over_to"] = gettext("移交接收人不能是保管人本人。")
        if self.value is not None and self.value < 0:
            errors["value"] = gettext("价值不能为负数。")
        if self.fixed_asset and not (self.value and self.value > 0):
            errors["value"] = gettext("列入固定资产的贵重工具须填写价值。")
        return errors


class ToolIncidentReport(_ScTyped, FormRecord):
    """F-65 工具丢失/损坏报告: loss or damage is compensated, normal wear
    excepted; normal wear and damaged valuable tools need a written explanation
    (000-二 §六.6)."""
    tool = ForeignKeyField(ToolCustody, backref="incidents", on_delete="RESTRICT",
                           verbose_name="工具")
    kind = Choice(TOOL_INCIDENT_KINDS, verbose_name="类别")
    occurred_on = DateField(default=today, verbose_name="发生日期")
    cause = TextField(verbose_name="原因说明")
    compensation = Money("赔偿金额")
    decided_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="处理决定人")

    class Register:
        label = "工具丢失/损坏报告"
        group = "after_sales"
        domain_ids = ("F-65",)
        title_field = "record_no"
        list_columns = ("record_no", "tool", "kind", "occurred_on", "compensation",
                        "decided_by")
        search = ("record_no", "cause")
        filters = ("kind", "occurred_on", "decided_by", "tool")
        person_fields = ("decided_by", "filled_by")
        all_rows_roles = LEADERS + ("hr", "finance")
        signatures = ("保管人", "处理决定人")
        permissions = {"create": SERVICE, "edit": SERVICE,
                       "view": SERVICE + LEADERS + ("hr", "finance")}

    def check(self, actor, is_new):
        errors = {}
        if not (self.cause or "").strip():
            errors["cause"] = gettext("须书面说明丢失或损坏的原因（000-二 §六.6）。")
        if self.compensation is not None and self.compensation < 0:
            errors["compensation"] = gettext("赔偿金额不能为负数。")
        if self.kind == "normal_wear" and self.compensation:
            errors["compensation"] = gettext("正常损耗不予赔偿，赔偿金额应为空或零（000-二 §六.6）。")
        if self.compensation and self.__data__.get("decided_by") is None:
            errors["decided_by"] = gettext("确定赔偿须填写处理决定人。")
        return errors


def _sc_price_checker(actor, row, inputs):
    """财务核价 is the first line of the purchase request (000-二 §六.7)."""
    if (row.approval_step or 0) == 0:
        row.finance_checked_by = actor.employee
        row.finance_checked_at = now()


class ToolPurchaseRequest(_ScTyped, ApprovalRecord):
    """F-66 检测、维修设备工具购置: after-sales asks for quotes, prices and totals
    → finance checks the price → the superior approves → purchasing buys
    (000-二 §六.7)."""
    items = TextField(verbose_name="购置物品")
    quotes = Text("询价")
    price = Money("计价")
    summary = Text("统计")
    finance_checked_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                         verbose_name="财务核价")
    finance_checked_at = When("核价时间")
    purchased_at = Date("采购日期")

    class Register:
        label = "检测、维修设备工具购置"
        group = "after_sales"
        domain_ids = ("F-66",)
        title_field = "record_no"
        list_columns = ("record_no", "items", "price", "filled_by", "current_approver",
                        "finance_checked_by", "approved_by", "purchased_at")
        search = ("record_no", "items", "quotes", "summary")
        filters = ("filled_at", "filled_by", "purchased_at", "finance_checked_by")
        readonly_fields = _SC_APPROVAL_RO + ("finance_checked_by", "finance_checked_at",
                                             "purchased_at")
        person_fields = ("filled_by", "current_approver", "approved_by", "finance_checked_by")
        all_rows_roles = LEADERS + ("finance",)
        signatures = ("售后服务部门", "财务核价", "主管批准", "采购部")
        workflow = _sc_approval(
            [Step("财务核价", "finance"), Step("主管批准", "superior")],
            creators=SERVICE, step_effect=_sc_price_checker,
            extra=(T("purchase", "采购部采购", "approved", "executed",
                     roles=("quality_dept", "after_sales"),
                     inputs=(Input("purchased_at", "采购日期", "date", required=True,
                                   field="purchased_at"),)),))
        # the approving superior of after-sales staff is a sales/marketing head
        permissions = {"create": SERVICE, "edit": SERVICE,
                       "view": SERVICE + LEADERS + SALES_MANAGERS + ("finance", "quality_dept")}

    def check(self, actor, is_new):
        errors = {}
        if self.price is not None and self.price <= 0:
            errors["price"] = gettext("计价金额必须大于零。")
        if self.state not in ("draft", "cancelled"):
            if self.price is None:
                errors["price"] = gettext("须先询价、计价、统计，才能提交财务核价（000-二 §六.7）。")
            if not (self.quotes or "").strip():
                errors["quotes"] = gettext("须先询价、计价、统计，才能提交财务核价（000-二 §六.7）。")
        return errors


class TechnicalDocument(_ScTyped, FormRecord):
    """F-67 维修资料: collected and kept by a designated person (保管人 =
    `custodian`), bought on application, lent per the library rules; repair
    manuals go to every network node; technical secrets must not leak (000-二 §七)."""
    doc_type = Choice(TECH_DOC_TYPES, verbose_name="资料类型")
    title = CharField(max_length=200, verbose_name="资料名称")
    product_model = Char("适用型号", max_length=100)
    doc_no = Char("资料编号", max_length=60)
    location = Char("存放位置", max_length=200)
    technical_secret = Flag("技术秘密")
    acquisition_request = Text("购置申请")
    acquired_at = Date("收集/购置日期")

    class Register:
        label = "维修资料"
        group = "after_sales"
        domain_ids = ("F-67",)
        archive = True
        row_scope = "archive"
        owner_field = None
        default_confidentiality = "internal"
        default_retention = "product_lifetime"
        list_columns = ("record_no", "doc_type", "title", "product_model", "custodian",
                        "technical_secret", "confidentiality")
        search = ("record_no", "title", "product_model", "doc_no", "location")
        filters = ("doc_type", "technical_secret", "confidentiality", "custodian", "acquired_at")
        required = ("doc_no", "location")
        person_fields = ("custodian", "filled_by")
        inlines = ("TechnicalDocumentDistribution",)
        signatures = ("保管人",)
        permissions = {"create": ("after_sales",), "edit": ("after_sales",),
                       "view": SERVICE + LEADERS + SALES_MANAGERS}

    def derive(self, actor):
        super().derive(actor)
        # 000-二 §七.5: a technical secret is never below 商业/技术秘密 (sealed stays sealed)
        if self.technical_secret and self.confidentiality != "sealed":
            self.confidentiality = "secret"

    def check(self, actor, is_new):
        errors = {}
        if self.__data__.get("custodian") is None:
            errors["custodian"] = gettext("维修资料须由专人保管（000-二 §七.2），请指定保管人。")
        if self.confidentiality == "public":
            errors["confidentiality"] = gettext("维修资料只供公司内部和维修网络使用，密级不得为「公开」"
                                                "（000-二 §七.5）。")
        return errors


class TechnicalDocumentDistribution(LineItem):
    """发放到维修网络节点（检测、维修指导手册）"""
    document = ForeignKeyField(TechnicalDocument, backref="distributions", on_delete="CASCADE",
                               verbose_name="维修资料")
    provider = ForeignKeyField(ServiceProvider, backref="+", on_delete="RESTRICT",
                               verbose_name="维修网络节点")
    sent_at = Date("发放日期")
    copy_count = Int("份数", default=1)

# --- end of SECTION C ---

# ===========================================================================
# SECTION D (2.H .. 2.J): reception, proposals, records and archives
# ===========================================================================

# --- end of SECTION D ---

# ===========================================================================
# SECTION E (2.K .. 2.M): customer engineering, incentives, supplier
# ===========================================================================

# --- end of SECTION E ---


# ---------------------------------------------------------------------------
# Configuration (R-CFG): figures that differ between the source companies
# ---------------------------------------------------------------------------


class Setting(RecordBase):
    key = CharField(max_length=80, unique=True, verbose_name="参数键")
    label = CharField(max_length=200, verbose_name="参数名称")
    value = CharField(max_length=200, null=True, verbose_name="参数值")
    kind = Choice((("int", "整数"), ("decimal", "小数"), ("text", "文本")), default="text",
                  verbose_name="类型")
    source = Char("依据条款", max_length=120)

    class Register:
        label = "参数设置"
        group = "system"
        domain_ids = ("R-CFG",)
        numbering = "prefix"
        number_prefix = "CS"
        row_scope = "all"
        title_field = "label"
        list_columns = ("key", "label", "value", "kind", "source")
        search = ("key", "label", "source")
        filters = ("kind",)
        readonly_fields = ("key", "kind")
        # Settings are seeded (portal/settings.py); the administrator edits values.
        permissions = {"view": ("admin",) + MANAGERS, "create": (), "edit": ("admin",),
                       "delete": ()}

    def check(self, actor, is_new):
        from portal.settings import convert
        if self.value not in (None, "") and self.kind in ("int", "decimal") \
                and convert(self.value, self.kind) is None:
            from portal.i18n import gettext
            return {"value": gettext("参数值必须是数字。")}
        return {}


class Holiday(RecordBase):
    """Holidays and working weekends (调休) for working-day deadlines; kept by
    the administrator."""
    day = DateField(unique=True, verbose_name="日期")
    name = CharField(max_length=60, verbose_name="名称")
    is_workday = BooleanField(default=False, verbose_name="调休上班")

    class Register:
        label = "节假日"
        group = "system"
        domain_ids = ("R-CFG-02",)
        numbering = "prefix"
        number_prefix = "JR"
        row_scope = "all"
        list_columns = ("day", "name", "is_workday")
        search = ("name",)
        filters = ("day", "is_workday")
        default_sort = ("day", True)
        permissions = {"view": STAFF + ("admin",), "create": ("admin",), "edit": ("admin",),
                       "delete": ("admin",)}


SLA_UNITS = (("hours", "小时"), ("days", "天"), ("working_days", "工作日"),
             ("working_hours", "上班时间内小时"), ("months", "月"), ("day_of_next_month", "次月日期"),
             ("end_of_day", "天（当日/次日结束）"))


class SlaRule(RecordBase):
    """The deadline table of DOMAIN.md R-CFG: every deadline is a row here,
    seeded with the documents' figures and editable by the administrator."""
    key = CharField(max_length=60, unique=True, verbose_name="规则键")
    label = CharField(max_length=200, verbose_name="规则名称")
    value = DecimalField(max_digits=8, decimal_places=2, verbose_name="时限")
    unit = Choice(SLA_UNITS, verbose_name="单位")
    clock = Char("起止", max_length=200)
    source = Char("依据条款", max_length=120)

    class Register:
        label = "时限规则"
        group = "system"
        domain_ids = ("R-CFG",)
        numbering = "prefix"
        number_prefix = "SX"
        row_scope = "all"
        title_field = "label"
        list_columns = ("key", "label", "value", "unit", "clock", "source")
        search = ("key", "label", "source")
        filters = ("unit",)
        readonly_fields = ("key",)
        permissions = {"view": STAFF + ("admin",), "create": (), "edit": ("admin",), "delete": ()}

    def check(self, actor, is_new):
        from portal.i18n import gettext
        if self.value is not None and self.value < 0:
            return {"value": gettext("时限不能为负数。")}
        return {}
