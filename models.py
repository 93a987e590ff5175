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
from portal.workflows import effects as fx
from portal.workflows import relations as rel
from portal.workflows.approvals import APPROVAL_STATES, Step, approval_flow
from portal.workflows.engine import Input, State, T, Workflow

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
        readonly_fields = ("user", "departed_on")
        lookup_active = ("status", "active")
        workflow = "portal.workflows.handover:EMPLOYEE_FLOW"
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
             ("dissolved", "已解散/交易关系解除"), ("pending_disposal", "待处理"),
             ("disposed", "已处理(销毁)"))  # E-04, WF-06
SEGMENTS = (("vip", "vip客户"), ("returning", "回头客"), ("long_term_partner", "长期协作单位"))
TERMINATION = (("dissolved", "解散"), ("relationship_ended", "交易关系解除"))
CLOSED_BIN = (("suspended", "交易中止"), ("past", "交易过去"))


def _terminate(actor, row, inputs):
    from portal.clock import today as _today
    row.terminated_at = _today()
    row.closed_file_bin = inputs.get("bin")


# WF-06 customer lifecycle (R-CUS-04..06; 001-名簿 第四、六条). The trade-start
# investigation (F-04) is approved by the sales supervisor then the sales
# manager, whose 承认 activates the customer.
CUSTOMER_LIFECYCLE = Workflow(
    [State("prospect", "潜在客户"), State("trading", "正在交易"), State("former", "老客户(交易中断)"),
     State("suspended", "交易中止"), State("past", "交易过去"), State("dissolved", "已解散/交易关系解除"),
     State("pending_disposal", "待处理"), State("disposed", "已处理(销毁)", terminal=True)],
    [T("activate", "交易开始承认", ("prospect", "former", "suspended"), "trading",
       roles=("sales_manager", "marketing_head"), effects=(fx.sign,)),
     T("interrupt", "交易中断", "trading", "former", roles=SALES),
     T("terminate", "解除交易", ("trading", "former"), lambda row, inputs: inputs["bin"],
       roles=("sales_manager", "marketing_head", "sales_clerk"),
       inputs=(Input("reason", "解除原因", "choice", required=True, choices=TERMINATION,
                     field="termination_reason"),
               Input("bin", "资料归类", "choice", required=True, choices=CLOSED_BIN)),
       effects=(_terminate,)),
     T("dissolve", "客户解散", ("trading", "former", "suspended", "past"), "dissolved",
       roles=("sales_manager", "marketing_head", "sales_clerk")),
     T("request_disposal", "申请处理", ("suspended", "past", "dissolved"), "pending_disposal",
       roles=SALES),
     T("dispose", "认可处理", "pending_disposal", "disposed", roles=("sales_manager",),
       relations=(rel.not_filler(),), effects=(fx.stamp("disposal_approved_by"), fx.sign)),
     T("review", "定期调查", ("trading", "former"), None, roles=SALES,
       effects=(fx.set_fields(last_review_at=lambda a, r, i: today()),))],
    initial="prospect", state_field="lifecycle_status", label="交易状态")


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
    last_tracked_at = Date("最近跟踪日期")
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
        workflow = CUSTOMER_LIFECYCLE
        permissions = {"create": SALES, "edit": SALES, "view": SALES + LEADERS,
                       "delete": ("sales_clerk", "sales_manager", "marketing_head"),
                       "export": ("sales_clerk", "sales_manager", "marketing_head",
                                  "general_manager")}

    def derive(self, actor):
        super().derive(actor)
        # R-TRK-01..03: A monthly, B quarterly, C twice a year (D configurable)
        self.next_tracking_due = next_tracking_due(self.grade, self.last_tracked_at or self.filled_at)


def next_tracking_due(grade, since):
    from portal.calendar import rule_deadline
    if not grade or since is None:
        return None
    due = rule_deadline(f"tracking_{grade}", since)
    return due.date() if due else None


def note_tracking(customer_id, day):
    """A visit or tracking service on `day`: the customer's last tracking date
    and next due date follow (derived fields, not a user edit)."""
    if not customer_id or day is None:
        return
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None or (customer.last_tracked_at and customer.last_tracked_at >= day):
        return
    Customer.update(last_tracked_at=day,
                    next_tracking_due=next_tracking_due(customer.grade, day)).where(
        Customer.id == customer_id).execute()


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

    def after_save(self, actor, is_new):
        note_tracking(self.__data__.get("customer"), self.visited_at)


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
    # investigation report summary on the case card (001-投诉 第十七条)
    cause = Text("发生原因")
    course = Text("具体经过")
    responsible_party = Text("责任者")
    conclusion = Text("结论")
    countermeasure = Text("对策")
    prevention = Text("防范措施")
    # deadlines and escalation (R-CFG; 000-二 §三.5, §三.10)
    matter = Char("投诉事项归类", max_length=100,
                  help_text="同一客户同一事项的多次投诉据此识别（个案）")
    promised_reply_at = DateTimeField(null=True, verbose_name="承诺答复期限")
    quality_reply_due = DateTimeField(null=True, verbose_name="品质部书面回复期限")
    escalation_level = IntegerField(default=0, verbose_name="升级层级")
    escalated_for_due = DateTimeField(null=True, verbose_name="已就此期限升级")
    individual_case_proposed = Flag("建议列为个案")

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
        # the departments on a case's routing: the quality department reviews
        # every case, the sales managers and leaders rule on them
        all_rows_roles = ("general_manager", "deputy_gm", "marketing_head", "sales_manager",
                          "quality_dept")
        readonly_fields = ("accepted", "decided_by", "decided_at", "closed_at", "overdue", "due_at",
                           "escalation_level", "escalated_for_due", "individual_case_proposed",
                           "quality_reply_due", "verified_by", "verified_at", "replied_at",
                           "reopened_from", "escalation", "decision_tier")
        workflow = "portal.workflows.cases:COMPLAINT_FLOW"
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


    def derive(self, actor):
        from portal.workflows import cases
        super().derive(actor)
        cases.derive(self, actor)

    def check(self, actor, is_new):
        from portal.workflows import cases
        return cases.check(self, actor, is_new)

    def after_save(self, actor, is_new):
        from portal.workflows import cases
        cases.after_save(self, actor, is_new)


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

# --- end of SECTION D ---

# ===========================================================================
# SECTION E (2.K .. 2.M): customer engineering, incentives, supplier
# ===========================================================================

import re as _re
from datetime import date, datetime
from decimal import Decimal

from permissions.roles import ENGINEERING, QUALITY, SALES_MANAGERS, SERVICE
from portal.calendar import add_months
from portal.i18n import gettext
from portal.record import When
from portal.workflows import effects as fx
from portal.workflows import relations as rel
from portal.workflows.engine import Input, State, T, Workflow


def _roles(*groups):
    """Role groups joined without duplicates."""
    return tuple(dict.fromkeys(role for group in groups for role in group))


# Roles of 002 篇八 (DOMAIN.md 1.6 and the mapping in permissions/roles.py):
# 营销窗口 / 报装专责 / 用电检查人员 -> after_sales (with the sales front that takes
# applications at the window); 分公司营销部 / 市公司 / 供电方案批复部门 -> managers.
ENG_STAFF = ENGINEERING
ENG_DECIDERS = MANAGERS
ENG_WRITERS = _roles(ENGINEERING, SALES_MANAGERS)
ENG_READERS = _roles(SALES, SERVICE, LEADERS)
# DOMAIN.md 1.8: engineering records are read by the marketing function as a
# whole; the installation department (after_sales) follows every project, the
# approving managers decide on any of them. Others see their department's rows
# and the rows naming them.
ENG_ALL_ROWS = _roles(LEADERS, SALES_MANAGERS, ("after_sales",))

# R-ENG figures of 002 篇八 (one regulation, not configuration that differs
# between source companies): kVA / kW thresholds of 第九、十、十四–十六条.
ENG_DEDICATED_LINE_KVA = Decimal("3000")      # 第九条 报装容量3000kVA及以上采用专线供电
ENG_CITY_REVIEW_KVA = Decimal("1000")         # 第十、十五、十六条 1000kVA
ENG_STATION_REVIEW_KW = Decimal("10")         # 第十四条 低压10kW及以下

POWER_APPLICATION_TYPES = (("new", "新装"), ("increase", "增容"))                       # E-46
VOLTAGE_LEVELS = (("high", "高压"), ("low", "低压"))                                     # E-46
WORK_ORDER_KINDS = (("electronic", "电子工单"), ("contact_sheet", "内部工作联系单"))     # 第四条
SCHEME_REPLY_FORMS = (("memo", "便函"), ("document", "文件"))                            # 第十条
# 供电方式: 专线 is the document's (第九条); the other modes are the customer
# kinds of E-05 (专变, 双电源双回路, 低压) (inferred).
SUPPLY_MODES = (("dedicated_line", "专线"), ("dedicated_transformer", "专变"),
                ("dual_circuit", "双电源双回路"), ("low_voltage", "低压供电"))
SCHEME_REPLIERS = (("branch_marketing", "分公司营销部"), ("city_company", "市公司"))
DESIGN_REVIEW_LEVELS = (("supply_station", "供电所(营业站)"), ("branch_marketing", "分公司营销部"),
                        ("city_company", "市公司"))                                      # R-ENG-03
