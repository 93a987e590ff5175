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

# --- end of SECTION C ---

# ===========================================================================
# SECTION D (2.H .. 2.J): reception, proposals, records and archives
# ===========================================================================

from datetime import datetime as _datetime  # noqa: E402

from permissions.roles import ARCHIVES, OFFICE, QUALITY, SALES_MANAGERS, SERVICE  # noqa: E402
from portal.i18n import gettext as _d_  # noqa: E402
from portal.record import When  # noqa: E402
from portal.workflows import effects as fx  # noqa: E402
from portal.workflows import relations as rel  # noqa: E402
from portal.workflows.engine import Input, State, T, Workflow  # noqa: E402

# Departments that receive visitors and host meals: 行政管理部 (the external
# window, R-RCP-01) and the counterpart departments (对口部门, ROLE-55).
RECEPTION_HOSTS = OFFICE + SALES + ("after_sales", "quality_dept")
RECEPTION_MANAGERS = OFFICE + SALES_MANAGERS
# Approval fields are written by the approval chain only.
APPROVAL_READONLY = ("approval_step", "current_approver", "approver_role", "approved_by",
                     "approved_at", "rejection_reason")


def _as_date(value):
    return value.date() if isinstance(value, _datetime) else value


def _dept_and_below(dept_id):
    """A department with every department under it."""
    rows = list(Department.select(Department.id, Department.parent))
    children = {}
    for d in rows:
        children.setdefault(d.parent_id, []).append(d.id)
    out, stack = set(), [dept_id]
    while stack:
        d = stack.pop()
        if d is not None and d not in out:
            out.add(d)
            stack.extend(children.get(d, ()))
    return out


def _host_or_leader(emp_id, dept_id):
    """A member or head of the receiving department, or a company leader
    (「接待部門或公司領導」 000-三 三.3(4))."""
    emp = Employee.get_or_none(Employee.id == emp_id) if emp_id else None
    if emp is None:
        return False
    if dept_id and emp.dept_id in _dept_and_below(dept_id):
        return True
    if dept_id and Department.select().where(Department.id == dept_id,
                                             Department.head == emp.id).exists():
        return True
    return bool(emp.user_id and emp.user.has_role(*LEADERS))


# ---------------------------------------------------------------------------
# 2.H Reception (000-三)
# ---------------------------------------------------------------------------

# E-27 接待类别 (000-三 一)
RECEPTION_CATEGORIES = (("group_leader", "集团公司领导"), ("important_customer", "重要客户及政府机关人员"),
                        ("customer_unit", "客户单位"), ("technical", "技术协助与工程安装人员"),
                        ("general_visitor", "一般性人员"), ("meeting", "会务接待"))
# 000-三 三.3: 客户单位来人考察、参观及联系工作
VISIT_KINDS = (("inspection", "考察"), ("tour", "参观"), ("liaison", "联系工作"))
# 000-三 三.3(2), 三.4: who comes to the gate
GATE_VISITOR_TYPES = (("general", "一般性人员（收发邮件、修理办公用品等）"),
                      ("unannounced_unit", "未经预约的单位来人"),
                      ("appointed_unit", "已预约的单位来人"))
# E-28 就餐类别 (000-三 四); the 元/人 standards are blank in the source (decision 6)
MEAL_TYPES = (("working_meal", "工作餐"), ("outside_business", "外出业务招待"),
              ("banquet_with_leader", "宴请(公司领导参加)"), ("unit_banquet", "二级单位宴请"))
# 000-三 三.5
MEETING_TYPES = (("large_foreign", "大型涉外会议"), ("general", "一般性会议/培训"))


