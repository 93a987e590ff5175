"""The notification inbox of each user (我的通知): reminders, overdue loans,
tasks assigned by workflows."""
from flask import abort, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_login import current_user

from portal.auth import safe_next
from portal.clock import now
from portal.i18n import lazy
from portal.notify import Notification

PAGE = 50


class NotificationsView(BaseView):
    def __init__(self):
        super().__init__(name=lazy("我的通知"), endpoint="notifications", url="/notifications")

    def is_accessible(self):
        return current_user.is_authenticated

    def is_visible(self):
        return False        # reached from the user menu

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    def _mine(self):
        return Notification.select().where(Notification.recipient == current_user.id)

    @expose("/")
    def index(self):
        try:
            page = max(0, min(int(request.args.get("page", 0)), 10_000))
        except ValueError:
            page = 0
        query = self._mine().order_by(Notification.id.desc())
        items = list(query.offset(page * PAGE).limit(PAGE + 1))
        return self.render("portal/inbox.html", items=items[:PAGE], page=page,
                           more=len(items) > PAGE)

    @expose("/<int:pk>/read", methods=("POST",))
    def mark_read(self, pk):
        n = (Notification.update(read_at=now())
             .where(Notification.id == pk, Notification.recipient == current_user.id).execute())
        if not n:
            abort(404)
        return redirect(safe_next(request.form.get("next"), url_for(".index")))

    @expose("/read-all", methods=("POST",))
    def mark_all_read(self):
        (Notification.update(read_at=now())
         .where(Notification.recipient == current_user.id, Notification.read_at.is_null()).execute())
        return redirect(url_for(".index"))
