"""Printable forms: a record laid out like its paper form — company and form
title, record number, the fields in a bordered grid (two per row, long text
across), the child rows of a multi-row form, the copies (联) and the
signature lines — as a print page and as a one-form xlsx. Everything comes
from the register metadata; there is no template per register.

Printing and the one-form xlsx read the record like its detail page (the
caller passes a row it got through the row rule), are refused for sealed and
严禁复印 records without an approval (R-ARC-15, the export rule), and are
audited.
"""
from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user
from peewee import DateField, DateTimeField, ForeignKeyField, TextField

import permissions
from portal import audit, clock, services, settings
from portal.confidential import note_read
from portal.fields import ListField
from portal.i18n import gettext, lazy, tr
from portal.registry import SYSTEM_FIELDS, child_label

from .export import may_copy
from .workbook import Book

FORM_DOCUMENT = "form"          # /<register>/download/form/, /api/v1/<register>/<id>/form.xlsx
WIDE_TEXT = 36                  # a value longer than this takes the whole row
# Fields printed in the header, the signature lines or the footer, not in the grid.
HEADER_FIELDS = ("record_no", "dept", "filled_at")
FOOTER_FIELDS = ("confidentiality", "retention_class", "retention_until", "custodian")
SIGNATURE_FIELDS = ("filled_by", "responsible_signer", "signed_at")
# Signature lines the filler signs, when no field of the form names the signer.
FILLER_LABELS = ("填表人", "填写人", "填报人", "登记人", "记录人", "编制", "编制人", "统计人",
                 "申请人", "拟定人", "立卷人", "作成")
COPY_NUMERALS = "一二三四五六七八九十"
FLAG_NOTES = {"no_customer_copy": lazy("本表不得示客，不得复印给客户。"),
              "no_copy": lazy("本表严禁复印；打印须经批准。")}


class Cell:
    def __init__(self, label, value, text, wide=False, struck=False):
        self.label = label
        self.value = value          # typed, for the workbook
        self.text = text            # as read on the page
        self.wide = wide
        self.struck = struck        # not applicable: struck through (000-四 43 单杠划去)


class Grid:
    """Rows of a child table or of the copies table."""

    def __init__(self, title, headers, rows):
        self.title = title
        self.headers = headers
        self.rows = rows            # [[(typed value, text)]]


class Signature:
    def __init__(self, label, name="", when=""):
        self.label = label
        self.name = name
        self.when = when


class PaperForm:
    def __init__(self, spec, row):
        self.spec = spec
        self.row = row
        self.company = settings.get("company_name") or ""
        self.title = tr(spec.label)
        self.record_no = getattr(row, "record_no", "") or ""
        self.header = [(tr(spec.label_of(n)), text_of(spec, row, n))
                       for n in HEADER_FIELDS[1:] if n in spec.fields]
        if spec.workflow is not None:
            state = spec.workflow.state_field
            self.header.append((tr(spec.label_of(state)), text_of(spec, row, state)))
        self.cells = grid_cells(spec, row)
        self.tables, self.copies = child_tables(spec, row)
        self.signatures = signature_lines(spec, row)
        self.footer = [(tr(spec.label_of(n)), text_of(spec, row, n))
                       for n in FOOTER_FIELDS if n in spec.fields]
        self.notes = [str(FLAG_NOTES[f]) for f in sorted(spec.flags) if f in FLAG_NOTES]
        self.printed = gettext("打印：%(user)s %(at)s", user=current_user.username,
                               at=clock.now().strftime("%Y-%m-%d %H:%M"))

    def grid_rows(self):
        """The cells paired two per row; a wide cell takes a row of its own."""
        rows, pending = [], []
        for cell in self.cells:
            if cell.wide:
                if pending:
                    rows.append(pending)
                    pending = []
                rows.append([cell])
            else:
                pending.append(cell)
                if len(pending) == 2:
                    rows.append(pending)
                    pending = []
        if pending:
            rows.append(pending)
        return rows

    def sheets(self, which=None):
        """The copies to print: [None] (one sheet), every copy ("all"), or
        one copy by its number — each labelled 第N联 and its purpose."""
        copies = [(i, name, purpose) for i, (name, purpose) in enumerate(self.spec.copies, start=1)]
        if which == "all":
            chosen = copies
        else:
            chosen = [c for c in copies if str(c[0]) == str(which)]
        return [gettext("第%(n)s联 %(name)s（%(purpose)s）", n=numeral(i), name=tr(name),
                        purpose=tr(purpose)) for i, name, purpose in chosen] or [None]


def numeral(n):
    """第一联, 第二联... in Chinese; copy 1, 2... in English."""
    from flask_babel import get_locale
    if str(get_locale() or "").startswith("en") or not 0 < n <= len(COPY_NUMERALS):
        return str(n)
    return COPY_NUMERALS[n - 1]


class FieldsOf:
    """What services.display needs to know of a child model (no Register)."""

    def __init__(self, model):
        self.model = model
        self.fields = model._meta.fields


