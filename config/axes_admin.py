"""The login security log (django-axes) in the admin: superusers only, with Chinese column names.

Its records hold the usernames and addresses of everyone who tried to log in;
staff users see none of it, whatever permissions they are given. Imported by
``config.apps.AxesConfig.ready``, after the admin has registered axes' own
classes, which ``restrict_to_superusers`` replaces.
"""

from __future__ import annotations

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


class SuperuserOnlyMixin:
    superuser_only = True  # no permission opens it (see config.auth_admin)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser


class AccessAttemptAdmin(SuperuserOnlyMixin, axes_admin.AccessAttemptAdmin):
    @admin.display(description="状态")
    def status(self, obj: AccessAttempt) -> str:
        return super().status(obj)


class AccessLogAdmin(SuperuserOnlyMixin, axes_admin.AccessLogAdmin):
    pass


class AccessFailureLogAdmin(SuperuserOnlyMixin, axes_admin.AccessFailureLogAdmin):
    pass


def restrict_to_superusers(site: admin.AdminSite = admin.site) -> None:
    """Replace axes' admins, where registered (``AXES_ENABLE_ADMIN``), with the superuser-only ones above."""
    for model, model_admin in [
        (AccessAttempt, AccessAttemptAdmin),
        (AccessLog, AccessLogAdmin),
        (AccessFailureLog, AccessFailureLogAdmin),
    ]:
        if site.is_registered(model) and not isinstance(site.get_model_admin(model), SuperuserOnlyMixin):
            site.unregister(model)
            site.register(model, model_admin)
