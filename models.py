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

import json as _json
import re as _re
from datetime import datetime as _datetime
from functools import reduce as _reduce
from operator import or_ as _or

from permissions.roles import SALES_MANAGERS
from portal.record import When
from portal.workflows import effects as fx
from portal.workflows import relations as rel
from portal.workflows.engine import Input, Relation, State, T, Workflow

# Role groups of this section (DOMAIN.md 1.8 "Contacts, feedback, surveys" and
# "Complaints"): the front line that registers, the departments a case is
# routed to, and everyone who reads complaint documents (never the customer).
CONTACT_FRONT = SALES_FRONT + ("after_sales",)
CASE_ROUTED = SALES + ("after_sales", "quality_dept", "admin_dept")
CASE_READERS = CASE_ROUTED + ("technician",) + LEADERS


def _b_msg(text, **kw):
    from portal.i18n import gettext
    return gettext(text, **kw)


def _b_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _b_any_of(name, message, *relations):
    """A transition allowed to whoever satisfies one of `relations`."""
    def check(actor, row):
        return any(r.check(actor, row) for r in relations)

    def expr(actor, Model):
        return _reduce(_or, [r.expr(actor, Model) for r in relations])
    return Relation(name, check, expr, message)


def _b_deadline(key, start):
    from portal.calendar import rule_deadline
    return rule_deadline(key, start) if start is not None else None


# ---------------------------------------------------------------------------
# Enumerations of 2.C / 2.D (codes stored, DOMAIN.md labels shown)
# ---------------------------------------------------------------------------

CONTACT_KINDS = (("consult", "服务咨询"), ("feedback", "使用意见反馈"), ("complaint", "投诉"),
                 ("repair", "报修"), ("inquiry", "查询及要求"))
REPLY_FORMS = (("letter", "书信"), ("fax", "传真"), ("email", "电子邮件"),
               ("oral", "口头(需补书面确认)"))                                    # 004 §5.2
INFO_CATEGORIES = (("quality", "产品质量信息"), ("other", "其他信息"))               # E-07
DEFECT_CONFIRMATIONS = (("confirmed", "确认不良"), ("not_defective", "非不良"),
                        ("pending", "待确认"))                                    # inferred
CHANGE_TYPES = (("tech", "技术要求变更"), ("contract_delivery", "合同交付变更"),
                ("other", "其他方面的变更"))                                       # E-47
CONTRACT_REVIEW = (("can_meet", "可以满足"), ("cannot_meet", "无法满足"))
# E-21 销售人员品评: four levels, names inferred (DOMAIN.md 6.5), scores 4..1
RATING_LEVELS = (("very_satisfied", "非常满意"), ("satisfied", "满意"),
                 ("fair", "基本满意"), ("unsatisfied", "不满意"))
OPINION_RATING_SCORES = {"very_satisfied": 4, "satisfied": 3, "fair": 2, "unsatisfied": 1}
SEVERITIES = (("major", "情节重大"), ("ordinary", "一般性质"))                      # E-24
CUSTOMER_NOTICE_METHODS = (("letter", "函告"), ("written", "书面"), ("phone", "电话"))
MEETING_TYPES = (("demand", "需求信息工作会议"), ("service_topic", "顾客服务专题会议"),
                 ("info_analysis", "客户信息分析会议"), ("production", "生产会议"),
                 ("customer", "顾客会议"))
INVESTIGATION_METHODS = (("goods", "现品调查"), ("records", "记录资料调查"),
                         ("site", "实地调查"))                                     # E-51
STATS_PERIOD_TYPES = (("monthly", "月度"), ("half_year", "半年"))
DEFECT_DESTINATIONS = (("rnd", "研发"), ("design", "设计"), ("production", "生产"),
                       ("tech", "技术部门"))                                        # 000-二 §三.6
PETITION_OUTCOMES = (("upheld", "维持原决议"), ("revised", "变更原决议"))          # inferred
REWARD_DIRECTIONS = (("penalty", "处罚"), ("reward", "奖励"))
PUBLISHERS = (("hr", "人事单位"), ("gm_office", "总经理办公室"))                    # 002 篇五 / 篇十一


# ---------------------------------------------------------------------------
# F-25 客户来电函信息登记表
# ---------------------------------------------------------------------------

CONTACT_REPLY_KINDS = ("consult", "feedback", "inquiry")


def _contact_must_be_routed(row):
    """A complaint or a repair call is not answered in the register: it goes
    on as a complaint case (000-二 §三.4) or a repair request (000-二 §五.5)."""
    if row.kind == "complaint" and not row.__data__.get("complaint"):
        return {"kind": _b_msg("类别为「投诉」的来电函须转为客户投诉处理（000-二 §三.4），不能直接答复办结。")}
    if row.kind == "repair" and _b_blank(row.repair_request):
        return {"kind": _b_msg("类别为「报修」的来电函须转报修处理（000-二 §五.5），不能直接答复办结。")}
    return None


def _contact_reply_guard(actor, row, inputs):
    problems = _contact_must_be_routed(row) or {}
    if _b_blank(row.handling_opinion):
        problems["handling_opinion"] = _b_msg("答复客户前须填写接手人员的处理意见。")
    return problems


def _contact_close_guard(actor, row, inputs):
    problems = _contact_must_be_routed(row) or {}
    if row.reply_form == "oral" and row.written_confirmation_at is None:
        problems["written_confirmation_at"] = _b_msg(
            "口头答复须事后以书面形式确认（004 §5.2），请先填写书面确认时间。")
    return problems


def _contact_complaint_guard(actor, row, inputs):
    problems = {}
    if row.kind != "complaint":
        problems["kind"] = _b_msg("只有类别为「投诉」的来电函才能转为客户投诉。")
    if not row.__data__.get("customer"):
        problems["customer"] = _b_msg("转为客户投诉前须选择投诉客户的客户档案。")
    return problems


def _contact_repair_guard(actor, row, inputs):
    if row.kind != "repair":
        return {"kind": _b_msg("只有类别为「报修」的来电函才能转报修。")}
    return None


def _contact_complaint_values(actor, row, inputs):
    issue = row.issue or ""
    return dict(received_at=row.time, received_by=row.receiver, customer=row.customer,
                channel=row.channel, type="complaint", handler=row.handler,
                title=f"{row.customer_name}：{issue[:40]}"[:200],
                content=f"{issue}\n（由来电函登记 {row.record_no} 转入）")


def _contact_link_complaint(actor, row, inputs):
    """The complaint case just created by `to_complaint` (same transaction)."""
    row.complaint = (Complaint.select()
                     .where(Complaint.created_by == actor.id,
                            Complaint.customer == row.__data__.get("customer"),
                            Complaint.received_at == row.time)
                     .order_by(Complaint.id.desc()).first())


_contact_leader = _b_any_of(
    "contact_leader", "只有指定的主管领导或接待人的上级主管才能审阅办结。",
    rel.named("leader"), rel.superior_of("receiver"))
_contact_people = _b_any_of(
    "contact_people", "只有接手人员、接待人或填表人才能答复客户。",
    rel.named("handler"), rel.named("receiver"), rel.named("filled_by"))

CONTACT_WORKFLOW = Workflow(
    # Until the 主管领导 reviews the entry, its responsible-signature line is
    # still open (000-四 43): those states count as drafts for the signer rule.
    states=[State("registered", "已登记", draft=True), State("handling", "处理中", draft=True),
            State("replied", "已答复客户", draft=True), State("closed", "已办结", terminal=True),
            State("complaint", "已转投诉", terminal=True),
            State("repair", "已转报修", terminal=True)],
    transitions=[
        T("forward", "转送处理", "registered", "handling", roles=CONTACT_FRONT + SALES_MANAGERS,
          guard=lambda actor, row, inputs: None if row.__data__.get("handler") else
          {"handler": _b_msg("请先指定接手人员，再按分工转送处理（000-二 §三.3）。")},
          effects=[fx.notify_employees("handler", lambda row: f"来电函待处理：{row.record_no} {row.customer_name}")]),
        T("reply", "答复客户", ("registered", "handling"), "replied",
          roles=CASE_ROUTED, relations=(_contact_people,),
          inputs=[Input("reply_form", "答复方式", "choice", required=True, choices=REPLY_FORMS,
                        field="reply_form"),
                  Input("handling_opinion", "处理意见", "textarea", field="handling_opinion")],
          guard=_contact_reply_guard, effects=[fx.stamp(at_field="replied_at")]),
        T("close", "主管领导审阅办结", "replied", "closed",
          roles=SALES_MANAGERS + ("regional_manager", "sales_supervisor", "after_sales") + LEADERS,
          relations=(_contact_leader,),
          inputs=[Input("leader_opinion", "主管领导意见", "textarea", field="leader_opinion"),
                  Input("final_result", "最终结果", "textarea", required=True, field="final_result")],
          guard=_contact_close_guard, effects=[fx.stamp(by_field="leader"), fx.sign]),
        T("to_complaint", "转为客户投诉", ("registered", "handling"), "complaint",
          roles=CONTACT_FRONT + SALES_MANAGERS, guard=_contact_complaint_guard,
          effects=[fx.create_record("complaint", _contact_complaint_values, comment="由来电函登记转入"),
                   _contact_link_complaint, fx.sign],
          confirm="将据此登记一条客户投诉，确定转入？"),
        T("to_repair", "转报修", ("registered", "handling"), "repair",
          roles=CONTACT_FRONT + SALES_MANAGERS, guard=_contact_repair_guard,
          inputs=[Input("repair_request", "报修单编号", "text", required=True, max_length=60,
                        field="repair_request")],
          effects=[fx.sign]),
    ],
    due_field="reply_due", handler_field="handler")


