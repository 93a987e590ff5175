"""Import of register records from Excel workbooks (xlsx) and CSV files.

A file is read twice: a dry run that reports, per row, what would be created
or updated and every error (row, column, reason), writing nothing; then, once
confirmed, the same reading inside one transaction that writes every row or,
if any row fails, none. Records go through portal.services like a form:
permissions, defaults, field rules, numbering, optimistic lock and audit (each
event names the import batch).

Cells are matched to fields by the column header (Chinese, Traditional Chinese
or English label, or the field name). Choices are read by label or code;
foreign keys by the related record's number or unique name; dates in the
usual spreadsheet forms. Formulas are read as their computed values and text
that looks like a formula stays text. Rows are streamed in chunks, so memory
stays flat whatever the file's length.
"""
import codecs
import csv
import os
import re
import secrets
import time
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import current_app
from peewee import (BooleanField, CharField, DateField, DateTimeField, DecimalField,
                    FloatField, ForeignKeyField, IntegerField, TextField)

import permissions

from . import registry, services
from .accounts import User
from .clock import now
from .db import BaseModel, write_transaction
from .fields import ListField
from .i18n import gettext, lazy, tr

CHUNK = 500                # rows validated and written together
PREVIEW_ROWS = 500         # rows listed on the preview page
MAX_ERRORS = 1000          # errors kept (all are counted)
SPECIAL_COLUMNS = ("record_no", "version")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
LIST_SEPARATORS = re.compile(r"[、,，;；/|\n]+")
EXCEL_EPOCH = datetime(1899, 12, 30)


class ImportBatch(BaseModel):
    """One import: who brought which file into which register, and what came of it."""
    at = DateTimeField(default=now, index=True)
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    actor_name = CharField(max_length=120, default="")
    register = CharField(max_length=60, index=True)
    file_name = CharField(max_length=200, default="")
    rows = IntegerField(default=0)
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    errors = IntegerField(default=0)
    status = CharField(max_length=20, default="imported")     # imported | failed
    message = TextField(null=True)
    seconds = IntegerField(default=0)

    class Meta:
        table_name = "import_batch"

    @property
    def number(self) -> str:
        return f"IMP-{self.id:06d}"

    def describe(self) -> dict:
        spec = registry.get(self.register)
        return {"id": self.id, "number": self.number, "at": self.at.isoformat(sep=" "),
                "user": self.actor_name, "register": self.register,
                "register_label": tr(spec.label) if spec else self.register,
                "file_name": self.file_name, "rows": self.rows, "created": self.created,
                "updated": self.updated, "errors": self.errors, "status": self.status,
                "message": self.message}


STATUS_LABELS = {"imported": lazy("已导入"), "failed": lazy("未导入（已回滚）")}


class FileError(Exception):
    """The file as a whole is refused (format, encoding, size, row count)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class CellError(Exception):
    pass


# Settings and storage ----------------------------------------------------------------

def limits():
    cfg = current_app.config
    return cfg["IMPORT_MAX_BYTES"], cfg["IMPORT_MAX_ROWS"]


def size_message(max_bytes):
    return gettext("文件超过大小上限（%(size)s），请拆分后分批导入。", size=size_text(max_bytes))


def size_text(n):
    if n >= 1024 * 1024:
        return f"{round(n / 1024 / 1024, 1):g} MB"
    return f"{round(n / 1024, 1):g} KB"


def upload_dir() -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def kind_of(file_name, head: bytes) -> str:
    """"xlsx" or "csv", from the content (not trusting the name alone)."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileError(gettext("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后上传。"))
    if (file_name or "").lower().endswith((".xlsx", ".xlsm")):
        raise FileError(gettext("无法读取该 Excel 文件，文件可能已损坏。"))
    return "csv"


def store(upload, owner, spec) -> str:
    """Keep an uploaded file (werkzeug FileStorage) until it is confirmed:
    instance/imports/<token>, tied to the user who uploaded it and the
    register. Returns the token."""
    max_bytes, _ = limits()
    _sweep()
    token = secrets.token_urlsafe(24)
    folder = upload_dir()
    path = folder / token
    upload.save(str(path))
    name = os.path.basename(upload.filename or "")[:200] or "import"
    (folder / f"{token}.meta").write_text(f"{owner.id}\n{spec.name}\n{name}", encoding="utf-8")
    if path.stat().st_size > max_bytes:
        discard(token)
        raise FileError(size_message(max_bytes))
    return token


