"""The secretariat's hub: one page that leads to each of its tools.

Core knows no other app's code, only the names of their pages: each link is looked up by URL
name and left out when that page is not installed (yet), so the hub never breaks a deploy.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from biocommunity.core import roles


@dataclass(frozen=True)
class Tool:
    url_name: str
    label: Promise
    description: Promise


# (heading, tools): the secretariat's jobs, each with the pages that do it.
SECTIONS: tuple[tuple[Promise, tuple[Tool, ...]], ...] = (
    (
        _("People"),
        (
            Tool(
                "people:users",
                _("Users and invitations"),
                _("Invite members, reviewers and secretariat staff; change roles, deactivate."),
            ),
            Tool(
                "admin:people_person_changelist",
                _("Persons (admin)"),
                _("Each user's language and which notices they get by e-mail."),
            ),
            Tool(
                "jobs:queue",
                _("Background jobs"),
                _("E-mails and profile updates waiting, running or failed; retry a failed one."),
            ),
        ),
    ),
    (
        _("Registry"),
        (
            Tool(
                "registry:import",
                _("Import organisations"),
                _("Upload the organisations spreadsheet (dry run first, all rows or none)."),
            ),
            Tool(
                "admin:registry_organization_changelist",
                _("Organisations (admin)"),
                _("Edit any organisation; every change is kept in its history."),
            ),
        ),
    ),
    (
        _("Figures and KPIs"),
        (
            Tool(
                "indicators:import",
                _("Import figures"),
                _("Upload indicator observations from a spreadsheet."),
            ),
            Tool("indicators:kpis", _("KPIs"), _("The master-plan KPIs and their status.")),
            Tool(
                "admin:indicators_indicator_changelist",
                _("Indicators (admin)"),
                _("Indicators, observations, KPIs, plans and exchange rates."),
            ),
        ),
    ),
    (
        _("Certification"),
        (
            Tool(
                "assessment:workspace",
                _("Certification rounds"),
                _("Rounds, self-assessments waiting for the committee's decision."),
            ),
            Tool(
                "assessment:round-new",
                _("New round"),
                _("Choose the criteria and dates, then invite institutions by name."),
            ),
            Tool(
                "assessment:audit",
                _("Certification audit log"),
                _("Every step of certification, newest first."),
            ),
            Tool(
                "assessment:register",
                _("Certification register"),
                _("The public register of certificates; revise or revoke from a certificate."),
            ),
        ),
    ),
    (
        _("Matching"),
        (
            Tool(
                "matching:pipeline",
                _("Matching pipeline"),
                _("Every profile and the introductions requested, accepted and held."),
            ),
            Tool(
                "matching:forwarding",
                _("Introductions to forward"),
                _("Requests to organisations nobody answers for yet: forward them, note how."),
            ),
            Tool(
                "matching:import",
                _("Import matching profiles"),
                _("Upload seeds, needs and capabilities from a spreadsheet; export them."),
            ),
            Tool(
                "admin:matching_profile_changelist",
                _("Matching profiles (admin)"),
                _("Correct any profile; introductions and saved searches are shown as they are."),
            ),
        ),
    ),
    (
        _("Administration"),
        (
            Tool(
                "admin:index",
                _("Admin"),
                _("Every record of every app, with bilingual labels."),
            ),
        ),
    ),
)


def _resolve(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@login_required
def secretariat_hub(request: HttpRequest) -> HttpResponse:
    if not roles.is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat may do this."))
    sections = []
    for heading, tools in SECTIONS:
        links = [
            {"url": url, "label": tool.label, "description": tool.description}
            for tool in tools
            if (url := _resolve(tool.url_name)) is not None
        ]
        if links:
            sections.append({"heading": heading, "links": links})
    return render(request, "core/secretariat.html", {"sections": sections})
