"""The home page after login: the dashboard of the user (admin_views/dashboard.py)
and the registers they may open."""
from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

import permissions
from portal import registry

from .dashboard import Dashboard


class HomeView(AdminIndexView):
    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        if not current_user.is_authenticated:
            return self.inaccessible_callback("index")
        groups = []
        for key, label in registry.GROUPS:
            specs = [s for s in registry.all_specs()
                     if s.group == key and permissions.can(current_user, "view", s.model)]
            if specs:
                groups.append((label, specs))
        return self.render("portal/home.html", groups=groups, board=Dashboard(current_user))