DESIGN_SUBMISSIONS = (                                                                   # E-48
    ("design", "受电工程设计及说明书"),
    ("load_map", "用电负荷分布图"),
    ("load_nature", "负荷组成、性质及保安负荷"),
    ("quality_devices", "影响电能质量的用电设备清单"),
    ("equipment_list", "主要设备电气一览表"),
    ("process_consumption", "主要生产设备、生产工艺耗电以及允许中断供电时间"),
    ("wiring", "高压受电装置一、二次接线图与平面布置图"),
    ("power_factor", "用电功率因数计算及无功补偿方式"),
    ("protection", "继电保护、过电压保护及电能计量装置的方式"),
    ("concealed", "隐蔽工程设计资料"),
    ("network", "配电网络布置图"),
    ("own_source", "自备电源及接线方式"),
    ("other", "供电企业认为必须提供的其它资料"),
)
REVIEW_PARTICIPANTS = (("designer", "设计单位"), ("customer", "用电客户"),
                       ("production", "生产管理等相关部室"))                               # 第十三条
INSPECTION_ITEMS = (("electrical", "电气设备"), ("transformer", "变压器容量"),
                    ("protection", "继电保护"), ("lightning", "防雷设施"),
                    ("grounding", "接地装置"), ("concealed", "隐蔽工程"))                  # 第二十四、二十五条
# 第二十五条: high-voltage customers are checked on all of these against the approved design.
HV_INSPECTION_ITEMS = ("electrical", "transformer", "protection", "lightning", "grounding")
COMPLETION_SUBMITTERS = (("customer", "客户"), ("contractor", "施工单位"))                 # 第二十七条
SUPPLY_NOTICE_KINDS = (("supply_notice", "供电通知"), ("meter_notice", "装表通知单"))     # 第二十八、二十九条
PROJECT_ACCEPTANCE_KINDS = (("highway_acceptance", "高速公路项目验收鉴定表"),
                            ("final_acceptance", "项目终验"),
                            ("highway_handover", "公路工程项目移交表"))                    # 000-四 67–69
# WF-13 customer engineering (R-ENG)
POWER_APPLICATION_STATES = (
    ("applied", "已申请"), ("surveyed", "已勘察"), ("scheme_replied", "方案已答复"),
    ("design_reviewed", "设计已审查"), ("started", "已开工"), ("inspecting", "中间检查"),
    ("completion_reported", "竣工报告"), ("accepted", "验收合格"), ("contract_signed", "合同已签"),
    ("energised", "已装表供电"), ("checked", "供电后已核查"), ("withdrawn", "已撤销"),
)
ENG_BEFORE_DESIGN_REVIEW = ("applied", "surveyed", "scheme_replied")
ENG_AFTER_ACCEPTANCE = ("accepted", "contract_signed", "energised", "checked")


def _e_decimal(verbose_name, null=True, **kwargs):
    return DecimalField(max_digits=12, decimal_places=2, auto_round=True, null=null,
                        verbose_name=verbose_name, **kwargs)


def _e_rows(model, project, field="project"):
    """Live rows of `model` that belong to a power application."""
    pid = project if isinstance(project, int) else project.id
    return model.select().where(getattr(model, field) == pid, model.deleted_at.is_null())


def _e_project(row, field="project"):
    pid = row.__data__.get(field)
    return PowerApplication.get_or_none(PowerApplication.id == pid) if pid else None


def _e_as_date(value):
    return value.date() if isinstance(value, datetime) else value


def _e_rule_date(key, start):
    """The SLA rule's deadline from `start`, as a date (a day-based limit
    ends with the day it falls on)."""
    from portal.calendar import rule_deadline
    due = rule_deadline(key, start) if start else None
    return due.date() if due is not None else None


def _e_due_date(field, key, start_field):
    """Effect: `field` = the date `start_field` + SLA rule `key`."""
    def effect(actor, row, inputs):
        setattr(row, field, _e_rule_date(key, getattr(row, start_field)))
    return effect


def design_review_level(application):
    """R-ENG-03 (002 篇八 第十四–十六条): who reviews the customer's design.

    >= 1000 kVA, dual-source dual-circuit or dedicated-line customers -> 市公司;
    low voltage <= 10 kW -> 供电所(营业站); high voltage 10-1000 kVA (1000
    excluded) -> 分公司营销部. The documents leave two gaps (low voltage above
    10 kW, high voltage below 10 kVA); both go to 分公司营销部 (decision)."""
    if application is None:
        return None
    capacity = Decimal(application.capacity or 0)
    dedicated = _e_rows(SupplySchemeNotice, application, "application").where(
        SupplySchemeNotice.supply_mode == "dedicated_line").exists()
    if application.dual_supply_required or dedicated or capacity >= ENG_CITY_REVIEW_KVA:
        return "city_company"
    if application.voltage_level == "low" and capacity <= ENG_STATION_REVIEW_KW:
        return "supply_station"
    return "branch_marketing"


# Guards of WF-13 ------------------------------------------------------------

def _e_guard_survey(actor, row, inputs):
    if row.survey_at is None:
        return {"survey_at": gettext("请填写现场勘察时间（第四条：报装人员主动上门现场勘察）。")}
    return None


def _e_guard_scheme(actor, row, inputs):
    if not _e_rows(SupplySchemeNotice, row, "application").exists():
        return {"__all__": gettext("尚未填写《供电方案通知书》，不能答复供电方案（第十条：以便函或文件形式书面答复）。")}
    return None


def _e_guard_design(actor, row, inputs):
    if not _e_rows(DesignReview, row, "application").where(DesignReview.passed == True).exists():  # noqa: E712
        return {"__all__": gettext("尚无审查通过的《设计审查意见书》，不能进入施工阶段（第十三–十六条）。")}
    return None


def _e_guard_start(actor, row, inputs):
    if not _e_rows(ConstructionStartReport, row).exists():
        return {"__all__": gettext("施工单位开工前应将开工报告及工程任务进度表交报装专责（第十九条）。")}
    return None


def _e_guard_inspect(actor, row, inputs):
    if not _e_rows(IntermediateInspection, row).exists():
        return {"__all__": gettext("尚未填写《中间检查意见书》（第二十五、二十六条）。")}
    return None


def _e_guard_complete(actor, row, inputs):
    if not _e_rows(IntermediateInspection, row).where(IntermediateInspection.passed == True).exists():  # noqa: E712
        return {"__all__": gettext("中间检查尚未合格，不能竣工（第二十五条：一般为1-4次，直至合格）。")}
    return None


def _e_guard_accept(actor, row, inputs):
    if not _e_rows(CompletionReport, row).where(CompletionReport.accepted == True).exists():  # noqa: E712
        return {"__all__": gettext("尚无验收合格的竣工报告，不能确认验收合格（第二十七、二十八条）。")}
    return None


def _e_contract(row):
    return _e_rows(PowerSupplyContract, row).order_by(PowerSupplyContract.signed_on).first()


def _e_guard_contract(actor, row, inputs):
    if _e_contract(row) is None:
        return {"__all__": gettext("尚未签订《供用电合同》（第三十条）。")}
    return None


def _e_guard_energise(actor, row, inputs):
    contract = _e_contract(row)
    if contract is None:
        return {"__all__": gettext("未签订《供用电合同》及有关协议前，不得装表供电（第三十条）。")}
    if row.supplied_on and row.supplied_on < contract.signed_on:
        return {"supplied_on": gettext("装表供电日期不能早于《供用电合同》签订日期（第三十条）。")}
    return None


def _e_guard_check(actor, row, inputs):
    if not _e_rows(PostSupplyCheck, row).exists():
        return {"__all__": gettext("尚未登记供电后现场核查（第三十一条：供电后一月内核查计量装置和用电情况）。")}
    return None


POWER_APPLICATION_FLOW = Workflow(
    [State(code, label, terminal=code in ("checked", "withdrawn"), draft=code == "applied")
     for code, label in POWER_APPLICATION_STATES],
    [
        T("survey", "现场勘察", "applied", "surveyed", roles=ENG_STAFF,
          inputs=(Input("survey_at", "现场勘察时间", "datetime", field="survey_at"),),
          guard=_e_guard_survey, effects=(fx.sign,)),
        T("reply_scheme", "答复供电方案", "surveyed", "scheme_replied", roles=ENG_DECIDERS,
          relations=(rel.not_filler(),),
          guard=_e_guard_scheme, effects=(fx.sign,)),
        T("review_design", "设计审查通过", "scheme_replied", "design_reviewed", roles=ENG_DECIDERS,
          relations=(rel.not_filler(),),
          guard=_e_guard_design, effects=(fx.sign,)),
        T("start", "开工", "design_reviewed", "started", roles=ENG_STAFF,
          guard=_e_guard_start, effects=(fx.sign,)),
        T("inspect", "中间检查", "started", "inspecting", roles=ENG_STAFF,
          guard=_e_guard_inspect, effects=(fx.sign,)),
        T("complete", "竣工", "inspecting", "completion_reported", roles=ENG_STAFF,
          inputs=(Input("completed_on", "竣工日期", "date", required=True, field="completed_on"),),
          guard=_e_guard_complete,
          effects=(fx.sign, _e_due_date("completion_report_due", "eng_completion_report",
                                         "completed_on"))),
        T("accept", "验收合格", "completion_reported", "accepted", roles=ENG_DECIDERS,
          relations=(rel.not_filler(),),
          guard=_e_guard_accept, effects=(fx.sign, fx.stamp(at_field="accepted_at"))),
        T("sign_contract", "签订供用电合同", "accepted", "contract_signed", roles=ENG_DECIDERS,
          guard=_e_guard_contract, effects=(fx.sign,)),
        T("energise", "装表供电", "contract_signed", "energised", roles=ENG_STAFF,
          inputs=(Input("supplied_on", "装表供电日期", "date", required=True, field="supplied_on"),),
          guard=_e_guard_energise,
          effects=(fx.sign, _e_due_date("post_supply_check_due", "eng_post_supply_check",
                                         "supplied_on"))),
        T("check", "供电后核查", "energised", "checked", roles=ENG_STAFF,
          guard=_e_guard_check, effects=(fx.sign,)),
        T("withdraw", "撤销申请", ("applied", "surveyed", "scheme_replied", "design_reviewed",
                                   "started", "inspecting", "completion_reported", "accepted",
                                   "contract_signed"), "withdrawn", roles=ENG_WRITERS,
          inputs=(Input("reason", "撤销原因", "textarea", required=True, field="withdrawal_reason"),),
          effects=(fx.sign,), style="danger"),
    ],
    initial="applied",
)


