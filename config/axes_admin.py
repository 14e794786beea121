"""The login security log (django-axes) in the admin: superusers only.

Its records hold usernames and addresses of everyone who tried to log in;
editors, whatever permissions they are given, see none of it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


class SuperuserOnlyMixin:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser


def restrict_to_superusers(site: admin.AdminSite = admin.site) -> None:
    """Re-register each of axes' admins that is registered (AXES_ENABLE_ADMIN) behind ``SuperuserOnlyMixin``."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        if not site.is_registered(model):
            continue
        base = type(site.get_model_admin(model))
        if issubclass(base, SuperuserOnlyMixin):
            continue
        site.unregister(model)
        site.register(model, type(f"SuperuserOnly{base.__name__}", (SuperuserOnlyMixin, base), {}))
