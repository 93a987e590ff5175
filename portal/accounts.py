"""Login accounts, roles and API tokens.

A user has one or more roles; the person behind the account is an `Employee`
(models.py), which links to the user and carries the department.
"""
import hashlib
import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from peewee import (BooleanField, CharField, DateTimeField, ForeignKeyField,
                    IntegerField)
from werkzeug.security import check_password_hash, generate_password_hash

from .db import BaseModel, write_transaction


def now() -> datetime:
    """The portal's clock (tests may replace `portal.clock.now`)."""
    from . import clock
    return clock.now()


class Role(BaseModel):
    key = CharField(max_length=40, unique=True)
    name = CharField(max_length=60)
    description = CharField(max_length=200, default="")

    class Meta:
        table_name = "role"

    def __str__(self):
        from .i18n import tr
        return tr(self.name)


class User(UserMixin, BaseModel):
    username = CharField(max_length=60, unique=True)
    password_hash = CharField(max_length=255)
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    # Flask-Login stores this token in the session (get_id): rotating it on
    # logout, password change or deactivation ends every open session.
    session_token = CharField(max_length=64, unique=True)
    locale = CharField(max_length=20, null=True)
    last_login_at = DateTimeField(null=True)
    created_at = DateTimeField(default=now)

    class Meta:
        table_name = "user_account"

    def __str__(self):
        emp = self.employee
        return f"{emp.name}({self.username})" if emp else self.username

    # Flask-Login -------------------------------------------------------
    def get_id(self):
        return self.session_token

    @property
    def is_active(self):
        return bool(self.active)

    # Passwords ---------------------------------------------------------
    def set_password(self, password: str):
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def rotate_session(self):
        self.session_token = secrets.token_hex(32)

    # Roles and the person ----------------------------------------------
    @property
    def role_keys(self) -> frozenset:
        cached = self.__dict__.get("_role_keys")
        if cached is None:
            cached = frozenset(
                r.key for r in Role.select(Role.key).join(UserRole).where(UserRole.user == self.id))
            self.__dict__["_role_keys"] = cached
        return cached

    def has_role(self, *keys) -> bool:
        return bool(self.role_keys.intersection(keys))

    @property
    def employee(self):
        if "_employee" not in self.__dict__:
            from models import Employee
            self.__dict__["_employee"] = (
                Employee.select().where(Employee.user == self.id).first() if self.id else None)
        return self.__dict__["_employee"]

    @property
    def employee_id(self):
        emp = self.employee
        return emp.id if emp else None

    @property
    def department_id(self):
        emp = self.employee
        return emp.dept_id if emp else None


class UserRole(BaseModel):
    user = ForeignKeyField(User, backref="user_roles", on_delete="CASCADE")
    role = ForeignKeyField(Role, backref="user_roles", on_delete="CASCADE")

    class Meta:
        table_name = "user_role"
        indexes = ((("user", "role"), True),)


class ApiToken(BaseModel):
    """A bearer token; only its SHA-256 is stored, so a leaked table leaks nothing."""
    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    name = CharField(max_length=60, default="cli")
    created_at = DateTimeField(default=now)
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)

    class Meta:
        table_name = "api_token"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, user, name="cli") -> str:
        token = "prt_" + secrets.token_urlsafe(32)
        cls.create(user=user, token_hash=cls.digest(token), name=name)
        return token

    @classmethod
    def lookup(cls, token: str):
        row = (cls.select().where(cls.token_hash == cls.digest(token),
                                  cls.revoked_at.is_null()).first())
        return row


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_METHOD", "scrypt") if current_app else "scrypt"
    return generate_password_hash(password, method=method)


_DUMMY_HASHES = {}


def check_dummy_password(password: str) -> bool:
    """Check `password` against a hash that nothing matches, made once per
    process with the method and cost of real ones: a login for an unknown or
    inactive user takes as long as a wrong password (no timing oracle)."""
    method = current_app.config.get("PASSWORD_METHOD", "scrypt") if current_app else "scrypt"
    dummy = _DUMMY_HASHES.get(method)
    if dummy is None:
        dummy = _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(32),
                                                               method=method)
    check_password_hash(dummy, password)
    return False


def create_user(username, password, roles=(), active=True, password_hash=None):
    user = User(username=username, active=active,
                password_hash=password_hash or hash_password(password))
    user.rotate_session()
    with write_transaction():            # the user and their roles, or neither
        user.save()
        set_roles(user, roles)
    return user


def set_roles(user, role_keys):
    UserRole.delete().where(UserRole.user == user.id).execute()
    for role in Role.select().where(Role.key.in_(list(role_keys))):
        UserRole.create(user=user, role=role)
    user.__dict__.pop("_role_keys", None)


def deactivate(user):
    """Disable login at once: sessions (token rotated) and API tokens stop working."""
    user.active = False
    user.rotate_session()
    with write_transaction():
        user.save()
        (ApiToken.update(revoked_at=now())
         .where(ApiToken.user == user.id, ApiToken.revoked_at.is_null()).execute())