class ReceptionPlan(FormRecord):
    """F-68 接待方案: drafted by 行政管理部 for group leaders and by the
    counterpart department for important customers (000-三 三.1–3)."""
    category = Choice(RECEPTION_CATEGORIES, verbose_name="接待类别")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    visitor_org = Char("来访单位", max_length=200)
    visitor_contact = Char("对方联系人", max_length=100)
    # 「確認來者身份、姓名、職務、人數、時間、目的」
    identities = Char("来者身份", max_length=200)
    names = Text("来者姓名")
    positions = Char("职务", max_length=200)
    headcount = IntegerField(verbose_name="人数")
    visit_time = DateTimeField(verbose_name="来访时间")
    purpose = TextField(verbose_name="来访目的")
    level = Char("接待规格", max_length=100)
    host = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL", verbose_name="主陪人")
    materials = Text("资料、物品")
    vehicle = Char("车辆安排（向行政管理部申请）", max_length=200)
    leaders_notified = Flag("已通知公司领导和接待部门")
    ready_checked_at = When("准备工作检查时间")
    board_lodging_gifts = Text("食宿、活动、礼品")
    responsible_dept = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                       verbose_name="负责部门")

    class Register:
        label = "接待方案"
        group = "reception"
        domain_ids = ("F-68",)
        title_field = "visitor_org"
        list_columns = ("record_no", "category", "visitor_org", "headcount", "visit_time",
                        "level", "host", "responsible_dept")
        search = ("record_no", "visitor_org", "visitor_contact", "names", "purpose")
        filters = ("category", "visit_time", "responsible_dept", "host", "leaders_notified", "dept")
        dept_fields = ("dept", "responsible_dept")
        person_fields = ("filled_by", "host")
        # 行政管理部 is the window of all reception (R-RCP-01)
        all_rows_roles = LEADERS + OFFICE
        required = ("visitor_org", "visitor_contact", "identities", "names", "positions",
                    "responsible_dept")
        signatures = ("拟定人", "接待部门负责人", "行政管理部")
        permissions = {"create": RECEPTION_HOSTS, "edit": RECEPTION_HOSTS,
                       "view": RECEPTION_HOSTS + LEADERS, "delete": RECEPTION_MANAGERS,
                       "export": RECEPTION_MANAGERS + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        if self.headcount is not None and self.headcount < 1:
            errors["headcount"] = _d_("来访人数至少为1人。")
        if self.category in ("group_leader", "important_customer"):
            # 三.1(3), 三.2(3): 「確定接待規格、主陪人」
            if not self.level:
                errors["level"] = _d_("集团公司领导和重要客户的接待方案须确定接待规格（000-三 三.1(3)、三.2(3)）。")
            if not self.host_id:
                errors["host"] = _d_("集团公司领导和重要客户的接待方案须确定主陪人（000-三 三.1(3)、三.2(3)）。")
        if self.ready_checked_at and self.visit_time and self.ready_checked_at > self.visit_time:
            errors["ready_checked_at"] = _d_("准备工作应在来访之前检查到位（000-三 三.1(2)：提前检查准备工作事宜是否已到位）。")
        return errors


class VisitorRegistration(FormRecord):
    """F-70 来客登记单: the gate register of general visitors and of unit
    visitors who came without an appointment (000-三 三.3(2), 三.4)."""
    state = Choice((("registered", "已登记"), ("admitted", "已准入"), ("refused", "未准入"),
                    ("left", "已签字离开")), default="registered", index=True, verbose_name="状态")
    visitor_type = Choice(GATE_VISITOR_TYPES, default="general", verbose_name="来客类别")
    name = CharField(max_length=100, verbose_name="来客姓名")
    unit = Char("来客单位", max_length=200)
    headcount = Int("人数", default=1)
    purpose = CharField(max_length=300, verbose_name="来意")
    dept_contacted = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="联系部门")
    admitted_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="同意入内人（相关部门）")
    in_at = DateTimeField(default=now, verbose_name="入内时间")
    visitor_signed = Flag("来客已签字")
    slip_returned_to_gate = Flag("登记单已交门卫")
    out_at = When("离开时间")
    refusal_reason = Text("未准入原因")

    class Register:
        label = "来客登记单"
        group = "reception"
        domain_ids = ("F-70", "WF-12")
        title_field = "name"
        list_columns = ("record_no", "name", "unit", "visitor_type", "purpose", "dept_contacted",
                        "in_at", "out_at")
        search = ("record_no", "name", "unit", "purpose")
        filters = ("visitor_type", "in_at", "dept_contacted", "visitor_signed", "out_at")
        readonly_fields = ("visitor_signed", "slip_returned_to_gate", "out_at", "refusal_reason")
        dept_fields = ("dept", "dept_contacted")
        person_fields = ("filled_by", "admitted_by")
        # 行政管理部 is the window of all reception (R-RCP-01)
        all_rows_roles = LEADERS + OFFICE
        default_retention = "one_year"
        signatures = ("来客签字", "门卫")
        permissions = {"create": OFFICE, "edit": OFFICE, "view": RECEPTION_HOSTS + LEADERS,
                       "delete": OFFICE, "export": RECEPTION_MANAGERS + LEADERS}
        workflow = Workflow(
            states=[State("registered", "已登记"), State("admitted", "已准入"),
                    State("refused", "未准入", terminal=True),
                    State("left", "已签字离开", terminal=True)],
            transitions=[
                T("admit", "准入", "registered", "admitted", roles=OFFICE,
                  inputs=(Input("admitted_by", "同意入内人（相关部门）", "employee", field="admitted_by"),),
                  guard=lambda actor, row, inputs: VisitorRegistration.admission_problems(row),
                  effects=(fx.sign,)),
                T("refuse", "不准入内", "registered", "refused", roles=OFFICE,
                  inputs=(Input("reason", "未准入原因", "textarea", required=True, field="refusal_reason"),),
                  effects=(fx.sign,), style="danger"),
                T("leave", "签字离开", "admitted", "left", roles=OFFICE,
                  inputs=(Input("visitor_signed", "来客已在来客登记单上签字", "boolean", field="visitor_signed"),
                          Input("slip_returned", "来客登记单已交门卫", "boolean",
                                field="slip_returned_to_gate")),
                  guard=lambda actor, row, inputs: VisitorRegistration.departure_problems(row),
                  effects=(fx.stamp(at_field="out_at"), fx.sign)),
            ])

    @staticmethod
    def admission_problems(row):
        # 三.3(2): 「未經預約的單位來人,由門衛弄清來意后,通知相關部門是否讓其進公司,待同意后進行來客登記,方可入內」
        if row.visitor_type == "unannounced_unit" and not row.admitted_by_id:
            return {"admitted_by": _d_("未经预约的单位来人，须经相关部门同意后方可入内；请填写同意入内的人员（000-三 三.3(2)）。")}
        return {}

    @staticmethod
    def departure_problems(row):
        # 三.4(3): 「在"來客登記單"上簽字后,將此單交與門衛方可離公司」
        errors = {}
        if not row.visitor_signed:
            errors["visitor_signed"] = _d_("来客须在来客登记单上签字后方可离开（000-三 三.4(3)）。")
        if not row.slip_returned_to_gate:
            errors["slip_returned_to_gate"] = _d_("来客登记单须交与门卫后方可离开（000-三 三.4(3)）。")
        return errors

    def check(self, actor, is_new):
        errors = {}
        if self.headcount is not None and self.headcount < 1:
            errors["headcount"] = _d_("人数至少为1人。")
        if self.out_at and self.in_at and self.out_at < self.in_at:
            errors["out_at"] = _d_("离开时间不能早于入内时间。")
        return errors


