"""Configurable figures (DOMAIN.md R-CFG): where the regulations of the
different source companies differ, the figure is a setting seeded with the
documents' value and editable by the administrator, never a hard-coded number.
"""
from decimal import Decimal

from flask import g, has_request_context

# key: (value, kind, label, source)
DEFAULTS = {
    "company_name": ("宝鸡四维衡器有限公司", "text", "公司名称（表单抬头）", "000-四 附表"),
    "retention_years_default": ("3", "int", "默认保存年限（年）", "000-四 441"),
    "retention_years_complaint": ("1", "int", "投诉记录保存年限（年）", "002 篇一 (五)3"),
    "retention_years_product": ("10", "int", "与产品寿命周期一致的保存年限（年）", "000-四 442"),
    "retention_years_important": ("3", "int", "重要投诉资料延期保存年限（年）", "002 篇一 (五)3"),
    "gift_budget_gm_threshold": ("5000", "decimal", "礼品预算超过此金额另需总经理审批（元）",
                                 "001-服务 第六条（金额未规定，可配置）"),
    "authority_sales_manager": ("5000", "decimal", "业务部经理核决权限上限（元）",
                                "002 篇五 第十一条（原文缺失，可配置）"),
    "authority_deputy_gm": ("50000", "decimal", "副总经理核决权限上限（元）",
                            "002 篇五 第十一条（原文缺失，可配置）"),
    "individual_case_threshold": ("3", "int", "同一客户同一事项投诉达到此次数时建议列为个案",
                                  "000-二 §三.10（次数未规定，可配置）"),
    "quality_dept_abbr": ("PZ", "text", "品质部的部门缩写（书面回复时限适用）", "004 §5.3"),
    # 002 篇七: the service staff incentive rules (company-specific figures)
    "points_base": ("17", "decimal", "月度出差服务点数基数（点）", "002 篇七 4.1"),
    "points_rate": ("270", "decimal", "超过基数部分每点金额（元）", "002 篇七 4.1"),
    "points_safety_accident": ("2", "decimal", "每次安全事故扣罚点数", "002 篇七 4.2"),
    "ranking_first_tier_last_rank": ("3", "int", "季度排名一等奖末位名次", "002 篇七 5.1"),
    "ranking_first_tier_award": ("1500", "decimal", "季度排名一等奖金额（元）", "002 篇七 5.1"),
    "ranking_second_tier_last_rank": ("8", "int", "季度排名二等奖末位名次", "002 篇七 5.1"),
    "ranking_second_tier_award": ("1000", "decimal", "季度排名二等奖金额（元）", "002 篇七 5.1"),
    "commission_rate_margin_35": ("3", "decimal", "35%以上毛利报价的提成比例（%）", "002 篇七 8.1"),
    "commission_rate_margin_50": ("5", "decimal", "50%以上毛利报价的提成比例（%）", "002 篇七 8.2"),
    "commission_individual_share": ("80", "decimal", "提成个人分配比例（%）", "002 篇七 8.3"),
    "hospitality_guest_limit": ("10", "int", "来客人数在此以内时限制陪客人数", "000-三 四.3(4)"),
    "hospitality_companion_limit": ("4", "int", "陪客人数上限（司机除外）", "000-三 四.3(4)"),
    "meeting_small_limit": ("30", "int", "一般性会议人数上限（不足此数）", "000-三 三.5(2)"),
    "return_over_accept_ratio": ("0", "decimal", "超量允收比率（%，客户未规定时）", "002 篇五 第十三条(二)3"),
    "office_start": ("08:30", "text", "上班时间", "001-售后 第二章 第十二条"),
    "office_end": ("17:30", "text", "下班时间", "001-售后 第二章 第十二条"),
    "delete_grace_hours": ("24", "int", "录入错误可删除的时限（小时；此后在保存期内只能申请销毁）",
                           "000-四 44; R-REC-11"),
}


def ensure_settings():
    from models import Setting
    existing = {s.key for s in Setting.select(Setting.key)}
    for key, (value, kind, label, source) in DEFAULTS.items():
        if key not in existing:
            from .numbering import next_value
            serial = next_value("setting:CS")
            Setting.create(record_no=f"CS-{serial:04d}", key=key, value=value, kind=kind,
                           label=label, source=source)
    ensure_sla_rules()


def ensure_sla_rules():
    from models import SlaRule
    from .numbering import next_value
    from .sla_defaults import SLA_DEFAULTS
    existing = {r.key for r in SlaRule.select(SlaRule.key)}
    for key, (value, unit, label, clock, source) in SLA_DEFAULTS.items():
        if key not in existing:
            SlaRule.create(record_no=f"SX-{next_value('sla_rule:SX'):04d}", key=key, value=value,
                           unit=unit, label=label, clock=clock, source=source)


def _cache():
    return g.setdefault("_settings", {}) if has_request_context() else {}


def get(key, default=None):
    cache = _cache()
    if key in cache:
        return cache[key]
    from models import Setting
    row = Setting.select().where(Setting.key == key, Setting.deleted_at.is_null()).first()
    if row is None:
        raw, kind = (DEFAULTS[key][0], DEFAULTS[key][1]) if key in DEFAULTS else (default, "text")
    else:
        raw, kind = row.value, row.kind
    value = convert(raw, kind)
    cache[key] = value
    return value


def convert(raw, kind):
    if raw is None:
        return None
    try:
        if kind == "int":
            return int(raw)
        if kind == "decimal":
            return Decimal(raw)
    except (ValueError, ArithmeticError):
        return None
    return raw