def typed_and_text(holder, row, name):
    """(typed value, text) of a field: related records by their title,
    choices by their label, dates and numbers typed."""
    field = holder.fields[name]
    if isinstance(field, ForeignKeyField):
        if row.__data__.get(name) is None:
            return None, ""
        related = getattr(row, name)
        text = str(related) if related is not None else ""
        return text, text
    value = getattr(row, name)
    text = services.display(holder, name, value)
    if field.choices or isinstance(value, (bool, list)) or value is None:
        return text, text
    if isinstance(value, (int, float, Decimal, date, datetime)):
        return value, text
    return text, text


def text_of(spec, row, name):
    return typed_and_text(spec, row, name)[1]


def grid_fields(spec, row):
    """The boxes of the paper form: every field a user fills in, and the
    computed ones that hold a value (deadlines, totals...), in declaration
    order; record fields go to the header, signatures and footer."""
    editable = set(spec.editable_fields())
    skip = set(SYSTEM_FIELDS) | set(HEADER_FIELDS) | set(FOOTER_FIELDS) | set(SIGNATURE_FIELDS)
    skip |= {"na_fields", "is_long_term"}
    if spec.workflow is not None:
        skip.add(spec.workflow.state_field)
    if spec.parent_field:
        skip.add(spec.parent_field)
    out = []
    for field in spec.model._meta.sorted_fields:
        name = field.name
        if name in skip:
            continue
        if name in editable or row.__data__.get(name) not in (None, "", False, []):
            out.append(name)
    return out


def grid_cells(spec, row):
    struck = set(getattr(row, "na_fields", None) or ())
    cells = []
    for name in grid_fields(spec, row):
        value, text = typed_and_text(spec, row, name)
        field = spec.fields[name]
        wide = isinstance(field, TextField) and not isinstance(field, ListField) or len(text) > WIDE_TEXT
        cells.append(Cell(tr(spec.label_of(name)), value, text, wide=wide, struck=name in struck))
    return cells


def child_tables(spec, row):
    """(tables of the child rows, the copies table) of a multi-row form."""
    tables, copies = [], None
    for child, fk in spec.inline_children():
        holder = FieldsOf(child)
        names = [f.name for f in child._meta.sorted_fields if f.name not in ("id", fk.name)]
        rows = [[typed_and_text(holder, r, n) for n in names]
                for r in child.select().where(fk == row.id).order_by(child.id)]
        if getattr(child, "is_copy_log", False):
            copies = copies_table(spec, holder, names, rows)
            continue
        headers = [tr(child._meta.fields[n].verbose_name or n) for n in names]
        tables.append(Grid(tr(child_label(child)), headers, rows))
    if copies is None and spec.copies:
        copies = copies_table(spec, None, [], [])
    return tables, copies


def copies_table(spec, holder, names, logged):
    """One line per declared copy (联), with where it was handed if logged."""
    by_number = {}
    if logged:
        number = names.index("copy_no")
        by_number = {r[number][0]: r for r in logged}
    shown = [n for n in ("to_dept", "handed_at", "handed_by") if n in names]
    headers = [gettext("联次"), gettext("联名"), gettext("用途/去向")]
    headers += [tr(holder.fields[n].verbose_name) for n in shown]
    rows = []
    for i, (name, purpose) in enumerate(spec.copies, start=1):
        line = [(gettext("第%(n)s联", n=numeral(i)),) * 2, (tr(name),) * 2, (tr(purpose),) * 2]
        logged_row = by_number.get(i)
        line += [logged_row[names.index(n)] if logged_row else ("", "") for n in shown]
        rows.append(line)
    return Grid(gettext("联单"), headers, rows)


# Signature lines --------------------------------------------------------------

def person_fields(model):
    from models import Employee
    return [f for f in model._meta.sorted_fields
            if isinstance(f, ForeignKeyField) and f.rel_model is Employee]


def date_field_of(model, name):
    """The date a person field was signed on: signed_at for the responsible
    person, filled_at for the filler, else `x_at`/`x_on` beside `x_by`."""
    fields = model._meta.fields
    special = {"responsible_signer": "signed_at", "filled_by": "filled_at"}
    candidates = [special.get(name)]
    if name.endswith("_by"):
        candidates += [name[:-3] + "_at", name[:-3] + "_on"]
    for candidate in candidates:
        if candidate in fields and isinstance(fields[candidate], (DateField, DateTimeField)):
            return candidate
    return None


def signer_fields(spec):
    """Which person field (if any) signs each signature line of the register:
    the field whose label is the line's (or contains it, or is contained in
    it); the approver for the last step of an approval chain; the filler and
    the responsible person (000-四 43) for the generic lines. A line no field
    names stays blank, to be signed by hand."""
    model = spec.model
    generic = {"filled_by", "responsible_signer", "custodian", "current_approver"}
    people = [f for f in person_fields(model) if f.name not in generic]
    steps = getattr(spec.workflow, "steps", None) or []
    out, used = {}, set()

    def take(label, name):
        if name is not None and name not in used and name in model._meta.fields:
            out[label] = name
            used.add(name)

    for label in spec.signatures:
        match = next((f.name for f in people if f.verbose_name == label), None) or next(
            (f.name for f in people if f.verbose_name and f.name not in used
             and (label in f.verbose_name or f.verbose_name in label)), None)
        if match is None and steps and (label in steps[-1].label or steps[-1].label in label):
            match = "approved_by"
        take(label, match)
    open_lines = [label for label in spec.signatures if label not in out]
    filler = next((label for label in open_lines if label in FILLER_LABELS), None)
    if filler is not None:
        take(filler, "filled_by")
    responsible = next((label for label in open_lines if label == "负责人"), None) or next(
        (label for label in open_lines if label.endswith("负责人") and label not in out), None)
    if responsible is not None:
        take(responsible, "responsible_signer")
    return out


