"""The admin site, opened to the secretariat role.

Django's admin lets in staff with per-model permissions; a secretariat invited from the browser
or given the role in a group would otherwise see an empty admin (or none). The role decides,
as it does on every other page; superusers and staff with permissions still get in as before.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from biocommunity.core import roles


class SecretariatAdminSite(admin.AdminSite):
    site_header = _("biocommunity administration")
    site_title = _("biocommunity administration")
    index_title = _("Every record, by app")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_staff or roles.is_secretariat(user)))