class CustomerContactLog(FormRecord):
    """F-25 客户来电函信息登记表: every call, letter and visit (000-二 §三.3,
    000-四 record 64), and the inquiries and requests of 004 §5.2."""
    state = CONTACT_WORKFLOW.make_state_field()
    time = DateTimeField(default=now, verbose_name="时间")
    customer = ForeignKeyField(Customer, null=True, backref="contact_logs", on_delete="SET NULL",
                               verbose_name="客户档案", help_text="已建档客户；转为客户投诉时必填")
    customer_name = CharField(max_length=100, verbose_name="客户姓名")
    customer_unit = Char("客户单位")
    customer_phone = Char("客户电话", max_length=40)
    receiver = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="接待人")
    channel = Choice(CHANNELS, default="call_in", verbose_name="渠道")
    kind = Choice(CONTACT_KINDS, default="consult", verbose_name="类别")
    issue = TextField(verbose_name="客户反映问题")
    needs_collection = Flag("需收集资料后答复", help_text="004 §5.2：须收集各项咨询的，三个工作日内回复")
    marketing_supervisor_notified = Flag("已通知营销主管人员")
    handler = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                              verbose_name="接手人员")
    handling_opinion = Text("处理意见")
    leader = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="主管领导")
    leader_opinion = Text("主管领导意见")
    final_result = Text("最终结果")
    reply_due = When("回复期限", index=True)
    replied_at = When("回复时间")
    reply_form = Choice(REPLY_FORMS, null=True, verbose_name="答复方式")
    estimated_completion = Date("预计完成时间", help_text="一周内无法答复时告知客户的预计完成日期")
    written_confirmation_at = When("书面确认时间")
    complaint = ForeignKeyField(Complaint, null=True, backref="contact_logs", on_delete="SET NULL",
                                verbose_name="转入的客户投诉")
    # The repair register (F-49) is not in this section: the repair call is
    # referenced by its number until it can be linked.
    repair_request = Char("报修单编号", max_length=60)

    class Register:
        label = "客户来电函信息登记表"
        group = "service"
        domain_ids = ("F-25",)
        title_field = "customer_name"
        list_columns = ("record_no", "time", "customer_name", "kind", "channel", "receiver",
                        "handler", "reply_due", "replied_at")
        search = ("record_no", "customer_name", "customer_unit", "customer_phone", "issue",
                  "final_result")
        filters = ("kind", "channel", "time", "customer", "receiver", "handler", "reply_due",
                   "marketing_supervisor_notified")
        required = ("customer_unit", "customer_phone")
        person_fields = ("receiver", "handler", "leader", "filled_by")
        readonly_fields = ("reply_due", "complaint")
        signatures = ("接待人", "接手人员", "主管领导")
        workflow = CONTACT_WORKFLOW
        permissions = {"create": CONTACT_FRONT + SALES_MANAGERS,
                       "edit": CONTACT_FRONT + SALES_MANAGERS + ("quality_dept",),
                       "view": CASE_ROUTED + LEADERS}

    @staticmethod
    def defaults(actor):
        return {"receiver": actor.employee} if actor is not None and actor.employee else {}

    def derive(self, actor):
        super().derive(actor)
        # 004 §5.2: reply at once or the same day; within three working days
        # when information must be collected (SLA rules, R-CFG). Complaints and
        # repair calls run on their own deadlines once transferred.
        if self.kind in CONTACT_REPLY_KINDS and self.time is not None:
            key = "inquiry_reply_collect" if self.needs_collection else "inquiry_reply"
            self.reply_due = _b_deadline(key, self.time)
        else:
            self.reply_due = None

    def check(self, actor, is_new):
        errors = {}
        if self.replied_at and self.time and self.replied_at < self.time:
            errors["replied_at"] = _b_msg("回复时间不能早于来电函时间。")
        if self.replied_at and self.time and self.kind in CONTACT_REPLY_KINDS \
                and self.estimated_completion is None:
            week = _b_deadline("inquiry_estimate", self.time)
            if week is not None and self.replied_at > week:
                errors["estimated_completion"] = _b_msg(
                    "一周内无法答复的，须告知客户预计完成日期并取得同意（004 §5.2），请填写预计完成时间。")
        if self.written_confirmation_at and self.reply_form and self.reply_form != "oral":
            errors["written_confirmation_at"] = _b_msg("只有口头答复才需要补书面确认。")
        return errors


# ---------------------------------------------------------------------------
# F-26 出差.退换品信息表 (WF-02)
# ---------------------------------------------------------------------------


def _feedback_departments(row):
    return [d.dept_id for d in FeedbackResponsibleDept.select(FeedbackResponsibleDept.dept)
            .where(FeedbackResponsibleDept.feedback == row.id)]


def _in_responsible_dept():
    """Staff of a department the item was passed to (「相關部門」 003 §4.2)."""
    from permissions import rules

    def check(actor, row):
        return bool(rules.actor_departments(actor).intersection(_feedback_departments(row)))

    def expr(actor, Model):
        depts = list(rules.actor_departments(actor)) or [0]
        return Model.id.in_(FeedbackResponsibleDept.select(FeedbackResponsibleDept.feedback)
                            .where(FeedbackResponsibleDept.dept.in_(depts)))
    return Relation("responsible_dept", check, expr, "只有信息传递到的责任部门才能执行此操作。")


def _feedback_dispatch_guard(actor, row, inputs):
    if not _feedback_departments(row):
        return {"responsible_depts": _b_msg("请至少指定一个责任部门后再传递（003 §4.2）。")}
    return None


def _feedback_dispatch(actor, row, inputs):
    depts = _feedback_departments(row)
    if not row.__data__.get("lead_dept"):
        row.lead_dept = depts[0]
    heads = [d.head_id for d in Department.select(Department.head).where(Department.id.in_(depts))]
    from portal import notify
    notify.send(notify.users_of(heads), f"客户反馈信息待处理：{row.record_no}",
                register="customer_feedback_info", record_id=row.id, kind="task")


def _feedback_return_guard(actor, row, inputs):
    if row.category == "quality" and _b_blank(row.capa_ref):
        return {"capa_ref": _b_msg("产品质量信息须按《纠正预防措施控制程序》处理（003 §4.2），请填写纠正预防措施编号。")}
    return None


FEEDBACK_DEPT_ROLES = CASE_ROUTED + ("technician", "finance")

FEEDBACK_WORKFLOW = Workflow(
    states=[State("registered", "已登记", draft=True), State("classified", "已分类"),
            State("dispatched", "已传递"), State("handling", "处理中"),
            State("returned", "结果已返回营业部"), State("replied", "已回复客户"),
            State("closed", "已关闭", terminal=True)],
    transitions=[
        T("classify", "分类定级", "registered", "classified", roles=SALES,
          inputs=[Input("category", "信息类别", "choice", required=True, choices=INFO_CATEGORIES,
                        field="category"),
                  Input("level", "信息等级", "choice", required=True, choices=FEEDBACK_LEVELS,
                        field="level")],
          effects=[fx.deadline("due_at", lambda row: f"feedback_{row.level}", "received_at"),
                   fx.sign]),
        T("dispatch", "传递责任部门", "classified", "dispatched", roles=SALES,
          guard=_feedback_dispatch_guard, effects=[_feedback_dispatch]),
        T("start", "开始处理", "dispatched", "handling", roles=FEEDBACK_DEPT_ROLES,
          relations=(_in_responsible_dept(),),
          inputs=[Input("analysis", "分析", "textarea", field="analysis")]),
        T("return_result", "结果返回营业部", "handling", "returned", roles=FEEDBACK_DEPT_ROLES,
          relations=(_in_responsible_dept(),),
          inputs=[Input("handling", "处理", "textarea", required=True, field="handling"),
                  Input("capa_ref", "纠正预防措施编号", "text", max_length=60, field="capa_ref")],
          guard=_feedback_return_guard, effects=[fx.stamp(at_field="result_to_sales_at")]),
        T("reply", "回复客户", "returned", "replied", roles=SALES,
          inputs=[Input("reply_content", "回复内容", "textarea", required=True, field="reply_content")],
          effects=[fx.stamp(at_field="replied_at")]),
        T("close", "关闭", "replied", "closed", roles=SALES),
    ],
    due_field="due_at")


