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

# Section-local imports (the workflow pieces and the calendar are only needed here).
import re as _re  # noqa: E402
from datetime import date as _date, datetime as _datetime, time as _time, timedelta as _timedelta  # noqa: E402
from functools import reduce as _reduce  # noqa: E402
from operator import or_ as _or  # noqa: E402
from types import SimpleNamespace as _NS  # noqa: E402

from portal import calendar as _calendar  # noqa: E402
from portal.i18n import gettext, lazy  # noqa: E402
from portal.record import When  # noqa: E402
from portal.workflows import effects as fx  # noqa: E402
from portal.workflows import relations as rel  # noqa: E402
from portal.workflows.approvals import resolve_superior  # noqa: E402
from portal.workflows.engine import Input, Relation, State, T, Workflow  # noqa: E402
from permissions.roles import SALES_MANAGERS  # noqa: E402

# Who works on the customer files of 2.A / 2.B (DOMAIN.md 1.8).
CUSTOMER_WRITERS = SALES_FRONT + ("sales_manager",)
CUSTOMER_READERS = SALES + LEADERS
# Hotel guest history (002 篇二): the customer-facing staff; in this company the
# sales front line and the reception department (行政管理部, 000-三).
HOTEL_STAFF = SALES_FRONT + ("admin_dept",)
# 满意代表 / 销售主管 collect surveys and fill consumer files (002 篇三).
CONSUMER_REPS = ("salesperson", "sales_supervisor")
# 销售公司领导 or 区域经理 (一类需求信息 are handled personally, 000-一 第九条).
SALES_LEADER_ROLES = ("regional_manager", "sales_manager", "marketing_head") + LEADERS

# --- Enumerations of 2.A / 2.B (DOMAIN.md section 3) -------------------------

# F-02 沟通方式: the 003 §4.2 channels, taken from the shared E-09 list.
COMMUNICATION_CHANNELS = tuple(c for c in CHANNELS if c[0] in (
    "phone", "fax", "email", "letter", "customer_visit", "reception"))
COMMUNICATION_EVENTS = (("major_change", "重大变动事项"), ("business", "业务交往"),
                        ("general", "一般沟通"))
TRADE_DIRECTIONS = (("buy", "买"), ("sell", "卖"))
DEMAND_CLASSES = (("class1", "一类信息"), ("class2", "二类信息"))                          # E-06
DEMAND_PRODUCTS = (("weigh_toll", "计重收费设备"), ("overload_detection", "超限检测称重设备"),
                   ("ordinary_scale", "普通衡器产品"))
# E-06: 一类 = 计重收费和超限检测称重设备, 二类 = 普通衡器产品
DEMAND_CLASS_PRODUCTS = {"class1": ("weigh_toll", "overload_detection"),
                         "class2": ("ordinary_scale",)}
GENDERS = (("male", "男"), ("female", "女"))
# F-09 有效身份证件类别: values not given by 002 篇二 (inferred)
ID_TYPES = (("resident_id", "居民身份证"), ("passport", "护照"),
            ("hk_macao_permit", "港澳居民来往内地通行证"), ("taiwan_permit", "台湾居民来往大陆通行证"),
            ("officer_id", "军官证"), ("other", "其他证件"))
HOTEL_DEPARTMENTS = (("rooms", "客房部"), ("catering", "餐饮部"), ("other", "其他"))
PILLOW_HEIGHTS = (("high", "高"), ("medium", "适中"), ("low", "低"))
MATTRESS_FIRMNESS = (("soft", "软"), ("medium", "适中"), ("firm", "硬"))
ANALYSIS_TYPES = (("profile", "客户概况分析"), ("loyalty", "客户忠诚度分析"),
                  ("profit", "客户利润分析"), ("future", "客户未来分析"),
                  ("promotion", "客户促销分析"), ("maintenance", "客户维护服务"))          # E-44
ANNIVERSARY_OCCASIONS = (("store_anniversary", "店庆"), ("wedding", "婚庆"),
                         ("company_anniversary", "厂庆"), ("birthday", "生日"),
                         ("special_day", "客户特殊意义纪念节日"),
                         ("school_admission", "儿女升学"))                                  # E-45
ANNIVERSARY_ACTIONS = (("revisit", "回访"), ("stay_opinion", "入住后征询意见"),
                       ("birthday_flowers", "生日赠送鲜花"), ("holiday_card", "节日期间邮寄贺卡"),
                       ("event_invitation", "主题活动邀请"), ("new_dish", "新菜式推荐"))
ALLOCATION_PRINCIPLES = (("collector_first", "谁收集的档案归谁(此条优先)"),
                         ("nearby", "按地域就近分配"), ("new_staff", "将一部分分配给新员工"),
                         ("capacity", "根据销售能力、工作量、服务效率等因素分配"),
                         ("manager_discretion", "其他分配原则由销售经理把握"))              # E-36
CONSUMER_ACTIVITIES = (("social", "联谊会"), ("travel", "旅游"), ("dining", "餐饮"),
                       ("other_sales", "其他销售活动"))                                      # E-50
PURCHASE_STATUS = (("buyer", "购买顾客"), ("non_buyer", "未购买顾客"))                     # E-35
REVISIT_METHODS = (("phone", "电话访问"), ("home", "上门访问"))                             # E-34
REVISIT_ROLES = (("rep", "满意代表"), ("doctor", "顾服主管医生"))
REVISIT_PURPOSES = (("guide_use", "指导顾客服用产品"), ("ask_opinion", "询问顾客意见"),
                    ("learn_effect", "了解服用效果"), ("keep_contact", "密切与顾客联系"),
                    ("introduce", "介绍产品服务"), ("resolve_objection", "排除顾客异议"),
                    ("other", "其他"))
# R-REV-02/03 (002 篇三 二.7): the revisit schedule generated when a 顾客档案表 is
# filed with the doctor: (visitor, purchase status) -> [(SLA rule key, purpose)].
# Non-buyers are revisited by the doctor only on request: no generated rows.
REVISIT_PLAN = {
    ("rep", "buyer"): (("revisit_rep_buyer_1", "guide_use"), ("revisit_rep_buyer_2", "ask_opinion"),
                       ("revisit_rep_buyer_3", "learn_effect")),
    ("rep", "non_buyer"): (("revisit_rep_nonbuyer_1", "keep_contact"),
                           ("revisit_rep_nonbuyer_2", "introduce")),
    ("doctor", "buyer"): (("revisit_doctor_buyer_1", "guide_use"),
                          ("revisit_doctor_buyer_2", "learn_effect"),
                          ("revisit_doctor_buyer_3", "resolve_objection")),
}
PATROL_PERIODS = (("year", "年度"), ("quarter", "季度"), ("month", "月份"))                  # E-52
PATROL_PERIOD_FORMATS = {"year": (r"^\d{4}$", "2026"), "quarter": (r"^\d{4}-Q[1-4]$", "2026-Q4"),
                         "month": (r"^\d{4}-(0[1-9]|1[0-2])$", "2026-11")}
URGENT_REASONS = (("policy_change", "同行的销售方针政策发生重大变化"),
                  ("new_product", "同行有新产品上市"),
                  ("new_trend", "同行的销售或服务出现新动向"),
                  ("own_defect", "发现本企业产品有重大缺陷或问题"),
                  ("other", "其它需做紧急处理事项"))                                        # E-25


# --- Helpers shared by the registers of this section -------------------------

def _states(*states):
    """The Choice of a workflow's states (codes and labels of the State list)."""
    return Choice(tuple((s.code, s.label) for s in states), default=states[0].code, index=True,
                  verbose_name="状态")


def _month_start(day=None):
    day = day or today()
    if isinstance(day, str):          # a value given by a script rather than a form
        day = _date.fromisoformat(day[:10])
    return day.replace(day=1)


def _month_end(day):
    return _calendar.add_months(_month_start(day), 1) - _timedelta(days=1)


def _dept_tree(dept_id):
    """A department and every department below it."""
    rows = list(Department.select(Department.id, Department.parent))
    children = {}
    for d in rows:
        children.setdefault(d.parent_id, []).append(d.id)
    out, stack = set(), [dept_id] if dept_id else []
    while stack:
        d = stack.pop()
        if d not in out:
            out.add(d)
            stack.extend(children.get(d, ()))
    return out


def _employee_roles(emp_id):
    """Portal roles of an employee, through the login account (none without one)."""
    emp = Employee.get_or_none(Employee.id == emp_id) if emp_id else None
    if emp is None or emp.user_id is None:
        return None
    user = User.get_or_none(User.id == emp.user_id)
    return user.role_keys if user else None


def _is_sales_leader(emp_id):
    """销售公司领导 or 区域经理: a region's manager, or a login with a leading sales role."""
    if not emp_id:
        return False
    if Region.select().where(Region.manager == emp_id, Region.deleted_at.is_null()).exists():
        return True
    return bool((_employee_roles(emp_id) or frozenset()).intersection(SALES_LEADER_ROLES))


def _superior_of(actor):
    """The actor's 上级主管 (the filler's superior rule of the approval chains)."""
    emp = actor.employee if actor is not None else None
    return resolve_superior(_NS(__data__={"filled_by": emp.id})) if emp else None


def _fk(row, name):
    return row.__data__.get(name)


def _dec(value):
    """A number typed by a form (Decimal) or given by a script (str, int)."""
    from decimal import Decimal, InvalidOperation
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _one_of(*fields, roles=(), message=None):
    """The employee named in one of `fields`, or anyone holding one of `roles`."""
    def check(actor, row):
        if roles and actor.has_role(*roles):
            return True
        emp = actor.employee_id
        return bool(emp) and any(row.__data__.get(f) == emp for f in fields)

    def expr(actor, Model):
        from permissions import rules
        if roles and actor.has_role(*roles):
            return rules.TRUE
        emp = actor.employee_id or 0
        return _reduce(_or, [getattr(Model, f) == emp for f in fields])
    return Relation("one_of:" + ",".join(fields), check, expr,
                    message or lazy("只有此记录指定的人员才能执行此操作。"))


def _not_person(field, message):
    """The actor is not the employee named in `field` (two different signatures)."""
    def check(actor, row):
        return row.__data__.get(field) is None or row.__data__.get(field) != actor.employee_id

    def expr(actor, Model):
        column = getattr(Model, field)
        return column.is_null() | (column != (actor.employee_id or 0))
    return Relation(f"not:{field}", check, expr, message)


def _state_role(mapping, state_field="state"):
    """The role that acts in each state (e.g. 销售主管 then 销售经理)."""
    def check(actor, row):
        role = mapping.get(row.__data__.get(state_field))
        return role is not None and actor.has_role(role)

    def expr(actor, Model):
        states = [s for s, role in mapping.items() if actor.has_role(role)]
        return getattr(Model, state_field).in_(states or [""])
    return Relation("state_role", check, expr, lazy("当前步骤不由您的岗位处理。"))


def _update_customer(actor, customer_id, values, comment):
    """Change a customer file from a workflow of this section: through the
    services layer, so the change is validated, versioned and audited."""
    from portal import services
    cust = Customer.get_or_none(Customer.id == customer_id, Customer.deleted_at.is_null())
    if cust is None:
        return None
    changed = {k: v for k, v in values.items()
               if (cust.__data__.get(k) if isinstance(Customer._meta.fields[k], ForeignKeyField)
                   else getattr(cust, k)) != v}
    if changed:
        services.update(actor, cust, changed, cust.version, check_permission=False, comment=comment)
    return cust