class Contractor(FormRecord):
    """F-95 施工单位资质: contractors with a qualification certificate and a
    business licence, checked by the marketing management department
    (002 篇八 第五、二十条)."""
    name = CharField(max_length=200, verbose_name="施工单位名称")
    qualification_cert = CharField(max_length=100, verbose_name="施工资质证(编号)")
    business_license = CharField(max_length=100, verbose_name="营业执照(编号)")
    grade = Char("资质等级", max_length=60)
    contact = Char("联系人", max_length=60)
    phone = Char("电话", max_length=40)
    checked_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="审查人(营销管理部门)")
    checked_at = Date("审查日期")

    class Register:
        label = "施工单位资质"
        group = "engineering"
        domain_ids = ("F-95",)
        row_scope = "all"
        title_field = "name"
        list_columns = ("record_no", "name", "grade", "qualification_cert", "business_license",
                        "checked_by", "checked_at")
        search = ("record_no", "name", "qualification_cert", "business_license", "contact")
        filters = ("grade", "checked_by", "checked_at")
        required = ("grade",)
        person_fields = ("checked_by", "filled_by")
        signatures = ("审查人(营销管理部门)",)
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        if self.checked_at and not self.__data__.get("checked_by"):
            errors["checked_by"] = gettext("资质审查须写明审查人（第二十条：营销管理部门审查施工单位资质）。")
        if self.__data__.get("checked_by") and not self.checked_at:
            errors["checked_at"] = gettext("请填写资质审查日期。")
        return errors


class PowerApplication(FormRecord):
    """F-84 客户用电申请表: required for every new connection or capacity
    increase, 「不論用電性質、電壓等級、容量大小」 (002 篇八 第四、八条). The
    application is the customer-engineering project of WF-13; its deadlines
    (completion report, post-supply check) are kept on it."""
    state = POWER_APPLICATION_FLOW.make_state_field()
    project_name = CharField(max_length=200, verbose_name="工程名称")          # inferred
    customer = ForeignKeyField(Customer, backref="power_applications", on_delete="RESTRICT",
                               verbose_name="客户")
    type = Choice(POWER_APPLICATION_TYPES, verbose_name="申请类型")
    usage_nature = CharField(max_length=60, verbose_name="用电性质")
    voltage_level = Choice(VOLTAGE_LEVELS, verbose_name="电压等级")
    capacity = _e_decimal("容量(kVA/kW)", null=False, help_text="高压以 kVA 计，低压以 kW 计")
    address = CharField(max_length=300, verbose_name="用电地址")
    window = Char("营业窗口", max_length=100)
    received_by = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                  verbose_name="报装受理人员")
    installation_officer = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                           verbose_name="报装专责(项目经理)")
    survey_at = When("现场勘察时间")
    work_order = DeferredForeignKey("InternalWorkOrder", null=True, backref="+",
                                    on_delete="SET NULL", verbose_name="电子工单/内部工作联系单")
    dual_supply_required = Flag("需备用电源/保安电源(双回路)")
    is_residential_lighting = Flag("零星居民生活照明客户")                      # 第二十九条
    completed_on = Date("竣工日期")
    completion_report_due = Date("竣工报告期限")
    accepted_at = When("验收合格时间")
    supplied_on = Date("装表供电日期")
    post_supply_check_due = Date("供电后核查期限")
    withdrawal_reason = Text("撤销原因")

    class Register:
        label = "客户用电申请表"
        group = "engineering"
        domain_ids = ("F-84", "WF-13")
        title_field = "project_name"
        list_columns = ("record_no", "project_name", "customer", "type", "voltage_level",
                        "capacity", "installation_officer", "completion_report_due",
                        "post_supply_check_due")
        search = ("record_no", "project_name", "address", "usage_nature", "window")
        filters = ("type", "voltage_level", "customer", "received_by", "installation_officer",
                   "filled_at", "completion_report_due", "post_supply_check_due",
                   "dual_supply_required")
        readonly_fields = ("completed_on", "completion_report_due", "accepted_at", "supplied_on",
                           "post_supply_check_due", "withdrawal_reason")
        required = ("window", "installation_officer")
        person_fields = ("received_by", "installation_officer", "filled_by")
        signatures = ("用电客户(签章)", "报装受理人员", "报装专责(项目经理)")
        workflow = POWER_APPLICATION_FLOW
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_STAFF, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        if self.capacity is not None and self.capacity <= 0:
            errors["capacity"] = gettext("容量必须大于0。")
        return errors


class InternalWorkOrder(FormRecord):
    """F-85 电子工单 / 内部工作联系单: the window forwards the application to the
    installation department that handles it (002 篇八 第四条)."""
    kind = Choice(WORK_ORDER_KINDS, verbose_name="传递方式")
    application = ForeignKeyField(PowerApplication, null=True, backref="work_orders",
                                  on_delete="SET NULL", verbose_name="客户用电申请")
    to_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT",
                              verbose_name="报装管理部门")
    sent_at = When("发送时间")
    content = Text("用电信息")

    class Register:
        label = "电子工单/内部工作联系单"
        group = "engineering"
        domain_ids = ("F-85",)
        list_columns = ("record_no", "kind", "application", "to_dept", "sent_at", "filled_by")
        search = ("record_no", "content")
        filters = ("kind", "to_dept", "sent_at", "application")
        required = ("sent_at", "content")
        dept_fields = ("dept", "to_dept")
        person_fields = ("filled_by",)
        signatures = ("发送人(营销窗口)", "接收部门")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}


class SupplySchemeNotice(FormRecord):
    """F-86 供电方案通知书: the written answer of the supply scheme (002 篇八
    第九、十、十二条)."""
    application = ForeignKeyField(PowerApplication, backref="scheme_notices", on_delete="RESTRICT",
                                  verbose_name="客户用电申请")
    approved_capacity = _e_decimal("批准受电容量(kVA)")
    supply_voltage = Char("供电电压", max_length=40)
    supply_mode = Choice(SUPPLY_MODES, null=True, verbose_name="供电方式")
    metering_mode = Char("电能计量方式", max_length=100)
    economics = Text("经济性")
    replied_by = Choice(SCHEME_REPLIERS, null=True, verbose_name="答复部门")
    reply_form = Choice(SCHEME_REPLY_FORMS, null=True, verbose_name="答复形式")
    delivered_at = When("送交客户时间")
    is_change = Flag("供电方案变更")                                               # 第十二条 (inferred)
    change_approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                         verbose_name="变更同意人(供电方案批复部门)")

    class Register:
        label = "供电方案通知书"
        group = "engineering"
        domain_ids = ("F-86",)
        list_columns = ("record_no", "application", "approved_capacity", "supply_voltage",
                        "supply_mode", "replied_by", "reply_form", "delivered_at")
        search = ("record_no", "supply_voltage", "metering_mode", "economics")
        filters = ("supply_mode", "replied_by", "reply_form", "delivered_at", "is_change",
                   "application")
        required = ("approved_capacity", "supply_voltage", "supply_mode", "metering_mode",
                    "replied_by", "reply_form")
        person_fields = ("filled_by", "change_approved_by")
        signatures = ("答复部门(盖章)", "用电客户签收")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        app = _e_project(self, "application")
        capacity = self.approved_capacity if self.approved_capacity is not None else (
            app.capacity if app else None)
        if capacity is not None and Decimal(capacity) >= ENG_DEDICATED_LINE_KVA \
                and self.supply_mode != "dedicated_line":
            errors["supply_mode"] = gettext(
                "报装容量在3000kVA及以上时应采用专线供电（002 篇八 第九条）。")
        if app is not None and app.voltage_level == "high" and app.capacity is not None \
                and app.capacity < ENG_CITY_REVIEW_KVA and self.replied_by \
                and self.replied_by != "branch_marketing":
            errors["replied_by"] = gettext(
                "申请容量在1000kVA以下的专变客户由分公司营销部答复供电方案（第十条）。")
        if self.is_change and not self.__data__.get("change_approved_by"):
            errors["change_approved_by"] = gettext(
                "修改供电方案必须经过供电方案批复部门同意（第十二条）。")
        return errors


class DesignReview(FormRecord):
    """F-87 送审设计资料 + 设计审查意见书: the design review at the level R-ENG-03
    sets from the application's voltage and capacity (002 篇八 第十二–十六条)."""
    application = ForeignKeyField(PowerApplication, backref="design_reviews", on_delete="RESTRICT",
                                  verbose_name="客户用电申请")
    submissions = ListField(DESIGN_SUBMISSIONS, verbose_name="送审设计资料")
    review_level = Choice(DESIGN_REVIEW_LEVELS, null=True, verbose_name="审查层级")
    reviewed_at = Date("审查日期")
    opinion = TextField(verbose_name="设计审查意见")
    participants = ListField(REVIEW_PARTICIPANTS, verbose_name="参加审查单位")
    passed = Flag("审查通过")                                                       # inferred

    class Register:
        label = "设计审查意见书"
        group = "engineering"
        domain_ids = ("F-87",)
        list_columns = ("record_no", "application", "review_level", "reviewed_at", "passed",
                        "filled_by")
        search = ("record_no", "opinion")
        filters = ("review_level", "reviewed_at", "passed", "application")
        readonly_fields = ("review_level",)
        required = ("reviewed_at", "participants")
        person_fields = ("filled_by",)
        signatures = ("审查人", "设计单位", "用电客户")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def derive(self, actor):
        super().derive(actor)
        self.review_level = design_review_level(_e_project(self, "application"))

    def check(self, actor, is_new):
        app = _e_project(self, "application")
        if self.passed and app is not None and app.voltage_level == "high":
            given = set(self.submissions or [])
            missing = [label for code, label in DESIGN_SUBMISSIONS
                       if code != "other" and code not in given]
            if missing:
                return {"submissions": gettext(
                    "高压客户送审的设计和资料不全（第十二条），缺：%(items)s。",
                    items="、".join(missing))}
        return {}


