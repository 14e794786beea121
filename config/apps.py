"""Chinese names for what the admin would otherwise show in English.

django-axes has no ``verbose_name`` (the admin shows "Axes"), and its log is for
superusers only: ``ready`` replaces its admin pages with those of ``config.axes_admin``.
Django names each model's default permissions in English whatever the language
("Can change 案例", in the user and group forms): after each migration they are
named in Chinese ("可以修改案例"), and the forms list only those of the models
the admin shows (``config.auth_admin``).
"""

from __future__ import annotations

from axes.apps import AppConfig as BaseAxesConfig
from django.apps import AppConfig
from django.apps import apps as global_apps
from django.contrib.auth import get_permission_codename
from django.contrib.auth.apps import AuthConfig as BaseAuthConfig
from django.db import DEFAULT_DB_ALIAS, router
from django.db.models.signals import post_migrate
from django.utils import translation
from reversion.apps import ReversionConfig as BaseReversionConfig

PERMISSION_ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


class AuthConfig(BaseAuthConfig):
    def ready(self) -> None:
        super().ready()  # connects Django's create_permissions, which runs first
        post_migrate.connect(name_permissions_in_chinese, dispatch_uid="config.apps.name_permissions_in_chinese")
        from . import auth_admin  # the admin has imported django.contrib.auth.admin by now

        auth_admin.list_admin_permissions_only()


def name_permissions_in_chinese(
    app_config: AppConfig, using: str = DEFAULT_DB_ALIAS, apps=global_apps, **kwargs
) -> None:
    """Name the app's default permissions in Chinese, where they still have the name Django gave them."""
    try:
        permissions = apps.get_model("auth", "Permission")
        content_types = apps.get_model("contenttypes", "ContentType")
    except LookupError:
        return
    if not app_config.models_module or not router.allow_migrate_model(using, permissions):
        return
    with translation.override("zh-hans"):
        for model in app_config.get_models():
            opts = model._meta
            content_type = content_types.objects.db_manager(using).filter(
                app_label=opts.app_label, model=opts.model_name
            )
            for action in opts.default_permissions:
                if action in PERMISSION_ACTIONS:
                    permissions.objects.using(using).filter(
                        content_type__in=content_type,
                        codename=get_permission_codename(action, opts),
                        name=f"Can {action} {opts.verbose_name_raw}",
                    ).update(name=f"可以{PERMISSION_ACTIONS[action]}{opts.verbose_name}")


class AxesConfig(BaseAxesConfig):
    verbose_name = "登录安全日志"

    def ready(self) -> None:
        super().ready()
        from . import axes_admin  # the admin has imported axes.admin by now

        axes_admin.restrict_to_superusers()


class ReversionConfig(BaseReversionConfig):
    verbose_name = "修订历史"
