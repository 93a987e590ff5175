"""Report pages: each report of portal/reports.py with its filters and an
xlsx export. A report needs the view permission of the register it is built
from, and counts only the rows the user may read."""
import io
from urllib.parse import quote

import xlsxwriter
from flask import Response, abort, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

import permissions
from portal import audit, clock, reports
from portal.i18n import lazy, tr


def allowed(rep):
    return permissions.can(current_user, "view", rep.register)


class ReportsView(BaseView):
    def __init__(self):
        super().__init__(name=lazy("统计报表"), category=lazy("投诉处理"), endpoint="reports",
                         url="/reports")

    def is_accessible(self):
        return current_user.is_authenticated

    def is_visible(self):
        return current_user.is_authenticated and any(allowed(r) for r in reports.REPORTS.values())

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        return self.render("portal/reports.html",
                           items=[r for r in reports.REPORTS.values() if allowed(r)])

    @expose("/<report>/")
    def show(self, report):
        name = report
        rep = reports.REPORTS.get(name)
        if rep is None:
            abort(404)
        if not allowed(rep):
            raise permissions.Forbidden(permissions.denied_message("view", rep.register))
        rep, table = reports.run(name, current_user, request.args)
        if request.args.get("format") == "xlsx":
            return self._xlsx(rep, table)
        from models import Department
        departments = [(d.id, d.name) for d in Department.select().order_by(Department.name)]
        return self.render("portal/report.html", rep=rep, table=table, args=request.args,
                           departments=departments)

    def _xlsx(self, rep, table):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False,
                                            "in_memory": True})
        sheet = book.add_worksheet(tr(rep.label)[:31])
        bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        sheet.write_string(0, 0, tr(rep.label), book.add_format({"bold": True, "font_size": 14}))
        for i, note in enumerate(table.notes):
            sheet.write_string(1 + i, 0, note)
        top = 2 + len(table.notes)
        for c, (_, label) in enumerate(table.columns):
            sheet.write_string(top, c, str(label), bold)
            sheet.set_column(c, c, max(10, len(str(label)) * 2 + 2))
        for r, row in enumerate(table.rows, start=top + 1):
            for c, (key, _) in enumerate(table.columns):
                value = row.get(key, "")
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
        sheet.freeze_panes(top + 1, 0)
        book.close()
        audit.record(current_user, "export", f"report:{rep.name}",
                     changes={"filters": [None, request.query_string.decode("utf-8", "replace")[:300]],
                              "rows": [None, len(table.rows)]})
        name = f"{tr(rep.label)}-{clock.now():%Y%m%d}.xlsx"
        response = Response(buffer.getvalue(),
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response.headers["Content-Disposition"] = (
            f"attachment; filename=\"report-{rep.name}.xlsx\"; filename*=UTF-8''{quote(name)}")
        return response