def _e_check_project_state(row, allowed, message, field="project"):
    """On a new record: the power application must be in one of `allowed`."""
    app = _e_project(row, field)
    if app is not None and app.state not in allowed:
        return {field: message}
    return {}


class ConstructionStartReport(FormRecord):
    """F-88 开工报告 + 工程任务进度表: handed by the contractor to the
    installation officer before work starts (002 篇八 第十九、二十一条)."""
    project = ForeignKeyField(PowerApplication, backref="start_reports", on_delete="RESTRICT",
                              verbose_name="工程项目(用电申请)")
    contractor = ForeignKeyField(Contractor, backref="+", on_delete="RESTRICT",
                                 verbose_name="施工单位")
    start_on = DateField(verbose_name="开工时间")
    planned_finish_on = DateField(verbose_name="预计完工时间")
    schedule = Char("工程任务进度表(附件编号)", max_length=200)
    submitted_to = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                                   verbose_name="报装专责")
    construction_plan = Char("施工规划和材料计划(附件编号)", max_length=200)

    class Register:
        label = "开工报告"
        group = "engineering"
        domain_ids = ("F-88",)
        list_columns = ("record_no", "project", "contractor", "start_on", "planned_finish_on",
                        "submitted_to")
        search = ("record_no", "schedule", "construction_plan")
        filters = ("start_on", "planned_finish_on", "contractor", "submitted_to", "project")
        required = ("schedule",)
        person_fields = ("submitted_to", "filled_by")
        signatures = ("施工单位(盖章)", "报装专责")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        if self.start_on and self.planned_finish_on and self.planned_finish_on < self.start_on:
            errors["planned_finish_on"] = gettext("预计完工时间不能早于开工时间。")
        contractor = Contractor.get_or_none(Contractor.id == self.__data__.get("contractor")) \
            if self.__data__.get("contractor") else None
        if contractor is not None and contractor.checked_at is None:
            errors["contractor"] = gettext(
                "施工单位资质尚未经营销管理部门审查（第二十条：须具备施工资质证及营业执照）。")
        if is_new:
            errors.update(_e_check_project_state(
                self, ("design_reviewed", "started", "inspecting"),
                gettext("设计审查通过后方可报开工（第十三–十六、十九条）。")))
        return errors


class ConstructionChangeRequest(FormRecord):
    """F-89 施工变更申请 + 更改书面通知: no change to the scheme, construction or
    drawings before the marketing department's written notice (002 篇八
    第二十一、二十三条)."""
    project = ForeignKeyField(PowerApplication, backref="change_requests", on_delete="RESTRICT",
                              verbose_name="工程项目(用电申请)")
    requested_by = ForeignKeyField(Contractor, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="施工单位")
    change = TextField(verbose_name="变更内容")
    reason = Text("变更原因")
    approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="审查同意人(营销部门)")
    written_notice_at = When("更改书面通知时间")
    implemented_at = When("更改实施时间")                                          # inferred

    class Register:
        label = "施工变更申请"
        group = "engineering"
        domain_ids = ("F-89",)
        list_columns = ("record_no", "project", "requested_by", "approved_by",
                        "written_notice_at", "implemented_at")
        search = ("record_no", "change", "reason")
        filters = ("requested_by", "approved_by", "written_notice_at", "implemented_at", "project")
        required = ("requested_by", "reason")
        person_fields = ("approved_by", "filled_by")
        signatures = ("施工单位", "营销部门")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        if self.written_notice_at and not self.__data__.get("approved_by"):
            errors["approved_by"] = gettext(
                "施工变更申请须经营销部门审查同意后方能发出更改书面通知（第二十一条）。")
        if self.implemented_at and (not self.written_notice_at
                                    or self.implemented_at < self.written_notice_at):
            errors["implemented_at"] = gettext(
                "施工单位不得擅自变更，接到更改书面通知后方能更改实施（第二十三条）。")
        return errors


class EquipmentOrderInfo(FormRecord):
    """F-90 定购设备信息: orders only after the marketing department confirmed
    the drawings and approved manufacturer and model; order information fed
    back (002 篇八 第十八、二十一、二十二条)."""
    project = ForeignKeyField(PowerApplication, backref="equipment_orders", on_delete="RESTRICT",
                              verbose_name="工程项目(用电申请)")
    manufacturer = CharField(max_length=200, verbose_name="生产厂家")
    model = Char("设备选型", max_length=200)
    drawings_approved = Flag("设备图纸已审核")
    approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="认可人(营销部门)")
    ordered_on = Date("定购日期")                                                  # inferred
    delivery_on = Date("到货时间")
    on_recommended_list = Flag("列入国家经贸委推荐目录")

    class Register:
        label = "定购设备信息"
        group = "engineering"
        domain_ids = ("F-90",)
        list_columns = ("record_no", "project", "manufacturer", "model", "drawings_approved",
                        "approved_by", "ordered_on", "delivery_on")
        search = ("record_no", "manufacturer", "model")
        filters = ("drawings_approved", "on_recommended_list", "approved_by", "ordered_on",
                   "delivery_on", "project")
        required = ("model", "delivery_on")
        person_fields = ("approved_by", "filled_by")
        signatures = ("施工单位", "营销部门")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        if self.ordered_on:
            if not self.__data__.get("approved_by"):
                errors["approved_by"] = gettext(
                    "定购设备前须将厂家、选型报营销部门，经认可后方可定购（第二十一条）。")
            if not self.drawings_approved:
                errors["drawings_approved"] = gettext(
                    "定购设备前须确认设备图纸已经审核（第二十一条）。")
            if not self.on_recommended_list:
                errors["on_recommended_list"] = gettext(
                    "应选用国家经贸委推荐目录中的电器设备产品（第十八条）。")
        if self.ordered_on and self.delivery_on and self.delivery_on < self.ordered_on:
            errors["delivery_on"] = gettext("到货时间不能早于定购日期。")
        return errors


class IntermediateInspection(FormRecord):
    """F-91 中间检查意见书: from about 2/3 of the installation, usually 1–4
    times until passed; three copies: customer, contractor, own file
    (002 篇八 第二十五、二十六条)."""
    project = ForeignKeyField(PowerApplication, backref="inspections", on_delete="RESTRICT",
                              verbose_name="工程项目(用电申请)")
    seq = IntegerField(default=1, verbose_name="第几次检查")
    inspected_at = DateField(default=today, verbose_name="检查日期")
    # DOMAIN `inspectors`: the two people 第二十六条 names.
    installation_officer = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                           verbose_name="报装专责(项目经理)")
    usage_inspector = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                      verbose_name="用电检查人员")
    items_checked = ListField(INSPECTION_ITEMS, verbose_name="检查项目")
    opinion = TextField(verbose_name="检查意见")
    passed = Flag("检查合格")

    class Register:
        label = "中间检查意见书"
        group = "engineering"
        domain_ids = ("F-91",)
        list_columns = ("record_no", "project", "seq", "inspected_at", "installation_officer",
                        "usage_inspector", "passed")
        search = ("record_no", "opinion")
        filters = ("inspected_at", "passed", "installation_officer", "usage_inspector", "project")
        required = ("installation_officer", "usage_inspector", "items_checked")
        person_fields = ("installation_officer", "usage_inspector", "filled_by")
        signatures = ("报装专责", "用电检查人员", "用电客户", "施工单位")
        inlines = ("IntermediateInspectionCopy",)
        copies = (("用电客户", "交用电客户"), ("施工单位", "交施工单位"), ("自存", "报装部门存档"))
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        if self.seq is not None and not 1 <= self.seq <= 4:
            errors["seq"] = gettext("中间检查一般为1-4次（第二十五条），第几次应在1至4之间。")
        pid = self.__data__.get("project")
        if pid and self.seq is not None:
            same = IntermediateInspection.select().where(
                IntermediateInspection.project == pid, IntermediateInspection.seq == self.seq,
                IntermediateInspection.deleted_at.is_null())
            if self.id:
                same = same.where(IntermediateInspection.id != self.id)
            if same.exists():
                errors.setdefault("seq", gettext("该工程第%(n)s次中间检查已登记。", n=self.seq))
        app = _e_project(self)
        if self.passed and app is not None and app.voltage_level == "high":
            missing = [label for code, label in INSPECTION_ITEMS
                       if code in HV_INSPECTION_ITEMS and code not in (self.items_checked or [])]
            if missing:
                errors["items_checked"] = gettext(
                    "高压供电客户应全面检查后方可判定合格（第二十五条），未检查：%(items)s。",
                    items="、".join(missing))
        if is_new:
            errors.update(_e_check_project_state(
                self, ("started", "inspecting"),
                gettext("工程开工后方可进行中间检查（第十九、二十五条）。")))
        return errors


IntermediateInspectionCopy = copy_log(IntermediateInspection)


