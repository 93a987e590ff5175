"""create_app(): settings, database, login, language, admin views, API, CLI.

Nothing happens at import time; the factory wires everything.
"""
import logging

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as portal_config


def all_models():
    """Every table of the portal, in creation order."""
    import models
    import permissions
    from . import accounts, api, audit, importer, notify, numbering
    from .registry import discover
    from .workflows.engine import WorkflowEvent
    tables = [accounts.Role, accounts.User, accounts.UserRole, accounts.ApiToken,
              audit.AuditEvent, numbering.NumberSeries, permissions.Permission,
              permissions.SeededRegister, WorkflowEvent, notify.Notification,
              importer.ImportBatch, api.IdempotencyKey, audit.AuditCheckpoint]
    specs = discover(models)
    seen = set()
    for model in getattr(models, "TABLES", ()):
        tables.append(model)
        seen.add(model)
    for spec in specs.values():
        for model in (spec.model,) + tuple(child for child, _ in spec.inline_children()):
            if model not in seen:
                tables.append(model)
                seen.add(model)
    return tables


def create_app(overrides=None):
    app = Flask(__name__, instance_path=None)
    app.config.update(portal_config.load(overrides))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if app.config.get("PROXY_FIX"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    from . import api, auth, db, errors, i18n, security
    db.init_app(app)
    all_models()                      # builds the register registry
    i18n.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    app.register_blueprint(api.bp)

    from admin_views import HomeView, register_views
    admin = Admin(app, name="客户管理门户", url="/",
                  index_view=HomeView(name=i18n.lazy("首页"), url="/", endpoint="admin"),
                  theme=Bootstrap4Theme(base_template="portal/master.html", fluid=True),
                  translations_path=None, csp_nonce_generator=security.csp_nonce)
    register_views(admin)
    app.extensions["portal_admin"] = admin

    from .templating import init_app as init_templating
    init_templating(app)
    from . import limits              # after every view: the limits go by endpoint
    limits.init_app(app)
    from .cli import cli
    app.cli.add_command(cli)
    return app