class VisitorReceptionSlip(FormRecord):
    """F-69 来客接待单: a customer unit's visit (考察、参观、联系工作) from the
    appointment to the departure, signed by the receiving department or a
    company leader when the visitor leaves (000-三 三.3)."""
    state = Choice((("booked", "预约"), ("planned", "接待方案"), ("arrived", "已到访"),
                    ("left", "已离开"), ("cancelled", "已取消")),
                   default="booked", index=True, verbose_name="状态")
    visitor_unit = CharField(max_length=200, verbose_name="来客单位")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    names = Text("来客姓名、职务")
    headcount = Int("人数")
    visit_kind = Choice(VISIT_KINDS, default="liaison", verbose_name="来访性质")
    purpose = Text("来访目的")
    appointment = Flag("已预约", default=True)
    expected_at = When("预约来访时间")
    host_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="接待部门")
    host = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL", verbose_name="接待人")
    leader_met = Flag("须公司领导接见")
    reception_plan = ForeignKeyField(ReceptionPlan, null=True, backref="slips", on_delete="SET NULL",
                                     verbose_name="接待方案")
    gate_registration = ForeignKeyField(VisitorRegistration, null=True, backref="+",
                                        on_delete="SET NULL", verbose_name="来客登记单")
    arrived_at = When("到访时间")
    left_at = When("离开时间")
    signed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="接待部门或公司领导签字")
    cancel_reason = Text("取消原因")

    class Register:
        label = "来客接待单"
        group = "reception"
        domain_ids = ("F-69", "WF-12")
        title_field = "visitor_unit"
        list_columns = ("record_no", "visitor_unit", "visit_kind", "headcount", "host_dept",
                        "expected_at", "arrived_at", "left_at", "signed_by")
        search = ("record_no", "visitor_unit", "names", "purpose")
        filters = ("visit_kind", "host_dept", "appointment", "leader_met", "expected_at",
                   "arrived_at", "customer")
        readonly_fields = ("left_at", "signed_by", "cancel_reason")
        dept_fields = ("dept", "host_dept")
        person_fields = ("filled_by", "host", "signed_by")
        # 行政管理部 is the window of all reception (R-RCP-01)
        all_rows_roles = LEADERS + OFFICE
        required = ("names", "headcount", "purpose")
        signatures = ("接待人", "接待部门或公司领导签字")
        permissions = {"create": RECEPTION_HOSTS, "edit": RECEPTION_HOSTS,
                       "view": RECEPTION_HOSTS + LEADERS, "delete": RECEPTION_MANAGERS,
                       "export": RECEPTION_MANAGERS + LEADERS}
        workflow = Workflow(
            states=[State("booked", "预约"), State("planned", "接待方案"), State("arrived", "已到访"),
                    State("left", "已离开", terminal=True), State("cancelled", "已取消", terminal=True)],
            transitions=[
                T("plan", "拟定接待方案", "booked", "planned", roles=RECEPTION_HOSTS,
                  guard=lambda actor, row, inputs: {} if row.reception_plan_id else {
                      "reception_plan": _d_("请先在「接待方案」一栏选择已拟定的接待方案（000-三 三.3(3)）。")},
                  effects=(fx.sign,)),
                T("arrive", "来客到访", ("booked", "planned"), "arrived", roles=RECEPTION_HOSTS,
                  guard=lambda actor, row, inputs: VisitorReceptionSlip.arrival_problems(row),
                  effects=(fx.set_fields(arrived_at=lambda a, row, i: row.arrived_at or now()), fx.sign)),
                T("depart", "离开签字", "arrived", "left", roles=RECEPTION_HOSTS + LEADERS,
                  inputs=(Input("signed_by", "接待部门或公司领导签字", "employee", field="signed_by"),),
                  guard=lambda actor, row, inputs: VisitorReceptionSlip.departure_problems(actor, row),
                  effects=(fx.set_fields(signed_by=lambda a, row, i: row.signed_by or a.employee),
                           fx.stamp(at_field="left_at"), fx.sign)),
                T("cancel", "取消预约", ("booked", "planned"), "cancelled", roles=RECEPTION_HOSTS,
                  inputs=(Input("reason", "取消原因", "textarea", required=True, field="cancel_reason"),),
                  effects=(fx.sign,), style="secondary"),
            ])

    @staticmethod
    def arrival_problems(row):
        errors = {}
        # 三.3(2): unannounced unit visitors are registered at the gate after the department agrees
        if not row.appointment:
            reg = VisitorRegistration.get_or_none(VisitorRegistration.id == row.gate_registration_id) \
                if row.gate_registration_id else None
            if reg is None or reg.state not in ("admitted", "left"):
                errors["gate_registration"] = _d_("未经预约的来客须先在门卫处登记并经相关部门同意准入（000-三 三.3(2)）。")
        # 三.3(3): a meeting with the leaders needs a reception plan
        if row.leader_met and not row.reception_plan_id:
            errors["reception_plan"] = _d_("须公司领导接见的来客，应先通知行政管理部安排接待方案（000-三 三.3(3)）。")
        return errors

    @staticmethod
    def departure_problems(actor, row):
        # 三.3(4): 「客戶離開時,接待部門或公司領導須在"來客接待單"上簽字」
        if row.signed_by_id is None and not _host_or_leader(actor.employee_id, row.host_dept_id):
            return {"signed_by": _d_("客户离开时，接待部门或公司领导须在来客接待单上签字（000-三 三.3(4)）。")}
        return {}

    def check(self, actor, is_new):
        errors = {}
        if self.headcount is not None and self.headcount < 1:
            errors["headcount"] = _d_("人数至少为1人。")
        if self.signed_by_id and not _host_or_leader(self.signed_by_id, self.host_dept_id):
            errors["signed_by"] = _d_("来客接待单须由接待部门人员或公司领导签字（000-三 三.3(4)）。")
        if self.left_at and self.arrived_at and self.left_at < self.arrived_at:
            errors["left_at"] = _d_("离开时间不能早于到访时间。")
        return errors