def _custodian_problem(emp_id, role="after_sales"):
    """A custodian with a login must hold `role`; None if acceptable."""
    roles = _employee_roles(emp_id)
    if roles is not None and role not in roles:
        return gettext("保管人须为售后服务中心（客服部门）的人员。")
    return None


# ---------------------------------------------------------------------------
# 2.A Customer master and customer archives
# ---------------------------------------------------------------------------


class CustomerCommunication(FormRecord):
    """F-02 客户沟通记录 (003 §4.1, §4.2): every contact with a customer is
    recorded; major events go into the customer file."""
    customer = ForeignKeyField(Customer, backref="communications", on_delete="RESTRICT",
                               verbose_name="客户")
    at = DateTimeField(default=now, verbose_name="时间")
    channel = Choice(COMMUNICATION_CHANNELS, verbose_name="沟通方式")
    event_type = Choice(COMMUNICATION_EVENTS, default="general", verbose_name="事项类别")
    summary = TextField(verbose_name="内容")
    is_major = Flag("重大事件")
    recorded_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="记录人")

    class Register:
        label = "客户沟通记录"
        group = "customers"
        domain_ids = ("F-02",)
        title_field = "record_no"
        list_columns = ("record_no", "customer", "at", "channel", "event_type", "is_major",
                        "recorded_by")
        search = ("record_no", "summary")
        filters = ("customer", "at", "channel", "event_type", "is_major", "recorded_by", "dept")
        person_fields = ("recorded_by", "filled_by")
        signatures = ("记录人(营业员)", "负责人")
        permissions = {"create": CUSTOMER_WRITERS, "edit": CUSTOMER_WRITERS,
                       "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"recorded_by": emp} if emp else {}

    def derive(self, actor):
        super().derive(actor)
        # 003 §4.1: 「客戶發生重大變動事項」 are always major events of the file
        if self.event_type == "major_change":
            self.is_major = True

    def check(self, actor, is_new):
        errors = {}
        if self.at and self.at > now() + _timedelta(minutes=5):
            errors["at"] = gettext("沟通时间不能晚于当前时间。")
        return errors


# F-04 交易开始调查书, WF-06 (001-名簿 第四条.1, R-CUS-04)
TRADE_FLOW_STATES = (
    State("draft", "草稿", draft=True),
    State("awaiting_supervisor", "待销售主管认可", draft=True),
    State("reported", "已上报销售经理"),
    State("approved", "销售经理已承认", terminal=True),
)


def _open_trading(actor, row, inputs):
    """On the manager's 承认 the counterparty becomes a trading customer: the
    named customer file changes to 正在交易, or a new file is made and linked."""
    from portal import services
    comment = f"交易开始调查书 {row.record_no} 经销售经理承认"
    if _fk(row, "customer"):
        _update_customer(actor, _fk(row, "customer"), {"lifecycle_status": "trading"}, comment)
        return None
    values = dict(
        name=row.counterparty_name.strip(), customer_kind="unit", region=_fk(row, "region"),
        account_owner=_fk(row, "responsible_person"), responsible_dept=_fk(row, "dept"),
        lifecycle_status="trading", contact_name=row.contact_name, phone=row.phone,
        address=row.address, organization=row.organization,
        business_content=row.business_content, credit=row.credit,
        relationship=row.relationship, business_policy=row.business_policy,
        trading_attitude=row.trading_attitude)
    # the form's required items the investigation struck through stay struck through
    values["na_fields"] = [n for n in ("contact_name", "phone", "address") if _blank(values[n])]
    customer = services.create(actor, Customer, values, check_permission=False, comment=comment)
    row.customer = customer
    return None


class TradeStartInvestigation(FormRecord):
    """F-04 交易开始调查书: opening a trading relationship, buying or selling
    (001-名簿 第四条.1): 销售主管认可 → 销售经理承认 → 客户档案 正在交易."""
    state = _states(*TRADE_FLOW_STATES)
    counterparty_name = CharField(max_length=200, verbose_name="交易对象")
    direction = Choice(TRADE_DIRECTIONS, verbose_name="交易方向")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案",
                               help_text="已建档的客户请选择；新客户在销售经理承认后自动建档")
    region = ForeignKeyField(Region, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="区域")
    contact_name = Char("联系人姓名", max_length=60)
    phone = Char("电话", max_length=40)
    address = Char("地址", max_length=300)
    organization = Text("机构")
    business_content = Text("内容")
    credit = Text("信用")
    relationship = Text("与本企业的关系")
    business_policy = Text("营业方针")
    trading_attitude = Text("交易态度")
    responsible_person = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                         verbose_name="责任人")
    supervisor_approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                             verbose_name="销售主管认可")
    supervisor_approved_at = When("认可时间")
    manager_approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                          verbose_name="销售经理承认")
    manager_approved_at = When("承认时间")
    rejection_reason = Text("退回理由")

    class Register:
        label = "交易开始调查书"
        group = "customers"
        domain_ids = ("F-04", "WF-06")
        title_field = "counterparty_name"
        list_columns = ("record_no", "counterparty_name", "direction", "customer",
                        "responsible_person", "supervisor_approved_by", "manager_approved_by",
                        "filled_at")
        search = ("record_no", "counterparty_name", "business_content", "contact_name")
        filters = ("direction", "responsible_person", "customer", "region", "filled_at", "dept")
        # the 必要事项 of 第二条: filled in, or struck through (000-四 43)
        required = ("organization", "business_content", "credit", "relationship",
                    "business_policy", "trading_attitude")
        readonly_fields = ("supervisor_approved_by", "supervisor_approved_at",
                           "manager_approved_by", "manager_approved_at", "rejection_reason")
        person_fields = ("responsible_person", "filled_by", "supervisor_approved_by",
                         "manager_approved_by")
        signatures = ("责任人", "销售主管认可", "销售经理承认")
        workflow = Workflow(list(TRADE_FLOW_STATES), [
            T("submit", "提交销售主管认可", "draft", "awaiting_supervisor", roles=SALES_FRONT,
              relations=(_one_of("filled_by", "responsible_person",
                                 message=lazy("只有填表人或责任人才能提交。")),),
              effects=(fx.set_fields(rejection_reason=None),)),
            T("acknowledge", "销售主管认可", "awaiting_supervisor", "reported",
              roles=("sales_supervisor",),
              relations=(rel.not_filler(),
                         _not_person("responsible_person", lazy("责任人不能认可自己的调查书。"))),
              effects=(fx.sign, fx.stamp("supervisor_approved_by", "supervisor_approved_at"),
                       fx.notify_role("sales_manager", lambda r: f"交易开始调查书待承认：{r.counterparty_name}"))),
            T("approve", "销售经理承认", "reported", "approved", roles=("sales_manager",),
              relations=(rel.not_filler(),
                         _not_person("responsible_person", lazy("责任人不能承认自己的调查书。")),
                         _not_person("supervisor_approved_by",
                                     lazy("认可与承认须由两个不同的人员签署。"))),
              effects=(fx.stamp("manager_approved_by", "manager_approved_at"), _open_trading,
                       fx.notify_employees("responsible_person",
                                           lambda r: f"交易开始调查书已承认：{r.counterparty_name}",
                                           kind="info"))),
            T("reject", "退回", ("awaiting_supervisor", "reported"), "draft",
              roles=("sales_supervisor", "sales_manager"),
              relations=(_state_role({"awaiting_supervisor": "sales_supervisor",
                                      "reported": "sales_manager"}),),
              inputs=(Input("reason", lazy("退回理由"), "textarea", required=True, field="rejection_reason"),),
              effects=(fx.set_fields(supervisor_approved_by=None, supervisor_approved_at=None,
                                     responsible_signer=None, signed_at=None),),
              style="danger"),
        ])
        permissions = {"create": SALES_FRONT, "edit": SALES_FRONT + ("sales_manager",),
                       "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"responsible_person": emp} if emp else {}

    def check(self, actor, is_new):
        errors = {}
        cust_id = _fk(self, "customer")
        if cust_id is None:
            # a new customer file will be made from this investigation (R-CUS-04)
            message = gettext("新客户须填写此项，以便承认后建立客户档案。")
            if _fk(self, "region") is None:
                errors["region"] = message
            for name in ("contact_name", "phone", "address"):
                if _blank(getattr(self, name)) and name not in (self.na_fields or []):
                    errors[name] = message
        elif is_new:
            cust = Customer.get_or_none(Customer.id == cust_id)
            if cust is not None and cust.lifecycle_status == "trading":
                errors["customer"] = gettext("该客户已是正在交易的客户，无需再填交易开始调查书。")
        return errors


# F-05 重大客户跟踪服务单 (000-一 第六、十二条; R-TRK-01..03, 08)
TRACKING_FLOW_STATES = (State("recorded", "已填写", draft=True),
                        State("filed", "已归档", terminal=True))
GRADE_A_TRACKING_ITEMS = ("product_types", "equipment_usage", "product_quality", "service_opinions")


def _tracking_to_customer(actor, row, inputs):
    """When the service sheet is filed: the changes of office and phone go into
    the customer file (000-一 第十二条, R-CUS-02) and the next tracking is due
    by the customer's grade (R-TRK-01..03, SLA rules tracking_A..D)."""
    cust = Customer.get_or_none(Customer.id == _fk(row, "customer"))
    if cust is None:
        return None
    values = {}
    if not _blank(row.office_change):
        values["address"] = row.office_change.strip()
    if not _blank(row.phone_change):
        values["phone"] = row.phone_change.strip()
    latest = (CustomerTrackingRecord.select(CustomerTrackingRecord.tracked_at)
              .where(CustomerTrackingRecord.customer == cust.id,
                     CustomerTrackingRecord.state == "filed",
                     CustomerTrackingRecord.id != row.id,
                     CustomerTrackingRecord.deleted_at.is_null())
              .order_by(CustomerTrackingRecord.tracked_at.desc()).scalar())
    start = max(d for d in (row.tracked_at, latest) if d)
    due = _calendar.rule_deadline(f"tracking_{cust.grade}", start)
    if due is not None:
        values["next_tracking_due"] = due.date()
    _update_customer(actor, cust.id, values, f"重大客户跟踪服务单 {row.record_no} 归档")
    return None


class CustomerTrackingRecord(FormRecord):
    """F-05 重大客户跟踪服务单: one record per tracking service of a customer;
    grade A monthly, B quarterly, C twice a year (000-一 第六–八、十二条)."""
    state = _states(*TRACKING_FLOW_STATES)
    customer = ForeignKeyField(Customer, backref="tracking_records", on_delete="RESTRICT",
                               verbose_name="客户")
    region = ForeignKeyField(Region, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="区域")
    tracked_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="跟踪人")
    tracked_at = DateField(default=today, verbose_name="跟踪日期")
    product_types = Text("跟踪产品类型")
    equipment_usage = Text("设备使用情况")
    product_quality = Text("产品的质量")
    service_opinions = Text("产品服务的意见")
    office_change = Char("办公地点变更", max_length=300)
    phone_change = Char("电话的变更", max_length=40)
    major_info = Text("重大信息")
    reported_at = When("上报时间")
    archived = Flag("归档")

    class Register:
        label = "重大客户跟踪服务单"
        group = "customers"
        domain_ids = ("F-05", "R-TRK-01", "R-TRK-08")
        title_field = "record_no"
        list_columns = ("record_no", "customer", "region", "tracked_by", "tracked_at",
                        "reported_at", "archived")
        search = ("record_no", "product_types", "equipment_usage", "service_opinions",
                  "major_info")
        filters = ("customer", "region", "tracked_by", "tracked_at", "archived", "dept")
        readonly_fields = ("archived",)
        person_fields = ("tracked_by", "filled_by")
        signatures = ("跟踪人", "区域经理")
        workflow = Workflow(list(TRACKING_FLOW_STATES), [
            T("file", "归档", "recorded", "filed", roles=CUSTOMER_WRITERS,
              relations=(_one_of("tracked_by", "filled_by", roles=("sales_manager",)),),
              effects=(fx.sign, fx.set_fields(archived=True), _tracking_to_customer)),
        ])
        permissions = {"create": CUSTOMER_WRITERS, "edit": CUSTOMER_WRITERS,
                       "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"tracked_by": emp} if emp else {}

    def derive(self, actor):
        super().derive(actor)
        if _fk(self, "region") is None and _fk(self, "customer"):
            cust = Customer.get_or_none(Customer.id == _fk(self, "customer"))
            if cust is not None:
                self.region = cust.region_id

    def check(self, actor, is_new):
        errors = {}
        cust = Customer.get_or_none(Customer.id == _fk(self, "customer")) \
            if _fk(self, "customer") else None
        if cust is not None and cust.grade == "A":
            # 000-一 第十二条: A-class tracking covers these items
            for name in GRADE_A_TRACKING_ITEMS:
                if _blank(getattr(self, name)):
                    errors[name] = gettext("A类重大客户的跟踪服务单必须填写此项（000-一 第十二条）。")
            # 000-一 第六条: 区域经理是客户管理第一责任人
            region = Region.get_or_none(Region.id == cust.region_id)
            allowed = {cust.account_owner_id, region.manager_id if region else None}
            if _fk(self, "tracked_by") and _fk(self, "tracked_by") not in allowed:
                errors["tracked_by"] = gettext(
                    "A类客户由区域经理（客户管理第一责任人）或客户管理责任人跟踪（000-一 第六条）。")
        if not _blank(self.major_info) and self.reported_at is None:
            errors["reported_at"] = gettext("跟踪服务中搜集的重大信息须及时上报，请填写上报时间（000-一 第十二条）。")
        if self.tracked_at and self.tracked_at > today():
            errors["tracked_at"] = gettext("跟踪日期不能晚于今天。")
        if self.reported_at and self.tracked_at and self.reported_at.date() < self.tracked_at:
            errors["reported_at"] = gettext("上报时间不能早于跟踪日期。")
        return errors


# F-07 需求信息档案 + 跟踪记录 (000-一 第九–十三条; R-TRK-04..06)
DEMAND_FLOW_STATES = (State("tracking", "跟踪中"), State("won", "已落实"),
                      State("lost", "已失去"), State("closed", "已关闭", terminal=True))


def _add_followup(actor, row, inputs):
    """A follow-up taken as an action: one more 跟踪记录 row of the lead."""
    DemandFollowUp.create(lead=row.id, at=inputs.get("at") or now(), by=actor.employee,
                          progress=inputs["progress"], reported_to=inputs.get("reported_to"))
    row.refresh_followups()


class DemandLead(FormRecord):
    """F-07 需求信息档案: a product demand lead, its owner and its follow-ups;
    一类 leads are tracked at least weekly and reported to 销售总经理 (000-一 第九条)."""
    status = _states(*DEMAND_FLOW_STATES)
    project = CharField(max_length=200, verbose_name="需求项目")
    customer = ForeignKeyField(Customer, null=True, backref="demand_leads", on_delete="SET NULL",
                               verbose_name="客户")
    prospect_name = Char("未来客户名称", help_text="尚未建档的客户（000-一 第十九条）")
    info_class = Choice(DEMAND_CLASSES, verbose_name="信息类别")
    product = Choice(DEMAND_PRODUCTS, verbose_name="产品")
    owner = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="负责人")
    description = Text("需求内容")
    is_major = Flag("重大情况")
    bid_time = When("竞标时间")
    bidders = Text("参标单位厂家")
    competitor_details = Text("对手详细情况")
    strategy = Text("相应策略")
    outcome_note = Text("结果说明")
    last_followup_at = When("最近跟踪时间")
    next_followup_due = When("下次跟踪期限")

    class Register:
        label = "需求信息档案"
        group = "customers"
        domain_ids = ("F-07", "R-TRK-04", "R-TRK-06")
        title_field = "project"
        list_columns = ("record_no", "project", "customer", "info_class", "product", "owner",
                        "is_major", "last_followup_at", "next_followup_due")
        search = ("record_no", "project", "prospect_name", "description", "bidders")
        filters = ("info_class", "product", "owner", "customer", "is_major", "bid_time",
                   "next_followup_due", "dept")
        readonly_fields = ("last_followup_at", "next_followup_due", "outcome_note")
        person_fields = ("owner", "filled_by")
        inlines = ("DemandFollowUp",)
        signatures = ("负责人", "销售公司领导")
        workflow = Workflow(list(DEMAND_FLOW_STATES), [
            T("follow_up", "登记跟踪", "tracking", "tracking", roles=CUSTOMER_WRITERS,
              relations=(_one_of("owner", roles=("sales_manager",)),),
              inputs=(Input("progress", lazy("跟踪进展"), "textarea", required=True),
                      Input("at", lazy("跟踪时间"), "datetime"),
                      Input("reported_to", lazy("汇报对象"), "employee")),
              effects=(_add_followup,)),
            T("settle", "已落实", "tracking", "won", roles=CUSTOMER_WRITERS,
              relations=(_one_of("owner", roles=("sales_manager",)),),
              inputs=(Input("note", lazy("结果说明"), "textarea", required=True, field="outcome_note"),),
              effects=(fx.sign,)),
            T("lose", "已失去", "tracking", "lost", roles=CUSTOMER_WRITERS,
              relations=(_one_of("owner", roles=("sales_manager",)),),
              inputs=(Input("note", lazy("结果说明"), "textarea", required=True, field="outcome_note"),),
              effects=(fx.sign,), style="secondary"),
            T("close", "关闭", ("won", "lost"), "closed",
              roles=("regional_manager", "sales_manager", "marketing_head"), effects=(fx.sign,)),
        ], state_field="status", label="落实进展", due_field="next_followup_due",
            handler_field="owner")
        permissions = {"create": CUSTOMER_WRITERS, "edit": CUSTOMER_WRITERS,
                       "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"owner": emp} if emp else {}

    def refresh_followups(self):
        """最近跟踪时间 and, for 一类 leads still tracked, the next follow-up due
        (SLA rule demand_class1_followup; 二类: 「定期跟蹤」, no period given)."""
        if self.id:
            last = (DemandFollowUp.select(DemandFollowUp.at).where(DemandFollowUp.lead == self.id)
                    .order_by(DemandFollowUp.at.desc()).scalar())
            self.last_followup_at = last
        start = self.last_followup_at or (_datetime.combine(self.filled_at, _time(0, 0))
                                          if self.filled_at else now())
        if self.info_class == "class1" and self.status == "tracking":
            self.next_followup_due = _calendar.rule_deadline("demand_class1_followup", start)
        else:
            self.next_followup_due = None

    def derive(self, actor):
        super().derive(actor)
        self.refresh_followups()

    def check(self, actor, is_new):
        errors = {}
        if _fk(self, "customer") is None and _blank(self.prospect_name):
            errors["customer"] = gettext("请选择客户，或填写未来客户名称（000-一 第十九条）。")
        allowed = DEMAND_CLASS_PRODUCTS.get(self.info_class)
        if allowed and self.product and self.product not in allowed:
            errors["product"] = gettext(
                "一类信息为计重收费和超限检测称重设备，二类信息为普通衡器产品（000-一 第九条）。")
        if self.info_class == "class1" and self.is_major:
            # 000-一 第十三条: 「必須明確掌握競標時間、參標單位廠家,摸清對手詳細情況」
            message = gettext("一类重大信息必须明确竞标时间、参标单位厂家和对手详细情况（000-一 第十三条）。")
            for name in ("bid_time", "bidders", "competitor_details"):
                if _blank(getattr(self, name)):
                    errors[name] = message
        if self.is_major and _blank(self.strategy):
            errors["strategy"] = gettext("重大情况须同时提出相应策略并及时上报（000-一 第九条）。")
        if self.info_class == "class1" and _fk(self, "owner") and not _is_sales_leader(_fk(self, "owner")):
            errors["owner"] = gettext("一类信息须由销售公司领导或区域经理亲自负责（000-一 第九条）。")
        return errors


class DemandFollowUp(LineItem):
    """跟踪记录"""
    lead = ForeignKeyField(DemandLead, backref="followups", on_delete="CASCADE",
                           verbose_name="需求信息档案")
    at = DateTimeField(default=now, verbose_name="跟踪时间")
    by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="跟踪人")
    progress = TextField(verbose_name="跟踪进展")
    reported_to = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="汇报对象")

    def _refresh_lead(self):
        # rows edited inline are saved after their lead: keep its dates current
        lead = DemandLead.get_or_none(DemandLead.id == self.__data__.get("lead"))
        if lead is not None:
            lead.refresh_followups()
            DemandLead.update(last_followup_at=lead.last_followup_at,
                              next_followup_due=lead.next_followup_due).where(
                DemandLead.id == lead.id).execute()

    def save(self, *args, **kwargs):
        result = super().save(*args, **kwargs)
        self._refresh_lead()
        return result

    def delete_instance(self, *args, **kwargs):
        result = super().delete_instance(*args, **kwargs)
        self._refresh_lead()
        return result