class CompletionReport(FormRecord):
    """F-92 竣工报告 + 书面供电申请 + 工程竣工资料: the customer reports to the
    department that answered the scheme; for projects entrusted to the
    company the contractor applies within 3 days of completion (002 篇八
    第七、二十七条; SLA eng_completion_report)."""
    project = ForeignKeyField(PowerApplication, backref="completion_reports", on_delete="RESTRICT",
                              verbose_name="工程项目(用电申请)")
    submitted_by = Choice(COMPLETION_SUBMITTERS, default="customer", verbose_name="提交方")
    completed_on = DateField(verbose_name="竣工日期")
    submitted_at = DateTimeField(default=now, verbose_name="提交时间")
    supply_application = Text("书面供电申请")
    as_built_docs = Char("工程竣工资料(附件编号)", max_length=200)
    accepted = Flag("验收合格")
    accepted_at = When("验收时间")
    late = Flag("逾期提交")

    class Register:
        label = "竣工报告"
        group = "engineering"
        domain_ids = ("F-92",)
        list_columns = ("record_no", "project", "submitted_by", "completed_on", "submitted_at",
                        "late", "accepted", "accepted_at")
        search = ("record_no", "supply_application", "as_built_docs")
        filters = ("submitted_by", "completed_on", "submitted_at", "late", "accepted", "project")
        readonly_fields = ("late",)
        required = ("supply_application", "as_built_docs")
        person_fields = ("filled_by",)
        signatures = ("提交单位", "报装专责", "验收人")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def derive(self, actor):
        super().derive(actor)
        if self.accepted and self.accepted_at is None:
            self.accepted_at = now()
        # 第二十七条: 「竣工后施工單位在3日內向營銷部門提出竣工報告申請驗收」
        due = _e_rule_date("eng_completion_report", self.completed_on) \
            if self.submitted_by == "contractor" else None
        self.late = bool(due and self.submitted_at and _e_as_date(self.submitted_at) > due)

    def check(self, actor, is_new):
        errors = {}
        if self.completed_on and self.submitted_at and \
                _e_as_date(self.submitted_at) < self.completed_on:
            errors["submitted_at"] = gettext("竣工报告的提交时间不能早于竣工日期。")
        if is_new:
            errors.update(_e_check_project_state(
                self, ("inspecting", "completion_reported"),
                gettext("中间检查之后方可提交竣工报告（第二十五、二十七条）。")))
        return errors


class SupplyNotice(FormRecord):
    """F-93 供电通知 / 装表通知单: after acceptance the supply date is agreed
    with the customer; for residential lighting customers the meter notice
    goes out within 1 day and metering is completed within 2 days (002 篇八
    第二十八、二十九条; SLA eng_meter_notice, eng_metering)."""
    project = ForeignKeyField(PowerApplication, backref="supply_notices", on_delete="RESTRICT",
                              verbose_name="工程项目(用电申请)")
    kind = Choice(SUPPLY_NOTICE_KINDS, verbose_name="通知类型")
    supply_date = Date("供电日期(与客户协商确定)")
    issued_at = When("发出时间")
    metering_done_at = When("完善计量装置时间")
    late = Flag("逾期")

    class Register:
        label = "供电通知/装表通知单"
        group = "engineering"
        domain_ids = ("F-93",)
        list_columns = ("record_no", "project", "kind", "supply_date", "issued_at",
                        "metering_done_at", "late")
        search = ("record_no",)
        filters = ("kind", "supply_date", "issued_at", "late", "project")
        readonly_fields = ("late",)
        required = ("issued_at",)
        person_fields = ("filled_by",)
        signatures = ("营销部门", "签收")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def derive(self, actor):
        super().derive(actor)
        late = False
        app = _e_project(self)
        if self.kind == "meter_notice":
            due = _e_rule_date("eng_meter_notice", app.accepted_at) if app else None
            if due and self.issued_at and _e_as_date(self.issued_at) > due:
                late = True
            due = _e_rule_date("eng_metering", self.issued_at)
            if due and self.metering_done_at and _e_as_date(self.metering_done_at) > due:
                late = True
        self.late = late

    def check(self, actor, is_new):
        errors = {}
        if self.kind == "supply_notice" and not self.supply_date:
            errors["supply_date"] = gettext("供电通知须写明与客户协商确定的供电日期（第二十八条）。")
        if self.metering_done_at and self.issued_at and self.metering_done_at < self.issued_at:
            errors["metering_done_at"] = gettext("完善计量装置时间不能早于通知发出时间。")
        if is_new:
            errors.update(_e_check_project_state(
                self, ENG_AFTER_ACCEPTANCE,
                gettext("工程验收合格后方可发出供电通知（第二十八、二十九条）。")))
        return errors


class PowerSupplyContract(FormRecord):
    """F-94 供用电合同: signed with the customer after acceptance; meters are
    installed and power supplied only after signing (002 篇八 第三十条)."""
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="客户")
    project = ForeignKeyField(PowerApplication, null=True, backref="contracts", on_delete="SET NULL",
                              verbose_name="工程项目(用电申请)")
    signed_on = DateField(verbose_name="签订日期")
    agreements = Char("有关协议(附件编号)", max_length=200)

    class Register:
        label = "供用电合同"
        group = "engineering"
        domain_ids = ("F-94",)
        list_columns = ("record_no", "customer", "project", "signed_on", "agreements", "filled_by")
        search = ("record_no", "agreements")
        filters = ("customer", "signed_on", "project")
        required = ("agreements",)
        person_fields = ("filled_by",)
        default_retention = "long_term"
        signatures = ("供电方(盖章)", "用电方(盖章)")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def check(self, actor, is_new):
        errors = {}
        app = _e_project(self)
        if app is not None and app.customer_id != self.__data__.get("customer"):
            errors["project"] = gettext("合同客户与工程项目(用电申请)的客户不一致。")
        if is_new:
            errors.update(_e_check_project_state(
                self, ENG_AFTER_ACCEPTANCE,
                gettext("客户工程验收合格后方可签订《供用电合同》（第三十条）。")))
        return errors


class PostSupplyCheck(FormRecord):
    """F-96 供电后现场核查: within one month after supply starts, usage
    inspectors check metering and usage on site (002 篇八 第三十一条; SLA
    eng_post_supply_check)."""
    project = ForeignKeyField(PowerApplication, backref="post_supply_checks", on_delete="RESTRICT",
                              verbose_name="工程项目(用电申请)")
    checked_at = DateTimeField(default=now, verbose_name="核查时间")
    inspector = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="用电检查人员")
    metering_status = Text("计量装置运行状况")
    usage_status = Text("客户用电情况")
    late = Flag("逾期核查")

    class Register:
        label = "供电后现场核查"
        group = "engineering"
        domain_ids = ("F-96",)
        list_columns = ("record_no", "project", "checked_at", "inspector", "late")
        search = ("record_no", "metering_status", "usage_status")
        filters = ("checked_at", "inspector", "late", "project")
        readonly_fields = ("late",)
        required = ("inspector", "metering_status", "usage_status")
        person_fields = ("inspector", "filled_by")
        signatures = ("用电检查人员", "用电客户")
        all_rows_roles = ENG_ALL_ROWS
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS}

    def derive(self, actor):
        super().derive(actor)
        app = _e_project(self)
        due = _e_rule_date("eng_post_supply_check", app.supplied_on) if app else None
        self.late = bool(due and self.checked_at and _e_as_date(self.checked_at) > due)

    def check(self, actor, is_new):
        app = _e_project(self)
        if app is not None and app.supplied_on is None:
            return {"project": gettext("该工程尚未装表供电，不能登记供电后核查（第三十一条）。")}
        if app is not None and self.checked_at and _e_as_date(self.checked_at) < app.supplied_on:
            return {"checked_at": gettext("核查时间不能早于装表供电日期。")}
        return {}


class ProjectAcceptance(FormRecord):
    """F-97 高速公路项目验收鉴定表 / 项目终验 / 公路工程项目移交表 (000-四
    records 67–69): the weighing-equipment company's highway projects; kept
    for the product's lifetime (traceability, 000-四 442)."""
    kind = Choice(PROJECT_ACCEPTANCE_KINDS, verbose_name="记录类型")
    customer = ForeignKeyField(Customer, backref="+", on_delete="RESTRICT", verbose_name="客户")
    project_name = CharField(max_length=200, verbose_name="项目名称")
    date = DateField(default=today, verbose_name="日期")
    result = Text("验收/移交结论")
    signatories = Text("签字人员")
    attachment = Char("附件(文件编号)", max_length=200)

    class Register:
        label = "项目验收/移交记录"
        group = "engineering"
        domain_ids = ("F-97",)
        title_field = "project_name"
        list_columns = ("record_no", "kind", "customer", "project_name", "date", "filled_by")
        search = ("record_no", "project_name", "result", "signatories")
        filters = ("kind", "customer", "date")
        required = ("result", "signatories")
        person_fields = ("filled_by",)
        default_retention = "product_lifetime"
        signatures = ("建设(使用)单位", "施工安装单位", "监理单位")
        all_rows_roles = ("general_manager", "deputy_gm", "quality_dept")
        permissions = {"create": _roles(SALES_FRONT, SERVICE, SALES_MANAGERS),
                       "edit": _roles(SALES_FRONT, SERVICE, SALES_MANAGERS),
                       "view": _roles(SALES, SERVICE, QUALITY, LEADERS)}


# ---------------------------------------------------------------------------
# 2.L Staff incentives, rewards, penalties (002 篇七 and R-RWD)
# ---------------------------------------------------------------------------

def incentive_figure(key):
    """A figure of the incentive rules of 002 篇七: a setting (portal/settings.py
    seeds the documents' values; the administrator may change them)."""
    return Decimal(str(setting(key)))


INCENTIVE_WRITERS = ("after_sales", "hr")                       # 服务部统计; 人力发展部
INCENTIVE_READERS = _roles(INCENTIVE_WRITERS, ("finance",), LEADERS)
# 财务部、人力发展部核实计算 (第十条): hr and finance read every department's rows.
INCENTIVE_ALL_ROWS = ("general_manager", "hr", "finance")
_QUARTER = _re.compile(r"^(\d{4})-Q([1-4])$")
_MONTH = _re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _quarter_errors(value, field="quarter"):
    if value and not _QUARTER.match(value):
        return {field: gettext("季度格式应为“年-Q季”，例如 2026-Q3。")}
    return {}


