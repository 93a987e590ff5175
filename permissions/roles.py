"""Portal roles (DOMAIN.md section 1) and the groups the default matrix is
written with. Each register states its defaults in `Register.permissions`
(models.py); `default_matrix()` turns them into (role, register, verb) rows.
"""

# key, Chinese name, DOMAIN.md role ids
ROLES = (
    ("admin", "系统管理员", "portal"),
    ("sales_clerk", "销售内勤", "ROLE-17"),
    ("salesperson", "业务员", "ROLE-15/16"),
    ("sales_supervisor", "销售主管", "ROLE-14"),
    ("regional_manager", "区域经理", "ROLE-13"),
    ("sales_manager", "销售经理", "ROLE-12"),
    ("marketing_head", "营销部部长", "ROLE-11"),
    ("deputy_gm", "副总经理", "ROLE-02/03"),
    ("general_manager", "总经理", "ROLE-01"),
    ("hr", "人力资源", "ROLE-51"),
    ("quality_dept", "品质部", "ROLE-40"),
    ("after_sales", "售后服务中心", "ROLE-30/31/32"),
    ("technician", "维修技术员", "ROLE-33"),
    ("admin_dept", "行政管理部", "ROLE-50/54/55"),
    ("finance", "财务", "ROLE-52"),
    ("archivist", "档案员", "ROLE-53"),
)
ROLE_NAMES = {key: name for key, name, _ in ROLES}

# How DOMAIN.md's many role names map onto the portal roles (decision):
#   account_owner, salesperson, satisfaction_rep, key_account_manager  -> salesperson
#   sales_supervisor -> sales_supervisor; regional_manager -> regional_manager
#   sales_manager, "业务部经理/经(副)理" -> sales_manager; marketing_head -> marketing_head
#   leader (上级主管/主管领导) -> resolved per record (the filler's superior) in approval chains
#   general_manager, gm_office decisions -> general_manager; deputy_gm, vp_in_charge -> deputy_gm
#   after_sales_center, service_receptionist, repair_supervisor, cs_doctor, cs_dept_manager,
#   supply_window, installation_officer, usage_inspector -> after_sales
#   technician -> technician
#   quality_dept, rnd, production, tech_dept, materials_dept -> quality_dept
#   admin_dept (办公室, 行政管理部), gatekeeper, reception_dept, gm_office filing -> admin_dept
#   hr -> hr; finance -> finance; archivist -> archivist; sales_clerk -> sales_clerk

# Groups used in the per-register defaults.
LEADERS = ("general_manager", "deputy_gm")
SALES_FRONT = ("salesperson", "sales_supervisor", "regional_manager", "sales_clerk")
SALES_MANAGERS = ("sales_manager", "marketing_head")
SALES = SALES_FRONT + SALES_MANAGERS
SERVICE = ("after_sales", "technician")
MANAGERS = SALES_MANAGERS + LEADERS
QUALITY = ("quality_dept",)
OFFICE = ("admin_dept",)
ARCHIVES = ("sales_clerk", "archivist", "admin_dept")
HR_FINANCE = ("hr", "finance")
ENGINEERING = ("after_sales", "technician", "sales_supervisor", "salesperson")
# Everyone who works with business records (not the system administrator).
STAFF = tuple(k for k, _, _ in ROLES if k != "admin")


def matrix_rows(spec):
    """(role, verb) pairs a register allows by default.

    `Register.permissions` maps a verb to roles; "view" defaults to everyone
    who may create or edit, plus the leaders; "export" defaults to "view" of
    managers; "restore" to the deleters, the general manager and the
    archivist; workflow verbs come from the workflow declaration.
    """
    perms = {verb: set(roles) for verb, roles in spec.permissions.items()}
    creators = perms.get("create", set()) | perms.get("edit", set())
    perms.setdefault("view", creators | set(LEADERS))
    perms.setdefault("export", perms["view"] & (set(MANAGERS) | {"sales_clerk", "archivist"}))
    perms.setdefault("delete", perms.get("edit", set()) & (set(MANAGERS) | {"sales_clerk"}))
    # the recycle bin: whoever deletes, and the general manager and the
    # archivist, who keep the records (R-REC-11)
    perms.setdefault("restore", perms["delete"] | {"general_manager", "archivist"})
    # who may change the fields that decide access (portal/policy.py): the
    # archive custodians, the head of marketing (003 §4.1) and the general manager
    perms.setdefault("govern", set(ARCHIVES[:2]) | {"marketing_head", "general_manager"})
    # the responsible signature (000-四 43): whoever keeps the register, and managers
    perms.setdefault("sign", perms.get("edit", set()) | set(MANAGERS))
    perms.setdefault("ratify", set(MANAGERS))
    verbs = set(spec.verbs())
    perms = {verb: roles for verb, roles in perms.items() if verb in verbs or verb not in
             ("govern", "sign", "ratify")}
    if spec.workflow:
        for verb, roles in spec.workflow.default_permissions().items():
            perms.setdefault(verb, set(roles))
    for verb, roles in perms.items():
        for role in roles:
            if role not in ROLE_NAMES:
                raise ValueError(f"{spec.name}: unknown role {role!r} for {verb}")
            yield role, verb


# Portal pages that are not registers but are guarded by the same matrix.
SYSTEM_REGISTERS = {
    "user_account": ("用户账号", {"view": ("admin",), "create": ("admin",), "edit": ("admin",)}),
    "permission": ("权限矩阵", {"view": ("admin",), "edit": ("admin",)}),
    "archive_catalogue": ("档案目录", {"view": STAFF}),
    "audit_event": ("审计日志", {
        "view": ("admin", "general_manager", "deputy_gm", "marketing_head", "sales_manager", "hr"),
        "export": ("admin", "general_manager")}),
    # everyone who imports sees their own batches (portal/importer.py)
    "import_batch": ("导入批次", {"view": STAFF + ("admin",)}),
}


class SystemSpec:
    """What the matrix needs to know of a system page."""
    workflow = None

    def __init__(self, name):
        self.name = name
        self.label, perms = SYSTEM_REGISTERS[name]
        self.permissions = {verb: tuple(roles) for verb, roles in perms.items()}
        for verb in ("view", "export", "delete", "restore"):
            self.permissions.setdefault(verb, ())

    def verbs(self):
        return list(self.permissions)


def system_specs():
    return [SystemSpec(name) for name in SYSTEM_REGISTERS]