# F-08 产品需求信息月度统计 (000-一 第十一条; R-TRK-07)
MONTHLY_FLOW_STATES = (State("draft", "草稿", draft=True), State("submitted", "已上报", terminal=True))
DEMAND_COUNTS = (
    ("total_count", None, None), ("class1_count", "info_class", "class1"),
    ("class2_count", "info_class", "class2"), ("weigh_toll_count", "product", "weigh_toll"),
    ("overload_count", "product", "overload_detection"), ("ordinary_count", "product", "ordinary_scale"),
    ("major_count", "is_major", True), ("tracking_count", "status", "tracking"),
    ("won_count", "status", "won"), ("lost_count", "status", "lost"),
    ("closed_count", "status", "closed"),
)


def _recount(actor, row, inputs):
    row.recount()


class DemandMonthlyReport(FormRecord):
    """F-08 产品需求信息月度统计: each month the demand leads are counted and
    reported (000-一 第十一条 「每月統計、上報產品需求信息」)."""
    state = _states(*MONTHLY_FLOW_STATES)
    month = DateField(default=_month_start, verbose_name="统计月份",
                      help_text="填该月任一日，保存时取该月1日")
    total_count = Int("需求信息总数")
    class1_count = Int("一类信息数")
    class2_count = Int("二类信息数")
    weigh_toll_count = Int("计重收费设备")
    overload_count = Int("超限检测称重设备")
    ordinary_count = Int("普通衡器产品")
    major_count = Int("重大情况数")
    tracking_count = Int("跟踪中")
    won_count = Int("已落实")
    lost_count = Int("已失去")
    closed_count = Int("已关闭")
    remarks = Text("分析说明")
    due_at = When("上报期限")
    submitted_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="上报人")
    submitted_at = When("上报时间")

    class Register:
        label = "产品需求信息月度统计"
        group = "customers"
        domain_ids = ("F-08", "R-TRK-07")
        title_field = "record_no"
        list_columns = ("record_no", "month", "dept", "total_count", "class1_count",
                        "class2_count", "won_count", "due_at", "submitted_at")
        search = ("record_no", "remarks")
        filters = ("month", "dept", "submitted_by", "due_at")
        readonly_fields = tuple(name for name, _, _ in DEMAND_COUNTS) + (
            "due_at", "submitted_by", "submitted_at")
        person_fields = ("filled_by", "submitted_by")
        signatures = ("统计人", "销售公司负责人")
        workflow = Workflow(list(MONTHLY_FLOW_STATES), [
            T("submit", "上报", "draft", "submitted",
              roles=("sales_clerk", "sales_manager", "marketing_head"),
              relations=(_one_of("filled_by", roles=("sales_manager", "marketing_head")),),
              effects=(_recount, fx.sign, fx.stamp("submitted_by", "submitted_at"))),
        ], due_field="due_at")
        permissions = {"create": ("sales_clerk", "sales_manager", "marketing_head"),
                       "edit": ("sales_clerk", "sales_manager", "marketing_head"),
                       "view": CUSTOMER_READERS}

    def recount(self):
        """The month's demand leads of this department and the departments below it."""
        if not self.month or not _fk(self, "dept"):
            return
        first, last = _month_start(self.month), _month_end(self.month)
        leads = list(DemandLead.select(DemandLead.info_class, DemandLead.product,
                                       DemandLead.is_major, DemandLead.status)
                     .where(DemandLead.deleted_at.is_null(),
                            DemandLead.dept.in_(list(_dept_tree(_fk(self, "dept")))),
                            DemandLead.filled_at.between(first, last)))
        for name, field, value in DEMAND_COUNTS:
            setattr(self, name, sum(1 for lead in leads
                                    if field is None or getattr(lead, field) == value))

    def derive(self, actor):
        super().derive(actor)
        if self.month:
            self.month = _month_start(self.month)
            self.due_at = _calendar.rule_deadline("demand_stats", self.month)
        if self.state == "draft":
            self.recount()

    def check(self, actor, is_new):
        errors = {}
        if self.month and _fk(self, "dept"):
            query = DemandMonthlyReport.select().where(
                DemandMonthlyReport.dept == _fk(self, "dept"),
                DemandMonthlyReport.month == _month_start(self.month),
                DemandMonthlyReport.deleted_at.is_null())
            if self.id:
                query = query.where(DemandMonthlyReport.id != self.id)
            if query.exists():
                errors["month"] = gettext("本部门该月的需求信息统计已经存在。")
        return errors


