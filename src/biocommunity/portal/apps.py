from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """What the public sees across apps: the site-wide search and the organisation page's
    sections from matching and certification. It sits above every app (the arrows point from
    here into registry, matching and assessment, never back)."""

    name = "biocommunity.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from biocommunity.portal import sections

        sections.connect()