def signature_lines(spec, row):
    signers = signer_fields(spec)
    lines = []
    for label in spec.signatures:
        name = signers.get(label)
        if name is None or row.__data__.get(name) is None:
            lines.append(Signature(tr(label)))
            continue
        when = date_field_of(spec.model, name)
        lines.append(Signature(tr(label), text_of(spec, row, name),
                               text_of(spec, row, when)[:10] if when else ""))
    return lines


# Responses --------------------------------------------------------------------

def require_copy_allowed(spec, row):
    """R-ARC-15: sealed and 严禁复印 records are printed or exported only with
    an approval (the rule of the list export, for this one row)."""
    if not may_copy(current_user, spec, row):
        raise permissions.Forbidden(gettext(
            "「%(register)s」%(no)s 为封存或严禁复印的记录：打印或导出须经总经理批准"
            "（或借阅用途为复印并已借出）。", register=tr(spec.label), no=row.record_no or row.id),
            verb="print", register=spec.name)


def note_printed(spec, row, how):
    note_read(current_user, row, how)
    audit.record(current_user, "print" if how == "print" else "export", spec.name, row,
                 changes={"document": [None, how]})


def paper_form(spec, row, how):
    """The paper form of `row` (already read through the row rule), after
    the copy rule, with the print or download audited."""
    require_copy_allowed(spec, row)
    form = PaperForm(spec, row)
    note_printed(spec, row, how)
    return form


def form_workbook_response(spec, row):
    form = paper_form(spec, row, FORM_DOCUMENT)
    book = Book()
    write_form(book, form)
    stamp = clock.now().strftime("%Y%m%d")
    return book.response(f"{form.title}-{form.record_no}-{stamp}.xlsx", f"{spec.name}-{row.id}-form.xlsx")


def write_form(book, form):
    """The paper form in a sheet: four columns (label, value, label, value),
    bordered like the print page, A4 portrait, fitted to the page width."""
    sheet = book.add_sheet(form.title)
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 16)
    sheet.set_column(3, 3, 30)
    box = {"border": 1, "text_wrap": True, "valign": "top"}
    label = dict(box, bold=True, bg_color="#F2F2F2")
    sheet.merge_range(0, 0, 0, 3, form.company, book.format(None, align="center", font_size=12))
    sheet.merge_range(1, 0, 1, 3, form.title, book.format(None, align="center", bold=True, font_size=16))
    r = 2
    book.write(sheet, r, 0, gettext("记录编号"), bold=True)
    book.write(sheet, r, 1, form.record_no)
    for i, (name, text) in enumerate(form.header):
        cell_r, cell_c = r + (i + 1) // 2, ((i + 1) % 2) * 2
        book.write(sheet, cell_r, cell_c, name, bold=True)
        book.write(sheet, cell_r, cell_c + 1, text)
    r += (len(form.header) + 2) // 2 + 1
    for cells in form.grid_rows():
        for i, cell in enumerate(cells):
            book.write(sheet, r, i * 2, cell.label, **label)
            value = gettext("（不适用）") if cell.struck else cell.value
            if cell.wide:
                sheet.merge_range(r, 1, r, 3, "", book.format(None, **box))
            book.write(sheet, r, i * 2 + 1, value, **box)
        if len(cells) == 1 and not cells[0].wide:
            book.write(sheet, r, 2, "", **box)
            book.write(sheet, r, 3, "", **box)
        r += 1
    for table in form.tables + ([form.copies] if form.copies else []):
        r += 1
        book.write(sheet, r, 0, table.title, bold=True)
        r += 1
        for c, header in enumerate(table.headers):
            book.write(sheet, r, c, header, **label)
        for line in table.rows:
            r += 1
            for c, (value, _) in enumerate(line):
                book.write(sheet, r, c, value, **box)
        r += 1
    r += 1
    for i, sig in enumerate(form.signatures):
        cell_r, cell_c = r + i // 2, (i % 2) * 2
        book.write(sheet, cell_r, cell_c, sig.label + "：", bold=True)
        book.write(sheet, cell_r, cell_c + 1, " ".join(x for x in (sig.name, sig.when) if x)
                   or "＿＿＿＿＿＿ 年  月  日")
    r += (len(form.signatures) + 1) // 2 + 1
    footer = "　".join(f"{name}：{text}" for name, text in form.footer)
    for line in [footer] + form.notes + [form.printed]:
        sheet.merge_range(r, 0, r, 3, line, book.format(None, font_size=9))
        r += 1
    return sheet