def quarter_months(value):
    """(first day, last day) of a quarter written 2026-Q3, or None."""
    from calendar import monthrange
    m = _QUARTER.match(value or "")
    if not m:
        return None
    year, q = int(m.group(1)), int(m.group(2))
    first, last = 3 * q - 2, 3 * q
    return date(year, first, 1), date(year, last, monthrange(year, last)[1])


class ServicePointsMonthly(FormRecord):
    """F-98 月度服务点数: the month's trip points of a service engineer or team
    leader, from 《客服部调试项目工作系数》; points above the base are paid per
    point, a safety accident costs points, a repeat service the engineer caused
    loses its work coefficient (002 篇七 第四条, 9.4)."""
    engineer = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                               verbose_name="服务工程师/组长")
    month = DateField(verbose_name="月份", help_text="填写该月任意一天，保存为当月1日")
    points = _e_decimal("出差项目服务点数", null=False)
    safety_accidents = IntegerField(default=0, verbose_name="安全事故次数")
    second_service_deductions = _e_decimal("个人原因二次服务扣除点数", null=False, default=0)
    base_points = _e_decimal("基数点数")
    rate = Money("每点金额(元/点)")
    deducted_points = _e_decimal("扣减点数合计")
    amount = Money("月度绩效金额(元)")
    verified_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="核实人(财务部/人力发展部)")
    verified_at = Date("核实日期")

    class Register:
        label = "月度服务点数"
        group = "incentives"
        domain_ids = ("F-98",)
        list_columns = ("record_no", "engineer", "month", "points", "deducted_points",
                        "base_points", "amount", "verified_by")
        search = ("record_no",)
        filters = ("engineer", "month", "verified_by", "verified_at")
        readonly_fields = ("base_points", "rate", "deducted_points", "amount")
        person_fields = ("engineer", "verified_by", "filled_by")
        all_rows_roles = INCENTIVE_ALL_ROWS
        signatures = ("服务部统计", "财务部核实", "人力发展部核实")
        permissions = {"create": INCENTIVE_WRITERS, "edit": INCENTIVE_WRITERS,
                       "view": INCENTIVE_READERS}

    def derive(self, actor):
        super().derive(actor)
        if self.month:
            self.month = self.month.replace(day=1)
        self.base_points = incentive_figure("points_base")
        self.rate = incentive_figure("points_rate")
        self.deducted_points = (Decimal(self.safety_accidents or 0)
                                * incentive_figure("points_safety_accident")
                                + Decimal(self.second_service_deductions or 0))
        if self.points is None:
            self.amount = None
        else:
            over = Decimal(self.points) - self.deducted_points - self.base_points
            self.amount = max(Decimal(0), over) * self.rate

    def check(self, actor, is_new):
        errors = {}
        if self.points is not None and self.points < 0:
            errors["points"] = gettext("服务点数不能为负数。")
        if self.safety_accidents is not None and self.safety_accidents < 0:
            errors["safety_accidents"] = gettext("安全事故次数不能为负数。")
        if self.second_service_deductions is not None and self.second_service_deductions < 0:
            errors["second_service_deductions"] = gettext("扣除点数不能为负数。")
        if self.verified_at and not self.__data__.get("verified_by"):
            errors["verified_by"] = gettext("请写明核实人（第十条：财务部、人力发展部核实计算）。")
        eng, month = self.__data__.get("engineer"), self.month
        if eng and month:
            same = ServicePointsMonthly.select().where(
                ServicePointsMonthly.engineer == eng, ServicePointsMonthly.month == month,
                ServicePointsMonthly.deleted_at.is_null())
            if self.id:
                same = same.where(ServicePointsMonthly.id != self.id)
            if same.exists():
                errors["month"] = gettext("该人员当月的服务点数已登记。")
        return errors


class QuarterlyRanking(FormRecord):
    """F-99 季度考核排名: customer-service engineers and 客服管理部 staff ranked
    every quarter; the top ranks receive an award (002 篇七 第五条)."""
    quarter = CharField(max_length=10, verbose_name="季度", help_text="例如 2026-Q3")
    employee = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT",
                               verbose_name="员工(客服工程师/客服管理部)")
    rank = IntegerField(verbose_name="排名")
    score = _e_decimal("考核得分")                                                   # inferred
    award = Money("季度奖励(元)")

    class Register:
        label = "季度考核排名"
        group = "incentives"
        domain_ids = ("F-99",)
        list_columns = ("record_no", "quarter", "employee", "rank", "score", "award")
        search = ("record_no", "quarter")
        filters = ("employee",)
        readonly_fields = ("award",)
        person_fields = ("employee", "filled_by")
        all_rows_roles = INCENTIVE_ALL_ROWS
        signatures = ("服务部", "人力发展部", "领导审核")
        permissions = {"create": INCENTIVE_WRITERS, "edit": INCENTIVE_WRITERS,
                       "view": INCENTIVE_READERS}

    def derive(self, actor):
        super().derive(actor)
        if self.quarter:
            self.quarter = self.quarter.strip().upper()
        award = Decimal(0)
        if self.rank is not None and self.rank >= 1:
            if self.rank <= incentive_figure("ranking_first_tier_last_rank"):
                award = incentive_figure("ranking_first_tier_award")
            elif self.rank <= incentive_figure("ranking_second_tier_last_rank"):
                award = incentive_figure("ranking_second_tier_award")
        self.award = award

    def check(self, actor, is_new):
        errors = _quarter_errors(self.quarter)
        if self.rank is not None and self.rank < 1:
            errors["rank"] = gettext("排名应从1开始。")
        emp = self.__data__.get("employee")
        if emp and self.quarter and not errors:
            same = QuarterlyRanking.select().where(
                QuarterlyRanking.employee == emp, QuarterlyRanking.quarter == self.quarter,
                QuarterlyRanking.deleted_at.is_null())
            if self.id:
                same = same.where(QuarterlyRanking.id != self.id)
            if same.exists():
                errors["employee"] = gettext("该员工本季度已有排名记录。")
        return errors


SPARE_PRICING_RULES = (("margin_35", "元器件35%以上毛利+服务费"),
                       ("margin_50", "元器件50%以上毛利+服务费"))                    # 002 篇七 8.1/8.2
_SPARE_MIN_MARGIN = {"margin_35": Decimal(35), "margin_50": Decimal(50)}


class SparePartsCommission(FormRecord):
    """F-100 备品备件销售提成: commission on spare parts sold by customer-service
    staff, by the pricing rule, only after full payment; split between the
    person and the department; computed quarterly and paid in April, July,
    October and January (002 篇七 第八条)."""
    quarter = CharField(max_length=10, verbose_name="季度", help_text="例如 2026-Q3")
    customer_name = Char("客户名称", max_length=200)
    sale = Char("销售内容(备品备件)", max_length=300)
    sale_amount = Money("实际回款金额(元)", null=False)
    margin = _e_decimal("元器件毛利率(%)")
    pricing_rule = Choice(SPARE_PRICING_RULES, verbose_name="报价原则")
    fully_collected_at = Date("全额回款日期")
    rate = _e_decimal("提成比例(%)")
    commission = Money("提成金额(元)")
    individual_share = Money("个人部分(元)")
    department_share = Money("部门部分(元)")
    compiled_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="汇总人(客服专员)")
    reviewed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="审核分配(泰达综合部)")
    approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="批准(泰达总经理)")
    paid_in_month = Char("发放月份", max_length=7)

    class Register:
        label = "备品备件销售提成"
        group = "incentives"
        domain_ids = ("F-100",)
        list_columns = ("record_no", "quarter", "customer_name", "sale_amount", "pricing_rule",
                        "fully_collected_at", "commission", "compiled_by", "paid_in_month")
        search = ("record_no", "quarter", "customer_name", "sale")
        filters = ("pricing_rule", "fully_collected_at", "compiled_by", "approved_by")
        readonly_fields = ("rate", "commission", "individual_share", "department_share",
                           "paid_in_month")
        required = ("customer_name", "compiled_by")
        person_fields = ("compiled_by", "reviewed_by", "approved_by", "filled_by")
        all_rows_roles = INCENTIVE_ALL_ROWS
        signatures = ("客服专员", "泰达综合部审核", "泰达总经理批准")
        permissions = {"create": INCENTIVE_WRITERS, "edit": INCENTIVE_WRITERS,
                       "view": INCENTIVE_READERS}

    def derive(self, actor):
        super().derive(actor)
        if self.quarter:
            self.quarter = self.quarter.strip().upper()
        key = {"margin_35": "commission_rate_margin_35",
               "margin_50": "commission_rate_margin_50"}.get(self.pricing_rule)
        self.rate = incentive_figure(key) if key else None
        # 8.1/8.2 「全額回款后按照實際金額按3%(5%)提成」: nothing before full payment.
        if self.rate is None or self.sale_amount is None or not self.fully_collected_at:
            self.commission = self.individual_share = self.department_share = None
        else:
            self.commission = (Decimal(self.sale_amount) * self.rate / 100).quantize(Decimal("0.01"))
            share = incentive_figure("commission_individual_share")
            self.individual_share = (self.commission * share / 100).quantize(Decimal("0.01"))
            self.department_share = self.commission - self.individual_share
        span = quarter_months(self.quarter)
        if span:     # 8.4 paid in April, July, October and January of the next year
            pay = add_months(span[1].replace(day=1), 1)
            self.paid_in_month = f"{pay.year}-{pay.month:02d}"
        else:
            self.paid_in_month = None

    def check(self, actor, is_new):
        errors = _quarter_errors(self.quarter)
        if self.sale_amount is not None and self.sale_amount <= 0:
            errors["sale_amount"] = gettext("回款金额必须大于0。")
        least = _SPARE_MIN_MARGIN.get(self.pricing_rule)
        if least is not None and self.margin is not None and self.margin < least:
            errors["margin"] = gettext("按“%(rule)s”原则报价，元器件毛利率应在%(n)s%%以上（8.1/8.2）。",
                                       rule=dict(SPARE_PRICING_RULES)[self.pricing_rule],
                                       n=int(least))
        if not self.fully_collected_at and (self.__data__.get("reviewed_by")
                                            or self.__data__.get("approved_by")):
            errors["fully_collected_at"] = gettext(
                "全额回款后方可计提成并审核、批准（002 篇七 8.1、8.2）。")
        span = quarter_months(self.quarter)
        if span and self.fully_collected_at and not span[0] <= self.fully_collected_at <= span[1]:
            errors.setdefault("fully_collected_at", gettext(
                "提成按季度统计：全额回款日期应在所填季度内。"))
        return errors