class HospitalityRequest(ApprovalRecord):
    """F-71 业务招待 / 就餐申请 (000-三 四): no meals for non-business relations;
    outside entertainment approved by the supervising leader, banquets with
    company leaders signed by the main leader."""
    type = Choice(MEAL_TYPES, verbose_name="就餐类别")
    guest_unit = Char("来客单位", max_length=200)
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    purpose = TextField(verbose_name="招待事由")
    meal_on = DateField(default=today, verbose_name="就餐日期")
    guests = IntegerField(verbose_name="来客人数")
    companions = IntegerField(verbose_name="陪客人数")
    drivers = Int("司机人数（不计入陪客）", default=0)
    leader_present = Flag("公司领导参加")
    # 「就餐 元/人」 is blank in the source: the standard is entered on the form.
    standard_per_head = Money("就餐标准（元/人）")
    estimated_amount = Money("预计金额")
    business_related = Flag("业务工作关系")
    place = Char("就餐地点", max_length=200)

    class Register:
        label = "业务招待就餐申请"
        group = "reception"
        domain_ids = ("F-71", "R-RCP-08")
        title_field = "guest_unit"
        list_columns = ("record_no", "type", "guest_unit", "meal_on", "guests", "companions",
                        "standard_per_head", "filled_by", "current_approver")
        search = ("record_no", "guest_unit", "purpose", "place")
        filters = ("type", "meal_on", "leader_present", "filled_by", "dept")
        readonly_fields = APPROVAL_READONLY + ("estimated_amount",)
        required = ("guest_unit", "standard_per_head")
        person_fields = ("filled_by", "current_approver", "approved_by")
        signatures = ("招待部门经办人", "主管领导 / 公司主要领导签字")
        workflow = approval_flow(
            [Step("主管领导审批", "superior",
                  when=lambda row: row.type in ("working_meal", "outside_business", "unit_banquet")),
             Step("公司主要领导签字审批", "general_manager",
                  when=lambda row: row.type == "banquet_with_leader")],
            creators=RECEPTION_HOSTS, execute_label="已就餐")
        permissions = {"create": RECEPTION_HOSTS, "edit": RECEPTION_HOSTS,
                       "view": RECEPTION_HOSTS + LEADERS + ("finance",), "delete": RECEPTION_MANAGERS,
                       "export": RECEPTION_MANAGERS + LEADERS + ("finance",)}

    def derive(self, actor):
        super().derive(actor)
        if self.type == "banquet_with_leader":
            self.leader_present = True
        if self.standard_per_head is not None and self.guests is not None:
            heads = (self.guests or 0) + (self.companions or 0) + (self.drivers or 0)
            self.estimated_amount = self.standard_per_head * heads
        else:
            self.estimated_amount = None

    def check(self, actor, is_new):
        errors = {}
        # 四: 「非業務工作關係的一律不予安排就餐」
        if not self.business_related:
            errors["business_related"] = _d_("非业务工作关系的一律不予安排就餐（000-三 四）。")
        if self.guests is not None and self.guests < 1:
            errors["guests"] = _d_("来客人数至少为1人。")
        for name in ("companions", "drivers"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = _d_("人数不能为负数。")
        # 四.3(4): 「來客人數在10人以內陪客不得超過4人(司機除外)」
        guest_limit = setting("hospitality_guest_limit", 10)
        companion_limit = setting("hospitality_companion_limit", 4)
        if (self.guests is not None and self.companions is not None
                and self.guests <= guest_limit and self.companions > companion_limit):
            errors["companions"] = _d_(
                "来客人数在%(guests)s人以内，陪客不得超过%(companions)s人（司机除外）（000-三 四.3(4)）。",
                guests=guest_limit, companions=companion_limit)
        if self.standard_per_head is not None:
            if self.standard_per_head < 0:
                errors["standard_per_head"] = _d_("就餐标准不能为负数。")
            else:
                # The 元/人 figures are blank in the source: checked only once configured.
                limit = setting(f"meal_standard_{self.type}") if self.type else None
                if limit is not None and self.standard_per_head > limit:
                    errors["standard_per_head"] = _d_(
                        "就餐标准超过公司规定的%(limit)s元/人（000-三 四.3）。", limit=limit)
        return errors


class MeetingExpenseRequest(ApprovalRecord):
    """F-72 会务费用申请 / 费用计划 (000-三 三.5): any meeting cost is applied
    for in advance and approved by the general manager."""
    meeting_type = Choice(MEETING_TYPES, verbose_name="会议类别")
    meeting_title = CharField(max_length=200, verbose_name="会议名称")
    meeting_date = DateField(verbose_name="会议日期")
    participants = IntegerField(verbose_name="参加人数")
    organiser = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="组织单位")
    expense_plan = Money("费用计划（元）")
    programme = Text("会务方案")
    prepared_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="费用计划拟订人（办公室）")

    class Register:
        label = "会务费用申请"
        group = "reception"
        domain_ids = ("F-72", "R-RCP-07")
        title_field = "meeting_title"
        list_columns = ("record_no", "meeting_type", "meeting_title", "meeting_date", "participants",
                        "organiser", "expense_plan", "approved_by")
        search = ("record_no", "meeting_title", "programme")
        filters = ("meeting_type", "meeting_date", "organiser", "filled_by")
        readonly_fields = APPROVAL_READONLY
        required = ("organiser",)
        dept_fields = ("dept", "organiser")
        person_fields = ("filled_by", "prepared_by", "approved_by")
        signatures = ("申请单位", "办公室", "总经理批准")
        workflow = approval_flow([Step("总经理批准", "general_manager")],
                                 creators=OFFICE + SALES + ("after_sales", "quality_dept", "hr"),
                                 execute_label="会议已召开")
        permissions = {"create": OFFICE + SALES + ("after_sales", "quality_dept", "hr"),
                       "edit": OFFICE + SALES + ("after_sales", "quality_dept", "hr"),
                       "view": OFFICE + SALES + ("after_sales", "quality_dept", "hr", "finance") + LEADERS,
                       "delete": RECEPTION_MANAGERS, "export": RECEPTION_MANAGERS + LEADERS + ("finance",)}

    def check(self, actor, is_new):
        errors = {}
        if self.participants is not None and self.participants < 1:
            errors["participants"] = _d_("参加人数至少为1人。")
        small = setting("meeting_small_limit", 30)
        if self.meeting_type == "general" and self.participants is not None and self.participants >= small:
            errors["participants"] = _d_(
                "一般性会议、培训指参加人数不足%(n)s人的会议；%(n)s人及以上的会议由办公室拟订费用计划和方案（000-三 三.5）。",
                n=small)
        # 三.5(2): 「如發生費用,事前必須申請,公司總經理批準后實施」
        if self.expense_plan is None or self.expense_plan <= 0:
            errors["expense_plan"] = _d_("会务发生费用的，须事前填写费用计划并报总经理批准（000-三 三.5）。")
        if self.state in ("draft", "rejected") and self.meeting_date and self.filled_at \
                and self.meeting_date < self.filled_at:
            errors["meeting_date"] = _d_("会务费用须在会议召开之前申请（000-三 三.5(2)：事前必须申请）。")
        if self.meeting_type == "large_foreign":
            # 三.5(1): 「由辦公室擬訂費用計劃并制定詳細的方案」
            if not self.prepared_by_id:
                errors["prepared_by"] = _d_("大型涉外会议由办公室拟订费用计划，请填写拟订人（000-三 三.5(1)）。")
            if not self.programme:
                errors["programme"] = _d_("大型涉外会议须制定详细的会务方案（000-三 三.5(1)）。")
        return errors


def _meeting_not_past(actor, row, inputs):
    if row.meeting_date and row.meeting_date < today():
        return {"meeting_date": _d_("会议已经召开，会务费用须事前申请并经总经理批准后实施（000-三 三.5(2)）。")}
    return {}


MeetingExpenseRequest.Register.workflow.transitions["submit"].guard = _meeting_not_past


# ---------------------------------------------------------------------------
# 2.I Customer proposals (001-提案)
# ---------------------------------------------------------------------------

# E-22 提案内容 (001-提案 第三条)
PROPOSAL_CATEGORIES = (("standardization", "与提高产品的标准化程度有关的建议"),
                       ("logistics_channels", "降低物流成本,改善销售渠道与方式的建议"),
                       ("new_materials", "提供新材料,新零部件方面的信息"),
                       ("after_sales", "有关改善售后服务等方面的建议"),
                       ("other", "其它"))
# E-23 提案结果 (001-提案 第五条.4)
PROPOSAL_RESULTS = (("adopted", "采纳"), ("not_adopted", "不采纳"))
# WF-09
PROPOSAL_STATES = (("submitted", "已提交"), ("received", "已受理"), ("analysing", "研究分析中"),
                   ("resulted", "已出结果"), ("notified", "已通知客户"), ("implementing", "实施中"),
                   ("benefit", "成果享有期"), ("ended", "已结束"))
# Users of the relevant departments who analyse a proposal
PROPOSAL_ANALYSTS = SALES + QUALITY + SERVICE


def _proposal_receive_problems(actor, row, inputs):
    if not row.assigned_dept_id:
        return {"assigned_dept": _d_("受理后须转交相关部门研究分析，请指定相关部门（001-提案 第五条.2）。")}
    return {}


def _proposal_schedule_problems(actor, row, inputs):
    expected = inputs.get("expected_on")
    due = _as_date(row.analysis_due)
    if expected and due and expected <= due:
        return {"expected_on": _d_("日程安排的完成日期应晚于原定分析期限 %(due)s。", due=due.isoformat())}
    return {}


def _proposal_result_problems(actor, row, inputs):
    # 第五条.3: 「研究分析時間原則上不超過一個月,否則,應報告具體日程安排」
    if row.analysis_due and now() > row.analysis_due and not row.schedule_report:
        return {"schedule_report": _d_(
            "研究分析已超过期限（%(due)s），应先报告具体日程安排（001-提案 第五条.3）。",
            due=row.analysis_due.strftime("%Y-%m-%d"))}
    return {}


def _proposal_notify_problems(actor, row, inputs):
    errors = {}
    if row.adopted == "adopted":
        # 第五条.4: 「採納與否，實施時間及改進措施」
        if not row.implementation_time:
            errors["implementation_time"] = _d_("采纳的提案须告知客户实施时间（001-提案 第五条.4）。")
        if not row.improvement_measures:
            errors["improvement_measures"] = _d_("采纳的提案须告知客户改进措施（001-提案 第五条.4）。")
    return errors