class CustomerFeedbackInfo(FormRecord):
    """F-26 出差.退换品信息表: a customer feedback item classified by 营业部 and
    passed to the responsible departments (003 §4.2, WF-02)."""
    state = FEEDBACK_WORKFLOW.make_state_field()
    customer = ForeignKeyField(Customer, backref="feedback_items", on_delete="RESTRICT",
                               verbose_name="客户")
    received_at = DateTimeField(default=now, verbose_name="收到时间")
    channel = Choice(CHANNELS, default="phone", verbose_name="渠道")
    content = TextField(verbose_name="内容")
    category = Choice(INFO_CATEGORIES, null=True, verbose_name="信息类别")
    level = Choice(FEEDBACK_LEVELS, null=True, verbose_name="信息等级")
    due_at = When("处理期限", index=True)
    lead_dept = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="主责部门", help_text="默认为第一个责任部门")
    analysis = Text("分析")
    handling = Text("处理")
    capa_ref = Char("纠正预防措施编号", max_length=60)
    supplier_issue = Flag("涉及供方质量问题", help_text="由资材部与供方协商（003 §4.2 b）")
    result_to_sales_at = When("结果转交营业部时间")
    reply_content = Text("回复内容")
    replied_at = When("回复客户时间")
    overdue = Flag("逾期")

    class Register:
        label = "出差.退换品信息表"
        group = "service"
        domain_ids = ("F-26",)
        list_columns = ("record_no", "customer", "received_at", "category", "level", "due_at",
                        "lead_dept", "replied_at", "overdue")
        search = ("record_no", "content", "analysis", "handling", "capa_ref")
        filters = ("category", "level", "channel", "received_at", "customer", "lead_dept",
                   "due_at", "overdue", "supplier_issue")
        dept_fields = ("dept", "lead_dept")
        person_fields = ("filled_by",)
        readonly_fields = ("due_at", "overdue", "result_to_sales_at", "replied_at")
        inlines = ("FeedbackResponsibleDept",)
        default_retention = "unspecified"          # 003 record table: 保存期限 blank
        signatures = ("营业部", "责任部门")
        workflow = FEEDBACK_WORKFLOW
        permissions = {"create": SALES, "edit": SALES,
                       "view": FEEDBACK_DEPT_ROLES + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        # 003 §4.2 b: AA 24 h, A 48 h, B 72 h from receipt (SLA rules feedback_AA/A/B)
        self.due_at = _b_deadline(f"feedback_{self.level}", self.received_at) if self.level else None
        end = self.replied_at or now()
        self.overdue = bool(self.due_at and end > self.due_at)

    def check(self, actor, is_new):
        errors = {}
        if self.replied_at and self.received_at and self.replied_at < self.received_at:
            errors["replied_at"] = _b_msg("回复客户时间不能早于收到时间。")
        if self.state not in ("registered",) and not (self.category and self.level):
            errors["level"] = _b_msg("已分类的信息必须有信息类别和信息等级。")
        return errors


class FeedbackResponsibleDept(LineItem):
    """责任部门（信息传递到的部门及其处理记录）"""
    feedback = ForeignKeyField(CustomerFeedbackInfo, backref="responsible_depts", on_delete="CASCADE",
                               verbose_name="客户反馈信息")
    dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="责任部门")
    requirement = Char("处理要求")
    department_record = Text("部门处理记录")
    done = Flag("已处理")


# ---------------------------------------------------------------------------
# F-27 售后不良信息确认表 / 顾客反馈清单
# ---------------------------------------------------------------------------


class AfterSalesDefectConfirmation(FormRecord):
    """F-27 售后不良信息确认表 / 顾客反馈清单: the quality department's after-sales
    staff record each feedback problem and its handling (003 §4.2)."""
    feedback = ForeignKeyField(CustomerFeedbackInfo, null=True, backref="defect_confirmations",
                               on_delete="SET NULL", verbose_name="客户反馈信息")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="RESTRICT",
                               verbose_name="客户", help_text="关联客户反馈信息时自动带出")
    product = Char("产品(型号)", max_length=100)
    problem = TextField(verbose_name="反馈问题")
    confirmation = Choice(DEFECT_CONFIRMATIONS, default="pending", verbose_name="不良确认")
    handling_result = Text("处理结果")
    recorded_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                  verbose_name="记录人(品质保证部售后服务人员)")

    class Register:
        label = "售后不良信息确认表"
        group = "service"
        domain_ids = ("F-27",)
        list_columns = ("record_no", "customer", "product", "feedback", "confirmation",
                        "recorded_by", "filled_at")
        search = ("record_no", "product", "problem", "handling_result")
        filters = ("confirmation", "customer", "recorded_by", "filled_at", "feedback")
        person_fields = ("recorded_by", "filled_by")
        default_retention = "unspecified"
        signatures = ("品质保证部售后服务人员", "负责人")
        permissions = {"create": ("quality_dept",), "edit": ("quality_dept",),
                       "view": ("quality_dept", "after_sales") + SALES + LEADERS,
                       "delete": ("quality_dept",)}

    @staticmethod
    def defaults(actor):
        return {"recorded_by": actor.employee} if actor is not None and actor.employee else {}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("feedback") and not self.__data__.get("customer"):
            self.customer = self.feedback.customer_id

    def check(self, actor, is_new):
        errors = {}
        if not self.__data__.get("customer"):
            errors["customer"] = _b_msg("请填写客户，或关联一条客户反馈信息。")
        elif self.__data__.get("feedback") and self.feedback.customer_id != self.__data__.get("customer"):
            errors["customer"] = _b_msg("客户与所关联客户反馈信息的客户不一致。")
        if self.confirmation != "pending" and _b_blank(self.handling_result) \
                and "handling_result" not in (self.na_fields or []):
            errors["handling_result"] = _b_msg("已作出不良确认结论的，须记录处理结果（003 §4.2 顾客反馈清单）。")
        return errors


# ---------------------------------------------------------------------------
# F-28 客户信息变更
# ---------------------------------------------------------------------------


class CustomerChangeRequest(FormRecord):
    """F-28 客户信息变更: changed technical requirements, quantities or delivery
    dates, reviewed and notified in writing (003 §4.2, R-FB-08)."""
    customer = ForeignKeyField(Customer, backref="change_requests", on_delete="RESTRICT",
                               verbose_name="客户")
    change_type = Choice(CHANGE_TYPES, default="tech", verbose_name="变更类型")
    description = TextField(verbose_name="变更内容")
    tech_reconfirmed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                          verbose_name="技术部重新确定人")
    new_tech_agreement = Char("重新签订的技术协议(文件编号)", max_length=100)
    production_change = Text("生产变更")
    qc_change = Text("质检变更")
    contract_review = Choice(CONTRACT_REVIEW, null=True, verbose_name="合同评审结果")
    customer_explanation = Text("向客户解释")
    agreement_reached_at = Date("达成一致日期")

    class Register:
        label = "客户信息变更"
        group = "service"
        domain_ids = ("F-28",)
        list_columns = ("record_no", "customer", "change_type", "contract_review",
                        "tech_reconfirmed_by", "agreement_reached_at", "filled_at")
        search = ("record_no", "description", "new_tech_agreement", "customer_explanation")
        filters = ("change_type", "contract_review", "customer", "agreement_reached_at", "filled_at")
        person_fields = ("filled_by", "tech_reconfirmed_by")
        inlines = ("CustomerChangeNotice",)
        default_retention = "unspecified"
        signatures = ("营业部", "技术部", "负责人")
        permissions = {"create": SALES, "edit": SALES + ("quality_dept",),
                       "view": SALES + ("quality_dept",) + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        na = self.na_fields or []
        if self.change_type == "contract_delivery" and not self.contract_review:
            errors["contract_review"] = _b_msg(
                "合同交付变更（数量增加或交付日期提前）须先进行合同评审，填写评审结果（003 §4.2）。")
        if self.contract_review == "cannot_meet" and _b_blank(self.customer_explanation) \
                and "customer_explanation" not in na:
            errors["customer_explanation"] = _b_msg(
                "合同评审结果为「无法满足」时，营业部须向客户解释并记录（003 §4.2）。")
        if self.change_type == "tech" and self.agreement_reached_at \
                and not self.__data__.get("tech_reconfirmed_by"):
            errors["tech_reconfirmed_by"] = _b_msg(
                "技术要求变更须由技术部重新确定后才能与客户达成一致（003 §4.2）。")
        return errors


class CustomerChangeNotice(LineItem):
    """书面通知部门（生产部、资材部等）"""
    request = ForeignKeyField(CustomerChangeRequest, backref="notified_depts", on_delete="CASCADE",
                              verbose_name="客户信息变更")
    dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="通知部门")
    notice_ref = Char("书面通知编号", max_length=60)
    notified_at = When("通知时间")


# ---------------------------------------------------------------------------
# F-29 用户意见反馈表 / 售后服务反馈表
# ---------------------------------------------------------------------------

SERVICE_FEEDBACK_WORKFLOW = Workflow(
    states=[State("filled", "已填写", draft=True), State("followed_up", "已电话追踪"),
            State("filed", "已存档", terminal=True)],
    transitions=[
        T("follow_up", "电话追踪", "filled", "followed_up", roles=("after_sales",),
          inputs=[Input("result", "电话追踪结果（客户意见）", "textarea", required=True,
                        field="phone_followup_result")],
          effects=[fx.stamp("phone_followup_by", "phone_followup_at"), fx.sign]),
        T("file", "交售后服务中心存档", "followed_up", "filed", roles=("after_sales",),
          effects=[fx.stamp(by_field="custodian")]),
    ])


class ServiceFeedback(FormRecord):
    """F-29 用户意见反馈表 / 售后服务反馈表: filled after every service and kept
    by the after-sales centre, which follows every service up by phone
    (000-二 §三.11–13, 000-四 record 65)."""
    state = SERVICE_FEEDBACK_WORKFLOW.make_state_field()
    # The service voucher register (F-50) is not in this section: referenced
    # by its number until it can be linked.
    service_ref = CharField(max_length=60, verbose_name="服务凭证编号")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户档案")
    customer_unit = CharField(max_length=200, verbose_name="客户单位")
    customer_address = Char("客户地址", max_length=300)
    customer_phone = Char("客户电话", max_length=40)
    receiver = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="接待人")
    opinion = TextField(verbose_name="客户意见")
    phone_followup_at = When("电话追踪时间")
    phone_followup_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                        verbose_name="电话追踪人")
    phone_followup_result = Text("电话追踪结果")
    reward_suggested = Flag("有价值意见建议奖励", help_text="000-二 §三.13")

    class Register:
        label = "用户意见反馈表"
        group = "service"
        domain_ids = ("F-29",)
        title_field = "customer_unit"
        list_columns = ("record_no", "service_ref", "customer_unit", "filled_at", "receiver",
                        "phone_followup_at", "reward_suggested")
        search = ("record_no", "service_ref", "customer_unit", "opinion", "phone_followup_result")
        filters = ("filled_at", "customer", "receiver", "phone_followup_at", "reward_suggested")
        required = ("customer_address", "customer_phone")
        person_fields = ("filled_by", "receiver", "phone_followup_by")
        readonly_fields = ("phone_followup_at", "phone_followup_by")
        signatures = ("客户", "服务人员", "售后服务中心")
        workflow = SERVICE_FEEDBACK_WORKFLOW
        permissions = {"create": ("after_sales", "technician"), "edit": ("after_sales", "technician"),
                       "view": ("after_sales", "technician", "quality_dept") + SALES + LEADERS}