REWARD_KINDS = (("reward", "奖励"), ("penalty", "处罚"))


class RewardPenaltyRule(RecordBase):
    """The reward and penalty rules of DOMAIN.md R-RWD with their amounts
    (seeded; kept by HR). A 奖惩记录 cites one and stays within its range."""
    code = CharField(max_length=20, unique=True, verbose_name="条款编号")
    title = CharField(max_length=200, verbose_name="奖惩事项")
    kind = Choice(REWARD_KINDS, verbose_name="奖/惩")
    min_amount = Money("最低金额(元)")
    max_amount = Money("最高金额(元)")
    unit = Char("计量单位", max_length=20, help_text="次、项目、天……")
    basis = Text("计算方法/说明")
    source = Char("依据条款", max_length=120)
    active = Flag("有效", default=True)

    class Register:
        label = "奖惩规则"
        group = "incentives"
        domain_ids = ("R-RWD",)
        numbering = "prefix"
        number_prefix = "JC"
        row_scope = "all"
        title_field = "title"
        list_columns = ("code", "title", "kind", "min_amount", "max_amount", "unit", "source",
                        "active")
        search = ("code", "title", "basis", "source")
        filters = ("kind", "active")
        default_sort = ("code", False)
        permissions = {"create": ("hr",), "edit": ("hr",), "delete": ("hr",),
                       "view": STAFF, "export": ("hr", "finance") + LEADERS}

    def check(self, actor, is_new):
        errors = {}
        for name in ("min_amount", "max_amount"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = gettext("金额不能为负数。")
        if self.min_amount is not None and self.max_amount is not None \
                and self.min_amount > self.max_amount:
            errors["max_amount"] = gettext("最高金额不能低于最低金额。")
        return errors


class RewardPenaltyRecord(FormRecord):
    """F-101 奖惩记录 (+ 用户表扬信 as evidence): every reward or penalty of
    R-RWD, citing its rule; the amount stays within the rule's range, times
    the count (per time, project or day). Verified by 财务部 / 人力发展部 and
    paid or withheld with the salary (002 篇七 第九、十条)."""
    person = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="人员")
    rule = ForeignKeyField(RewardPenaltyRule, backref="records", on_delete="RESTRICT",
                           verbose_name="奖惩条款")
    occurred_on = Date("发生日期")
    quantity = IntegerField(default=1, verbose_name="次数/项目数/天数")
    amount = Money("金额(元)", null=False)
    description = Text("事由")
    evidence = Char("依据材料(用户表扬信、投诉、服务记录单等)", max_length=300)
    decided_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="决定人")
    decided_at = Date("决定日期")
    verified_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="核实人(财务部/人力发展部)")
    payroll_month = Char("计入工资月份", max_length=7, help_text="例如 2026-11")

    class Register:
        label = "奖惩记录"
        group = "incentives"
        domain_ids = ("F-101",)
        list_columns = ("record_no", "person", "rule", "occurred_on", "quantity", "amount",
                        "decided_by", "payroll_month")
        search = ("record_no", "description", "evidence", "payroll_month")
        filters = ("person", "rule", "occurred_on", "decided_by", "verified_by")
        required = ("evidence", "decided_by")
        person_fields = ("person", "decided_by", "verified_by", "filled_by")
        all_rows_roles = INCENTIVE_ALL_ROWS
        signatures = ("决定人", "财务部/人力发展部核实")
        permissions = {"create": INCENTIVE_WRITERS, "edit": INCENTIVE_WRITERS,
                       "view": INCENTIVE_READERS}

    def check(self, actor, is_new):
        errors = {}
        qty = self.quantity if self.quantity is not None else 1
        if qty < 1:
            errors["quantity"] = gettext("次数至少为1。")
        if self.amount is not None and self.amount < 0:
            errors["amount"] = gettext("金额不能为负数。")
        if self.payroll_month and not _MONTH.match(self.payroll_month):
            errors["payroll_month"] = gettext("月份格式应为“年-月”，例如 2026-11。")
        rid = self.__data__.get("rule")
        rule = RewardPenaltyRule.get_or_none(RewardPenaltyRule.id == rid) if rid else None
        if rule is not None and not rule.active:
            errors["rule"] = gettext("该奖惩条款已停用。")
        if rule is not None and self.amount is not None and "amount" not in errors and qty >= 1:
            low = rule.min_amount * qty if rule.min_amount is not None else None
            high = rule.max_amount * qty if rule.max_amount is not None else None
            if (low is not None and self.amount < low) or (high is not None and self.amount > high):
                if low is not None and high is not None and low == high:
                    errors["amount"] = gettext("按该条款（%(source)s）金额应为 %(amount)s 元。",
                                               source=rule.source or rule.code, amount=low)
                elif high is None:
                    errors["amount"] = gettext("按该条款（%(source)s）金额不得低于 %(low)s 元。",
                                               source=rule.source or rule.code, low=low)
                else:
                    errors["amount"] = gettext(
                        "按该条款（%(source)s）金额应在 %(low)s–%(high)s 元之间。",
                        source=rule.source or rule.code, low=low or 0, high=high)
        return errors


# ---------------------------------------------------------------------------
# 2.M Supplier
# ---------------------------------------------------------------------------

SUPPLIER_REVIEW_TYPES = (("initial", "初次评审"), ("re_evaluation", "重新评价"))     # E-33


class SupplierCreditEvaluation(FormRecord):
    """F-102 供应商信用评估表 (000-四 record 63 and 附表; category a): the
    quality line is filled by 品管, the delivery line by 采购."""
    supplier_name = CharField(max_length=200, verbose_name="供应商名称")
    supplier_address = Char("供应商地址", max_length=300)
    contact = Char("联系人", max_length=60)
    phone = Char("电话", max_length=40)
    review_type = Choice(SUPPLIER_REVIEW_TYPES, verbose_name="评审类型")
    quality_status = Text("供应商提供产品的质量状况(品管)")
    delivery_status = Text("供应商提供产品交期状况(采购)")
    after_sales = Text("售后服务情况")
    overall_operation = Text("设备整体运行情况")
    customer_evaluation = Text("客户评价")
    company_evaluation = Text("公司评价")
    time = Date("时间")

    class Register:
        label = "供应商信用评估表"
        group = "service"
        domain_ids = ("F-102",)
        # 品管, 采购 and after-sales each fill their lines of the same evaluation.
        row_scope = "all"
        title_field = "supplier_name"
        list_columns = ("record_no", "supplier_name", "review_type", "contact", "phone", "time",
                        "filled_by")
        search = ("record_no", "supplier_name", "contact", "company_evaluation")
        filters = ("review_type", "time", "filled_by")
        required = ("contact", "phone", "quality_status", "delivery_status", "company_evaluation")
        person_fields = ("filled_by",)
        signatures = ("品管", "采购", "负责人")
        permissions = {"create": _roles(QUALITY, SERVICE), "edit": _roles(QUALITY, SERVICE),
                       "view": _roles(QUALITY, SERVICE, MANAGERS)}

    def check(self, actor, is_new):
        # 附表: 「供应商提供产品的质量状况 — 品管」「交期状况 — 采购」 (采购 -> quality_dept).
        if actor is None or actor.has_role(*QUALITY):
            return {}
        before = None if is_new else SupplierCreditEvaluation.get_or_none(
            SupplierCreditEvaluation.id == self.id)
        errors = {}
        for name in ("quality_status", "delivery_status"):
            old = getattr(before, name) if before is not None else None
            if (getattr(self, name) or None) != (old or None):
                errors[name] = gettext("此栏由品管/采购（品质部）填写。")
        return errors

# --- end of SECTION E ---


# ---------------------------------------------------------------------------
# 2.J Records control (F-75): the list of record types, generated from metadata
# ---------------------------------------------------------------------------


class RecordTypeCatalogue(RecordBase):
    """F-75 客户服务体系记录明细表 (000-四 451; 003 §5): every register with its
    record name, number format, retention period and custodian. Rows are
    generated from the register metadata (`portal catalogue` / init-db); the
    sales clerk keeps the custodian, retention and form template up to date."""
    seq = IntegerField(verbose_name="序号")
    register = CharField(max_length=60, unique=True, verbose_name="登记簿")
    name = CharField(max_length=200, verbose_name="记录名称")
    form_code = CharField(max_length=60, verbose_name="编号方式")
    domain_ids = Char("表单编号", max_length=120)
    retention = Choice(RETENTION, default="three_years", verbose_name="保存期限")
    custodian = Char("保管部门(人)", max_length=100)
    template = Char("表式", max_length=200)
    policy = Char("所依存的制度", max_length=200)

    class Register:
        label = "客户服务体系记录明细表"
        group = "archives"
        domain_ids = ("F-75",)
        numbering = "prefix"
        number_prefix = "JL"
        row_scope = "all"
        title_field = "name"
        list_columns = ("seq", "name", "register", "form_code", "domain_ids", "retention", "custodian")
        search = ("name", "register", "custodian", "domain_ids")
        filters = ("retention",)
        default_sort = ("seq", False)
        readonly_fields = ("seq", "register", "name", "form_code", "domain_ids")
        permissions = {"view": STAFF, "create": (), "edit": ("sales_clerk", "archivist"),
                       "delete": (), "export": STAFF}


