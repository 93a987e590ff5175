"""EXPLAIN QUERY PLAN of the portal's complaint list queries (count and page)
for one user: page 1, page 1,000, the text search and the status filter."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def explain(query):
    from portal.db import db
    sql, params = query.sql()
    return [row[-1] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


def list_queries(view, search=None, filters=None, page=0, page_size=20):
    """(count query, page query) exactly as the list page builds them."""
    from admin_views import listing
    query = view.filtered_query(search, filters)
    limit = 1000
    count = query.select(query.model.id).order_by().limit(limit + 1)
    rows = listing.page(query, view.spec, view.column_list, view.sort_spec(None, None),
                        page_size, page * page_size, view.list_fields())
    return count, rows


def list_plans(db_path, username, register="complaint"):
    from flask_login import login_user
    from portal import create_app
    from portal.accounts import User
    from portal.db import connection
    app = create_app({"DATABASE_URL": f"sqlite:///{db_path}"})
    from admin_views import VIEWS
    view = VIEWS[register]
    state = next(i for i, f in enumerate(view._filters)
                 if f.column.name == "state" and type(f).__name__ == "ChoiceEqual")
    cases = (("page 1", {}), ("page 1,000", {"page": 999}), ("search 质量", {"search": "质量"}),
             ("status filter", {"filters": [(state, "state", "investigating")]}))
    out = []
    with app.test_request_context(f"/{register}/"), connection():
        login_user(User.get(User.username == username))
        for label, kw in cases:
            count, rows = list_queries(view, **kw)
            out.append((f"{label} (count)", explain(count)))
            out.append((f"{label} (rows)", explain(rows)))
    return out