# ---------------------------------------------------------------------------
# F-31 顾客满意度调查计划 (before F-30, which refers to it)
# ---------------------------------------------------------------------------


class SatisfactionSurveyPlan(ApprovalRecord):
    """F-31 顾客满意度调查计划: finished before the end of December and approved
    by the head of 业务部 and the general manager (004 §5.2, R-FB-10)."""
    title = CharField(max_length=200, verbose_name="计划名称")
    year = IntegerField(verbose_name="计划年度")
    method = Text("调查方式")
    schedule = Text("时间安排")
    due_at = When("计划完成期限", help_text="每年12月份底前完成（SLA 规则 satisfaction_plan）")
    approved_by_dept_head = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                            verbose_name="业务部负责人核准")
    approved_by_gm = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                     verbose_name="总经理核准")
    result_evaluation = Text("完成情况评估")

    class Register:
        label = "顾客满意度调查计划"
        all_rows_roles = ("general_manager", "sales_manager")    # 业务部负责人 approves every plan
        group = "service"
        domain_ids = ("F-31",)
        list_columns = ("record_no", "title", "year", "filled_by", "due_at", "current_approver",
                        "approver_role", "approved_by_gm")
        search = ("record_no", "title", "method", "schedule")
        filters = ("year", "filled_by", "due_at", "filled_at")
        required = ("method", "schedule")
        person_fields = ("filled_by", "current_approver", "approved_by_dept_head", "approved_by_gm")
        readonly_fields = ("due_at", "approved_by_dept_head", "approved_by_gm")
        inlines = ("SatisfactionSurveyPlanCustomer",)
        signatures = ("编制", "业务部负责人", "总经理")
        workflow = approval_flow(
            [Step("业务部负责人核准", "sales_manager"), Step("总经理核准", "general_manager")],
            creators=SALES, executors=SALES, evaluate=True, execute_label="开始实施")
        permissions = {"create": SALES, "edit": SALES, "view": SALES + ("after_sales",) + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        # The plan for year Y is finished before the end of December of Y-1:
        # one month from 1 December (SLA rule satisfaction_plan, when configured).
        self.due_at = _b_deadline("satisfaction_plan", _datetime(self.year - 1, 12, 1)) \
            if isinstance(self.year, int) and 1900 < self.year < 9999 else None
        # who signed each step of the chain (the engine records the last approver)
        if self.state in ("draft", "rejected", "cancelled") or \
                (self.state == "pending" and not self.approval_step):
            self.approved_by_dept_head = None
            self.approved_by_gm = None
        elif self.state == "pending" and self.approval_step == 1:
            self.approved_by_dept_head = self.__data__.get("approved_by")
        elif self.state == "approved" and self.approved_by_gm is None:
            self.approved_by_gm = self.__data__.get("approved_by")

    def check(self, actor, is_new):
        errors = {}
        this_year = today().year
        if isinstance(self.year, int) and self.year not in (this_year, this_year + 1):
            errors["year"] = _b_msg(
                "满意度调查计划只能编制本年度或下一年度的计划（004 §5.2：每年12月份底前完成下一年度计划），"
                "计划年度应为 %(a)s 或 %(b)s。", a=this_year, b=this_year + 1)
        if self.state == "pending" and self.id and not SatisfactionSurveyPlanCustomer.select().where(
                SatisfactionSurveyPlanCustomer.plan == self.id).exists():
            errors["customers"] = _b_msg("提交审批前请在计划中列出拟调查的客户。")
        return errors


class SatisfactionSurveyPlanCustomer(LineItem):
    """拟调查客户"""
    plan = ForeignKeyField(SatisfactionSurveyPlan, backref="customers", on_delete="CASCADE",
                           verbose_name="顾客满意度调查计划")
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="客户")
    planned_month = Int("计划调查月份")
    surveyor = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="调查业务员")


# ---------------------------------------------------------------------------
# F-30 用户满意度调查表
# ---------------------------------------------------------------------------


class SatisfactionSurvey(FormRecord):
    """F-30 用户满意度调查表 / 客户满意度调查单 / 顾客满意度调查表
    (000-四 record 62 and 附表; 004 §6.2)."""
    customer = ForeignKeyField(Customer, backref="satisfaction_surveys", on_delete="RESTRICT",
                               verbose_name="客户档案")
    customer_name = CharField(max_length=100, verbose_name="客户姓名")
    customer_unit = Char("客户单位")
    customer_phone = Char("客户电话", max_length=40)
    customer_address = Char("客户地址", max_length=300)
    product_usage = Text("产品使用情况")
    installation = Text("施工、安装情况")
    after_sales = Text("售后服务情况")
    overall_operation = Text("设备整体运行情况")
    customer_evaluation = Text("客户评价")
    company_evaluation = Text("公司评价")
    time = DateField(default=today, verbose_name="时间")
    plan = ForeignKeyField(SatisfactionSurveyPlan, null=True, backref="surveys", on_delete="SET NULL",
                           verbose_name="所属调查计划")
    surveyor = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="业务员")

    class Register:
        label = "用户满意度调查表"
        group = "service"
        domain_ids = ("F-30",)
        title_field = "customer_name"
        list_columns = ("record_no", "customer", "customer_name", "time", "surveyor", "plan")
        search = ("record_no", "customer_name", "customer_unit", "customer_evaluation",
                  "company_evaluation")
        filters = ("time", "customer", "surveyor", "plan")
        required = ("product_usage", "after_sales", "overall_operation", "customer_evaluation")
        person_fields = ("surveyor", "filled_by")
        signatures = ("客户", "业务员", "负责人")
        permissions = {"create": CONTACT_FRONT, "edit": CONTACT_FRONT,
                       "view": SALES + ("after_sales", "quality_dept") + LEADERS}

    @staticmethod
    def defaults(actor):
        return {"surveyor": actor.employee} if actor is not None and actor.employee else {}

    def derive(self, actor):
        super().derive(actor)
        if _b_blank(self.customer_unit) and self.__data__.get("customer"):
            self.customer_unit = self.customer.name

    def check(self, actor, is_new):
        errors = {}
        if self.__data__.get("plan"):
            plan = SatisfactionSurveyPlan.get_or_none(SatisfactionSurveyPlan.id == self.__data__["plan"])
            if plan is not None and plan.state not in ("approved", "executed", "evaluated"):
                errors["plan"] = _b_msg("所属调查计划尚未经业务部负责人及总经理核准，不能据此开展调查（004 §5.2）。")
            elif plan is not None and self.time and self.time.year != plan.year:
                errors["time"] = _b_msg("调查时间应在所属计划的年度（%(y)s年）内。", y=plan.year)
        return errors


# ---------------------------------------------------------------------------
# F-32 客户意见调查卡
# ---------------------------------------------------------------------------


def _card_notify_guard(actor, row, inputs):
    problems = {}
    if row.severity == "major" and row.state != "reviewed":
        problems["severity"] = _b_msg("情节重大者须先呈销售经理核阅或核转（001-售后 第三章 第五条）。")
    if row.severity == "major" and row.notified_customer_by != "letter":
        problems["notified_customer_by"] = _b_msg("情节重大者须以函告方式通知客户（001-售后 第三章 第五条）。")
    if not _b_blank(row.suggestion_or_complaint) and not row.__data__.get("visited_by"):
        problems["visited_by"] = _b_msg(
            "凡有抱怨的客户，无论情节大小，均应由销售主管亲自或专门派人前往处理（001-售后 第三章 第七条），请填写走访人。")
    if _b_blank(row.handling):
        problems["handling"] = _b_msg("通知客户前须填写处理情况。")
    return problems


CARD_WORKFLOW = Workflow(
    states=[State("filled", "已填写", draft=True),
            State("escalated", "已呈销售经理", draft=True),
            State("reviewed", "销售经理已核阅"), State("notified", "已通知客户", terminal=True)],
    transitions=[
        T("escalate", "呈销售经理核阅", "filled", "escalated", roles=SALES,
          guard=lambda actor, row, inputs: None if row.severity == "major" else
          {"severity": _b_msg("只有情节重大的意见才需呈销售经理核阅。")},
          effects=[fx.notify_role("sales_manager", lambda row: f"重大客户意见待核阅：{row.record_no}")]),
        T("review", "核阅", "escalated", "reviewed", roles=("sales_manager",),
          relations=(rel.not_filler(),),
          inputs=[Input("handling", "核阅意见及处理情况", "textarea", required=True, field="handling")],
          effects=[fx.sign]),
        T("notify", "通知客户", ("filled", "reviewed"), "notified", roles=SALES,
          inputs=[Input("notified_customer_by", "通知方式", "choice", required=True,
                        choices=CUSTOMER_NOTICE_METHODS, field="notified_customer_by")],
          guard=_card_notify_guard, effects=[fx.stamp(at_field="notified_at"), fx.sign]),
    ])


