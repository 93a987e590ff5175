"""register_views(admin): one RegisterView per register, built from its
metadata, plus the system pages. No per-model view classes."""
from portal import registry

from .base import RegisterView
from .catalogue import ArchiveCatalogueView
from .home import HomeView
from .inbox import NotificationsView
from .reports import ReportsView
from .system import AuditLogView, ImportBatchView, PermissionMatrixView, UserView

VIEWS = {}


def register_views(admin):
    VIEWS.clear()
    for spec in registry.all_specs():
        view = RegisterView(spec)
        VIEWS[spec.name] = view
        admin.add_view(view)
    admin.add_view(UserView())
    admin.add_view(PermissionMatrixView())
    admin.add_view(AuditLogView())
    admin.add_view(ImportBatchView())
    admin.add_view(ArchiveCatalogueView())
    admin.add_view(NotificationsView())
    admin.add_view(ReportsView())
    return VIEWS


__all__ = ["register_views", "RegisterView", "HomeView", "VIEWS"]