def _proposal_adoption(actor, row, inputs):
    """Adoption day and the one-year benefit period (SLA proposal_benefit_period)."""
    from portal.calendar import rule_deadline
    if row.adopted == "adopted":
        row.adopted_on = today()
        row.benefit_until = _as_date(rule_deadline("proposal_benefit_period", row.adopted_on))


def _proposal_close_problems(actor, row, inputs):
    if row.state == "notified" and row.adopted == "adopted":
        return {"__all__": _d_("已采纳的提案须实施并经过成果享有期后方可结束（001-提案 第六条）。")}
    if row.state == "benefit" and row.benefit_until and today() < row.benefit_until:
        return {"__all__": _d_("成果享有期至 %(until)s 止，期满后方可结束（001-提案 第六条）。",
                               until=row.benefit_until.isoformat())}
    return {}


class CustomerProposal(FormRecord):
    """F-73 提案表 (统一表格): a customer's proposal, received by 市场营销部,
    analysed by the relevant department within one month, answered and, if
    adopted, shared 40/60 for one year (001-提案 第五、六条)."""
    state = Choice(PROPOSAL_STATES, default="submitted", index=True, verbose_name="状态")
    customer = ForeignKeyField(Customer, backref="proposals", on_delete="RESTRICT", verbose_name="提案客户")
    proposer = Char("提案人", max_length=100)
    submitted_at = DateField(default=today, verbose_name="提案日期")
    category = Choice(PROPOSAL_CATEGORIES, verbose_name="提案内容类别")
    title = Char("提案题目", max_length=200)
    content = TextField(verbose_name="提案内容")
    received_at = When("受理时间")
    received_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="受理人")
    assigned_dept = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                    verbose_name="相关部门")
    analysis_due = When("研究分析期限")
    schedule_report = Text("具体日程安排")
    scheduled_result_on = Date("日程安排完成日期")
    research_result = Text("研究结果")
    result_at = When("出结果时间")
    adopted = Choice(PROPOSAL_RESULTS, null=True, verbose_name="采纳与否")
    implementation_time = Date("实施时间")
    improvement_measures = Text("改进措施")
    customer_notified_at = When("通知客户时间")
    company_owned = Flag("本企业所有（本企业开发的成果）")
    adopted_on = Date("采纳日期")
    benefit_until = Date("成果享有期至")
    share_company = Money("本企业分享比例(%)", default=40)
    share_customer = Money("客户分享比例(%)", default=60)
    cost_reduction = Money("成本降低额（元）")
    commended = Char("表彰奖励", max_length=200)

    class Register:
        label = "客户提案表"
        group = "service"
        domain_ids = ("F-73", "WF-09")
        title_field = "title"
        list_columns = ("record_no", "customer", "category", "title", "submitted_at",
                        "assigned_dept", "analysis_due", "adopted", "benefit_until")
        search = ("record_no", "title", "content", "proposer", "research_result")
        filters = ("category", "customer", "assigned_dept", "submitted_at", "analysis_due",
                   "adopted", "benefit_until")
        readonly_fields = ("received_at", "received_by", "analysis_due", "schedule_report",
                           "scheduled_result_on", "research_result", "result_at", "adopted",
                           "customer_notified_at", "adopted_on", "benefit_until")
        dept_fields = ("dept", "assigned_dept")
        person_fields = ("filled_by", "received_by")
        signatures = ("受理人", "相关部门负责人", "市场营销部")
        permissions = {"create": SALES, "edit": SALES, "view": PROPOSAL_ANALYSTS + LEADERS}
        workflow = Workflow(
            states=[State(code, label, terminal=code == "ended") for code, label in PROPOSAL_STATES],
            due_field="analysis_due",
            transitions=[
                T("receive", "受理", "submitted", "received", roles=SALES,
                  inputs=(Input("assigned_dept", "相关部门", "department", field="assigned_dept"),),
                  guard=_proposal_receive_problems,
                  effects=(fx.stamp("received_by", "received_at"),
                           fx.deadline("analysis_due", "proposal_analysis", "received_at"), fx.sign)),
                T("start_analysis", "开始研究分析", "received", "analysing", roles=PROPOSAL_ANALYSTS),
                T("report_schedule", "报告日程安排", "analysing", "analysing", roles=PROPOSAL_ANALYSTS,
                  inputs=(Input("schedule_report", "具体日程安排", "textarea", required=True,
                                field="schedule_report"),
                          Input("expected_on", "预计完成日期", "date", required=True,
                                field="scheduled_result_on")),
                  guard=_proposal_schedule_problems),
                T("publish_result", "提交研究结果", "analysing", "resulted", roles=PROPOSAL_ANALYSTS,
                  inputs=(Input("research_result", "研究结果", "textarea", required=True,
                                field="research_result"),),
                  guard=_proposal_result_problems, effects=(fx.stamp(at_field="result_at"),)),
                T("notify", "通知客户", "resulted", "notified", roles=SALES,
                  inputs=(Input("adopted", "采纳与否", "choice", required=True, choices=PROPOSAL_RESULTS,
                                field="adopted"),
                          Input("implementation_time", "实施时间", "date", field="implementation_time"),
                          Input("improvement_measures", "改进措施", "textarea",
                                field="improvement_measures")),
                  guard=_proposal_notify_problems,
                  effects=(fx.stamp(at_field="customer_notified_at"), _proposal_adoption)),
                T("implement", "开始实施", "notified", "implementing", roles=SALES,
                  guard=lambda actor, row, inputs: {} if row.adopted == "adopted" else {
                      "adopted": _d_("不采纳的提案不实施。")}),
                T("start_benefit", "进入成果享有期", "implementing", "benefit", roles=SALES),
                T("close", "结束", ("notified", "benefit"), "ended", roles=SALES,
                  guard=_proposal_close_problems),
            ])

    def derive(self, actor):
        super().derive(actor)
        if not self.title and self.content:
            self.title = self.content.strip().splitlines()[0][:40]

    def check(self, actor, is_new):
        errors = {}
        for name in ("share_company", "share_customer"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                errors[name] = _d_("分享比例应在0到100之间。")
        if (self.share_company is not None and self.share_customer is not None
                and self.share_company + self.share_customer != 100 and not errors):
            errors["share_customer"] = _d_("本企业与客户的成果分享比例合计应为100%（001-提案 第六条：本企业40%、客户60%）。")
        if self.cost_reduction is not None and self.cost_reduction < 0:
            errors["cost_reduction"] = _d_("成本降低额不能为负数。")
        if self.submitted_at and self.submitted_at > today():
            errors["submitted_at"] = _d_("提案日期不能晚于今天。")
        return errors


class ProposalPlan(FormRecord):
    """F-74 提案目标和提案收集计划: every half year 市场营销部 sets proposal
    targets and a collection plan and tells the customers (001-提案 第四条)."""
    half_year = CharField(max_length=20, verbose_name="半年度", help_text="如：2026年上半年")
    targets = Text("提案目标")
    collection_plan = Text("提案收集计划")
    target_count = Int("目标提案件数")
    customers_notified_at = Date("通知客户日期")
    next_plan_due = Date("下期计划期限")

    class Register:
        label = "提案目标和提案收集计划"
        group = "service"
        domain_ids = ("F-74", "R-PRP-01")
        row_scope = "all"          # the half-year plan is announced company-wide and to customers
        title_field = "half_year"
        list_columns = ("record_no", "half_year", "target_count", "customers_notified_at",
                        "next_plan_due", "filled_by")
        search = ("record_no", "half_year", "targets", "collection_plan")
        filters = ("customers_notified_at", "next_plan_due", "filled_by")
        readonly_fields = ("next_plan_due",)
        required = ("targets", "collection_plan")
        signatures = ("编制人", "市场营销部负责人")
        permissions = {"create": SALES, "edit": SALES, "view": SALES + LEADERS}

    def _period_start(self):
        import re
        m = re.fullmatch(r"(\d{4})年(上|下)半年", (self.half_year or "").strip())
        if not m:
            return None
        from datetime import date
        return date(int(m.group(1)), 1 if m.group(2) == "上" else 7, 1)

    def derive(self, actor):
        super().derive(actor)
        from portal.calendar import rule_deadline
        start = self._period_start()
        self.next_plan_due = _as_date(rule_deadline("proposal_plan", start)) if start else None

    def check(self, actor, is_new):
        errors = {}
        start = self._period_start()
        if start is None:
            errors["half_year"] = _d_("半年度应写作「2026年上半年」或「2026年下半年」的格式。")
        if self.target_count is not None and self.target_count < 0:
            errors["target_count"] = _d_("目标提案件数不能为负数。")
        return errors


# ---------------------------------------------------------------------------
# 2.J Records control and archives (F-77..F-80, F-82, F-83)
# ---------------------------------------------------------------------------

# F-77 kinds
TRANSFER_KINDS = (("annual_binding", "年度装订移交"), ("monthly_filing", "月度归档"),
                  ("travel_handover", "差旅报销前交接"), ("departure_handover", "离职/调岗交接"))
# E-42 档案载体 (002 篇十二)
ARCHIVE_MEDIA = (("document", "文书档案"), ("audiovisual", "声像档案"), ("electronic", "电子档案"))
# E-43 归档范围 (002 篇十二 第五–十五条; the list is cut off in the source)
ARCHIVE_SCOPES = (
    ("meeting_papers", "重要会议资料"), ("personnel", "人事档案"), ("drawings", "工程图纸"),
    ("technical", "技术资料"), ("fixed_assets", "固定资产清单"), ("superior_documents", "上级机关来文"),
    ("outgoing_documents", "对外正式发文与来往文书"), ("requests_replies", "请示与批复"),
    ("work_reports", "工作报告、总结"),
    ("internal_records", "内部工作计划、总结、报告、请示、批复、统计报表、重要工作记录(表单)及工作简报"),
    ("visits_petitions", "来人来访及信访工作资料"), ("contracts", "合同、协议书"),
    ("appointments_rewards", "管理人员任免、员工奖励、处分"),
    ("regulations", "规章制度、实施细则、程序文件"),
    ("history_media", "历史沿革、大事记、简报、照片、录音、录像"),
    ("confidentiality", "保密制度中…（原文残缺）"),
)
ARCHIVE_TRANSFER_STATES = (("draft", "草稿"), ("handed", "已移交"), ("received", "已签收"))


def _transfer_hand_over_problems(actor, row, inputs):
    if not ArchiveTransferItem.select().where(ArchiveTransferItem.transfer == row.id).exists():
        return {"items": _d_("移交清单至少应有一项（记录名称、编号、说明）。")}
    return {}


class ArchiveTransfer(FormRecord):
    """F-77 归档移交 / 交接签收: yearly binding to 办公室 (000-四 452), monthly
    filing with the office archivist before the 10th, documents from trips
    handed to the department archivist before reimbursement (002 篇十二)."""
    state = Choice(ARCHIVE_TRANSFER_STATES, default="draft", index=True, verbose_name="状态")
    kind = Choice(TRANSFER_KINDS, verbose_name="移交类别")
    from_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="移交部门")
    from_person = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="移交人")
    to_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="接收部门")
    to_person = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="接收人")
    period = Char("所属期间", max_length=40, help_text="年度如「2025」，月度如「2026-10」")
    due_on = Date("归档期限")
    handed_at = When("移交时间")
    received_signature = Char("签收（接收人签名）", max_length=100)
    received_at = When("签收时间")
    reimbursement_claim_ref = Char("差旅报销单号", max_length=60)
    return_reason = Text("退回原因")

    class Register:
        label = "归档移交单"
        group = "archives"
        domain_ids = ("F-77", "R-REC-06", "R-ARC-14")
        list_columns = ("record_no", "kind", "period", "from_dept", "from_person", "to_person",
                        "handed_at", "received_at", "due_on")
        search = ("record_no", "period", "received_signature", "reimbursement_claim_ref")
        filters = ("kind", "from_dept", "to_dept", "to_person", "handed_at", "received_at", "due_on")
        readonly_fields = ("due_on", "handed_at", "received_signature", "received_at", "return_reason")
        dept_fields = ("dept", "from_dept", "to_dept")
        person_fields = ("filled_by", "from_person", "to_person")
        default_retention = "long_term"
        inlines = ("ArchiveTransferItem",)
        signatures = ("移交人", "接收人签收")
        permissions = {"create": ARCHIVES, "edit": ARCHIVES, "view": ARCHIVES + LEADERS + ("finance",)}
        workflow = Workflow(
            states=[State("draft", "草稿", draft=True), State("handed", "已移交"),
                    State("received", "已签收", terminal=True)],
            due_field="due_on",
            transitions=[
                T("hand_over", "移交", "draft", "handed", roles=ARCHIVES,
                  guard=_transfer_hand_over_problems,
                  effects=(fx.stamp(at_field="handed_at"), fx.sign)),
                T("receive", "签收", "handed", "received", roles=ARCHIVES + LEADERS,
                  relations=(rel.named("to_person", _d_("只有接收人本人才能签收。")),),
                  inputs=(Input("received_signature", "签收（接收人签名）", "text", required=True,
                                field="received_signature", max_length=100),),
                  effects=(fx.stamp(at_field="received_at"),)),
                T("send_back", "退回补正", "handed", "draft", roles=ARCHIVES + LEADERS,
                  relations=(rel.named("to_person", _d_("只有接收人本人才能退回。")),),
                  inputs=(Input("reason", "退回原因", "textarea", required=True, field="return_reason"),),
                  style="danger"),
            ])

    def derive(self, actor):
        super().derive(actor)
        # 002 篇十二 第一节 第四条(二): monthly filing before the 10th of the next month
        self.due_on = None
        if self.kind == "monthly_filing" and self.period:
            import re
            m = re.fullmatch(r"(\d{4})-(\d{1,2})", self.period.strip())
            if m and 1 <= int(m.group(2)) <= 12:
                from datetime import date
                from portal.calendar import rule_deadline
                self.due_on = _as_date(rule_deadline("archive_monthly", date(int(m.group(1)),
                                                                             int(m.group(2)), 1)))

    def check(self, actor, is_new):
        errors = {}
        if self.kind == "monthly_filing":
            import re
            if not self.period or not re.fullmatch(r"\d{4}-(0?[1-9]|1[0-2])", self.period.strip()):
                errors["period"] = _d_("月度归档须填写所属月份，格式如「2026-10」。")
        if self.kind == "annual_binding":
            import re
            if not self.period or not re.fullmatch(r"\d{4}", self.period.strip()):
                errors["period"] = _d_("年度装订移交须填写所属年度，格式如「2025」（000-四 452）。")
        if self.kind == "travel_handover" and not self.reimbursement_claim_ref:
            # 002 篇十二 第一节 第三条: the archivist's signature unlocks reimbursement
            errors["reimbursement_claim_ref"] = _d_("差旅报销前交接须填写对应的差旅报销单号（002 篇十二 第一节 第三条）。")
        if self.from_person_id and self.to_person_id and self.from_person_id == self.to_person_id:
            errors["to_person"] = _d_("接收人不能是移交人本人。")
        if self.from_person_id and self.from_dept_id:
            person = Employee.get_or_none(Employee.id == self.from_person_id)
            if person is not None and person.dept_id not in _dept_and_below(self.from_dept_id):
                errors["from_person"] = _d_("移交人应为移交部门的人员。")
        return errors


