"""The home page after login."""
from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

import permissions
from portal import registry


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
        from portal.workflows.queue import waiting_for
        return self.render("portal/home.html", groups=groups, waiting=waiting_for(current_user))
