"""The two references the portal is measured against, on the same database:

- /stock/complaint/: a stock Flask-Admin peewee ModelView of the complaints
  (list, search, status filter, details, CSV export), restricted to the rows
  the benchmark user may read (the portal's row rule, computed once at start)
  so that both return the same rows;
- /bare/complaint: a bare Flask + peewee page running the same list query
  (COUNT + 20 rows, with the row rule, LIKE search and status filter) and
  printing a plain table; /bare/complaint/export writes the rows with XlsxWriter.

Run with gunicorn (one worker): BENCH_USER=clerk gunicorn 'bench.compare_app:app'.
Both send X-Query-Count like the portal.
"""
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, Response, g, request  # noqa: E402
from flask_admin import Admin  # noqa: E402
from flask_admin.contrib.peewee import ModelView  # noqa: E402
from markupsafe import escape  # noqa: E402


def build():
    from portal import all_models
    from portal.db import db, open_database
    from portal.accounts import User
    import permissions
    from models import Complaint

    open_database(os.environ["PORTAL_DATABASE_URL"])
    all_models()
    db.connect(reuse_if_open=True)
    actor = User.get(User.username == os.environ.get("BENCH_USER", "clerk"))
    scope = permissions.clause(actor, "view", Complaint) & Complaint.deleted_at.is_null()
    db.close()

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "bench"
    from flask_babel import Babel
    Babel(app)                       # the models' labels are translatable strings

    @app.before_request
    def _connect():
        g.queries = 0
        g.query_time = 0.0
        db.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.is_closed():
            db.close()

    def note(event):
        try:
            g.queries += 1
            g.query_time += event.duration
        except (RuntimeError, AttributeError):
            pass
    db.obj.query_hooks.append(note)

    @app.after_request
    def _header(response):
        response.headers["X-Query-Count"] = str(g.get("queries", 0))
        response.headers["X-Query-Time"] = f"{g.get('query_time', 0.0) * 1000:.2f}"
        return response

    class StockComplaints(ModelView):
        column_list = ("record_no", "state", "customer", "type", "title", "received_at",
                       "receiving_unit", "handler", "due_at", "escalation")
        column_searchable_list = ("record_no", "title", "content")
        column_filters = ("state",)
        column_default_sort = ("id", True)
        can_view_details = True
        can_export = True
        export_types = ["csv"]
        page_size = 20

        def get_query(self):
            return Complaint.select().where(scope)

    admin = Admin(app, name="stock", url="/stock")
    admin.add_view(StockComplaints(Complaint, endpoint="stock_complaint", url="complaint"))

    columns = (Complaint.id, Complaint.record_no, Complaint.state, Complaint.title,
               Complaint.received_at, Complaint.due_at)

    def bare_query():
        query = Complaint.select(*columns).where(scope)
        for term in request.args.get("search", "").split():
            like = f"%{term}%"
            query = query.where(Complaint.record_no ** like | Complaint.title ** like
                                | Complaint.content ** like)
        if request.args.get("state"):
            query = query.where(Complaint.state == request.args["state"])
        return query

    @app.get("/bare/complaint")
    def bare_list():
        query = bare_query()
        count = query.count()
        page = int(request.args.get("page", 0))
        rows = query.order_by(Complaint.id.desc()).limit(20).offset(page * 20).tuples()
        body = "".join(f"<tr>{''.join(f'<td>{escape(v)}</td>' for v in row)}</tr>" for row in rows)
        return f"<p>{count}</p><table>{body}</table>"

    @app.get("/bare/complaint/<int:pk>")
    def bare_details(pk):
        row = Complaint.select().where(scope, Complaint.id == pk).dicts().first()
        return "<dl>" + "".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in row.items()) + "</dl>"

    @app.get("/bare/complaint/export")
    def bare_export():
        import xlsxwriter
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
        sheet = book.add_worksheet()
        query = bare_query().order_by(Complaint.id.desc()).tuples()
        for r, row in enumerate(query):
            for c, value in enumerate(row):
                sheet.write(r, c, str(value) if value is not None else "")
        book.close()
        return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument"
                                                 ".spreadsheetml.sheet")

    return app


app = build()
