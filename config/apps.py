"""Chinese names for the apps whose own names would show in English in the admin.

django-axes has no ``verbose_name`` (the admin shows "Axes"), and its log is for
superusers only: ``ready`` replaces its admin pages with those of ``config.axes_admin``.
"""

from __future__ import annotations

from axes.apps import AppConfig as BaseAxesConfig
from reversion.apps import ReversionConfig as BaseReversionConfig


class AxesConfig(BaseAxesConfig):
    verbose_name = "登录安全日志"

    def ready(self) -> None:
        super().ready()
        from . import axes_admin  # the admin has imported axes.admin by now

        axes_admin.restrict_to_superusers()


class ReversionConfig(BaseReversionConfig):
    verbose_name = "修订历史"
