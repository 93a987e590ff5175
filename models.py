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