class ArchiveTransferItem(LineItem):
    """移交清单：每行一项记录或档案。"""
    transfer = ForeignKeyField(ArchiveTransfer, backref="items", on_delete="CASCADE",
                               verbose_name="归档移交单")
    register_name = CharField(max_length=200, verbose_name="记录/档案名称")
    record_number = Char("记录编号", max_length=100)
    quantity = Int("数量（份/卷）")
    description = Char("内容说明", max_length=300)


class RecordInspection(FormRecord):
    """F-78 客户服务体系记录检查: the sales department checks the use and
    management of the customer-service records every six months (000-四 454)."""
    inspected_at = DateField(default=today, verbose_name="检查日期")
    inspector = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="检查人")
    inspected_dept = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="受检部门")
    scope = Text("检查范围")
    findings = Text("检查发现")
    actions = Text("整改措施")
    next_due = Date("下次检查期限")

    class Register:
        label = "客户服务体系记录检查"
        group = "archives"
        domain_ids = ("F-78", "R-REC-08")
        list_columns = ("record_no", "inspected_at", "inspector", "inspected_dept", "next_due")
        search = ("record_no", "scope", "findings", "actions")
        filters = ("inspected_at", "inspector", "inspected_dept", "next_due")
        readonly_fields = ("next_due",)
        dept_fields = ("dept", "inspected_dept")
        person_fields = ("filled_by", "inspector")
        required = ("scope", "findings")
        signatures = ("检查人", "销售部门负责人")
        permissions = {"create": ("sales_clerk", "archivist") + SALES_MANAGERS,
                       "edit": ("sales_clerk", "archivist") + SALES_MANAGERS,
                       "view": ARCHIVES + SALES_MANAGERS + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        from portal.calendar import rule_deadline
        self.next_due = _as_date(rule_deadline("records_inspection", self.inspected_at)) \
            if self.inspected_at else None

    def check(self, actor, is_new):
        if self.inspected_at and self.inspected_at > today():
            return {"inspected_at": _d_("检查日期不能晚于今天。")}
        return {}


class ArchiveFile(FormRecord):
    """F-79 文书档案 / 声像档案: files by year, kept by the archivist named as
    custodian (002 篇十二)."""
    year = IntegerField(verbose_name="立卷年度")
    volume_no = Char("卷号", max_length=40)
    category = Choice(ARCHIVE_SCOPES, verbose_name="归档范围")
    title = CharField(max_length=300, verbose_name="案卷题名")
    medium = Choice(ARCHIVE_MEDIA, default="document", verbose_name="档案载体")
    origin_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT",
                                  verbose_name="主办部门/会议召集部门")
    location = Char("存放位置", max_length=200)
    pages = Int("页数/件数")
    electronic_backup_at = Date("电子档案备份日期")
    index_terms = Char("编目/标引", max_length=300)

    class Register:
        label = "文书声像档案"
        group = "archives"
        domain_ids = ("F-79", "R-ARC-11", "R-ARC-14")
        archive = True
        row_scope = "archive"
        default_confidentiality = "internal"
        default_retention = "yearly_volume"
        dept_fields = ("dept", "origin_dept")
        list_columns = ("record_no", "year", "volume_no", "category", "title", "medium",
                        "origin_dept", "custodian", "confidentiality")
        search = ("record_no", "title", "volume_no", "index_terms", "location")
        filters = ("year", "category", "medium", "origin_dept", "custodian", "confidentiality",
                   "electronic_backup_at")
        person_fields = ("custodian", "filled_by")
        signatures = ("立卷人", "档案员")
        permissions = {"create": ARCHIVES, "edit": ARCHIVES, "view": STAFF,
                       "delete": ("archivist", "admin_dept"), "export": ARCHIVES + LEADERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"custodian": emp, "year": today().year} if emp is not None else {"year": today().year}

    def check(self, actor, is_new):
        errors = {}
        if not self.custodian_id:
            errors["custodian"] = _d_("档案须指定保管人（档案员）；离职或调岗时据此交接（002 篇十二 第三条）。")
        if self.year is not None and not 1949 <= self.year <= today().year:
            errors["year"] = _d_("立卷年度应在1949年至今年之间。")
        if self.medium == "electronic" and not self.electronic_backup_at:
            # 第四条: 「對電子檔案要定期進行備份」
            errors["electronic_backup_at"] = _d_("电子档案须定期备份，请填写最近一次备份日期（002 篇十二 第四条）。")
        if self.electronic_backup_at and self.electronic_backup_at > today():
            errors["electronic_backup_at"] = _d_("备份日期不能晚于今天。")
        if self.pages is not None and self.pages < 0:
            errors["pages"] = _d_("页数/件数不能为负数。")
        return errors