class OpinionSurveyCard(FormRecord):
    """F-32 客户意见调查卡: filled by 市场营销部 from the previous day's repair
    calls; the four salesperson ratings feed the monthly performance review
    (001-售后 第三章)."""
    state = CARD_WORKFLOW.make_state_field()
    # The repair-call register (F-49) is not in this section: referenced by
    # its number until it can be linked.
    repair_request = CharField(max_length=60, verbose_name="叫修登记编号")
    customer = ForeignKeyField(Customer, backref="opinion_cards", on_delete="RESTRICT",
                               verbose_name="客户")
    salesperson = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                  verbose_name="被评销售人员")
    rating_attitude = Choice(RATING_LEVELS, verbose_name="态度")
    rating_skill = Choice(RATING_LEVELS, verbose_name="技术")
    rating_arrival = Choice(RATING_LEVELS, verbose_name="到达时间")
    rating_promises = Choice(RATING_LEVELS, verbose_name="答应事情的办理")
    score = Int("品评得分", help_text="四项合计，非常满意4分……不满意1分")
    suggestion_or_complaint = Text("建议或抱怨")
    severity = Choice(SEVERITIES, null=True, verbose_name="情节")
    handling = Text("处理情况")
    notified_customer_by = Choice(CUSTOMER_NOTICE_METHODS, null=True, verbose_name="通知客户方式")
    notified_at = When("通知时间")
    visited_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="走访处理人")

    class Register:
        label = "客户意见调查卡"
        all_rows_roles = ("general_manager", "sales_manager", "marketing_head")   # 核阅 major items
        group = "service"
        domain_ids = ("F-32",)
        list_columns = ("record_no", "repair_request", "customer", "salesperson", "score",
                        "severity", "notified_at", "filled_at")
        search = ("record_no", "repair_request", "suggestion_or_complaint", "handling")
        filters = ("severity", "customer", "salesperson", "filled_at", "rating_attitude",
                   "rating_skill", "rating_arrival", "rating_promises")
        person_fields = ("filled_by", "salesperson", "visited_by")
        readonly_fields = ("score", "notified_at")
        signatures = ("市场营销部", "销售经理")
        workflow = CARD_WORKFLOW
        permissions = {"create": SALES, "edit": SALES,
                       "view": SALES + ("after_sales",) + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        ratings = [self.rating_attitude, self.rating_skill, self.rating_arrival, self.rating_promises]
        self.score = sum(OPINION_RATING_SCORES[r] for r in ratings) if all(r in OPINION_RATING_SCORES for r in ratings) \
            else None

    def check(self, actor, is_new):
        errors = {}
        if not _b_blank(self.suggestion_or_complaint) and not self.severity:
            errors["severity"] = _b_msg("有建议或抱怨时须判定情节是否重大（001-售后 第三章 第五条）。")
        if self.severity and _b_blank(self.suggestion_or_complaint):
            errors["suggestion_or_complaint"] = _b_msg("判定了情节的，须写明客户的建议或抱怨。")
        return errors


# ---------------------------------------------------------------------------
# F-33 顾客意见簿
# ---------------------------------------------------------------------------


def _book_inspect_guard(actor, row, inputs):
    if row.is_complaint and not row.__data__.get("recorded_complaint"):
        return {"recorded_complaint": _b_msg(
            "意见簿中的投诉必须登记为客户投诉，不能有瞒报、漏报、谎报的行为（002 篇十一）。")}
    return None


BOOK_WORKFLOW = Workflow(
    states=[State("recorded", "已记录", draft=True), State("checked", "已检查", terminal=True)],
    transitions=[
        T("inspect", "检查", "recorded", "checked",
          roles=("sales_manager", "marketing_head", "regional_manager"),
          inputs=[Input("check_opinion", "检查意见", "textarea", field="check_opinion")],
          guard=_book_inspect_guard,
          effects=[fx.stamp("checked_by", "checked_at"), fx.sign]),
    ])


class OpinionBookEntry(FormRecord):
    """F-33 顾客意见簿: every store and company keeps one; every complaint in it
    is recorded as a case; the branch and 市场部 check it (002 篇十一)."""
    state = BOOK_WORKFLOW.make_state_field()
    store = CharField(max_length=100, verbose_name="专卖店/公司")
    date = DateField(default=today, verbose_name="日期")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    customer_name = Char("顾客姓名", max_length=100)
    content = TextField(verbose_name="意见内容")
    is_complaint = Flag("属投诉")
    recorded_complaint = ForeignKeyField(Complaint, null=True, backref="+", on_delete="SET NULL",
                                         verbose_name="已登记的客户投诉")
    checked_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="检查人(销售分公司/市场部)")
    checked_at = When("检查时间")
    check_opinion = Text("检查意见")

    class Register:
        label = "顾客意见簿"
        all_rows_roles = ("general_manager", "sales_manager", "marketing_head")   # 市场部 checks
        group = "service"
        domain_ids = ("F-33",)
        list_columns = ("record_no", "store", "date", "customer", "is_complaint",
                        "recorded_complaint", "checked_at")
        search = ("record_no", "store", "customer_name", "content")
        filters = ("date", "customer", "is_complaint", "checked_by", "checked_at")
        person_fields = ("filled_by", "checked_by")
        readonly_fields = ("checked_by", "checked_at")
        default_retention = "one_year_extended"
        signatures = ("顾客", "记录人", "检查人")
        workflow = BOOK_WORKFLOW
        permissions = {"create": CONTACT_FRONT, "edit": CONTACT_FRONT,
                       "view": SALES + ("after_sales",) + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        if not self.__data__.get("customer") and _b_blank(self.customer_name):
            errors["customer_name"] = _b_msg("请选择客户或填写顾客姓名。")
        complaint_id = self.__data__.get("recorded_complaint")
        if complaint_id and self.__data__.get("customer"):
            case = Complaint.get_or_none(Complaint.id == complaint_id)
            if case is not None and case.customer_id != self.__data__["customer"]:
                errors["recorded_complaint"] = _b_msg("所关联客户投诉的客户与意见簿中的客户不一致。")
        if complaint_id and not self.is_complaint:
            errors["is_complaint"] = _b_msg("已关联客户投诉的意见应标记为「属投诉」。")
        return errors


# ---------------------------------------------------------------------------
# F-34 报价记录
# ---------------------------------------------------------------------------


class QuotationRecord(FormRecord):
    """F-34 报价记录: quotations made from the customer's documents, kept by
    业务部 (004 §5.2 售前、售中服务)."""
    customer = ForeignKeyField(Customer, backref="quotations", on_delete="RESTRICT",
                               verbose_name="客户")
    date = DateField(default=today, verbose_name="报价日期")
    items = Text("报价项目")
    amount = Money("报价金额(元)")
    basis = Char("顾客提供的资料(文件编号)")
    quoted_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="报价人(业务部)")

    class Register:
        label = "报价记录"
        group = "service"
        domain_ids = ("F-34",)
        list_columns = ("record_no", "customer", "date", "amount", "quoted_by", "basis")
        search = ("record_no", "items", "basis")
        filters = ("date", "customer", "quoted_by")
        required = ("items", "amount", "basis")
        person_fields = ("quoted_by", "filled_by")
        signatures = ("报价人", "业务部负责人")
        permissions = {"create": SALES, "edit": SALES, "view": SALES + LEADERS}

    @staticmethod
    def defaults(actor):
        return {"quoted_by": actor.employee} if actor is not None and actor.employee else {}

    def check(self, actor, is_new):
        if self.amount is not None and self.amount <= 0:
            return {"amount": _b_msg("报价金额必须大于零。")}
        return {}


# ---------------------------------------------------------------------------
# F-35 会议记录
# ---------------------------------------------------------------------------


class Meeting(FormRecord):
    """F-35 会议记录: weekly demand meetings (000-一 第十一条), customer-service
    meetings (002 篇三), team analysis meetings (002 篇二), production and
    customer meetings with the commitments made (004 §5.2)."""
    meeting_type = Choice(MEETING_TYPES, default="demand", verbose_name="会议类型")
    subject = CharField(max_length=200, verbose_name="会议主题")
    held_at = DateTimeField(default=now, verbose_name="会议时间")
    host = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL", verbose_name="主持人")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户", help_text="顾客会议必填")
    participants = Text("参加人员")
    minutes = Text("会议纪要")
    materials = Char("会议材料(文件编号)")

    class Register:
        label = "会议记录"
        group = "service"
        domain_ids = ("F-35",)
        list_columns = ("record_no", "meeting_type", "subject", "held_at", "host", "customer")
        search = ("record_no", "subject", "participants", "minutes")
        filters = ("meeting_type", "held_at", "host", "customer")
        required = ("participants", "minutes")
        person_fields = ("filled_by", "host")
        inlines = ("MeetingCommitment",)
        signatures = ("记录人", "主持人")
        permissions = {"create": SALES + ("quality_dept", "after_sales"),
                       "edit": SALES + ("quality_dept", "after_sales"),
                       "view": SALES + ("quality_dept", "after_sales") + LEADERS}

    def check(self, actor, is_new):
        if self.meeting_type == "customer" and not self.__data__.get("customer"):
            return {"customer": _b_msg("顾客会议须注明参会的客户（004 §5.2）。")}
        return {}


class MeetingCommitment(LineItem):
    """会议中对顾客的承诺及履行"""
    meeting = ForeignKeyField(Meeting, backref="commitments", on_delete="CASCADE",
                              verbose_name="会议记录")
    commitment = TextField(verbose_name="承诺事项")
    owner = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL", verbose_name="责任人")
    due = Date("完成期限")
    fulfilled = Flag("已履行")


# ===========================================================================
# 2.D Complaint documents (F-37 .. F-44)
# ===========================================================================

# ---------------------------------------------------------------------------
# F-37 调查报告 / 投诉调查报告
# ---------------------------------------------------------------------------

INVESTIGATION_CONTENTS = ("cause", "course", "responsible", "conclusion", "countermeasure", "prevention")


def _report_submit_guard(actor, row, inputs):
    # 001-投诉 第十七条: the contents cannot be struck through as not applicable
    missing = {name: _b_msg("调查报告内容须包括发生原因、具体经过、责任者、结论、对策和防范措施（001-投诉 第十七条），此项不能划去。")
               for name in INVESTIGATION_CONTENTS if _b_blank(getattr(row, name))}
    return missing or None