# F-09 .. F-12: the hotel's guest history 客史档案 (002 篇二)
RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"


def resident_id_problem(number, birth_date=None):
    """Why an 18-digit resident ID number (GB 11643) is not valid, or None."""
    number = (number or "").strip().upper()
    if not _re.match(r"^\d{17}[\dX]$", number):
        return gettext("居民身份证号码应为18位（前17位为数字，末位为数字或X）。")
    total = sum(int(d) * w for d, w in zip(number[:17], RESIDENT_ID_WEIGHTS))
    if RESIDENT_ID_CHECK[total % 11] != number[17]:
        return gettext("居民身份证号码校验位不正确，请核对。")
    try:
        born = _date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return gettext("居民身份证号码中的出生日期无效。")
    if birth_date and born != birth_date:
        return gettext("出生年月日与居民身份证号码不一致。")
    return None


class GuestProfile(FormRecord):
    """F-09 散客档案: the first-hand data an individual guest leaves at booking
    and check-in (002 篇二 1). Contains ID numbers: restricted."""
    guest_name = CharField(max_length=60, verbose_name="客人姓名")
    gender = Choice(GENDERS, null=True, verbose_name="性别")
    birth_date = Date("出生年月日")
    unit = Char("所属单位", max_length=200)
    residence = Char("常住地", max_length=200)
    id_type = Choice(ID_TYPES, null=True, verbose_name="有效身份证件类别")
    id_number = Char("号码", max_length=40)
    contact = Char("联系方式", max_length=100)
    arrival_reason = Char("到达原因", max_length=200)
    room_rate = Money("入住房价")
    checkin_at = When("入住时间")
    payment_method = Char("付款方式", max_length=60)
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案", help_text="客人所属单位已建档时可关联")

    class Register:
        label = "散客档案"
        group = "customers"
        domain_ids = ("F-09",)
        title_field = "guest_name"
        archive = True
        row_scope = "archive"
        owner_field = "filled_by"
        default_confidentiality = "restricted"
        list_columns = ("record_no", "guest_name", "gender", "unit", "residence", "checkin_at",
                        "room_rate", "confidentiality")
        # the ID number is neither listed nor searchable
        search = ("record_no", "guest_name", "unit", "contact")
        filters = ("gender", "checkin_at", "customer", "confidentiality", "filled_by")
        required = ("id_type", "id_number", "contact", "checkin_at")
        signatures = ("登记人", "负责人")
        flags = ("no_customer_copy",)
        permissions = {"create": HOTEL_STAFF, "edit": HOTEL_STAFF,
                       "view": HOTEL_STAFF + SALES_MANAGERS + LEADERS,
                       "export": ("marketing_head", "general_manager")}

    def check(self, actor, is_new):
        errors = {}
        na = set(self.na_fields or [])
        if self.id_type and _blank(self.id_number) and "id_number" not in na:
            errors["id_number"] = gettext("已选择证件类别时须填写证件号码。")
        if not _blank(self.id_number) and not self.id_type:
            errors["id_type"] = gettext("填写证件号码时须选择证件类别。")
        if self.id_type == "resident_id" and not _blank(self.id_number):
            problem = resident_id_problem(self.id_number, self.birth_date)
            if problem:
                errors["id_number"] = problem
        if self.birth_date and self.birth_date > today():
            errors["birth_date"] = gettext("出生年月日不能晚于今天。")
        if _dec(self.room_rate) is not None and _dec(self.room_rate) < 0:
            errors["room_rate"] = gettext("入住房价不能为负数。")
        return errors

    def derive(self, actor):
        super().derive(actor)
        if self.id_number:
            self.id_number = self.id_number.strip().upper()


class GuestOpinionForm(FormRecord):
    """F-12 宾客意见表: every customer-facing employee records daily what guests
    need and prefer (002 篇二 建立 2)."""
    date = DateField(default=today, verbose_name="日期")
    staff = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="填写员工")
    department = Choice(HOTEL_DEPARTMENTS, verbose_name="部门")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    guest_name = Char("客人", max_length=60)
    room_no = Char("房号/台号", max_length=20)
    observations = TextField(verbose_name="客户信息及需求")
    # the observation points the text suggests (客房部 / 餐饮部)
    pillow_count = Int("枕头使用的个数")
    tea_type = Char("茶杯中茶叶的类别", max_length=60)
    tv_channel = Char("电视停留的频道", max_length=60)
    ac_temperature = Int("空调调节的温度数")
    room_items_usage = Text("客房配备物品的利用情况")
    dish_choices = Text("菜品选择的种类、味别")
    drink_brand = Char("酒水的品牌", max_length=100)
    leftover_dishes = Char("遗留菜品的数量", max_length=100)
    condiment_requests = Text("对酱油、醋、咸菜等的要求")

    class Register:
        label = "宾客意见表"
        group = "customers"
        domain_ids = ("F-12", "R-TRK-16")
        title_field = "record_no"
        list_columns = ("record_no", "date", "staff", "department", "customer", "guest_name",
                        "room_no")
        search = ("record_no", "guest_name", "room_no", "observations")
        filters = ("date", "staff", "department", "customer", "dept")
        person_fields = ("staff", "filled_by")
        signatures = ("填写员工", "班组负责人")
        permissions = {"create": HOTEL_STAFF, "edit": HOTEL_STAFF,
                       "view": HOTEL_STAFF + SALES_MANAGERS + LEADERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"staff": emp} if emp else {}

    def check(self, actor, is_new):
        errors = {}
        if _fk(self, "customer") is None and _blank(self.guest_name):
            errors["guest_name"] = gettext("请选择客户或填写客人。")
        if self.pillow_count is not None and self.pillow_count < 0:
            errors["pillow_count"] = gettext("枕头使用的个数不能为负数。")
        if self.date and self.date > today():
            errors["date"] = gettext("日期不能晚于今天：宾客意见表记录当天接触顾客的情况。")
        return errors


GUEST_PREFERENCE_ITEMS = ("family_status", "education", "job_title", "job_position",
                          "room_type_requirement", "toiletry_brand", "pillow_height",
                          "mattress_firmness", "reading_habits", "entertainment", "diet",
                          "beverages", "environment", "hygiene", "other_hobbies", "evaluation")


