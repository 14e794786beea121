"""The user and group forms list only the permissions of what the admin shows.

Django lists a permission for every model, the index's internal tables and the
revision store included, where granting one opens nothing. (The password form's
warning, which Django writes in English only, is given in Chinese.) Imported by
``config.apps.AuthConfig.ready``, after the admin has registered Django's own
classes, which ``list_admin_permissions_only`` replaces.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Field, QuerySet
from django.forms import Field as FormField
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.text import format_lazy

PERMISSION_FIELDS = ("permissions", "user_permissions")


def admin_permissions() -> QuerySet:
    """The permissions that open admin pages, each with its content type (its name shows both): those of the
    models with admin pages, but for the pages only superusers see (``superuser_only``)."""
    models = [
        model
        for model, model_admin in admin.site._registry.items()
        if not getattr(model_admin, "superuser_only", False)
    ]
    content_types = ContentType.objects.get_for_models(*models).values()
    return Permission.objects.filter(content_type__in=[ct.pk for ct in content_types]).select_related("content_type")


class AdminPermissionsOnly:
    """Lists :func:`admin_permissions` only, and keeps the others a user or group holds (granted by a migration
    or a script) when the form is saved: a form never takes away what it does not show."""

    def formfield_for_manytomany(self, db_field: Field, request: HttpRequest, **kwargs) -> FormField | None:
        if db_field.name in PERMISSION_FIELDS:
            kwargs["queryset"] = admin_permissions()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: list, change: bool) -> None:
        held = getattr(form.instance, _permission_field(form.instance))
        unlisted = list(held.exclude(pk__in=admin_permissions().values("pk"))) if change else []
        super().save_related(request, form, formsets, change)
        held.add(*unlisted)


def _permission_field(instance: Group | User) -> str:
    return "permissions" if isinstance(instance, Group) else "user_permissions"


class GroupAdmin(AdminPermissionsOnly, auth_admin.GroupAdmin):
    pass


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        "如果禁用，这个用户现在的密码将失效。",
    )


class UserAdmin(AdminPermissionsOnly, auth_admin.UserAdmin):
    change_password_form = AdminPasswordChangeForm


def list_admin_permissions_only() -> None:
    for model, model_admin in ((Group, GroupAdmin), (User, UserAdmin)):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