INVESTIGATION_WORKFLOW = Workflow(
    states=[State("draft", "草稿", draft=True), State("submitted", "已提交"),
            State("reviewed", "已审核"), State("commented", "总经理已批阅", terminal=True)],
    transitions=[
        T("submit", "主管审核并提交", "draft", "submitted", roles=CASE_ROUTED,
          relations=(rel.superior_of("filled_by"),), guard=_report_submit_guard,
          effects=[fx.stamp(by_field="unit_supervisor_reviewed_by"), fx.sign]),
        T("review", "质量管理部审核", "submitted", "reviewed", roles=("quality_dept", "admin_dept"),
          relations=(rel.not_filler(),),
          effects=[fx.stamp("quality_reviewed_by", "quality_reviewed_at")]),
        T("send_back", "退回受理单位", "submitted", "draft", roles=("quality_dept", "admin_dept"),
          relations=(rel.not_filler(),),
          inputs=[Input("reason", "退回理由", "textarea", required=True, field="return_reason")],
          style="danger"),
        T("endorse", "总经理批阅", "reviewed", "commented", roles=("general_manager",),
          inputs=[Input("gm_comment", "总经理批示", "textarea", required=True, field="gm_comment")]),
    ])


class ComplaintInvestigationReport(FormRecord):
    """F-37 调查报告 / 投诉调查报告: the receiving unit's investigation of a
    complaint, reviewed by the quality department (001-投诉 第十–十八条;
    002 篇四 第十一、十七条; 002 篇五 第九条(二))."""
    state = INVESTIGATION_WORKFLOW.make_state_field()
    complaint = ForeignKeyField(Complaint, backref="investigation_reports", on_delete="RESTRICT",
                                verbose_name="客户投诉")
    receiving_unit = ForeignKeyField(Department, backref="+", on_delete="RESTRICT",
                                     verbose_name="受理单位")
    method = Choice(INVESTIGATION_METHODS, default="goods", verbose_name="调查方式")
    scope_true = BooleanField(null=True, verbose_name="投诉范围(数量、金额等)是否属实")
    scope_note = Text("投诉范围说明")
    reason_valid = BooleanField(null=True, verbose_name="投诉理由是否正当")
    cause_investigation = Text("投诉原因调查")
    analysis = Text("投诉调查分析")
    request_valid = BooleanField(null=True, verbose_name="客户要求是否正当")
    other = Text("其它必要事项")
    cause = Text("发生原因")
    course = Text("具体经过")
    responsible = Text("责任者")
    conclusion = Text("结论")
    countermeasure = Text("对策")
    prevention = Text("防范措施")
    production_unit = Char("生产单位", max_length=100)
    machine_shift = Char("机班别", max_length=60)
    operator = Char("生产人员", max_length=60)
    production_date = Date("生产日期")
    investigated_at = Date("调查完成日期")
    due_at = When("报告期限", help_text="调查后三天内提出报告（002 篇五 第九条(二)，SLA 规则 kesu_quality_report）")
    unit_supervisor_reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                                  verbose_name="主管审核")
    quality_reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                          verbose_name="质量管理部审核")
    quality_reviewed_at = When("质量管理部审核时间")
    return_reason = Text("退回理由")
    gm_comment = Text("总经理批示")

    class Register:
        label = "投诉调查报告"
        all_rows_roles = ("general_manager", "deputy_gm", "quality_dept", "admin_dept")  # reviewers
        group = "complaints"
        domain_ids = ("F-37",)
        list_columns = ("record_no", "complaint", "receiving_unit", "method", "investigated_at",
                        "due_at", "quality_reviewed_by")
        search = ("record_no", "cause", "conclusion", "countermeasure", "responsible")
        filters = ("method", "receiving_unit", "complaint", "investigated_at", "due_at",
                   "quality_reviewed_by")
        required = INVESTIGATION_CONTENTS
        dept_fields = ("dept", "receiving_unit")
        person_fields = ("filled_by", "unit_supervisor_reviewed_by", "quality_reviewed_by")
        readonly_fields = ("due_at", "unit_supervisor_reviewed_by", "quality_reviewed_by",
                           "quality_reviewed_at", "return_reason", "gm_comment")
        default_retention = "one_year_extended"
        flags = ("no_customer_copy",)
        signatures = ("调查人", "受理单位主管", "质量管理科", "部主管")
        inlines = ("ComplaintInvestigationReportCopy",)
        copies = (("存根", "由受理单位留存备查"),
                  ("报告", "连同第三、四联交质量管理科"),
                  ("答复", "由质量管理科连同《投诉记录卡》第六联交受理单位（营业单位抄送）"),
                  ("审核", "由质量管理科连同《投诉记录卡》第七联呈报部主管审核"))
        workflow = INVESTIGATION_WORKFLOW
        permissions = {"create": CASE_ROUTED, "edit": CASE_ROUTED, "view": CASE_READERS,
                       "delete": ("quality_dept", "sales_manager", "marketing_head")}

    def derive(self, actor):
        super().derive(actor)
        self.due_at = _b_deadline("kesu_quality_report", self.investigated_at)


ComplaintInvestigationReportCopy = copy_log(ComplaintInvestigationReport)


# ---------------------------------------------------------------------------
# F-38 顾客投诉处理表
# ---------------------------------------------------------------------------


class ComplaintHandlingForm(ApprovalRecord):
    """F-38 顾客投诉处理表: filled by 市场部 once the customer, 市场部 and the
    sales branch agree on a solution; 主管副总经理 gives 批示 (002 篇十一)."""
    complaint = ForeignKeyField(Complaint, backref="handling_forms", on_delete="RESTRICT",
                                verbose_name="客户投诉")
    cause_analysis = TextField(verbose_name="投诉原因分析")
    responsible_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT",
                                       verbose_name="责任归属部门")
    countermeasure = TextField(verbose_name="处理对策")
    agreed_solution = Text("共同商讨解决办法")

    class Register:
        label = "顾客投诉处理表"
        all_rows_roles = ("general_manager", "deputy_gm")
        group = "complaints"
        domain_ids = ("F-38",)
        list_columns = ("record_no", "complaint", "responsible_dept", "filled_by",
                        "approver_role", "approved_by", "approved_at")
        search = ("record_no", "cause_analysis", "countermeasure", "agreed_solution")
        filters = ("complaint", "responsible_dept", "filled_at", "approved_at")
        required = ("agreed_solution",)
        dept_fields = ("dept", "responsible_dept")
        person_fields = ("filled_by", "current_approver", "approved_by")
        default_retention = "one_year_extended"
        flags = ("no_customer_copy",)
        signatures = ("市场部", "主管副总经理批示")
        inlines = ("ComplaintHandlingFormCopy",)
        copies = (("市场部留存", "市场部留存"), ("销售分公司留存", "送销售分公司留存，只答复经批示的事项"))
        workflow = approval_flow([Step("主管副总经理批示", "deputy_gm")],
                                 creators=SALES, executors=SALES, execute_label="送销售分公司执行")
        permissions = {"create": SALES, "edit": SALES, "view": CASE_READERS}

    def check(self, actor, is_new):
        case = Complaint.get_or_none(Complaint.id == self.__data__.get("complaint"))
        if case is not None and case.accepted == "not_accepted":
            return {"complaint": _b_msg("该投诉已裁定不受理，不能填写顾客投诉处理表。")}
        return {}


ComplaintHandlingFormCopy = copy_log(ComplaintHandlingForm)


# ---------------------------------------------------------------------------
# F-39 投诉统计表 / 客诉案件统计表
# ---------------------------------------------------------------------------

PERIOD_PATTERNS = {"monthly": r"(\d{4})-(0[1-9]|1[0-2])", "half_year": r"(\d{4})-H([12])"}


def stats_period(period_type, period):
    """(start, end) datetimes of a statistics period, or None if malformed."""
    from portal.calendar import add_months
    match = _re.fullmatch(PERIOD_PATTERNS.get(period_type, "$^"), (period or "").strip())
    if not match:
        return None
    year, part = int(match.group(1)), int(match.group(2))
    if period_type == "monthly":
        start = _datetime(year, part, 1)
        return start, add_months(start, 1)
    start = _datetime(year, 1 if part == 1 else 7, 1)
    return start, add_months(start, 6)


def _b_counts(rows, key):
    out = {}
    for row in rows:
        label = key(row)
        out[label] = out.get(label, 0) + 1
    return _json.dumps(out, ensure_ascii=False) if out else None


STATS_WORKFLOW = Workflow(
    states=[State("draft", "草稿", draft=True), State("submitted", "已提交审核", draft=True),
            State("reviewed", "已审核", terminal=True)],
    transitions=[
        T("submit", "提交审核", "draft", "submitted", roles=CASE_ROUTED,
          relations=(rel.named("prepared_by", "只有编制人才能提交。"),),
          effects=[fx.notify_role("sales_manager", lambda row: f"投诉统计表待审核：{row.period}")]),
        T("review", "审核", "submitted", "reviewed", roles=("sales_manager", "general_manager"),
          relations=(rel.not_filler("prepared_by"),),
          effects=[fx.stamp("reviewed_by", "reviewed_at"), fx.sign]),
        T("send_back", "退回修改", "submitted", "draft", roles=("sales_manager", "general_manager"),
          relations=(rel.not_filler("prepared_by"),),
          inputs=[Input("reason", "退回理由", "textarea", required=True, field="return_reason")],
          style="danger"),
    ])