class GuestPreference(FormRecord):
    """F-10 顾客消费个性化档案: what the hotel learns on purpose about a guest's
    needs, habits and tastes (002 篇二 2), mostly from 宾客意见表."""
    guest = ForeignKeyField(GuestProfile, null=True, backref="preferences", on_delete="SET NULL",
                            verbose_name="散客档案")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    guest_name = Char("客人姓名", max_length=60)
    source_opinion = ForeignKeyField(GuestOpinionForm, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="来源宾客意见表")
    family_status = Text("家庭状况")
    education = Char("学历", max_length=40)
    job_title = Char("职称", max_length=60)
    job_position = Char("职务", max_length=60)
    room_type_requirement = Char("客房房型要求", max_length=100)
    toiletry_brand = Char("洗浴用品的品牌", max_length=100)
    pillow_height = Choice(PILLOW_HEIGHTS, null=True, verbose_name="枕头高低")
    mattress_firmness = Choice(MATTRESS_FIRMNESS, null=True, verbose_name="床垫软硬度")
    reading_habits = Text("阅读习惯")
    entertainment = Text("电视节目、娱乐喜好")
    diet = Text("饮食习惯、口味特征")
    beverages = Text("茶叶、咖啡、酒类爱好")
    environment = Text("灯光、空调温度、洗澡水热度要求")
    hygiene = Text("卫生标准")
    other_hobbies = Text("个人其它嗜好")
    evaluation = Text("对酒店产品与服务的评价")

    class Register:
        label = "顾客消费个性化档案"
        group = "customers"
        domain_ids = ("F-10",)
        title_field = "record_no"
        list_columns = ("record_no", "guest", "customer", "guest_name", "room_type_requirement",
                        "pillow_height", "filled_by", "filled_at")
        search = ("record_no", "guest_name", "diet", "beverages", "other_hobbies", "evaluation")
        filters = ("customer", "pillow_height", "mattress_firmness", "filled_at", "filled_by")
        person_fields = ("filled_by",)
        permissions = {"create": HOTEL_STAFF, "edit": HOTEL_STAFF,
                       "view": HOTEL_STAFF + SALES_MANAGERS + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        if _fk(self, "guest") is None and _fk(self, "customer") is None and _blank(self.guest_name):
            errors["guest_name"] = gettext("请关联散客档案或客户档案，或填写客人姓名。")
        if all(_blank(getattr(self, name)) for name in GUEST_PREFERENCE_ITEMS):
            errors["__all__"] = gettext("个性化档案至少要记录一项顾客的需求特点或嗜好。")
        return errors


# F-11 客户信息分析档案 (002 篇二 3): the items of each analysis type
ANALYSIS_ITEMS = {
    "profile": ("customer_level", "economic_risk", "hobbies", "habits"),
    "loyalty": ("recognition", "purchase_enthusiasm"),
    "profit": ("additional_profit", "total_profit", "net_profit"),
    "future": ("customer_count", "customer_category", "potential_capacity", "acquisition_means"),
    "promotion": ("advertising", "publicity", "emotional_plan"),
    "maintenance": (),
}


class CustomerAnalysis(FormRecord):
    """F-11 客户信息分析档案: analyses of a customer's profile, loyalty,
    profit, future, promotion and maintenance (002 篇二 3)."""
    customer = ForeignKeyField(Customer, backref="analyses", on_delete="RESTRICT",
                               verbose_name="客户")
    analysis_type = Choice(ANALYSIS_TYPES, verbose_name="分析类型")
    period = Char("分析期间", max_length=40)
    content = Text("分析内容")
    customer_level = Char("客户层次", max_length=100)
    economic_risk = Text("经济风险")
    hobbies = Text("爱好")
    habits = Text("习惯")
    recognition = Text("认同度")
    purchase_enthusiasm = Text("购买热情")
    additional_profit = Money("附加利润")
    total_profit = Money("总利润额")
    net_profit = Money("净利润")
    customer_count = Int("客户数量")
    customer_category = Char("类别", max_length=100)
    potential_capacity = Text("潜在消费能力")
    acquisition_means = Text("争取客户的手段、方法")
    advertising = Text("广告")
    publicity = Text("宣传")
    emotional_plan = Text("情感沟通计划")

    class Register:
        label = "客户信息分析档案"
        group = "customers"
        domain_ids = ("F-11",)
        title_field = "record_no"
        list_columns = ("record_no", "customer", "analysis_type", "period", "total_profit",
                        "filled_by", "filled_at")
        search = ("record_no", "period", "content")
        filters = ("customer", "analysis_type", "filled_at", "filled_by", "dept")
        person_fields = ("filled_by",)
        permissions = {"create": CUSTOMER_WRITERS, "edit": CUSTOMER_WRITERS,
                       "view": CUSTOMER_READERS}

    def check(self, actor, is_new):
        errors = {}
        items = ANALYSIS_ITEMS.get(self.analysis_type)
        if items is not None and _blank(self.content) \
                and all(_blank(getattr(self, n)) for n in items):
            errors["content"] = gettext("请填写分析内容或该分析类型的分析项目（002 篇二 3）。")
        for name in ("additional_profit", "total_profit"):
            value = _dec(getattr(self, name))
            if value is not None and value < 0:
                errors[name] = gettext("金额不能为负数。")
        if _dec(self.net_profit) is not None and _dec(self.total_profit) is not None \
                and _dec(self.net_profit) > _dec(self.total_profit):
            errors["net_profit"] = gettext("净利润不能大于总利润额。")
        if self.customer_count is not None and self.customer_count < 0:
            errors["customer_count"] = gettext("客户数量不能为负数。")
        return errors


def _next_occurrence(day, recurring, from_day):
    """The next date (on or after `from_day`) of an anniversary."""
    if day is None:
        return None
    if not recurring:
        return day if day >= from_day else None
    for year in (from_day.year, from_day.year + 1):
        try:
            candidate = day.replace(year=year)
        except ValueError:          # 29 February
            candidate = _date(year, 3, 1)
        if candidate >= from_day:
            return candidate
    return None


class CustomerAnniversary(FormRecord):
    """F-11 客户纪念日: the customer's days (店庆, 婚庆, 厂庆, 生日 ...) and what
    the company does then (002 篇二 建立 4); drives reminders."""
    customer = ForeignKeyField(Customer, backref="anniversaries", on_delete="RESTRICT",
                               verbose_name="客户")
    occasion = Choice(ANNIVERSARY_OCCASIONS, verbose_name="纪念日类别")
    date = DateField(verbose_name="日期")
    recurring = Flag("每年", default=True)
    action = Choice(ANNIVERSARY_ACTIONS, verbose_name="维护方式")
    person = Char("相关人员", max_length=60, help_text="如生日、婚庆的当事人")
    next_date = Date("下次纪念日")
    notes = Text("备注")

    class Register:
        label = "客户纪念日"
        group = "customers"
        domain_ids = ("F-11",)
        title_field = "record_no"
        list_columns = ("record_no", "customer", "occasion", "person", "date", "next_date",
                        "action")
        search = ("record_no", "person", "notes")
        filters = ("customer", "occasion", "action", "next_date", "recurring", "dept")
        readonly_fields = ("next_date",)
        person_fields = ("filled_by",)
        default_sort = ("next_date", False)
        permissions = {"create": CUSTOMER_WRITERS + ("admin_dept",),
                       "edit": CUSTOMER_WRITERS + ("admin_dept",),
                       "view": CUSTOMER_READERS + ("admin_dept",)}

    def derive(self, actor):
        super().derive(actor)
        self.next_date = _next_occurrence(self.date, self.recurring, today())

    def check(self, actor, is_new):
        errors = {}
        if self.occasion == "school_admission" and self.recurring:
            errors["recurring"] = gettext("儿女升学不是每年的纪念日，请取消「每年」。")
        return errors


# F-13 中老年健康调查表, WF-07 (002 篇三 一)
SURVEY_FLOW_STATES = (
    State("collected", "已收集", draft=True),
    State("submitted", "已交销售经理", draft=True),
    State("assigned", "已分配"),
    State("sealed", "已封存", terminal=True),
)


def _survey_assign_guard(actor, row, inputs):
    errors = {}
    # E-36: 「谁收集的档案归谁(此条优先)」
    if row.allocation_principle == "collector_first" \
            and _fk(row, "assigned_rep") != _fk(row, "collector"):
        errors["assigned_rep"] = gettext("按「谁收集的档案归谁」分配时，应分配给收集人本人。")
    problem = _custodian_problem(_fk(row, "custodian"))
    if problem:
        errors["custodian"] = problem
    return errors


def _survey_submit_guard(actor, row, inputs):
    if not row.collector_signature:
        # 002 篇三 一.5: 「此表格的右上角,滿意代表必須簽上名字」
        return {"collector_signature": gettext("满意代表必须在表格右上角签名后才能交销售经理（002 篇三 一.5）。")}
    return None


def _seal(actor, row, inputs):
    row.sealed = True
    row.sealed_at = now()
    row.custodian = actor.employee
    row.confidentiality = "sealed"


class HealthSurvey(FormRecord):
    """F-13 中老年健康调查表 (爱心之路普查): first contact with a consumer; handed
    to the sales manager, allocated to a 满意代表, then sealed by the customer
    service manager (002 篇三 一)."""
    state = _states(*SURVEY_FLOW_STATES)
    name = CharField(max_length=60, verbose_name="顾客姓名")
    gender = Choice(GENDERS, null=True, verbose_name="性别")
    age = Int("年龄")
    address = Char("住址", max_length=300)
    phone = Char("联系电话", max_length=40)
    health_situation = Text("健康状况")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    print_serial = Char("印刷编号", max_length=40, help_text="表格由公司统一印刷，不得复印")
    collector = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="收集人")
    collector_signature = Flag("右上角签名")
    filled_by_rep_for_customer = Flag("满意代表代填")
    submitted_to_manager_at = When("交销售经理时间")
    assigned_rep = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="分配满意代表")
    allocation_principle = Choice(ALLOCATION_PRINCIPLES, null=True, verbose_name="分配原则")
    sealed = Flag("封存")
    sealed_at = When("封存时间")
    holder = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="当前持有人")
    return_reason = Text("退回理由")

    class Register:
        label = "中老年健康调查表"
        group = "customers"
        domain_ids = ("F-13", "WF-07")
        title_field = "record_no"
        lookup_fields = ("record_no",)
        archive = True
        row_scope = "archive"
        owner_field = "holder"
        default_confidentiality = "restricted"
        # 「作為檔案封存」 (002 篇三 一.10)
        default_retention = "long_term"
        list_columns = ("record_no", "collector", "assigned_rep", "submitted_to_manager_at",
                        "custodian", "sealed_at", "confidentiality")
        search = ("record_no", "name", "print_serial")
        filters = ("collector", "assigned_rep", "allocation_principle", "sealed", "custodian",
                   "filled_at")
        required = ("gender", "age", "address", "phone", "health_situation")
        # the custodian and the level are set by the workflow (assign, seal)
        readonly_fields = ("submitted_to_manager_at", "assigned_rep", "allocation_principle",
                           "sealed", "sealed_at", "holder", "return_reason", "custodian",
                           "confidentiality")
        person_fields = ("collector", "assigned_rep", "filled_by")
        flags = ("no_customer_copy", "no_copy")
        signatures = ("满意代表(右上角)", "销售经理", "客服部门经理")
        workflow = Workflow(list(SURVEY_FLOW_STATES), [
            T("submit", "交销售经理", "collected", "submitted", roles=CONSUMER_REPS,
              relations=(rel.named("collector", lazy("只有收集人才能交表。")),),
              guard=_survey_submit_guard,
              effects=(fx.stamp(at_field="submitted_to_manager_at"),
                       fx.set_fields(return_reason=None),
                       fx.notify_role("sales_manager", "中老年健康调查表待分配"))),
            T("send_back", "退回补充", "submitted", "collected", roles=("sales_manager",),
              inputs=(Input("reason", lazy("退回理由"), "textarea", required=True, field="return_reason"),),
              style="secondary"),
            T("assign", "分配满意代表", "submitted", "assigned", roles=("sales_manager",),
              inputs=(Input("assigned_rep", lazy("分配满意代表"), "employee", required=True,
                            field="assigned_rep"),
                      Input("allocation_principle", lazy("分配原则"), "choice", required=True,
                            choices=ALLOCATION_PRINCIPLES, field="allocation_principle"),
                      Input("custodian", lazy("移交客服部门经理封存"), "employee", required=True,
                            field="custodian")),
              guard=_survey_assign_guard,
              effects=(fx.sign,
                       fx.notify_employees("assigned_rep", "分配给您的顾客档案（中老年健康调查表）"),
                       fx.notify_employees("custodian", "中老年健康调查表待封存"))),
            T("seal", "封存", "assigned", "sealed", roles=("after_sales",),
              relations=(rel.named("custodian", lazy("只有接收表格的客服部门经理才能封存。")),),
              effects=(_seal,), confirm=lazy("封存后只有总经理批准才能查阅，确定封存？")),
        ])
        permissions = {"create": CONSUMER_REPS, "edit": CONSUMER_REPS + ("sales_manager",),
                       "view": CONSUMER_REPS + ("sales_manager", "marketing_head", "after_sales")
                       + LEADERS,
                       # 002 篇三 一.12: 「不經公司同意,嚴禁復印」
                       "export": ("general_manager",), "delete": ("sales_manager",)}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"collector": emp} if emp else {}

    def derive(self, actor):
        super().derive(actor)
        # who holds the paper form: the collector, then (after allocation) the
        # assigned 满意代表 who notes the customer in his notebook (一.9)
        self.holder = {"collected": _fk(self, "collector"),
                       "assigned": _fk(self, "assigned_rep")}.get(self.state)

    def check(self, actor, is_new):
        errors = {}
        if self.age is not None and not 0 < self.age < 150:
            errors["age"] = gettext("年龄应在1到149岁之间。")
        if self.sealed and self.confidentiality != "sealed":
            errors["confidentiality"] = gettext("已封存的调查表密级必须为「封存」。")
        if not self.sealed and self.confidentiality == "sealed":
            errors["confidentiality"] = gettext("调查表须由客服部门经理封存后才成为封存件。")
        return errors


