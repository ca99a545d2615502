from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "biocommunity.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from biocommunity.core import derived

        derived.connect()


class BiocommunityAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the site that lets the secretariat role in (core/admin_site.py)."""

    default = False  # named in INSTALLED_APPS; CoreConfig stays this module's default

    default_site = "biocommunity.core.admin_site.SecretariatAdminSite"
