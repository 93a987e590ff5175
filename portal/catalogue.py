"""Keeps the 客户服务体系记录明细表 (F-75) in step with the register metadata:
a row per register, its record name, number format and default retention;
the custodian and template columns are the sales clerk's."""
from .i18n import gettext

DEFAULT_CUSTODIAN = {
    "customers": "营销部销售内勤", "service": "营销部", "complaints": "品质部 / 营销部",
    "after_sales": "售后服务中心", "reception": "行政管理部", "engineering": "营销部",
    "archives": "总经理办公室档案室", "handover": "人力资源部", "incentives": "人力资源部",
    "system": "信息中心",
}


def number_format(spec):
    if spec.numbering == "yymm":
        return gettext("年月-流水号（如 2611-07）")
    if spec.numbering == "dept":
        return gettext("部门缩写-顺序号（如 KF-0031）")
    return f"{spec.number_prefix}-0001"


def sync():
    """Add a row for every register not listed yet; refresh names and formats."""
    from models import RecordTypeCatalogue
    from . import registry
    from .numbering import next_value
    existing = {r.register: r for r in RecordTypeCatalogue.select()}
    for seq, spec in enumerate(registry.all_specs(), start=1):
        values = {"seq": seq, "name": spec.label, "form_code": number_format(spec),
                  "domain_ids": " ".join(spec.domain_ids)}
        row = existing.get(spec.name)
        if row is None:
            RecordTypeCatalogue.create(
                record_no=f"JL-{next_value('record_type_catalogue:JL'):04d}", register=spec.name,
                retention=spec.default_retention,
                custodian=DEFAULT_CUSTODIAN.get(spec.group, ""), **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            RecordTypeCatalogue.update(**values).where(RecordTypeCatalogue.id == row.id).execute()