class ArchivistRoster(FormRecord):
    """F-80 部门档案专人名单: each department head names the person who
    collects the department's records; the list is filed with the archive
    office and changes are notified (002 篇十二 第三条)."""
    person = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="档案专人")
    filed_at = Date("报档案室备案日期")
    previous_person = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                      verbose_name="原档案专人")
    changed_at = Date("变更日期")
    archive_office_notified = Flag("变更已通知档案室")

    class Register:
        label = "部门档案专人名单"
        group = "archives"
        domain_ids = ("F-80", "R-HND-03")
        row_scope = "all"
        list_columns = ("record_no", "dept", "person", "filed_at", "previous_person", "changed_at",
                        "archive_office_notified")
        search = ("record_no",)
        filters = ("dept", "person", "filed_at", "changed_at", "archive_office_notified")
        person_fields = ("person", "previous_person", "filled_by")
        signatures = ("部门负责人", "总经理办公室档案室")
        permissions = {"create": ARCHIVES + SALES_MANAGERS, "edit": ARCHIVES + SALES_MANAGERS,
                       "view": STAFF, "delete": ("archivist", "admin_dept")}

    def check(self, actor, is_new):
        errors = {}
        if self.person_id and self.dept_id:
            person = Employee.get_or_none(Employee.id == self.person_id)
            if person is not None and person.dept_id not in _dept_and_below(self.dept_id):
                errors["person"] = _d_("档案专人应为本部门人员（002 篇十二 第三条）。")
        if self.changed_at and not self.previous_person_id:
            errors["previous_person"] = _d_("档案专人变更时须填写原档案专人。")
        if self.previous_person_id and self.previous_person_id == self.person_id:
            errors["previous_person"] = _d_("原档案专人与现档案专人相同，不是变更。")
        if self.previous_person_id and not self.changed_at:
            errors["changed_at"] = _d_("档案专人变更须填写变更日期，并通知档案室（002 篇十二 第三条）。")
        return errors