# F-14 顾客档案表, WF-08 (002 篇三 二; R-REV-01..04)
ARCHIVE_FLOW_STATES = (
    State("filled", "已填写", draft=True),
    State("submitted", "已交销售经理", draft=True),
    State("filed", "由顾服主管医生保管", terminal=True),
)


def revisit_schedule(archive):
    """The revisit rows of a consumer file (R-REV-02/03): due dates counted
    from 制成日期 with the SLA rules revisit_rep_buyer_1.. etc."""
    rep = _fk(archive, "assigned_rep") or _fk(archive, "filled_by")
    doctor = _fk(archive, "custodian")
    rows = []
    for (role, status), plan in REVISIT_PLAN.items():
        if status != archive.purchased:
            continue
        for number, (key, purpose) in enumerate(plan, start=1):
            due = _calendar.rule_deadline(key, archive.made_at)
            rows.append(dict(
                archive=archive.id, dept=_fk(archive, "dept"), visitor_role=role,
                visitor=rep if role == "rep" else doctor, visit_no=number,
                due_by=due.date() if due else None, purpose=purpose,
                method="phone",       # 「電話訪問結合上門訪問」 / 「以電話訪問為主」
                supervised_by=doctor if role == "rep" else None))
    return rows


def _schedule_revisits(actor, row, inputs):
    fx.create_record("consumer_revisit", lambda a, r, i: revisit_schedule(r),
                     comment=f"顾客档案表 {row.record_no} 交顾服主管医生保管，生成回访计划")(actor, row, inputs)


class ConsumerArchive(FormRecord):
    """F-14 顾客档案表: the file of every consumer who attended a company event;
    filled the same day, handed to the sales manager by the next day, kept by
    the 顾服主管医生; never shown to customers, never copied (002 篇三 二)."""
    state = _states(*ARCHIVE_FLOW_STATES)
    customer = ForeignKeyField(Customer, backref="consumer_archives", on_delete="RESTRICT",
                               verbose_name="顾客")
    activity = Choice(CONSUMER_ACTIVITIES, verbose_name="活动")
    activity_date = DateField(default=today, verbose_name="活动日期")
    purchased = Choice(PURCHASE_STATUS, verbose_name="购买情况")
    survey = ForeignKeyField(HealthSurvey, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="中老年健康调查表")
    needs = Text("顾客需求")
    health_situation = Text("健康状况")
    products_interested = Text("关注的产品")
    products_purchased = Text("购买的产品")
    onsite_feedback = Text("活动现场反馈")
    made_at = DateField(default=today, verbose_name="制成日期",
                        help_text="回访期限自制成日期起算（002 篇三 二.7）")
    submit_due = When("交销售经理期限")
    submitted_to_manager_at = When("交销售经理时间")
    submitted_late = Flag("逾期交表")
    assigned_rep = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="负责回访的满意代表")
    holder = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="当前持有人")

    class Register:
        label = "顾客档案表"
        group = "customers"
        domain_ids = ("F-14", "WF-08", "R-REV-01")
        title_field = "record_no"
        archive = True
        row_scope = "archive"
        owner_field = "holder"
        default_confidentiality = "restricted"
        # 「作為公司重要的顧客資源,進行存檔」 (002 篇三 二.1)
        default_retention = "long_term"
        list_columns = ("record_no", "customer", "activity", "activity_date", "purchased",
                        "filled_by", "custodian", "submitted_to_manager_at")
        search = ("record_no", "needs", "products_purchased", "onsite_feedback")
        filters = ("activity", "activity_date", "purchased", "custodian", "assigned_rep",
                   "submitted_late", "filled_by")
        required = ("needs", "health_situation", "onsite_feedback")
        readonly_fields = ("submit_due", "submitted_to_manager_at", "submitted_late", "holder")
        person_fields = ("filled_by", "assigned_rep", "custodian")
        # 002 篇三 二.10, 二.13: 「嚴禁任何人外傳」「禁止向顧客展示」「嚴禁復印」
        flags = ("no_customer_copy", "no_copy")
        signatures = ("满意代表", "销售经理", "顾服主管医生")
        workflow = Workflow(list(ARCHIVE_FLOW_STATES), [
            T("submit", "交销售经理", "filled", "submitted", roles=CONSUMER_REPS,
              relations=(rel.named("filled_by", lazy("只有填表的满意代表才能交表。")),),
              effects=(fx.stamp(at_field="submitted_to_manager_at"),
                       fx.notify_role("sales_manager", "顾客档案表待汇总交顾服主管医生"))),
            T("file", "交顾服主管医生保管", "submitted", "filed",
              roles=("sales_manager", "after_sales"),
              relations=(_one_of("custodian", roles=("sales_manager",),
                                 message=lazy("只有销售经理或保管本表的顾服主管医生才能办理。")),),
              effects=(fx.sign, _schedule_revisits,
                       fx.notify_employees("custodian", "顾客档案表已交您保管，回访计划已生成"))),
        ], due_field="submit_due")
        permissions = {"create": CONSUMER_REPS, "edit": CONSUMER_REPS + ("sales_manager",),
                       "view": CONSUMER_REPS + ("sales_manager", "marketing_head", "after_sales")
                       + LEADERS,
                       # 「除用于回訪之外…必須由總經理簽字確認同意」: no export but the GM's
                       "export": ("general_manager",), "delete": ("sales_manager",)}

    def derive(self, actor):
        super().derive(actor)
        if self.activity_date:
            # R-REV-01: handed to the sales manager the next day at the latest
            self.submit_due = _calendar.rule_deadline("consumer_file_submit", self.activity_date)
        self.submitted_late = bool(self.submitted_to_manager_at and self.submit_due
                                   and self.submitted_to_manager_at > self.submit_due)
        # the rep holds the paper form until it goes to the sales manager; after
        # that the doctor keeps it and reps borrow it for the day (二.9)
        self.holder = _fk(self, "filled_by") if self.state == "filled" else None

    def check(self, actor, is_new):
        errors = {}
        if _fk(self, "custodian") is None:
            errors["custodian"] = gettext("请指定保管本表的顾服主管医生（002 篇三 二.6）。")
        else:
            if _fk(self, "custodian") == _fk(self, "filled_by"):
                errors["custodian"] = gettext("保管人须为顾服主管医生，不能是填表的满意代表本人。")
            problem = _custodian_problem(_fk(self, "custodian"))
            if problem:
                errors["custodian"] = problem
        if self.activity_date and self.filled_at and self.filled_at != self.activity_date:
            errors["filled_at"] = gettext("顾客档案表必须于顾客参加活动的当日填写（002 篇三 二.3）。")
        if self.made_at and self.activity_date and self.made_at < self.activity_date:
            errors["made_at"] = gettext("制成日期不能早于活动日期。")
        if self.purchased == "buyer" and _blank(self.products_purchased):
            errors["products_purchased"] = gettext("购买顾客须填写购买的产品。")
        return errors


# F-15 回访记录 (002 篇三 二.7–9)
REVISIT_FLOW_STATES = (State("planned", "待回访"), State("done", "已回访"),
                       State("checked", "医生已督察", terminal=True))


def _mark_done(actor, row, inputs):
    row.done_at = inputs.get("done_at") or now()