# ---------------------------------------------------------------------------
# 2.J Borrowing (F-76): one loan register for every confidential record
# ---------------------------------------------------------------------------

BORROW_PURPOSES = (("revisit", "回访"), ("consult", "查阅"), ("use", "调用"), ("copy", "复印"),
                   ("other", "其他"))
RETURN_CONDITIONS = (("intact", "完好"), ("soiled", "污损"), ("damaged", "破损"),
                     ("missing", "缺少"), ("lost", "遗失"))
BORROW_STATES = (("pending", "待审批"), ("approved", "已批准"), ("rejected", "已驳回"),
                 ("lent", "已借出"), ("returned", "已归还"), ("cancelled", "已撤销"),
                 ("overdue", "已逾期"))


class RegisterName(CharField):
    """The name of an archive register; a select of those registers in forms."""

    def wtf_field(self, model, **kwargs):
        from wtforms import SelectField
        from portal.i18n import lazy
        from portal.registry import all_specs
        kwargs.pop("filters", None)
        choices = [(s.name, lazy(s.label)) for s in all_specs() if s.archive]
        return SelectField(choices=choices, **kwargs)


class BorrowRequest(FormRecord):
    """F-76 借阅登记: a request to read (borrow) one confidential record.

    Approver by the record's level (R-ARC, WF-04): internal or restricted files
    of other departments → 营销部部长 or 销售经理 (003 §4.1); sealed → 总经理
    (002 篇三); a 顾客档案表 for a revisit → its custodian, the 顾服主管医生, due
    the same day; for any other use → 总经理. The custodian (or the sales clerk,
    000-四 46) lends and takes it back; the borrower reads it only while it is
    lent and not past due (permissions/rules.py)."""
    state = Choice(BORROW_STATES, default="pending", index=True, verbose_name="状态")
    register = RegisterName(max_length=60, verbose_name="档案登记簿")
    record = IntegerField(verbose_name="档案记录ID")
    record_no = Char("档案编号", max_length=40)
    title = Char("档案名称", max_length=200)
    level = Choice(CONFIDENTIALITY, null=True, verbose_name="密级")
    borrower = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="借阅人")
    borrower_dept = ForeignKeyField(Department, backref="+", on_delete="RESTRICT",
                                    verbose_name="借阅部门")
    purpose = Choice(BORROW_PURPOSES, default="consult", verbose_name="借阅用途")
    reason = TextField(verbose_name="借阅理由")
    requested_at = DateTimeField(default=now, verbose_name="申请时间")
    due_at = DateTimeField(null=True, verbose_name="应还时间")
    current_approver = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                       verbose_name="审批人")
    approver_role = Choice(ROLE_CHOICES, null=True, verbose_name="审批角色")
    approved_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="批准人")
    approved_at = DateTimeField(null=True, verbose_name="批准时间")
    decision_comment = Text("审批意见")
    rejection_reason = Text("驳回理由")
    lent_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                              verbose_name="借出人")
    lent_at = DateTimeField(null=True, verbose_name="借出时间")
    returned_at = DateTimeField(null=True, verbose_name="归还时间")
    returned_to = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                  verbose_name="接收人")
    return_condition = Choice(RETURN_CONDITIONS, null=True, verbose_name="归还状况")
    penalty = Money("处罚金额")
    recreate_required = Flag("需重新建档")

    class Register:
        label = "借阅登记"
        group = "archives"
        domain_ids = ("F-76", "WF-04", "R-ARC")
        title_field = "title"
        list_columns = ("record_no", "state", "title", "level", "borrower", "purpose",
                        "due_at", "current_approver", "custodian")
        search = ("record_no", "title", "reason")
        filters = ("state", "register", "level", "borrower", "purpose", "due_at", "requested_at")
        dept_fields = ("borrower_dept",)
        person_fields = ("borrower", "custodian", "current_approver", "approved_by", "lent_by",
                         "returned_to", "filled_by")
        all_rows_roles = ("general_manager", "marketing_head", "sales_manager", "sales_clerk",
                          "archivist")
        readonly_fields = ("record_no", "title", "level", "current_approver", "approver_role",
                           "approved_by", "approved_at", "decision_comment", "rejection_reason",
                           "lent_by", "lent_at", "returned_at", "returned_to", "return_condition",
                           "penalty", "recreate_required", "requested_at", "custodian",
                           "borrower", "borrower_dept")
        workflow = "portal.workflows.borrowing:FLOW"
        signatures = ("借阅人", "审批人", "借出人(保管人)", "接收人")
        permissions = {"create": STAFF, "view": STAFF, "edit": ("sales_clerk", "archivist"),
                       "delete": ("sales_clerk",), "export": MANAGERS + ("sales_clerk", "archivist")}

    @staticmethod
    def defaults(actor):
        emp = actor.employee
        return {"borrower": emp, "borrower_dept": emp.dept if emp else None}

    def target(self):
        """The record asked for, read without row rules (for the snapshot)."""
        from portal.registry import get as get_spec
        spec = get_spec(self.register)
        if spec is None or not self.record:
            return None
        return spec.model.get_or_none(spec.model.id == self.record)

    def derive(self, actor):
        from portal.workflows.borrowing import prepare
        super().derive(actor)
        prepare(self, actor)

    def check(self, actor, is_new):
        from portal.workflows.borrowing import check_request
        return check_request(self, actor, is_new)


# ---------------------------------------------------------------------------
# 2.J Handover on resignation or change of post (F-81, WF-05, R-HND)
# ---------------------------------------------------------------------------

HANDOVER_REASONS = (("resignation", "离职"), ("transfer", "调离公司"), ("job_change", "调岗"))


class HandoverRecord(FormRecord):
    """F-81 离职/调岗交接: everything an employee holds, found by query from the
    register metadata, handed to successors in one transaction (003 §4.3;
    002 篇三 二.12 「全部檔案交齊后,該員工方能離職」; 002 篇十二 第三条;
    000-二 §六.6)."""
    state = Choice((("started", "已发起"), ("executed", "已移交"), ("completed", "已完成"),
                    ("cancelled", "已撤销")), default="started", index=True, verbose_name="状态")
    employee = ForeignKeyField(Employee, backref="+", on_delete="RESTRICT", verbose_name="交接员工")
    reason = Choice(HANDOVER_REASONS, default="resignation", verbose_name="交接原因")
    last_day = DateField(verbose_name="最后工作日")
    supervisor = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="监交人(主管)")
    default_successor = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                        verbose_name="接替人")
    item_count = IntegerField(default=0, verbose_name="移交项数")
    executed_at = DateTimeField(null=True, verbose_name="移交时间")
    confirmed_by = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                   verbose_name="接收确认人")
    confirmed_at = DateTimeField(null=True, verbose_name="确认时间")
    customers_notified_at = DateTimeField(null=True, verbose_name="已通知客户")

    class Register:
        label = "离职/调岗交接"
        group = "handover"
        domain_ids = ("F-81", "WF-05", "R-HND")
        title_field = "record_no"
        list_columns = ("record_no", "state", "employee", "reason", "last_day", "supervisor",
                        "item_count", "executed_at")
        search = ("record_no",)
        filters = ("state", "reason", "employee", "last_day")
        person_fields = ("employee", "supervisor", "default_successor", "filled_by", "confirmed_by")
        all_rows_roles = ("hr", "general_manager")
        readonly_fields = ("item_count", "executed_at", "confirmed_by", "confirmed_at",
                           "customers_notified_at")
        workflow = "portal.workflows.handover:FLOW"
        downloads = {"certificate": ("移交清单", "portal.workflows.handover:certificate_xlsx")}
        details_extra = "portal.workflows.handover:details_extra"
        signatures = ("移交人", "接收人", "监交人")
        permissions = {"create": ("hr",), "edit": ("hr",), "view": ("hr",) + MANAGERS + SALES_FRONT
                       + ("after_sales", "quality_dept", "admin_dept", "archivist"),
                       "delete": ("hr",), "export": ("hr",) + LEADERS}

    def derive(self, actor):
        super().derive(actor)
        if self.__data__.get("employee") and not self.__data__.get("supervisor"):
            from portal.workflows.approvals import resolve_superior
            self.supervisor = resolve_superior(self, "employee")

    def check(self, actor, is_new):
        from portal.workflows.handover import check_record
        return check_record(self, actor, is_new)

    def after_save(self, actor, is_new):
        if is_new:
            from portal.workflows.handover import gather
            gather(self)


class HandoverItem(LineItem):
    """移交清单：one thing the employee holds."""
    handover = ForeignKeyField(HandoverRecord, backref="items", on_delete="CASCADE",
                               verbose_name="交接单")
    register = CharField(max_length=60, verbose_name="登记簿")
    field = CharField(max_length=60, verbose_name="持有方式")
    record_id = IntegerField(verbose_name="记录ID")
    record_no = Char("记录编号", max_length=40)
    title = Char("名称", max_length=200)
    group_hint = Char("分组(区域等)", max_length=100)
    must_return = Flag("须归还（不得移交）")
    successor = ForeignKeyField(Employee, null=True, backref="+", on_delete="SET NULL",
                                verbose_name="接收人")
    moved = Flag("已移交")
    moved_at = DateTimeField(null=True, verbose_name="移交时间")
    note = Char("说明", max_length=200)


# Tables that are not registers and not inline rows of one.
TABLES = (HandoverItem,)


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
