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
                           Flag, Int, Money, RecordBase, Text, yuan)
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
    # a legal or audit hold (法律/审计保全): no deletion or disposal while set
    legal_hold = BooleanField(default=False, verbose_name="法律/审计保全")
    # destroyed after its retention (销毁): the content is gone, the row a tombstone
    disposed_at = DateTimeField(null=True, verbose_name="销毁时间")

    def derive(self, actor):
        """Computed fields, before every save. Registers that compute more
        override this and call super().derive(actor)."""
        self.retention_until = retention_date(self)


def retention_date(row):
    """保存至 from the retention class (000-四 441/442, 002 篇一; years are settings)."""
    from portal.calendar import add_months
    start = row.filled_at or today()
    key = {
        "three_years": "retention_years_default",
        "unspecified": "retention_years_default",      # R-REC-10
        "one_year": "retention_years_complaint",
        "one_year_extended": ("retention_years_important" if getattr(row, "is_important", False)
                              else "retention_years_complaint"),
        "product_lifetime": "retention_years_product",
    }.get(row.retention_class)
    years = setting(key) if key else None
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
                 "retention_class", "custodian", "confidentiality", "is_long_term", "legal_hold")

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
    # R-CUS-04: only the 交易开始调查书 chain makes a trading customer: its
    # approval takes this step on the customer's behalf (no role takes it)
    [T("activate", "交易开始承认", ("prospect", "former", "suspended"), "trading",
       roles=(), hidden=True, effects=(fx.sign,)),
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
        large = True
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
        large = True
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
                          "quality_dept", "admin_dept")
        # the handler is given the case by 分派 or by escalation (R-CMP-15), never typed:
        # the handler reads the case and works it
        decision_fields = ("handler",)
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
                       "view": SALES + ("after_sales", "quality_dept", "admin_dept", "hr") + LEADERS,
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
    State("awaiting_supervisor", "待销售主管认可", draft=True, locked=True),
    State("reported", "已上报销售经理", locked=True),
    State("approved", "销售经理已承认", terminal=True),
)


def _open_trading(actor, row, inputs):
    """On the manager's 承认 the counterparty becomes a trading customer: the
    named customer file changes to 正在交易, or a new file is made and linked."""
    from portal import services
    comment = f"交易开始调查书 {row.record_no} 经销售经理承认"
    if _fk(row, "customer"):
        customer = Customer.get_by_id(_fk(row, "customer"))
        if customer.lifecycle_status != "trading":
            CUSTOMER_LIFECYCLE.run(actor, customer, "activate", {"comment": comment},
                                   on_behalf_of=row)
        return None
    values = dict(
        name=row.counterparty_name.strip(), customer_kind="unit", region=_fk(row, "region"),
        account_owner=_fk(row, "responsible_person"), responsible_dept=_fk(row, "dept"),
        contact_name=row.contact_name, phone=row.phone,
        address=row.address, organization=row.organization,
        business_content=row.business_content, credit=row.credit,
        relationship=row.relationship, business_policy=row.business_policy,
        trading_attitude=row.trading_attitude)
    # the form's required items the investigation struck through stay struck through
    values["na_fields"] = [n for n in ("contact_name", "phone", "address") if _blank(values[n])]
    customer = services.create(actor, Customer, values, check_permission=False, comment=comment)
    CUSTOMER_LIFECYCLE.run(actor, customer, "activate", {"comment": comment}, on_behalf_of=row)
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
        # a new customer (no file chosen) is filed from this form when approved
        required_when = {name: {"customer": None}
                         for name in ("region", "contact_name", "phone", "address")}
        target_filters = {"customer": {"lifecycle_status": [c for c, _ in LIFECYCLE
                                                            if c != "trading"]}}
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
    _update_customer(actor, cust.id, values, f"重大客户跟踪服务单 {row.record_no} 归档")
    note_tracking(cust.id, row.tracked_at)      # next tracking by grade (R-TRK-01..03)
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
        one_of = (("customer", "prospect_name"),)
        allowed = {"product": ("info_class", DEMAND_CLASS_PRODUCTS)}
        required_when = {**{name: {"info_class": "class1", "is_major": True}
                            for name in ("bid_time", "bidders", "competitor_details")},
                         "strategy": {"is_major": True}}
        # 一类: a sales leader; a region's manager is one (the other way, a leading
        # sales role, is a login's and not published)
        target_from = {"owner": ("region", "manager", {"info_class": "class1"})}
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
        formats = {"id_number": ("id_type", {"resident_id": (r"\d{17}[\dX]",
                                                             "11010519491231002X")})}
        required_with = {"id_number": ("id_type",), "id_type": ("id_number",)}
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
        one_of = (("customer", "guest_name"),)
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
        one_of = (("guest", "customer", "guest_name"), GUEST_PREFERENCE_ITEMS)
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
        # the analysis itself, or the items of its type (002 篇二 3)
        one_of = tuple({"fields": ("content",) + items, "when": {"analysis_type": kind}}
                       for kind, items in ANALYSIS_ITEMS.items())
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
        rule_required = ("custodian",)
        compare = {"custodian": ("!=", "filled_by")}
        required_when = {"products_purchased": {"purchased": "buyer"}}
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
        one_of = (("volume", "amount"),)
        target_filters = {"customer": {"is_key_account": True}}
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
        required_when = {"authorised_by": {"direct_by_manager": True}}
        compare = {"authorised_by": ("!=", "visitor")}
        target_filters = {"customer": {"is_key_account": True}}
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
        formats = {"period": ("period_type", PATROL_PERIOD_FORMATS)}
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
    """巡访客户明细（每行一个客户）"""
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


