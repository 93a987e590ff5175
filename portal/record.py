"""What every register record carries: a human number, who created and changed
it and when, a version for optimistic locking and a soft-delete mark.

The cross-cutting form fields of DOMAIN.md 0.3 (department, filler, signer,
not-applicable marks, retention, custodian, confidentiality) are added by
`FormRecord` in models.py, which needs the Department and Employee models.
"""
from peewee import (BooleanField, CharField, DateField, DateTimeField,
                    DecimalField, ForeignKeyField, IntegerField, TextField)

from .accounts import User
from .clock import now
from .db import BaseModel

# E-31 保存期限类别 (000-四 441/442; 002 篇一; 002 篇十二)
RETENTION = (
    ("three_years", "三年"),
    ("product_lifetime", "与产品寿命周期一致"),
    ("one_year", "一年"),
    ("one_year_extended", "一年,重要资料延期"),
    ("long_term", "长期保存"),
    ("yearly_volume", "按年度立卷"),
    ("unspecified", "未规定"),
)

# E-32 密级 (levels); `no_customer_copy` and `no_copy` are register flags.
CONFIDENTIALITY = (
    ("public", "公开"),
    ("internal", "内部"),
    ("restricted", "限阅"),
    ("secret", "商业/技术秘密"),
    ("sealed", "封存"),
)


def Choice(choices, **kwargs):
    """A choice field: stable ASCII codes stored, Chinese labels shown."""
    kwargs.setdefault("max_length", max(len(code) for code, _ in choices) + 8)
    return CharField(choices=choices, **kwargs)


def Text(verbose_name, **kwargs):
    kwargs.setdefault("null", True)
    return TextField(verbose_name=verbose_name, **kwargs)


def Char(verbose_name, max_length=200, **kwargs):
    kwargs.setdefault("null", True)
    return CharField(verbose_name=verbose_name, max_length=max_length, **kwargs)


def Money(verbose_name, **kwargs):
    kwargs.setdefault("null", True)
    return DecimalField(verbose_name=verbose_name, max_digits=14, decimal_places=2,
                        auto_round=True, **kwargs)


def yuan(amount):
    """An amount for a message: 200, 200.5 (not 200.00 as PostgreSQL returns it)."""
    from decimal import Decimal
    return f"{Decimal(amount).normalize():f}"


def Date(verbose_name, **kwargs):
    kwargs.setdefault("null", True)
    return DateField(verbose_name=verbose_name, **kwargs)


def When(verbose_name, **kwargs):
    kwargs.setdefault("null", True)
    return DateTimeField(verbose_name=verbose_name, **kwargs)


def Flag(verbose_name, **kwargs):
    kwargs.setdefault("default", False)
    return BooleanField(verbose_name=verbose_name, **kwargs)


def Int(verbose_name, **kwargs):
    kwargs.setdefault("null", True)
    return IntegerField(verbose_name=verbose_name, **kwargs)


class RecordBase(BaseModel):
    record_no = CharField(max_length=40, unique=True, verbose_name="记录编号")
    version = IntegerField(default=1, verbose_name="版本")
    created_at = DateTimeField(default=now, verbose_name="创建时间")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="创建人")
    updated_at = DateTimeField(null=True, verbose_name="修改时间")
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="修改人")
    deleted_at = DateTimeField(null=True, index=True, verbose_name="删除时间")
    deleted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL",
                                 verbose_name="删除人")

    def __str__(self):
        spec = getattr(type(self), "_spec", None)
        title = getattr(self, spec.title_field, None) if spec else None
        if title and spec.title_field != "record_no":
            return str(title)
        return self.record_no or f"#{self.id}"

    @classmethod
    def live(cls):
        """Rows not soft-deleted."""
        return cls.deleted_at.is_null()