class PolicyDocument(ApprovalRecord):
    """F-83 制度 / 程序文件: a controlled regulation, effective after the
    general manager's approval, amendments likewise (R-APR-01)."""
    title = CharField(max_length=200, verbose_name="文件名称")
    doc_no = Char("文件编号", max_length=60)
    doc_version = Char("版本号/版次", max_length=20, help_text="如 A/0")
    issuer = Char("发文单位", max_length=200)
    owner_dept = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="所属部门")
    prepared_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="作成/编制")
    reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="审查")
    working_group = Char("推行小组", max_length=200)
    effective_on = Date("实施日期")
    interpreter = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="解释部门")
    file = Char("文件（编号/存放位置）", max_length=300)
    referenced_only = Flag("仅被引用（原文未提供）")
    source = Char("出处", max_length=200)

    class Register:
        label = "制度/程序文件"
        group = "archives"
        domain_ids = ("F-83", "R-APR-01", "R-REC-02")
        list_columns = ("record_no", "title", "doc_no", "doc_version", "owner_dept", "effective_on",
                        "approved_by", "referenced_only")
        search = ("record_no", "title", "doc_no", "issuer", "source")
        filters = ("owner_dept", "effective_on", "interpreter", "referenced_only", "filled_by")
        readonly_fields = APPROVAL_READONLY
        dept_fields = ("dept", "owner_dept")
        person_fields = ("filled_by", "prepared_by", "reviewed_by", "approved_by")
        default_retention = "long_term"
        signatures = ("作成", "审查", "批准")
        workflow = approval_flow([Step("总经理批准", "general_manager")],
                                 creators=ARCHIVES + SALES_MANAGERS + QUALITY,
                                 execute_label="发布实施")
        permissions = {"create": ARCHIVES + SALES_MANAGERS + QUALITY,
                       "edit": ARCHIVES + SALES_MANAGERS + QUALITY,
                       "view": STAFF, "delete": ("admin_dept", "archivist")}
        row_scope = "all"

    def check(self, actor, is_new):
        errors = {}
        if self.effective_on and self.state in ("draft", "pending", "rejected") \
                and self.effective_on < self.filled_at:
            errors["effective_on"] = _d_("实施日期不能早于编制日期；制度经总经理批准后方可实施（R-APR-01）。")
        return errors


def _policy_publish(actor, row, inputs):
    if row.effective_on is None:
        row.effective_on = today()


PolicyDocument.Register.workflow.transitions["execute"].effects += (_policy_publish,)


class DocumentChangeRecord(ApprovalRecord):
    """F-82 变更记录表 / 订正记录: an amendment of a controlled document,
    reviewed (审核/审查) then approved (核准/承认) like the regulation itself."""
    document = ForeignKeyField(PolicyDocument, backref="changes", on_delete="RESTRICT",
                               verbose_name="文件")
    mark = Char("订正记号", max_length=20)
    version_after = CharField(max_length=20, verbose_name="变更后版本/版次")
    form_no = Char("记录单编号", max_length=60)
    reason = Text("订正来历")
    summary_before = Text("变更前摘要")
    summary_after = TextField(verbose_name="变更后摘要")
    changed_on = DateField(default=today, verbose_name="变更日期")
    changed_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="变更者/担当")
    reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="审核/审查")

    class Register:
        label = "文件变更记录表"
        group = "archives"
        domain_ids = ("F-82",)
        title_field = "version_after"
        list_columns = ("record_no", "document", "mark", "version_after", "changed_on", "changed_by",
                        "reviewed_by", "approved_by")
        search = ("record_no", "version_after", "form_no", "summary_after", "summary_before")
        filters = ("document", "changed_on", "changed_by", "reviewed_by")
        readonly_fields = APPROVAL_READONLY + ("reviewed_by",)
        required = ("summary_before", "reason")
        person_fields = ("filled_by", "changed_by", "reviewed_by", "approved_by", "current_approver")
        row_scope = "all"
        default_retention = "long_term"
        signatures = ("变更者/担当", "审核/审查", "核准/承认")
        workflow = approval_flow([Step("审核", "superior"), Step("核准", "general_manager")],
                                 creators=ARCHIVES + SALES_MANAGERS + QUALITY, execute_label="变更生效")
        permissions = {"create": ARCHIVES + SALES_MANAGERS + QUALITY,
                       "edit": ARCHIVES + SALES_MANAGERS + QUALITY,
                       "view": STAFF}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"changed_by": emp} if emp is not None else {}

    def check(self, actor, is_new):
        errors = {}
        if self.changed_on and self.changed_on > today():
            errors["changed_on"] = _d_("变更日期不能晚于今天。")
        if self.document_id and self.version_after:
            doc = PolicyDocument.get_or_none(PolicyDocument.id == self.document_id)
            if doc is not None and doc.doc_version and doc.doc_version == self.version_after \
                    and self.state in ("draft", "pending", "rejected"):
                errors["version_after"] = _d_("变更后版本/版次应与文件现行版本（%(v)s）不同。",
                                              v=doc.doc_version)
        return errors


def _change_reviewed(actor, row, inputs):
    """The first approval step is the review (审核/审查)."""
    if (row.approval_step or 0) == 0 and row.reviewed_by_id is None:
        row.reviewed_by = actor.employee


def _change_takes_effect(actor, row, inputs):
    """The amended document carries the new version (变更生效)."""
    from portal import services
    doc = PolicyDocument.get_by_id(row.document_id)
    if doc.doc_version != row.version_after:
        services.update(actor, doc, {"doc_version": row.version_after}, doc.version,
                        check_permission=False, comment=_d_("文件变更记录 %(no)s 生效", no=row.record_no))


_change_flow = DocumentChangeRecord.Register.workflow
_change_flow.transitions["approve"].effects = (_change_reviewed,) + _change_flow.transitions["approve"].effects
_change_flow.transitions["execute"].effects += (_change_takes_effect,)

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