def stored(token, owner, spec):
    """(path, original file name) of an upload of `owner` for `spec`, or None."""
    if not token or not TOKEN.match(token):
        return None
    folder = upload_dir()
    meta = folder / f"{token}.meta"
    if not meta.exists() or not (folder / token).exists():
        return None
    user_id, register, name = (meta.read_text(encoding="utf-8").split("\n", 2) + ["", ""])[:3]
    if user_id != str(owner.id) or register != spec.name:
        return None
    return folder / token, name


def keep_versions(token, outcome):
    """The version of each record the dry run would update: the confirmed
    import refuses a record changed since the preview (optimistic lock)."""
    import json
    (upload_dir() / f"{token}.versions").write_text(json.dumps(outcome.versions), encoding="utf-8")


def kept_versions(token) -> dict:
    import json
    path = upload_dir() / f"{token}.versions"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def discard(token):
    if token and TOKEN.match(token):
        folder = upload_dir()
        for path in (folder / token, folder / f"{token}.meta", folder / f"{token}.versions"):
            path.unlink(missing_ok=True)


def _sweep(max_age=24 * 3600):
    """Uploads never confirmed are removed after a day."""
    limit = time.time() - max_age
    for path in upload_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            pass


# Reading ---------------------------------------------------------------------------

def read_rows(path, file_name):
    """(row number, list of cell values) of the first sheet, header first;
    completely empty rows are skipped."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if kind_of(file_name, head) == "xlsx":
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path)


def _xlsx_rows(path):
    from .xlsxread import XlsxError, rows
    with open(path, "rb") as fh:
        try:
            # formula cells give the value Excel computed and saved with them
            for number, values in rows(fh):
                if any(v is not None and v != "" for v in values):
                    yield number, values
        except XlsxError:
            raise FileError(gettext("无法读取该 Excel 文件，文件可能已损坏。"))


def _encoding(path):
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileError(gettext("无法识别文件编码，请将 CSV 保存为 UTF-8 或 GB18030（GBK）编码。"))


def _csv_rows(path):
    encoding = _encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        first = fh.readline()
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        fh.seek(0)
        try:
            for number, values in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
                if any(v.strip() for v in values):
                    yield number, values
        except csv.Error:
            raise FileError(gettext("CSV 文件格式有误，无法读取。"))


# Columns -----------------------------------------------------------------------------

def _norm(text) -> str:
    return re.sub(r"[\s\u3000*＊]", "", str(text or "")).lower()


def _translations(text) -> set:
    """`text` (a Simplified Chinese label) in every interface language."""
    from flask_babel import force_locale
    from .config import LOCALES
    out = {str(text)}
    for locale in LOCALES:
        with force_locale(locale):
            out.add(gettext(str(text)) if text else "")
    return {t for t in out if t}


def importable_fields(spec):
    """Fields a file may set: what the form may set, plus the record number
    (update) and the version (optimistic lock) of an existing record."""
    return list(SPECIAL_COLUMNS) + [n for n in spec.editable_fields() if n in spec.fields]


def match_columns(spec, header):
    """{column index: field name}, ignored headers, errors (duplicates)."""
    names = {}
    for name in importable_fields(spec):
        for key in {name, *_translations(spec.label_of(name))}:
            names.setdefault(_norm(key), name)
    known = {}
    for name in spec.fields:
        for key in {name, *_translations(spec.label_of(name))}:
            known.setdefault(_norm(key), name)
    columns, ignored, errors, seen = {}, [], [], {}
    for index, title in enumerate(header):
        key = _norm(title)
        if not key:
            continue
        name = names.get(key)
        if name is None:
            ignored.append((str(title), gettext("只读字段，已忽略") if key in known
                            else gettext("未识别的列，已忽略")))
            continue
        if name in seen:
            errors.append(gettext("「%(a)s」与「%(b)s」是同一字段，请只保留一列。",
                                  a=str(title), b=seen[name]))
            continue
        seen[name] = str(title)
        columns[index] = name
    return columns, ignored, errors


def required_fields(spec, actor):
    """Fields a new record must be given (those without a default)."""
    defaults = services.defaults_for(actor, spec)
    out = []
    for name in spec.editable_fields():
        field = spec.fields.get(name)
        if field is None or name in defaults:
            continue
        if registry.is_required(field) or name in spec.required:
            out.append(name)
    return out


# Cells -----------------------------------------------------------------------------

class Lookup:
    """Records of a related register the user may read, by record number or
    unique name; loaded once per import."""

    def __init__(self, actor, model):
        self.model = model
        spec = registry.spec_for(model)
        self.spec = spec
        query = permissions.rows(actor, "view", model) if spec else model.select()
        keys = ["record_no"] if "record_no" in model._meta.fields else []
        if spec is not None:
            keys += [spec.title_field]
        keys += [f.name for f in model._meta.sorted_fields
                 if isinstance(f, CharField) and f.unique and not f.choices]
        keys = list(dict.fromkeys(k for k in keys if k in model._meta.fields))
        active = spec.lookup_active if spec else None
        columns = [model.id] + [getattr(model, k) for k in keys]
        if active:
            columns.append(getattr(model, active[0]))
        self.by_key = {}
        for values in query.select(*columns).tuples():
            pk, texts = values[0], values[1:1 + len(keys)]
            is_active = not active or values[-1] == active[1]
            for text in set(texts):
                if text not in (None, ""):
                    self.by_key.setdefault(str(text).strip(), []).append((pk, is_active))
        self.instances = {}

    def resolve(self, text):
        found = self.by_key.get(text)
        if not found:
            raise CellError(gettext("找不到「%(value)s」（按记录编号或名称），或您无权查看该记录。",
                                    value=text[:60]))
        ids = {pk for pk, _ in found}
        if len(ids) > 1:
            active = {pk for pk, is_active in found if is_active}
            if len(active) != 1:
                raise CellError(gettext("「%(value)s」对应多条记录，请改填记录编号。", value=text[:60]))
            ids = active
        return self.instance(ids.pop())

    def instance(self, pk):
        # the record itself, shared by every row naming it (numbering and
        # derived fields read it without a query per row)
        if pk not in self.instances:
            self.instances[pk] = self.model.get_by_id(pk)
        return self.instances[pk]


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?$")


def parse_datetime(value) -> datetime:
    """2026-11-22, 2026/11/22, 2026.11.22, 2026年11月22日, 20261122, with an
    optional time, or an Excel serial date (46348, 46348.5)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise CellError(gettext("无法识别的日期：%(value)s", value=value))
    if isinstance(value, (int, float)):
        return _serial(value)
    text = str(value).strip()
    match = _DATE.match(text)
    try:
        if match:
            parts = [int(p) if p else 0 for p in match.groups()]
            return datetime(*parts)
        if re.fullmatch(r"\d{8}", text):
            return datetime(int(text[:4]), int(text[4:6]), int(text[6:]))
        if re.fullmatch(r"\d{1,7}(\.\d+)?", text):
            return _serial(float(text))
    except ValueError:
        pass
    raise CellError(gettext("无法识别的日期：%(value)s（可填 2026-11-22、2026/11/22 或 2026年11月22日）",
                            value=text[:40]))