class ComplaintStatistics(FormRecord):
    """F-39 投诉统计表 / 客诉案件统计表: monthly (by the 5th of the next month,
    reviewed by the sales manager, 001-投诉 第十九条) or half-yearly
    (002 篇十一) counts of the complaint cases."""
    state = STATS_WORKFLOW.make_state_field()
    period_type = Choice(STATS_PERIOD_TYPES, default="monthly", verbose_name="统计周期")
    period = CharField(max_length=10, verbose_name="统计期间", help_text="月度如 2026-10，半年如 2026-H2")
    total_count = Int("投诉总数")
    count_by_type = Text("按类型统计")
    count_by_cause = Text("按原因统计")
    count_by_dept = Text("按责任部门统计")
    count_by_result = Text("按处理结果统计")
    closed_cases = Text("本期结案案件")
    responsibility_ratios = Text("责任归属及比率")
    improvement_review = Text("改善对策及处理结果检查")
    expectation_analysis = Text("投诉与期望值分析")
    rectification_suggestions = Text("整改建议")
    prepared_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="编制人")
    reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="审核人")
    reviewed_at = When("审核时间")
    due_at = When("报送期限")
    return_reason = Text("退回理由")

    class Register:
        label = "投诉统计表"
        all_rows_roles = ("general_manager", "sales_manager", "marketing_head")
        group = "complaints"
        domain_ids = ("F-39",)
        title_field = "period"
        list_columns = ("record_no", "period_type", "period", "total_count", "prepared_by",
                        "due_at", "reviewed_by")
        search = ("record_no", "period", "improvement_review", "rectification_suggestions")
        filters = ("period_type", "prepared_by", "reviewed_by", "due_at")
        person_fields = ("prepared_by", "reviewed_by", "filled_by")
        readonly_fields = ("total_count", "count_by_type", "count_by_cause", "count_by_dept",
                           "count_by_result", "closed_cases", "reviewed_by", "reviewed_at",
                           "due_at", "return_reason")
        signatures = ("编制人", "审核人(销售经理)")
        workflow = STATS_WORKFLOW
        permissions = {"create": CASE_ROUTED, "edit": CASE_ROUTED, "view": CASE_ROUTED + LEADERS}

    @staticmethod
    def defaults(actor):
        return {"prepared_by": actor.employee} if actor is not None and actor.employee else {}

    def derive(self, actor):
        super().derive(actor)
        bounds = stats_period(self.period_type, self.period)
        if bounds is None:
            return
        start, end = bounds
        if self.period_type == "monthly":
            self.due_at = _b_deadline("stats_001", start)          # 5th of the next month
        else:       # first ten days of June / December (SLA rule stats_half_year, when configured)
            self.due_at = _b_deadline("stats_half_year", _datetime(start.year, start.month + 4, 1))
        if self.state != "draft":
            return          # figures are frozen once submitted for review
        self.period = self.period.strip()
        cases = list(Complaint.select().where(Complaint.deleted_at.is_null(),
                                              Complaint.received_at >= start,
                                              Complaint.received_at < end))
        types, causes, modes = dict(COMPLAINT_TYPES), dict(CAUSE_CLASSES), dict(RESOLUTION_MODES)
        depts = {d.id: d.name for d in Department.select(Department.id, Department.name)}
        self.total_count = len(cases)
        self.count_by_type = _b_counts(cases, lambda c: types.get(c.type, c.type))
        self.count_by_cause = _b_counts(cases, lambda c: causes.get(c.cause_class, "未分类"))
        self.count_by_dept = _b_counts(cases, lambda c: depts.get(c.responsible_dept_id, "未认定"))
        # result = the handling decided (E-37 处理方式), 「尚未核决」 while open
        self.count_by_result = _b_counts(cases, lambda c: modes.get(c.resolution_mode, "尚未核决"))
        closed = (Complaint.select(Complaint.record_no)
                  .where(Complaint.deleted_at.is_null(), Complaint.closed_at >= start,
                         Complaint.closed_at < end).order_by(Complaint.record_no))
        self.closed_cases = "、".join(c.record_no for c in closed) or None

    def check(self, actor, is_new):
        if stats_period(self.period_type, self.period) is None:
            example = "2026-10" if self.period_type == "monthly" else "2026-H2"
            return {"period": _b_msg("统计期间格式不正确：月度填 YYYY-MM，半年填 YYYY-H1 或 YYYY-H2（如 %(e)s）。",
                                   e=example)}
        twin = ComplaintStatistics.select().where(
            ComplaintStatistics.deleted_at.is_null(),
            ComplaintStatistics.period_type == self.period_type,
            ComplaintStatistics.period == self.period.strip(),
            ComplaintStatistics.id != (self.id or 0)).first()
        if twin is not None:
            return {"period": _b_msg("该期间的投诉统计表已存在（%(no)s）。", no=twin.record_no)}
        return {}


# ---------------------------------------------------------------------------
# F-40 异常处理单
# ---------------------------------------------------------------------------


def _abnormality_issue_guard(actor, row, inputs):
    if not AbnormalityNoticeUnit.select().where(AbnormalityNoticeUnit.notice == row.id).exists():
        return {"units_notified": _b_msg("请至少列出一个须改善的有关单位后再发出（002 篇五 第三条）。")}
    return None


ABNORMALITY_WORKFLOW = Workflow(
    states=[State("draft", "草稿", draft=True), State("issued", "已发出"),
            State("improved", "已改善", terminal=True)],
    transitions=[
        T("issue", "发出", "draft", "issued", roles=SALES + ("quality_dept", "after_sales"),
          guard=_abnormality_issue_guard, effects=[fx.sign]),
        T("record_improvement", "登记改善结果", "issued", "improved",
          roles=("quality_dept", "after_sales") + SALES,
          inputs=[Input("result", "改善结果", "textarea", required=True, field="improvement_result")]),
    ])


class AbnormalityNotice(FormRecord):
    """F-40 异常处理单: a quality abnormality reported by the customer that
    caused no loss, sent to the units concerned to improve (002 篇五 第三条)."""
    state = ABNORMALITY_WORKFLOW.make_state_field()
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="客户")
    product = Char("产品", max_length=100)
    part_no = Char("料号", max_length=60)
    abnormality = TextField(verbose_name="异常内容")
    caused_loss = Flag("已造成损失")
    improvement_requested = Text("要求改善事项")
    improvement_result = Text("改善结果")
    complaint = ForeignKeyField(Complaint, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="客户投诉")

    class Register:
        label = "异常处理单"
        all_rows_roles = ("general_manager", "quality_dept")
        group = "complaints"
        domain_ids = ("F-40",)
        list_columns = ("record_no", "customer", "product", "part_no", "caused_loss", "complaint",
                        "filled_at")
        search = ("record_no", "product", "part_no", "abnormality", "improvement_result")
        filters = ("customer", "caused_loss", "filled_at", "complaint")
        required = ("improvement_requested",)
        person_fields = ("filled_by",)
        inlines = ("AbnormalityNoticeUnit",)
        default_retention = "one_year_extended"
        signatures = ("业务部", "有关单位")
        workflow = ABNORMALITY_WORKFLOW
        permissions = {"create": SALES + ("quality_dept", "after_sales"),
                       "edit": SALES + ("quality_dept", "after_sales"), "view": CASE_READERS}

    def check(self, actor, is_new):
        if self.caused_loss and not self.__data__.get("complaint"):
            return {"complaint": _b_msg(
                "已造成损失的质量异常应按客诉处理（002 篇五 第三条），请先登记客户投诉并关联。")}
        return {}


class AbnormalityNoticeUnit(LineItem):
    """通知改善的有关单位"""
    notice = ForeignKeyField(AbnormalityNotice, backref="units_notified", on_delete="CASCADE",
                             verbose_name="异常处理单")
    dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT", verbose_name="有关单位")
    notified_at = When("通知时间")
    reply = Text("单位改善回复")


# ---------------------------------------------------------------------------
# F-41 产品质量缺陷报告单
# ---------------------------------------------------------------------------

DEFECT_WORKFLOW = Workflow(
    states=[State("draft", "草稿", draft=True), State("sent", "已送交"),
            State("closed", "已处理", terminal=True)],
    transitions=[
        T("send", "送交处理部门", "draft", "sent", roles=CASE_ROUTED, effects=[fx.sign]),
        T("close", "登记处理结果", "sent", "closed", roles=("quality_dept",),
          inputs=[Input("handling", "处理", "textarea", field="handling"),
                  Input("result", "处理结果", "textarea", required=True, field="result")],
          effects=[fx.stamp(at_field="closed_at")]),
    ])


class QualityDefectReport(FormRecord):
    """F-41 产品质量缺陷报告单: opinions and complaints on product quality or
    function go to R&D, design, production or the technical departments with
    this report (000-二 §三.6)."""
    state = DEFECT_WORKFLOW.make_state_field()
    complaint = ForeignKeyField(Complaint, null=True, backref="defect_reports", on_delete="SET NULL",
                                verbose_name="来源：客户投诉")
    contact_log = ForeignKeyField(CustomerContactLog, null=True, backref="defect_reports",
                                  on_delete="SET NULL", verbose_name="来源：来电函登记")
    customer = ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL",
                               verbose_name="客户")
    product_model = CharField(max_length=100, verbose_name="产品型号")
    defect = TextField(verbose_name="缺陷描述")
    function_impact = Text("使用功能影响")
    sent_to = Choice(DEFECT_DESTINATIONS, default="rnd", verbose_name="送交部门")
    handling = Text("处理")
    result = Text("处理结果")
    closed_at = When("处理完毕时间")

    class Register:
        label = "产品质量缺陷报告单"
        all_rows_roles = ("general_manager", "quality_dept")
        group = "complaints"
        domain_ids = ("F-41",)
        list_columns = ("record_no", "product_model", "customer", "sent_to", "complaint",
                        "contact_log", "closed_at")
        search = ("record_no", "product_model", "defect", "result")
        filters = ("sent_to", "customer", "complaint", "contact_log", "closed_at", "filled_at")
        person_fields = ("filled_by",)
        readonly_fields = ("customer", "closed_at")
        default_retention = "product_lifetime"
        signatures = ("填报人", "接收部门")
        workflow = DEFECT_WORKFLOW
        permissions = {"create": CASE_ROUTED, "edit": CASE_ROUTED, "view": CASE_READERS}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("complaint"):
            self.customer = self.complaint.customer_id
        elif self.__data__.get("contact_log"):
            self.customer = self.contact_log.customer_id

    def check(self, actor, is_new):
        sources = [self.__data__.get("complaint"), self.__data__.get("contact_log")]
        if sum(1 for s in sources if s) != 1:
            message = _b_msg("缺陷报告须注明来源：关联一条客户投诉或一条来电函登记（二者只能选其一）（000-二 §三.6）。")
            return {"complaint": message, "contact_log": message}
        return {}