class ConsumerRevisit(FormRecord):
    """F-15 回访记录: one revisit of a consumer file, by the 满意代表 or the
    顾服主管医生, due by the schedule of R-REV-02/03 and recorded in detail."""
    state = _states(*REVISIT_FLOW_STATES)
    archive = ForeignKeyField(ConsumerArchive, backref="revisits", on_delete="RESTRICT",
                              verbose_name="顾客档案表")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="顾客")
    visitor_role = Choice(REVISIT_ROLES, verbose_name="回访人身份")
    visitor = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="回访人")
    visit_no = Int("第几次回访")
    due_by = Date("应访期限")
    done_at = When("回访时间")
    method = Choice(REVISIT_METHODS, default="phone", verbose_name="回访方式")
    purpose = Choice(REVISIT_PURPOSES, null=True, verbose_name="回访目的")
    notes = Text("回访情况")
    supervised_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                    verbose_name="督察医生")
    checked_at = When("督察时间")

    class Register:
        label = "回访记录"
        group = "customers"
        domain_ids = ("F-15", "R-REV-02", "R-REV-03", "R-REV-04")
        title_field = "record_no"
        list_columns = ("record_no", "archive", "customer", "visitor_role", "visitor",
                        "visit_no", "due_by", "done_at", "method")
        search = ("record_no", "notes")
        filters = ("visitor_role", "visitor", "due_by", "done_at", "method", "purpose",
                   "supervised_by")
        readonly_fields = ("customer", "done_at", "checked_at")
        person_fields = ("visitor", "supervised_by", "filled_by")
        default_sort = ("due_by", False)
        signatures = ("回访人", "顾服主管医生")
        workflow = Workflow(list(REVISIT_FLOW_STATES), [
            T("record", "登记回访", "planned", "done",
              roles=("salesperson", "sales_supervisor", "after_sales"),
              relations=(rel.named("visitor", lazy("只有安排的回访人才能登记回访情况。")),),
              inputs=(Input("method", lazy("回访方式"), "choice", required=True, choices=REVISIT_METHODS,
                            field="method"),
                      Input("notes", lazy("回访情况"), "textarea", required=True, field="notes"),
                      Input("done_at", lazy("回访时间"), "datetime")),
              effects=(_mark_done, fx.sign)),
            T("verify", "医生督察", "done", "checked", roles=("after_sales",),
              relations=(rel.named("supervised_by", lazy("只有督察此回访的顾服主管医生才能执行。")),
                         _not_person("visitor", lazy("不能督察自己的回访。"))),
              effects=(fx.stamp(at_field="checked_at"),)),
        ], due_field="due_by", handler_field="visitor")
        permissions = {"create": ("salesperson", "sales_supervisor", "sales_manager", "after_sales"),
                       "edit": ("salesperson", "sales_supervisor", "sales_manager", "after_sales"),
                       "view": ("salesperson", "sales_supervisor", "sales_manager", "marketing_head",
                                "after_sales") + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        archive = ConsumerArchive.get_or_none(ConsumerArchive.id == _fk(self, "archive"))
        if archive is not None:
            self.customer = _fk(archive, "customer")
            if self.visitor_role == "rep" and _fk(self, "supervised_by") is None:
                self.supervised_by = _fk(archive, "custodian")

    def check(self, actor, is_new):
        errors = {}
        if self.visit_no is not None and self.visit_no < 1:
            errors["visit_no"] = gettext("回访次数从1开始。")
        if self.state in ("done", "checked") and _blank(self.notes):
            errors["notes"] = gettext("每次回访结束，必须详细记录回访情况（002 篇三 二.9）。")
        archive = ConsumerArchive.get_or_none(ConsumerArchive.id == _fk(self, "archive"))
        if archive is not None and self.done_at and archive.made_at \
                and self.done_at.date() < archive.made_at:
            errors["done_at"] = gettext("回访时间不能早于顾客档案表的制成日期。")
        if self.done_at and self.done_at > now() + _timedelta(minutes=5):
            errors["done_at"] = gettext("回访时间不能晚于当前时间。")
        return errors


# F-16 / F-17 大客户 (002 篇六 5–7; R-TRK-15)
def _key_account_problem(customer_id):
    cust = Customer.get_or_none(Customer.id == customer_id) if customer_id else None
    if cust is not None and not cust.is_key_account:
        return gettext("该客户未标记为大客户，不属于大客户管理范围（002 篇六）。")
    return None


class KeyAccountUsage(FormRecord):
    """F-16 大客户用邮情况记录: each key account's usage, recorded monthly
    (002 篇六 5 「每月度對大客戶用郵情況進行記錄」)."""
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="大客户")
    month = DateField(default=_month_start, verbose_name="月份",
                      help_text="填该月任一日，保存时取该月1日")
    volume = Int("用邮量(件)")
    amount = Money("用邮金额(元)")
    notes = Text("情况说明")

    class Register:
        label = "大客户用邮情况记录"
        group = "customers"
        domain_ids = ("F-16", "R-TRK-15")
        title_field = "record_no"
        list_columns = ("record_no", "customer", "month", "volume", "amount", "filled_by")
        search = ("record_no", "notes")
        filters = ("customer", "month", "filled_by", "dept")
        person_fields = ("filled_by",)
        default_sort = ("month", True)
        permissions = {"create": CUSTOMER_WRITERS, "edit": CUSTOMER_WRITERS,
                       "view": CUSTOMER_READERS}

    def derive(self, actor):
        super().derive(actor)
        if self.month:
            self.month = _month_start(self.month)

    def check(self, actor, is_new):
        errors = {}
        problem = _key_account_problem(_fk(self, "customer"))
        if problem:
            errors["customer"] = problem
        if self.volume is None and self.amount is None:
            errors["volume"] = gettext("请至少填写用邮量或用邮金额。")
        if self.volume is not None and self.volume < 0:
            errors["volume"] = gettext("用邮量不能为负数。")
        if _dec(self.amount) is not None and _dec(self.amount) < 0:
            errors["amount"] = gettext("用邮金额不能为负数。")
        if self.month and _fk(self, "customer") and "customer" not in errors:
            query = KeyAccountUsage.select().where(
                KeyAccountUsage.customer == _fk(self, "customer"),
                KeyAccountUsage.month == _month_start(self.month),
                KeyAccountUsage.deleted_at.is_null())
            if self.id:
                query = query.where(KeyAccountUsage.id != self.id)
            if query.exists():
                errors["month"] = gettext("该大客户本月的用邮情况已经登记。")
        return errors


KA_REVISIT_FLOW_STATES = (State("recorded", "已记录"), State("reviewed", "已检查", terminal=True))


class KeyAccountRevisit(FormRecord):
    """F-17 大客户回访记录: the branches' revisits of key accounts, checked
    periodically by the key-account manager, whose own visits need the
    leaders' authorisation (002 篇六 6–7)."""
    state = _states(*KA_REVISIT_FLOW_STATES)
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="大客户")
    branch = CharField(max_length=100, verbose_name="分公司/盟市局")
    visited_at = DateField(default=today, verbose_name="回访日期")
    visitor = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="回访人")
    content = TextField(verbose_name="回访内容")
    direct_by_manager = Flag("大客户管理人员直接回访")
    authorised_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                    verbose_name="授权领导")
    checked_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="检查人(大客户管理人员)")
    checked_at = When("检查时间")
    check_opinion = Text("检查意见")

    class Register:
        label = "大客户回访记录"
        group = "customers"
        domain_ids = ("F-17", "R-TRK-15")
        title_field = "record_no"
        list_columns = ("record_no", "customer", "branch", "visited_at", "visitor",
                        "direct_by_manager", "checked_by", "checked_at")
        search = ("record_no", "branch", "content")
        filters = ("customer", "visited_at", "visitor", "direct_by_manager", "checked_by", "dept")
        readonly_fields = ("checked_by", "checked_at", "check_opinion")
        person_fields = ("visitor", "authorised_by", "checked_by", "filled_by")
        signatures = ("回访人", "大客户管理人员")
        workflow = Workflow(list(KA_REVISIT_FLOW_STATES), [
            T("review", "定期检查", "recorded", "reviewed",
              roles=("salesperson", "sales_supervisor", "sales_manager", "marketing_head"),
              relations=(_not_person("visitor", lazy("不能检查自己的回访记录。")),),
              inputs=(Input("opinion", lazy("检查意见"), "textarea", field="check_opinion"),),
              effects=(fx.sign, fx.stamp("checked_by", "checked_at")), bulk=True),
        ])
        permissions = {"create": CUSTOMER_WRITERS, "edit": CUSTOMER_WRITERS,
                       "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"visitor": emp} if emp else {}

    def check(self, actor, is_new):
        errors = {}
        problem = _key_account_problem(_fk(self, "customer"))
        if problem:
            errors["customer"] = problem
        if self.direct_by_manager and _fk(self, "authorised_by") is None:
            errors["authorised_by"] = gettext("大客户管理人员直接回访须经公司领导授权（002 篇六 7）。")
        if _fk(self, "authorised_by") and _fk(self, "authorised_by") == _fk(self, "visitor"):
            errors["authorised_by"] = gettext("授权领导不能是回访人本人。")
        if self.visited_at and self.visited_at > today():
            errors["visited_at"] = gettext("回访日期不能晚于今天。")
        return errors


# ---------------------------------------------------------------------------
# 2.B Patrol visits, customer care
# ---------------------------------------------------------------------------

PLAN_FLOW_STATES = (State("draft", "草稿", draft=True), State("issued", "已下达"),
                    State("completed", "已完成", terminal=True))


def _plan_issue_guard(actor, row, inputs):
    if not PatrolPlanItem.select().where(PatrolPlanItem.plan == row.id).exists():
        return {"schedule": gettext("请先填写具体巡访活动安排（001-服务 第五条）。")}
    return None


class PatrolPlan(FormRecord):
    """F-18 巡回访问计划 (年度 / 季度 / 月份): made by the unit head from the
    superior's basic policy and handed to the assigned person (001-服务 第五条)."""
    state = _states(*PLAN_FLOW_STATES)
    unit = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="营业单位")
    period_type = Choice(PATROL_PERIODS, verbose_name="计划周期")
    period = CharField(max_length=20, verbose_name="计划期间",
                       help_text="年度填 2026，季度填 2026-Q4，月份填 2026-11")
    made_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="营业单位主管")
    assignee = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="专人")
    basis = Text("上级确定的基本方针")
    key_products = Text("重点推销商品")
    key_survey_items = Text("重点调查项目")
    special_survey_items = Text("特别调查项目")
    completion_note = Text("完成情况")

    class Register:
        label = "巡回访问计划"
        group = "service"
        domain_ids = ("F-18", "R-TRK-10")
        title_field = "record_no"
        list_columns = ("record_no", "unit", "period_type", "period", "made_by", "assignee",
                        "filled_at")
        search = ("record_no", "period", "key_products", "key_survey_items")
        filters = ("unit", "period_type", "made_by", "assignee", "filled_at")
        required = ("basis", "key_products", "key_survey_items")
        readonly_fields = ("completion_note",)
        dept_fields = ("dept", "unit")
        person_fields = ("made_by", "assignee", "filled_by")
        inlines = ("PatrolPlanItem",)
        signatures = ("营业单位主管", "专人")
        workflow = Workflow(list(PLAN_FLOW_STATES), [
            T("issue", "下达", "draft", "issued",
              roles=("sales_supervisor", "regional_manager", "sales_manager"),
              relations=(_one_of("made_by", "filled_by"),), guard=_plan_issue_guard,
              effects=(fx.sign, fx.notify_employees("assignee", "巡回访问计划已下达给您"))),
            T("complete", "完成", "issued", "completed", roles=SALES_FRONT + ("sales_manager",),
              relations=(_one_of("assignee", "made_by"),),
              inputs=(Input("note", lazy("完成情况"), "textarea", required=True, field="completion_note"),)),
        ])
        permissions = {"create": ("sales_supervisor", "regional_manager", "sales_manager"),
                       "edit": ("sales_supervisor", "regional_manager", "sales_manager"),
                       "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"made_by": emp, "unit": emp.dept} if emp else {}

    def check(self, actor, is_new):
        errors = {}
        fmt = PATROL_PERIOD_FORMATS.get(self.period_type)
        if fmt and self.period and not _re.match(fmt[0], self.period.strip()):
            errors["period"] = gettext("计划期间格式应为 %(example)s。", example=fmt[1])
        return errors

    def derive(self, actor):
        super().derive(actor)
        if self.period:
            self.period = self.period.strip().upper()


class PatrolPlanItem(LineItem):
    """具体巡访活动安排"""
    plan = ForeignKeyField(PatrolPlan, backref="schedule", on_delete="CASCADE",
                           verbose_name="巡回访问计划")
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="客户")
    planned_date = DateField(verbose_name="计划日期")
    items = Char("巡访事项", max_length=300)


class PatrolDailyReport(FormRecord):
    """F-19 巡访日报表: the patrol visitor reports every day to the superior,
    together with the customer cards (001-服务 第九条)."""
    visitor = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="巡回访问人员")
    date = DateField(default=today, verbose_name="日期")
    submitted_to = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="上级主管")

    class Register:
        label = "巡访日报表"
        group = "service"
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


MONTHLY_REPORT_FLOW_STATES = (State("draft", "草稿", draft=True), State("submitted", "已呈报"),
                              State("read", "领导已阅", terminal=True))


def _compile_month(actor, row, inputs):
    row.compile_month()