def _serial(number):
    if not 1 <= number < 2958466:
        raise CellError(gettext("无法识别的日期：%(value)s", value=number))
    moment = EXCEL_EPOCH + timedelta(days=float(number))
    return moment.replace(microsecond=0)


TRUE_WORDS = {"是", "true", "yes", "y", "1", "√", "✓", "t", "对", "有"}
FALSE_WORDS = {"否", "false", "no", "n", "0", "×", "✗", "f", "错", "无"}


def converter(spec, name):
    """A function turning a cell into the value of field `name` (CellError
    with a reason otherwise)."""
    field = spec.fields[name]
    if name == "version":
        return _integer
    if isinstance(field, ListField):
        options = {}
        for code, label in field.choices_for(spec.model):
            for key in {code, *_translations(label)}:
                options[_norm(key)] = code

        def as_list(value):
            codes = []
            for part in LIST_SEPARATORS.split(_text(value)):
                if part.strip():
                    code = options.get(_norm(part))
                    if code is None:
                        raise CellError(gettext("无效的选项：%(value)s", value=part.strip()[:40]))
                    codes.append(code)
            return codes
        return as_list
    if isinstance(field, ForeignKeyField):
        return None       # resolved through a Lookup (see Reader)
    if field.choices:
        options = {}
        for code, label in field.choices:
            for key in {code, *_translations(label)}:
                options[_norm(key)] = code

        def as_choice(value):
            code = options.get(_norm(_text(value)))
            if code is None:
                raise CellError(gettext("无效的选项：%(value)s", value=_text(value)[:40]))
            return code
        return as_choice
    if isinstance(field, BooleanField):
        return _boolean
    if isinstance(field, DateTimeField):
        return parse_datetime
    if isinstance(field, DateField):
        return lambda value: parse_datetime(value).date()
    if isinstance(field, IntegerField):
        return _integer
    if isinstance(field, DecimalField):
        return lambda value: _decimal(value, field)
    if isinstance(field, FloatField):
        return lambda value: float(_decimal(value, None))
    if isinstance(field, TextField):
        return lambda value: _text(value) if not isinstance(value, str) else value
    return _text