# ---------------------------------------------------------------------------
# F-42 签呈
# ---------------------------------------------------------------------------

PETITION_WORKFLOW = Workflow(
    states=[State("draft", "草稿", draft=True), State("submitted", "已呈报", draft=True),
            State("decided", "已裁决", terminal=True),
            State("withdrawn", "已撤回", terminal=True, draft=True)],
    transitions=[
        T("submit", "呈报", "draft", "submitted", roles=CASE_ROUTED,
          relations=(rel.named("filled_by", "只有填表人才能呈报。"),),
          effects=[fx.stamp(at_field="submitted_at"),
                   fx.notify_role("general_manager", lambda row: f"客诉签呈待裁决：{row.record_no}")]),
        T("decide", "总经理裁决", "submitted", "decided", roles=("general_manager",),
          relations=(rel.not_filler(),),
          inputs=[Input("outcome", "裁决结果", "choice", required=True, choices=PETITION_OUTCOMES,
                        field="outcome"),
                  Input("decision", "裁决意见", "textarea", required=True, field="decision")],
          effects=[fx.stamp("decided_by", "decided_at"), fx.sign]),
        T("withdraw", "撤回", ("draft", "submitted"), "withdrawn", roles=CASE_ROUTED,
          relations=(rel.named("filled_by", "只有填表人才能撤回。"),), style="secondary"),
    ])


class ComplaintPetition(FormRecord):
    """F-42 签呈: a department objecting to a complaint resolution reports it as
    a special case (002 篇五 第九条(十一)); the objecting department is the
    record's 主管部门."""
    state = PETITION_WORKFLOW.make_state_field()
    complaint = ForeignKeyField(Complaint, backref="petitions", on_delete="RESTRICT",
                                verbose_name="客户投诉")
    objection = TextField(verbose_name="异议内容")
    submitted_at = When("呈报时间")
    outcome = Choice(PETITION_OUTCOMES, null=True, verbose_name="裁决结果")
    decision = Text("裁决意见")
    decided_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="裁决人")
    decided_at = When("裁决时间")

    class Register:
        label = "签呈"
        group = "complaints"
        domain_ids = ("F-42",)
        list_columns = ("record_no", "complaint", "dept", "filled_by", "submitted_at", "outcome",
                        "decided_by")
        search = ("record_no", "objection", "decision")
        filters = ("dept", "complaint", "outcome", "submitted_at", "decided_by")
        person_fields = ("filled_by", "decided_by")
        readonly_fields = ("submitted_at", "outcome", "decision", "decided_by", "decided_at")
        default_retention = "one_year_extended"
        signatures = ("呈报部门", "总经理")
        workflow = PETITION_WORKFLOW
        permissions = {"create": CASE_ROUTED, "edit": CASE_ROUTED, "view": CASE_ROUTED + LEADERS}


# ---------------------------------------------------------------------------
# F-43 奖罚通知单
# ---------------------------------------------------------------------------


class RewardPenaltyNotice(ApprovalRecord):
    """F-43 奖罚通知单: 总经理室 fixes the responsible unit or person from the
    complaints' causes; approved by the general manager and copied three times
    (002 篇五 第十二条(二))."""
    direction = Choice(REWARD_DIRECTIONS, default="penalty", verbose_name="奖/罚")
    unit = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL",
                           verbose_name="责任单位")
    person = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                             verbose_name="责任人")
    cause_item = Text("原因项目")
    bonus_penalty_amount = Money("奖罚金额(元)", null=False)

    class Register:
        label = "奖罚通知单"
        all_rows_roles = ("general_manager", "hr", "finance")   # 会计单位查核, 人事 executes
        group = "complaints"
        domain_ids = ("F-43",)
        list_columns = ("record_no", "direction", "unit", "person", "bonus_penalty_amount",
                        "filled_by", "approved_by")
        search = ("record_no", "cause_item")
        filters = ("direction", "unit", "person", "filled_at", "approved_at")
        required = ("cause_item",)
        dept_fields = ("dept", "unit")
        person_fields = ("filled_by", "person", "approved_by", "current_approver")
        default_retention = "long_term"
        signatures = ("总经理室", "总经理批准", "会计单位查核")
        inlines = ("RewardPenaltyComplaint", "RewardPenaltyNoticeCopy")
        copies = (("自存", "总经理室自存"), ("会计单位查核", "一份会计单位查核"),
                  ("处罚部门", "一份送处罚部门处罚奖金"))
        workflow = approval_flow([Step("总经理批准", "general_manager")],
                                 creators=("admin_dept", "marketing_head"),
                                 executors=("admin_dept", "hr", "finance"), execute_label="执行奖罚")
        permissions = {"create": ("admin_dept", "marketing_head"),
                       "edit": ("admin_dept", "marketing_head"),
                       "view": ("admin_dept", "marketing_head", "sales_manager", "hr", "finance",
                                "quality_dept") + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        if not self.__data__.get("unit") and not self.__data__.get("person"):
            errors["unit"] = _b_msg("请填写受奖罚的责任单位或责任人（002 篇五 第十二条(二)）。")
        if self.bonus_penalty_amount is not None and self.bonus_penalty_amount <= 0:
            errors["bonus_penalty_amount"] = _b_msg("奖罚金额必须大于零。")
        if self.state == "pending" and self.id and not RewardPenaltyComplaint.select().where(
                RewardPenaltyComplaint.notice == self.id).exists():
            errors["complaints"] = _b_msg("提交审批前请列出所依据的客诉案件。")
        return errors


class RewardPenaltyComplaint(LineItem):
    """所依据的客诉案件"""
    notice = ForeignKeyField(RewardPenaltyNotice, backref="complaints", on_delete="CASCADE",
                             verbose_name="奖罚通知单")
    complaint = ForeignKeyField(Complaint, backref="+", on_delete="RESTRICT", verbose_name="客户投诉")
    note = Char("说明")


RewardPenaltyNoticeCopy = copy_log(RewardPenaltyNotice)


# ---------------------------------------------------------------------------
# F-44 人事公布单
# ---------------------------------------------------------------------------

ANNOUNCEMENT_WORKFLOW = Workflow(
    states=[State("draft", "草稿", draft=True), State("pending", "待总经理核批", draft=True),
            State("rejected", "已驳回", draft=True), State("approved", "已核批"),
            State("published", "已公布", terminal=True)],
    transitions=[
        T("submit", "呈总经理核批", ("draft", "rejected"), "pending", roles=("hr", "admin_dept"),
          relations=(rel.named("filled_by", "只有填表人才能提交。"),),
          effects=[fx.set_fields(rejection_reason=None)]),
        T("approve", "核批", "pending", "approved", roles=("general_manager",),
          relations=(rel.not_filler(),), effects=[fx.stamp("approved_by", "approved_at"), fx.sign]),
        T("reject", "驳回", "pending", "rejected", roles=("general_manager",),
          relations=(rel.not_filler(),),
          inputs=[Input("reason", "驳回理由", "textarea", required=True, field="rejection_reason")],
          style="danger"),
        T("publish", "公布", "approved", "published", roles=("hr", "admin_dept"),
          inputs=[Input("publisher", "公布单位", "choice", required=True, choices=PUBLISHERS,
                        field="publisher")],
          effects=[fx.stamp(at_field="published_at")]),
    ])


class PersonnelAnnouncement(FormRecord):
    """F-44 人事公布单: administrative sanctions decided in the monthly review of
    closed complaints, approved by the general manager and published by the
    personnel unit or the general manager's office (002 篇五 第十二条(一);
    002 篇十一)."""
    state = ANNOUNCEMENT_WORKFLOW.make_state_field()
    person = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="受处分人")
    sanction = TextField(verbose_name="行政处分")
    complaint = ForeignKeyField(Complaint, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="客户投诉")
    approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="核批人(总经理)")
    approved_at = When("核批时间")
    rejection_reason = Text("驳回理由")
    publisher = Choice(PUBLISHERS, null=True, verbose_name="公布单位")
    published_at = When("公布时间")

    class Register:
        label = "人事公布单"
        group = "complaints"
        domain_ids = ("F-44",)
        title_field = "record_no"
        list_columns = ("record_no", "person", "complaint", "approved_by", "publisher",
                        "published_at")
        search = ("record_no", "sanction")
        filters = ("person", "complaint", "publisher", "published_at", "approved_by")
        person_fields = ("person", "filled_by", "approved_by")
        readonly_fields = ("approved_by", "approved_at", "rejection_reason", "publisher",
                           "published_at")
        default_retention = "long_term"
        signatures = ("人事单位", "总经理核批")
        workflow = ANNOUNCEMENT_WORKFLOW
        permissions = {"create": ("hr", "admin_dept"), "edit": ("hr", "admin_dept"),
                       "view": ("hr", "admin_dept", "marketing_head", "sales_manager") + LEADERS}


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