class PatrolMonthlyReport(FormRecord):
    """F-20 每月巡访情况报告书: the regional sales head compiles the month's
    巡访日报表 for the company leaders (001-服务 第十条).

    The daily reports are not picked by hand: they are the month's reports of
    the department (and the region's customers), so the report lists and
    counts them itself while it is a draft and once more when it is submitted."""
    state = _states(*MONTHLY_REPORT_FLOW_STATES)
    region = ForeignKeyField(Region, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="区域")
    month = DateField(default=_month_start, verbose_name="月份",
                      help_text="填该月任一日，保存时取该月1日")
    summary = TextField(verbose_name="巡访情况总结")
    daily_report_count = Int("巡访日报表份数")
    visit_count = Int("巡访客户次数")
    customer_count = Int("巡访客户数")
    urgent_count = Int("巡访紧急报告数")
    daily_reports = Text("所含巡访日报表")
    submitted_to = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                   verbose_name="呈报领导")
    due_at = When("呈报期限")
    submitted_at = When("呈报时间")

    class Register:
        label = "每月巡访情况报告书"
        group = "service"
        domain_ids = ("F-20", "R-TRK-12")
        title_field = "record_no"
        list_columns = ("record_no", "month", "region", "daily_report_count", "visit_count",
                        "submitted_to", "due_at", "submitted_at")
        search = ("record_no", "summary", "daily_reports")
        filters = ("month", "region", "submitted_to", "due_at", "dept")
        readonly_fields = ("daily_report_count", "visit_count", "customer_count", "urgent_count",
                           "daily_reports", "due_at", "submitted_at")
        person_fields = ("submitted_to", "filled_by")
        signatures = ("区域销售主管", "企业主管领导")
        workflow = Workflow(list(MONTHLY_REPORT_FLOW_STATES), [
            T("submit", "呈报", "draft", "submitted",
              roles=("sales_supervisor", "regional_manager", "sales_manager"),
              relations=(rel.named("filled_by", lazy("只有填表人才能呈报。")),),
              effects=(_compile_month, fx.sign, fx.stamp(at_field="submitted_at"),
                       fx.notify_employees("submitted_to", "每月巡访情况报告书待阅"))),
            T("acknowledge", "已阅", "submitted", "read", roles=MANAGERS + ("regional_manager",),
              relations=(rel.named("submitted_to", lazy("只有呈报的领导才能批阅。")),)),
        ], due_field="due_at")
        permissions = {"create": ("sales_supervisor", "regional_manager", "sales_manager"),
                       "edit": ("sales_supervisor", "regional_manager", "sales_manager"),
                       "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        superior = _superior_of(actor)
        return {"submitted_to": superior} if superior else {}

    def compile_month(self):
        """The month's daily reports of this department (and the departments
        below it), limited to the region's customers when a region is given."""
        if not self.month or not _fk(self, "dept"):
            return
        first, last = _month_start(self.month), _month_end(self.month)
        depts = list(_dept_tree(_fk(self, "dept")))
        entries = (PatrolDailyEntry.select(PatrolDailyEntry, PatrolDailyReport)
                   .join(PatrolDailyReport)
                   .where(PatrolDailyReport.deleted_at.is_null(),
                          PatrolDailyReport.dept.in_(depts),
                          PatrolDailyReport.date.between(first, last)))
        if _fk(self, "region"):
            entries = entries.join_from(PatrolDailyEntry, Customer).where(
                Customer.region == _fk(self, "region"))
        entries = list(entries.order_by(PatrolDailyReport.date, PatrolDailyReport.id))
        reports = list(dict.fromkeys(e.report.record_no for e in entries))
        self.daily_report_count = len(reports)
        self.visit_count = len(entries)
        self.customer_count = len({e.customer_id for e in entries})
        self.daily_reports = "、".join(reports) or None
        self.urgent_count = (PatrolUrgentReport.select()
                             .where(PatrolUrgentReport.deleted_at.is_null(),
                                    PatrolUrgentReport.dept.in_(depts),
                                    PatrolUrgentReport.reported_at.between(
                                        _datetime.combine(first, _time(0, 0)),
                                        _datetime.combine(last, _time(23, 59, 59)))).count())

    def derive(self, actor):
        super().derive(actor)
        if self.month:
            self.month = _month_start(self.month)
            self.due_at = _calendar.rule_deadline("patrol_monthly_report", self.month)
        if self.state == "draft":
            self.compile_month()

    def check(self, actor, is_new):
        errors = {}
        if self.month and self.month > today():
            errors["month"] = gettext("不能为未来的月份编写巡访情况报告书。")
        if self.month and _fk(self, "dept"):
            query = PatrolMonthlyReport.select().where(
                PatrolMonthlyReport.dept == _fk(self, "dept"),
                PatrolMonthlyReport.month == _month_start(self.month),
                PatrolMonthlyReport.deleted_at.is_null())
            query = query.where(PatrolMonthlyReport.region.is_null() if _fk(self, "region") is None
                                else PatrolMonthlyReport.region == _fk(self, "region"))
            if self.id:
                query = query.where(PatrolMonthlyReport.id != self.id)
            if query.exists():
                errors["month"] = gettext("本部门该区域该月的巡访情况报告书已经存在。")
        return errors


URGENT_FLOW_STATES = (State("reported", "已报告"), State("handled", "已处理", terminal=True))


class PatrolUrgentReport(FormRecord):
    """F-21 巡访紧急报告: matters the unit cannot solve itself go up to the
    superior at once (001-服务 第十一条 「应随时填制《巡访紧急报告》,通报上级处理」)."""
    state = _states(*URGENT_FLOW_STATES)
    reason = Choice(URGENT_REASONS, verbose_name="事由")
    details = TextField(verbose_name="详细情况")
    source_daily_report = ForeignKeyField(PatrolDailyReport, null=True, backref="+",
                                          on_delete="SET NULL", verbose_name="来源巡访日报表")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="涉及客户")
    reported_to = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="报告上级")
    reported_at = DateTimeField(default=now, verbose_name="报告时间")
    handled_result = Text("处理结果")
    handled_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="处理人")
    handled_at = When("处理时间")

    class Register:
        label = "巡访紧急报告"
        group = "service"
        domain_ids = ("F-21", "R-TRK-13")
        title_field = "record_no"
        list_columns = ("record_no", "reason", "customer", "reported_to", "reported_at",
                        "handled_by", "handled_at")
        search = ("record_no", "details", "handled_result")
        filters = ("reason", "customer", "reported_to", "reported_at", "handled_at", "dept")
        readonly_fields = ("handled_result", "handled_by", "handled_at")
        person_fields = ("reported_to", "handled_by", "filled_by")
        signatures = ("区域销售主管", "上级")
        workflow = Workflow(list(URGENT_FLOW_STATES), [
            T("handle", "处理完毕", "reported", "handled",
              roles=("sales_supervisor", "regional_manager") + MANAGERS,
              relations=(_one_of("reported_to", roles=LEADERS,
                                 message=lazy("只有接到报告的上级才能处理。")),),
              inputs=(Input("handled_result", lazy("处理结果"), "textarea", required=True,
                            field="handled_result"),),
              effects=(fx.sign, fx.stamp("handled_by", "handled_at"),
                       fx.notify_employees("filled_by", "巡访紧急报告已处理", kind="info"))),
        ], handler_field="reported_to")
        permissions = {"create": SALES_FRONT + ("sales_manager",),
                       "edit": SALES_FRONT + ("sales_manager",), "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        superior = _superior_of(actor)
        return {"reported_to": superior} if superior else {}

    def check(self, actor, is_new):
        errors = {}
        if self.state == "handled" and _blank(self.handled_result):
            errors["handled_result"] = gettext("须填写处理结果才能结束紧急报告。")
        if _fk(self, "reported_to") and _fk(self, "reported_to") == _fk(self, "filled_by"):
            errors["reported_to"] = gettext("紧急报告须通报上级处理，不能报给自己。")
        if self.reported_at and self.reported_at > now() + _timedelta(minutes=5):
            errors["reported_at"] = gettext("报告时间不能晚于当前时间。")
        return errors


class InquiryCard(FormRecord):
    """F-22 征询卡: handed to new customers during market development to
    collect their opinions on the products (001-服务 第三条.2)."""
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    prospect_name = Char("新客户名称", help_text="尚未建档的新客户")
    issued_at = DateField(default=today, verbose_name="发放日期")
    issued_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="发放人")
    returned_at = Date("收回日期")
    opinions = Text("使用意见")

    class Register:
        label = "征询卡"
        group = "service"
        domain_ids = ("F-22",)
        title_field = "record_no"
        list_columns = ("record_no", "customer", "prospect_name", "issued_at", "issued_by",
                        "returned_at")
        search = ("record_no", "prospect_name", "opinions")
        filters = ("customer", "issued_at", "issued_by", "returned_at", "dept")
        person_fields = ("issued_by", "filled_by")
        permissions = {"create": SALES_FRONT, "edit": SALES_FRONT, "view": CUSTOMER_READERS}

    @classmethod
    def defaults(cls, actor):
        emp = actor.employee if actor is not None else None
        return {"issued_by": emp} if emp else {}

    def check(self, actor, is_new):
        errors = {}
        if _fk(self, "customer") is None and _blank(self.prospect_name):
            errors["customer"] = gettext("请选择客户，或填写新客户名称。")
        if self.returned_at:
            if self.issued_at and self.returned_at < self.issued_at:
                errors["returned_at"] = gettext("收回日期不能早于发放日期。")
            elif self.returned_at > today():
                errors["returned_at"] = gettext("收回日期不能晚于今天。")
            if _blank(self.opinions):
                errors["opinions"] = gettext("征询卡收回后须登记客户的使用意见。")
        return errors


def _care_flow():
    """WF-10 for 客户关怀服务审批表: the superior (主管领导) approves and writes
    the opinion; after the activity the result is evaluated (000-四 附表)."""
    flow = approval_flow([Step("主管领导审批", "superior")],
                         creators=SALES_FRONT + ("sales_manager", "after_sales"), evaluate=True)
    flow.transitions["approve"].inputs = (
        Input("opinion", lazy("主管领导意见"), "textarea", field="leader_opinion"),)
    return flow


class CustomerCareApproval(ApprovalRecord):
    """F-24 客户关怀服务审批表: a customer-care activity with its budget,
    approved by the supervising leader and evaluated afterwards (000-四 附表;
    record category b of 000-四 42)."""
    customer_name = CharField(max_length=60, verbose_name="客户姓名")
    customer_unit = CharField(max_length=200, verbose_name="客户单位")
    customer_phone = Char("客户电话", max_length=40)
    purpose = TextField(verbose_name="活动目的")
    content = TextField(verbose_name="活动内容")
    leader_opinion = Text("主管领导意见")
    budget = Money("需要经费")
    result_evaluation = Text("结果评估")
    time = When("时间")

    class Register:
        label = "客户关怀服务审批表"
        group = "service"
        domain_ids = ("F-24", "WF-10", "R-APR-03")
        title_field = "customer_unit"
        list_columns = ("record_no", "customer_name", "customer_unit", "time", "budget",
                        "filled_by", "current_approver")
        search = ("record_no", "customer_name", "customer_unit", "purpose", "content")
        filters = ("filled_at", "time", "filled_by", "current_approver", "dept")
        required = ("customer_phone", "budget", "time")
        readonly_fields = ("leader_opinion", "result_evaluation", "approval_step",
                           "current_approver", "approver_role", "approved_by", "approved_at",
                           "rejection_reason")
        person_fields = ("filled_by", "current_approver", "approved_by")
        signatures = ("申请人", "主管领导")
        workflow = _care_flow()
        permissions = {"create": SALES_FRONT + ("sales_manager", "after_sales"),
                       "edit": SALES_FRONT + ("sales_manager", "after_sales"),
                       "view": SALES + ("after_sales",) + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        if _dec(self.budget) is not None and _dec(self.budget) < 0:
            errors["budget"] = gettext("需要经费不能为负数。")
        if self.state == "evaluated" and _blank(self.result_evaluation):
            errors["result_evaluation"] = gettext("活动结束后须填写结果评估。")
        return errors

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