MONTHLY_REPORT_FLOW_STATES = (State("draft", "草稿", draft=True), State("submitted", "已呈报", locked=True),
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
        one_of = (("customer", "prospect_name"),)
        required_with = {"opinions": ("returned_at",)}
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
        one_of = (("customer", "feedback"),)
        required_when = {"handling_result": {"confirmation": [c for c, _ in DEFECT_CONFIRMATIONS
                                                              if c != "pending"]}}
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
        # this year's plan or next year's (004 §5.2)
        allowed = {"year": lambda: (today().year, today().year + 1)}
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
        T("escalate", "呈销售经理核阅", "filled", "escalated", roles=SALES, task=True,
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
        one_of = (("customer", "customer_name"),)
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
    states=[State("draft", "草稿", draft=True), State("submitted", "已提交", locked=True),
            State("reviewed", "已审核", locked=True), State("commented", "总经理已批阅", terminal=True)],
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
    states=[State("draft", "草稿", draft=True), State("submitted", "已提交审核", draft=True, locked=True),
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
        # examples: the current month or half year
        formats = {"period": ("period_type", {
            "monthly": (PERIOD_PATTERNS["monthly"], lambda: today().strftime("%Y-%m")),
            "half_year": (PERIOD_PATTERNS["half_year"],
                          lambda: f"{today().year}-H{1 if today().month <= 6 else 2}")})}
        unique_with = {"period": ("period_type",)}
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
        one_of = ({"fields": ("complaint", "contact_log"), "exclusive": True},)
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
    states=[State("draft", "草稿", draft=True), State("submitted", "已呈报", draft=True, locked=True),
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
        one_of = (("unit", "person"),)
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
    states=[State("draft", "草稿", draft=True), State("pending", "待总经理核批", draft=True, locked=True),
            State("rejected", "已驳回", draft=True), State("approved", "已核批", locked=True),
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
            # RET-01: 总(副)经理 -- the general manager or a deputy signs the second line
            [Step("经(副)理核签", "sales_manager"),
             Step("总(副)经理核签", ("deputy_gm", "general_manager"))],
            creators=SALES_FRONT, step_effect=_sc_allowance_signers,
            extra=(T("seal", "客户签章", "approved", "executed", roles=SALES_FRONT,
                     inputs=(Input("sealed_at", "客户签章日期", "date", required=True,
                                   field="customer_sealed_at"),)),))
        target_filters = {"complaint": {"resolution_mode": "allowance"}}
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
        allowed = {"buyer_stamp": (True,)}
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
        one_of = (("customer", "complaint", "return_note"),)
        target_filters = {"responsible_person": {"dept": {"field": "responsible_dept"}}}
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
        one_of = (("customer", "customer_name"),)
        compare = {"installed_on": (">=", "sold_on")}
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
        compare = {"end_on": (">", "start_on")}
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
        required_with = {"sent_by": ("sent_at",)}
        unique_with = {"contract": ()}
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
        one_of = (("standard_fee", "component_base_price"),)
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
        State("cancelled", "已注销", locked=True),
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
        one_of = (("customer", "customer_name"), ("problem", "symptom"))
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
        one_of = (("customer", "customer_name", "request"),)
        required_when = {"work_done": {"customer_signature": True},
                         "fee": {"fee_collected_on_site": True}}
        required_with = {"exemption_reason": ("signature_exempted_by",),
                         "invoice_issued_at": ("invoice_no",)}
        compare = {"signature_exempted_by": ("!=", "technician")}
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
        one_of = (("customer", "customer_name", "request"),)
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
        one_of = (("customer", "customer_name", "receipt", "voucher"),)
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
                    State("countersigned", "总经理已核签", locked=True),
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
        target_filters = {"substitute": {"is_substitute": True}}
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
        rule_required = ("custodian",)
        target_filters = {"custodian": {"status": "active"}}
        required_when = {**{name: {"status": "handed_over"}
                            for name in ("handed_over_to", "handed_over_at")},
                         "value": {"fixed_asset": True}}
        compare = {"handed_over_to": ("!=", "custodian")}
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
        rule_required = ("custodian",)
        allowed = {"confidentiality": [c for c, _ in CONFIDENTIALITY if c != "public"]}
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
        required_when = {name: {"category": ("group_leader", "important_customer")}
                         for name in ("level", "host")}
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
        allowed = {"business_related": (True,)}
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
        rule_required = ("expense_plan",)
        required_when = {name: {"meeting_type": "large_foreign"}
                         for name in ("prepared_by", "programme")}
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
        patterns = {"half_year": r"(\d{4})年(上|下)半年"}
        examples = {"half_year": "2026年上半年"}
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
        formats = {"period": ("kind", {"annual_binding": (r"\d{4}", "2025"),
                                       "monthly_filing": (r"\d{4}-(0?[1-9]|1[0-2])", "2026-10")})}
        required_when = {"period": {"kind": ("annual_binding", "monthly_filing")},
                         "reimbursement_claim_ref": {"kind": "travel_handover"}}
        target_filters = {"from_person": {"dept": {"field": "from_dept"}}}
        compare = {"to_person": ("!=", "from_person")}
        permissions = {"create": ARCHIVES, "edit": ARCHIVES, "view": ARCHIVES + LEADERS + ("finance",)}
        workflow = Workflow(
            states=[State("draft", "草稿", draft=True), State("handed", "已移交", locked=True),
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
        examples = {"year": lambda: today().year}
        required_when = {"electronic_backup_at": {"medium": "electronic"}}
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
        target_filters = {"person": {"dept": {"field": "dept"}}}
        required_with = {"previous_person": ("changed_at",), "changed_at": ("previous_person",)}
        compare = {"previous_person": ("!=", "person")}
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
        required_with = {"checked_by": ("checked_at",), "checked_at": ("checked_by",)}
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
        target_filters = {"project": {"state": ("design_reviewed", "started", "inspecting")}}
        target_where = {"contractor": {"checked_at": ("!=", None)}}
        compare = {"planned_finish_on": (">=", "start_on")}
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
        # 第二十一条: the marketing department reviews and agrees; the notice
        # and the implementation are recorded after it
        endorsement = ("营销部门审查同意", ("written_notice_at", "implemented_at"))
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS,
                       "ratify": ENG_DECIDERS}

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
        # 第二十一条: manufacturer and model approved by the marketing
        # department before ordering; the order itself is recorded after
        endorsement = ("营销部门认可", ("ordered_on", "delivery_on"))
        permissions = {"create": ENG_WRITERS, "edit": ENG_WRITERS, "view": ENG_READERS,
                       "ratify": ENG_DECIDERS}

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
        target_filters = {"project": {"state": ("started", "inspecting")}}
        allowed = {"seq": (1, 2, 3, 4)}
        unique_with = {"seq": ("project",)}
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
        target_filters = {"project": {"state": ("inspecting", "completion_reported")}}
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
        target_filters = {"project": {"state": ENG_AFTER_ACCEPTANCE}}
        required_when = {"supply_date": {"kind": "supply_notice"}}
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
        target_where = {"project": {"supplied_on": ("!=", None)}}
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
        patterns = {"quarter": _QUARTER.pattern}
        examples = {"quarter": "2026-Q3"}
        unique_with = {"employee": ("quarter",)}
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
        # 8.3: allocated by 泰达综合部, approved by 泰达总经理
        endorsement = ("泰达总经理批准", ())
        patterns = {"quarter": _QUARTER.pattern}
        examples = {"quarter": "2026-Q3"}
        permissions = {"create": INCENTIVE_WRITERS, "edit": INCENTIVE_WRITERS,
                       "view": INCENTIVE_READERS, "ratify": ("general_manager",)}

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
        patterns = {"payroll_month": _MONTH.pattern}
        examples = {"payroll_month": "2026-11"}
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
                                               source=rule.source or rule.code, amount=yuan(low))
                elif high is None:
                    errors["amount"] = gettext("按该条款（%(source)s）金额不得低于 %(low)s 元。",
                                               source=rule.source or rule.code, low=yuan(low))
                else:
                    errors["amount"] = gettext(
                        "按该条款（%(source)s）金额应在 %(low)s–%(high)s 元之间。",
                        source=rule.source or rule.code, low=yuan(low or 0), high=yuan(high))
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
                 ("lent", "已借出"), ("extending", "续借待批"), ("returned", "已归还"),
                 ("cancelled", "已撤销"), ("overdue", "已逾期"), ("lost", "已遗失"))


class RegisterName(CharField):
    """The name of a register; a select of those registers in forms: the
    archive registers (loans), or those whose records have a retention
    period (disposal)."""

    def __init__(self, *args, retained=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.retained = retained

    def wtf_field(self, model, **kwargs):
        from wtforms import SelectField
        from portal.i18n import lazy
        from portal.registry import all_specs
        kwargs.pop("filters", None)
        choices = [(s.name, lazy(s.label)) for s in all_specs()
                   if ("retention_class" in s.fields if self.retained else s.archive)]
        return SelectField(choices=choices, **kwargs)


class RecordReference:
    """A form about one record of another register, named by its register
    and id (a loan, a disposal)."""

    def target(self):
        """The record named, read without row rules: the write path checks
        and snapshots it; what the user may read of it is the gate's."""
        from portal.registry import get as get_spec
        spec = get_spec(self.register)
        if spec is None or not self.record:
            return None
        return spec.model.get_or_none(spec.model.id == self.record)


class BorrowRequest(RecordReference, FormRecord):
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
    target_no = Char("档案编号", max_length=40)
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
    extension_due_at = DateTimeField(null=True, verbose_name="申请续借至")

    class Register:
        label = "借阅登记"
        group = "archives"
        domain_ids = ("F-76", "WF-04", "R-ARC")
        title_field = "title"
        list_columns = ("record_no", "state", "target_no", "title", "level", "borrower", "purpose",
                        "due_at", "current_approver", "custodian")
        search = ("record_no", "target_no", "title", "reason")
        filters = ("state", "register", "level", "borrower", "purpose", "due_at", "requested_at")
        dept_fields = ("borrower_dept",)
        person_fields = ("borrower", "custodian", "current_approver", "approved_by", "lent_by",
                         "returned_to", "filled_by")
        all_rows_roles = ("general_manager", "marketing_head", "sales_manager", "sales_clerk",
                          "archivist")
        readonly_fields = ("target_no", "title", "level", "current_approver", "approver_role",
                           "approved_by", "approved_at", "decision_comment", "rejection_reason",
                           "lent_by", "lent_at", "returned_at", "returned_to", "return_condition",
                           "penalty", "recreate_required", "requested_at", "custodian",
                           "borrower", "borrower_dept", "extension_due_at")
        workflow = "portal.workflows.borrowing:FLOW"
        # what is asked for decides what the borrower will read: never changed
        fixed_fields = ("register", "record", "purpose")
        signatures = ("借阅人", "审批人", "借出人(保管人)", "接收人")
        # what one asks to borrow is a record one may not read, found in the archive
        # catalogue, not in one's lists (a readable one only to copy what may not be copied)
        references = {"record": "register"}
        unlisted_targets = ("record",)
        permissions = {"create": STAFF, "view": STAFF, "edit": ("sales_clerk", "archivist"),
                       "delete": ("sales_clerk",), "export": MANAGERS + ("sales_clerk", "archivist")}

    @staticmethod
    def defaults(actor):
        emp = actor.employee
        return {"borrower": emp, "borrower_dept": emp.dept if emp else None}

    def derive(self, actor):
        from portal.workflows.borrowing import prepare
        super().derive(actor)
        prepare(self, actor)

    def check(self, actor, is_new):
        from portal.workflows.borrowing import check_request
        return check_request(self, actor, is_new)

    def after_save(self, actor, is_new):
        from portal.workflows.borrowing import tell_approver
        if is_new:
            tell_approver(self)


# ---------------------------------------------------------------------------
# 2.J Disposal of records past their retention (R-REC-11, R-CUS-05, R-ARC-12)
# ---------------------------------------------------------------------------

def _disposal_by_sales(row):
    """Customer records are disposed of with 销售经理 approval (001-名簿 第六条);
    every other record with 总经理(办公室) approval (R-REC-11)."""
    from portal.registry import get as get_spec
    spec = get_spec(row.register)
    return spec is not None and spec.group == "customers"


class DisposalRequest(RecordReference, ApprovalRecord):
    """销毁申请 / 销毁记录: a record past its retention date is destroyed only
    after approval (R-REC-11; 002 篇十二 「不得擅自帶走或銷毀」): the custodian
    proposes, 销售经理 (customer records) or 总经理 approves, the archive
    custodian executes; the record's content is destroyed and a tombstone
    (number, register, dates, this request) remains. A legal or audit hold
    stops it at every step."""
    register = RegisterName(max_length=60, retained=True, verbose_name="登记簿")
    record = IntegerField(verbose_name="记录ID")
    target_no = Char("记录编号", max_length=40)
    title = Char("记录名称", max_length=200)
    kept_until = Date("保存至(到期日)")
    reason = TextField(verbose_name="销毁理由")
    method = Char("销毁方式", max_length=100, help_text="如：碎纸、删除电子文件")
    disposed_record_at = DateTimeField(null=True, verbose_name="执行销毁时间")

    class Register:
        label = "销毁申请"
        group = "archives"
        domain_ids = ("R-REC-11", "R-CUS-05", "R-ARC-12")
        title_field = "title"
        list_columns = ("record_no", "state", "register", "target_no", "title", "kept_until", "filled_by",
                        "current_approver", "disposed_record_at")
        search = ("record_no", "target_no", "title", "reason")
        filters = ("state", "register", "kept_until", "filled_by")
        readonly_fields = APPROVAL_READONLY + ("target_no", "title", "kept_until", "disposed_record_at")
        fixed_fields = ("register", "record")
        all_rows_roles = ("general_manager", "sales_manager", "sales_clerk", "archivist")
        default_retention = "long_term"
        signatures = ("保管人(申请)", "审批", "执行人")
        workflow = approval_flow(
            [Step("销售经理认可", "sales_manager", when=_disposal_by_sales),
             Step("总经理批准", "general_manager", when=lambda row: not _disposal_by_sales(row))],
            creators=ARCHIVES, execute_label="执行销毁")
        # a record past its retention, neither kept long-term nor held (services.disposal_problem)
        references = {"record": "register"}
        target_filters = {"record": {"legal_hold": False, "is_long_term": False}}
        target_where = {"record": {"retention_until": ("<", "today")}}
        unique_with = {"record": {"fields": ("register",),
                                  "among": {"state": ("draft", "pending", "approved")}}}
        permissions = {"create": ARCHIVES, "edit": ARCHIVES,
                       "view": ARCHIVES + ("sales_manager",) + LEADERS,
                       "delete": ("sales_clerk", "archivist")}

    def derive(self, actor):
        super().derive(actor)
        target = self.target()
        if target is not None:
            self.target_no = target.record_no
            self.title = str(target)[:200]
            self.kept_until = target.retention_until

    def check(self, actor, is_new):
        from portal.services import disposal_problem
        from portal.registry import get as get_spec
        spec = get_spec(self.register)
        target = self.target()
        if spec is None or "retention_class" not in spec.fields:
            return {"register": gettext("只能销毁有保存期限的记录。")}
        if target is None:
            return {"record": gettext("要销毁的记录不存在。")}
        if self.state in ("draft", "pending", "approved"):
            problem = disposal_problem(spec, target)
            if problem:
                return {"record": problem}
        if is_new and actor is not None:
            import permissions
            if not permissions.can(actor, "view", spec.model, target):
                return {"record": gettext("要销毁的记录不存在，或您无权查看。")}
            if type(self).select().where(type(self).register == self.register,
                                         type(self).record == self.record,
                                         type(self).state.in_(["draft", "pending", "approved"]),
                                         type(self).deleted_at.is_null()).exists():
                return {"record": gettext("该记录已有进行中的销毁申请。")}
        return {}


def _dispose_target(actor, row, inputs):
    """执行销毁: the content goes, a tombstone stays (R-REC-11)."""
    from portal import services
    from portal.registry import get as get_spec
    target = row.target()
    spec = get_spec(row.register)
    problem = services.disposal_problem(spec, target) if target is not None else \
        gettext("要销毁的记录不存在。")
    if problem:
        raise services.Conflict(problem)
    services.dispose(actor, target, comment=gettext("销毁申请 %(no)s", no=row.record_no))
    row.disposed_record_at = now()


DisposalRequest.Register.workflow.transitions["execute"].effects += (_dispose_target,)


# ---------------------------------------------------------------------------
# 2.J Handover on resignation or change of post (F-81, WF-05, R-HND)
# ---------------------------------------------------------------------------

HANDOVER_REASONS = (("resignation", "离职"), ("transfer", "调离公司"), ("job_change", "调岗"))


class HandoverRecord(FormRecord):
    """F-81 离职/调岗交接: everything an employee holds, found by query from the
    register metadata, handed to successors in one transaction (003 §4.3;
    002 篇三 二.12 「全部檔案交齊后,該員工方能離職」; 002 篇十二 第三条;
    000-二 §六.6)."""
    state = Choice((("started", "已发起"), ("executing", "移交中"), ("executed", "已移交"),
                    ("completed", "已完成"), ("cancelled", "已撤销")), default="started", index=True,
                   verbose_name="状态")
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
                                   verbose_name="完成确认人")
    confirmed_at = DateTimeField(null=True, verbose_name="完成时间")
    customers_notified_at = DateTimeField(null=True, verbose_name="已通知客户")
    customer_notice = Text("客户通知情况")

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
                           "customers_notified_at", "customer_notice")
        workflow = "portal.workflows.handover:FLOW"
        downloads = {"certificate": ("移交清单", "portal.workflows.handover:certificate_xlsx")}
        details_extra = "portal.workflows.handover:details_extra"
        # the receivers read the handover they sign for
        row_extra = "portal.workflows.handover:receivers_clause"
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
            # the list is read from every register once the handover is saved,
            # not while it holds the write lock (thousands of items)
            from portal.db import after_commit
            from portal.workflows.handover import gather
            after_commit(lambda: gather(self))


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
    received_at = DateTimeField(null=True, verbose_name="接收确认时间")
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