def _boolean(value):
    if isinstance(value, bool):
        return value
    word = _text(value).lower()
    if word in TRUE_WORDS or word == _norm(gettext("是")):
        return True
    if word in FALSE_WORDS or word == _norm(gettext("否")):
        return False
    raise CellError(gettext("请填写「是」或「否」：%(value)s", value=word[:20]))


def _integer(value):
    if isinstance(value, bool):
        raise CellError(gettext("应为整数：%(value)s", value=value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).replace(",", "")
    if re.fullmatch(r"[+-]?\d{1,18}", text):
        return int(text)
    raise CellError(gettext("应为整数：%(value)s", value=text[:30]))


def _decimal(value, field):
    if isinstance(value, bool):
        raise CellError(gettext("应为数字：%(value)s", value=value))
    text = repr(value) if isinstance(value, float) else _text(value)
    text = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(gettext("应为数字：%(value)s", value=text[:30]))
    if not number.is_finite():
        raise CellError(gettext("应为数字：%(value)s", value=text[:30]))
    if field is not None and field.max_digits:
        if abs(number) >= Decimal(10) ** (field.max_digits - (field.decimal_places or 0)):
            raise CellError(gettext("数值超出允许范围：%(value)s", value=text[:30]))
    return number


# The run -------------------------------------------------------------------------------

class Outcome:
    """What a dry run found, or what an import did."""

    def __init__(self, spec, file_name):
        self.spec = spec
        self.file_name = file_name
        self.rows = 0
        self.created = 0
        self.updated = 0
        self.plan = []            # (row, "create"/"update", record number, title, changed labels)
        self.versions = {}        # record number -> version, of the records to update
        self.errors = []          # (row, column, message)
        self.error_count = 0
        self.ignored = []         # (header, why)
        self.file_error = None
        self.batch = None
        self.seconds = 0.0

    @property
    def ok(self):
        return not self.error_count and self.file_error is None and self.rows > 0

    def error(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((row, column, message))

    def as_json(self):
        return {
            "register": self.spec.name, "file_name": self.file_name, "rows": self.rows,
            "create": self.created, "update": self.updated,
            "errors": [{"row": r, "column": c, "message": m} for r, c, m in self.errors],
            "error_count": self.error_count, "file_error": self.file_error,
            "ignored_columns": [{"column": c, "reason": why} for c, why in self.ignored],
            "plan": [{"row": r, "action": a, "record_no": n, "title": t, "changes": ch}
                     for r, a, n, t, ch in self.plan],
            "batch": self.batch.describe() if self.batch is not None else None,
        }


class _Abort(Exception):
    """Rolls the import back (some row failed)."""


class Reader:
    """Reads one file for one register and actor: the dry run (`write=False`)
    and the import share every step but the writes."""

    def __init__(self, actor, spec, path, outcome, write=False, batch=None, versions=None):
        self.actor = actor
        self.spec = spec
        self.path = path
        self.out = outcome
        self.write = write
        self.batch = batch
        self.comment = (gettext("导入批次 %(no)s（%(file)s）", no=batch.number, file=outcome.file_name)
                        if batch is not None else None)
        self.expected = versions or {}
        self.lookups = {}
        self.seen_numbers = {}
        self.seen_unique = {}
        self.may_edit = permissions.can(actor, "edit", spec.model)
        self.unique = [f.name for f in spec.model._meta.sorted_fields
                       if f.unique and f.name not in ("id", "record_no")]

    # header ------------------------------------------------------------------
    def header(self, values):
        columns, ignored, errors = match_columns(self.spec, values)
        self.out.ignored = ignored
        for message in errors:
            self.out.error(1, "", message)
        self.columns = columns
        self.titles = {name: str(values[i]).strip() for i, name in columns.items()}
        self.converters = {name: converter(self.spec, name) for name in columns.values()}
        present = set(columns.values())
        self.missing = [n for n in required_fields(self.spec, self.actor) if n not in present]
        self.missing_reported = False
        if not set(present) - set(SPECIAL_COLUMNS):
            raise FileError(gettext("第一行应为列标题（字段名称），但没有找到「%(register)s」的任何字段。"
                                    "请使用导入模板。", register=tr(self.spec.label)))

    def column_title(self, name):
        return self.titles.get(name) or tr(self.spec.label_of(name))

    # rows ----------------------------------------------------------------------
    def run(self):
        _, max_rows = limits()
        rows = read_rows(self.path, self.out.file_name)
        first = next(rows, None)
        if first is None:
            raise FileError(gettext("文件是空的。"))
        self.header(first[1])
        chunk = []
        for number, values in rows:
            self.out.rows += 1
            if self.out.rows > max_rows:
                raise FileError(gettext("数据行数超过上限（%(n)s 行），请拆分后分批导入。", n=max_rows))
            chunk.append((number, values))
            if len(chunk) >= CHUNK:
                self.chunk(chunk)
                chunk = []
        if chunk:
            self.chunk(chunk)
        if self.out.rows == 0:
            raise FileError(gettext("文件中没有数据行。"))

    def parse(self, number, values):
        """(record number, version, {field: value}) of one row; cell errors are reported."""
        out, ok = {}, True
        for index, name in self.columns.items():
            cell = values[index] if index < len(values) else None
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                out[name] = None
                continue
            try:
                field = self.spec.fields[name]
                if isinstance(field, ForeignKeyField):
                    out[name] = self.lookup(field).resolve(_text(cell))
                else:
                    out[name] = self.converters[name](cell)
            except CellError as err:
                self.out.error(number, self.column_title(name), str(err))
                ok = False
        record_no = out.pop("record_no", None)
        version = out.pop("version", None)
        return (str(record_no) if record_no is not None else None), version, out, ok

    def lookup(self, field):
        model = field.rel_model
        if model not in self.lookups:
            self.lookups[model] = Lookup(self.actor, model)
        return self.lookups[model]

    def chunk(self, chunk):
        spec, model = self.spec, self.spec.model
        parsed = [(number, *self.parse(number, values)) for number, values in chunk]
        numbers = [p[1] for p in parsed if p[1]]
        existing = {}
        if numbers and self.may_edit:
            query = permissions.rows(self.actor, "edit", model).where(model.record_no.in_(numbers))
            existing = {row.record_no: row for row in query}
        creates = []
        for number, record_no, version, values, ok in parsed:
            if record_no:
                self.update_row(number, record_no, version, values, ok, existing)
            else:
                built = self.build_row(number, values, ok)
                if built is not None:
                    creates.append(built)
        if self.write and creates and not self.out.error_count:
            services.create_many(self.actor, spec, creates, audit_action="import",
                                 comment=self.comment)

    def _report(self, number, err):
        for name, message in err.errors.items():
            if name in self.missing:
                if not self.missing_reported:
                    self.missing_reported = True
                    labels = "、".join(tr(self.spec.label_of(n)) for n in self.missing)
                    self.out.error(1, labels, gettext("缺少必填列：%(columns)s（新建记录时必须填写）。",
                                                      columns=labels))
                continue
            column = self.column_title(name) if name in self.spec.fields else ""
            self.out.error(number, column, message)

    def _unique_clash(self, number, values):
        clash = False
        for name in self.unique:
            value = values.get(name)
            if value in (None, ""):
                continue
            seen = self.seen_unique.setdefault(name, {})
            key = value if not hasattr(value, "_meta") else value.id
            if key in seen:
                self.out.error(number, self.column_title(name),
                               gettext("与第 %(row)s 行重复。", row=seen[key]))
                clash = True
            else:
                seen[key] = number
        return clash

    def _title(self, values, current=None):
        value = values.get(self.spec.title_field)
        if value is None and current is not None:
            value = getattr(current, self.spec.title_field, None)
        return str(value) if value is not None else ""

    def build_row(self, number, values, ok):
        values = {k: v for k, v in values.items() if v is not None}   # empty: the default applies
        if not ok:
            return None
        try:
            row = services.build(self.actor, self.spec, values)
        except services.InputError as err:
            self._report(number, err)
            return None
        if self._unique_clash(number, values):
            return None
        self.out.created += 1
        if len(self.out.plan) < PREVIEW_ROWS:
            self.out.plan.append((number, "create", "", self._title(values), []))
        return row

    def update_row(self, number, record_no, version, values, ok, existing):
        spec = self.spec
        if record_no in self.seen_numbers:
            self.out.error(number, self.column_title("record_no"),
                           gettext("记录编号 %(no)s 与第 %(row)s 行重复。", no=record_no[:40],
                                   row=self.seen_numbers[record_no]))
            return
        self.seen_numbers[record_no] = number
        if not self.may_edit:
            self.out.error(number, self.column_title("record_no"),
                           permissions.denied_message("edit", spec.model))
            return
        current = existing.get(record_no)
        if current is None:
            self.out.error(number, self.column_title("record_no"),
                           gettext("记录编号 %(no)s 不存在，或您无权修改该记录（新建记录请留空记录编号）。",
                                   no=record_no[:40]))
            return
        # optimistic lock: the version in the file, else the one the preview saw
        if version is None:
            version = self.expected.get(record_no, current.version)
        if version != current.version:
            self.out.error(number, self.column_title("version"), services.stale_message())
            return
        # an empty cell clears an optional field and leaves a required one as it is
        values = {k: v for k, v in values.items()
                  if v is not None or spec.fields[k].null}
        values = {k: ([] if v is None and isinstance(spec.fields[k], ListField) else v)
                  for k, v in values.items()}
        if not ok or self._unique_clash(number, values):
            return
        try:
            if self.write and not self.out.error_count:
                services.update(self.actor, current, values, version, audit_action="import",
                                comment=self.comment)
                changed = []
            else:
                changed = services.apply_edit(self.actor, spec, current, values)
        except (services.InputError, services.Frozen) as err:
            self._report(number, err)
            return
        except services.Conflict as err:
            self.out.error(number, self.column_title("version"), err.message)
            return
        except permissions.NotFound:
            self.out.error(number, self.column_title("record_no"),
                           gettext("记录编号 %(no)s 不存在，或您无权修改该记录（新建记录请留空记录编号）。",
                                   no=record_no[:40]))
            return
        self.out.updated += 1
        self.out.versions[record_no] = version
        if len(self.out.plan) < PREVIEW_ROWS:
            labels = [tr(spec.label_of(n)) for n in changed if n in spec.fields]
            self.out.plan.append((number, "update", record_no, self._title(values, current), labels))


def dry_run(actor, spec, path, file_name) -> Outcome:
    """What importing the file would do; nothing is written."""
    permissions.require(actor, "create", spec.model)
    out = Outcome(spec, file_name)
    started = time.perf_counter()
    try:
        Reader(actor, spec, path, out).run()
    except FileError as err:
        out.file_error = err.message
    out.seconds = time.perf_counter() - started
    return out


def import_file(actor, spec, path, file_name, versions=None) -> Outcome:
    """Import every row in one transaction, or none if any row fails. The
    batch is recorded either way (a failed one with its error count).
    `versions`: record number -> version seen by the preview."""
    permissions.require(actor, "create", spec.model)
    out = Outcome(spec, file_name)
    started = time.perf_counter()
    try:
        with write_transaction():
            batch = ImportBatch.create(actor=actor.id, actor_name=actor.username,
                                       register=spec.name, file_name=file_name[:200])
            Reader(actor, spec, path, out, write=True, batch=batch, versions=versions).run()
            if not out.ok:
                raise _Abort()
            batch.rows, batch.created, batch.updated = out.rows, out.created, out.updated
            batch.seconds = round(time.perf_counter() - started)
            batch.save()
            out.batch = batch
    except FileError as err:
        out.file_error = err.message
    except _Abort:
        pass
    out.seconds = time.perf_counter() - started
    if out.batch is None:
        with write_transaction():
            out.batch = ImportBatch.create(
                actor=actor.id, actor_name=actor.username, register=spec.name,
                file_name=file_name[:200], rows=out.rows, errors=out.error_count, status="failed",
                message=out.file_error or (out.errors[0][2] if out.errors else None),
                seconds=round(out.seconds))
    return out


def visible_batches(actor):
    """Batches the user ran; everyone's for those who may read the audit log."""
    query = ImportBatch.select()
    if not permissions.can(actor, "view", "audit_event"):
        query = query.where(ImportBatch.actor == actor.id)
    return query


# Template ------------------------------------------------------------------------------

TYPE_LABELS = {
    "string": lazy("文本"), "text": lazy("长文本"), "date": lazy("日期（如 2026-11-22）"),
    "datetime": lazy("日期时间（如 2026-11-22 14:30）"), "integer": lazy("整数"),
    "decimal": lazy("数字/金额"), "number": lazy("数字"), "boolean": lazy("是/否"),
    "choice": lazy("选项"), "foreign_key": lazy("关联记录"), "list": lazy("多选（用顿号、分隔）"),
}


def template_workbook(actor, spec) -> bytes:
    """An empty workbook to fill in: the register's fields as column headers
    (required ones in red), and a second sheet saying how to fill each column
    (type, required, allowed choices)."""
    import io
    import xlsxwriter
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    head_required = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                     "font_color": "#C00000"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    text_fmt = book.add_format({"num_format": "@"})
    required = set(required_fields(spec, actor))
    names = importable_fields(spec)
    data = book.add_worksheet(tr("导入数据")[:31])
    for col, name in enumerate(names):
        field = spec.fields[name]
        data.write_string(0, col, tr(spec.label_of(name)), head_required if name in required else head)
        kind = registry.field_type(field)
        cell_format = date_fmt if kind in ("date", "datetime") else (
            text_fmt if kind in ("string", "text") else None)
        data.set_column(col, col, 16, cell_format)
        if name == "record_no":
            data.write_comment(0, col, tr("新建记录留空，由系统编号；填写已有记录编号则更新该记录。"))
        elif name == "version":
            data.write_comment(0, col, tr("可不填；填写时须与记录的当前版本一致，否则视为已被他人修改。"))
    data.freeze_panes(1, 0)
    guide = book.add_worksheet(tr("填写说明")[:31])
    titles = [tr("列名"), tr("字段名"), tr("类型"), tr("必填"), tr("可填写的值")]
    for col, title in enumerate(titles):
        guide.write_string(0, col, title, head)
    guide.set_column(0, 0, 22)
    guide.set_column(1, 1, 22)
    guide.set_column(2, 3, 16)
    guide.set_column(4, 4, 70, wrap)
    for row, name in enumerate(names, start=1):
        field = spec.fields[name]
        kind = "list" if isinstance(field, ListField) else registry.field_type(field)
        allowed = ""
        if isinstance(field, ListField):
            allowed = "、".join(tr(label) for _, label in field.choices_for(spec.model))
        elif field.choices:
            allowed = "、".join(tr(label) for _, label in field.choices)
        elif isinstance(field, ForeignKeyField):
            target = registry.spec_for(field.rel_model)
            allowed = gettext("「%(register)s」的记录编号或名称", register=tr(target.label)) if target else ""
        elif name == "record_no":
            allowed = tr("新建记录留空，由系统编号；填写已有记录编号则更新该记录。")
        elif name == "version":
            allowed = tr("可不填；填写时须与记录的当前版本一致，否则视为已被他人修改。")
        must = ""
        if name in required:
            must = tr("必填（或在「不适用项」中划去）") if name in spec.required else tr("必填")
        for col, text in enumerate([tr(spec.label_of(name)), name, tr(TYPE_LABELS[kind]), must, allowed]):
            guide.write_string(row, col, text)
    notes = [
        gettext("第一行为列标题，可用中文名称、英文名称或字段名；不需要的列可以删除。"),
        gettext("选项可填名称或代码；关联记录可填记录编号或名称（如客户名称、员工姓名）。"),
        gettext("日期可填 2026-11-22、2026/11/22、2026年11月22日，或 Excel 日期。"),
        gettext("也可上传 CSV 文件（UTF-8 或 GB18030 编码）。上限：%(size)s、%(rows)s 行。",
                size=size_text(limits()[0]), rows=limits()[1]),
    ]
    for offset, note in enumerate(notes, start=len(names) + 2):
        guide.write_string(offset, 0, note)
    book.close()
    return buffer.getvalue()


def template_name(spec):
    return f"{tr(spec.label)}-{tr('导入模板')}.xlsx"
