"""Registry pages: thin callers of the services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from biocommunity.core import derived, roles
from biocommunity.core.changelog import history_for
from biocommunity.core.conditional import conditional_page
from biocommunity.core.downloads import TABLE_FORMATS, attachment
from biocommunity.core.imports import import_view
from biocommunity.core.templatetags.bilingual import current_language, pick
from biocommunity.registry import maps
from biocommunity.registry.choices import HubFunction, OrganizationKind
from biocommunity.registry.forms import OrganizationProfileForm
from biocommunity.registry.models import (
    Classification,
    Community,
    Hub,
    HubMembership,
    ImportRun,
    Organization,
)
from biocommunity.registry.services import directory, permissions, players
from biocommunity.registry.services import hubs as hub_services
from biocommunity.registry.services.organizations import (
    default_community,
    export_organizations,
    import_organizations,
    update_profile,
)


def _community_or_404(key: str | None = None) -> Community:
    community = Community.objects.filter(key=key).first() if key else default_community()
    if community is None:
        raise Http404(_("No community has been loaded yet."))
    return community


def _region_map(community: Community, hubs: Sequence[Hub]) -> str:
    language = current_language()
    points = [
        maps.MapPoint(
            o.lat or 0.0,
            o.lon or 0.0,
            pick(o, "name", language),
            reverse("registry:organization", args=[o.key]),
            "org",
        )
        for o in Organization.objects.filter(
            hub_memberships__hub__community=community, lat__isnull=False
        )
        .distinct()
        .only("key", "name_ja", "name_en", "lat", "lon")
    ]
    points += [
        maps.MapPoint(
            h.lat, h.lon, pick(h, "name", language), reverse("registry:hub", args=[h.key]), "hub"
        )
        for h in hubs
        if h.lat is not None and h.lon is not None
    ]
    return maps.render_region_svg(
        points, language=language, title=pick(community, "name", language)
    )


@conditional_page
def home(request: HttpRequest) -> HttpResponse:
    community = default_community()
    if community is None:
        return render(request, "registry/empty.html", status=200)
    # Counts, chart data and the map change only when data is written: derived once per
    # generation and language (core.derived), not on every visit.
    context = derived.cached(
        "registry:home", lambda: _home_context(community), community.pk, current_language()
    )
    return render(request, "registry/home.html", context)


def _home_context(community: Community) -> dict[str, Any]:
    hubs = list(community.hubs.annotate(n=Count("memberships__organization", distinct=True)))
    # Organisations abroad that are only partners are not the community's players.
    counted = players.players(community)
    kind_counts = dict(
        Classification.objects.filter(organization__in=counted)
        .values_list("kind")
        .annotate(n=Count("organization"))
    )
    by_kind = [
        (value, str(label), kind_counts.get(value, 0)) for value, label in OrganizationKind.choices
    ]
    language = current_language()
    chart = {
        "kinds": {
            "labels": [label for _v, label, n in by_kind if n],
            "values": [n for _v, _l, n in by_kind if n],
        },
        "hubs": {
            "labels": [hub_services.numbered_name(h, language) for h in hubs],
            "values": [h.n for h in hubs],
        },
    }
    return {
        "community": community,
        "hubs": hubs,
        "hub_numbering": hub_services.numbering(hubs),
        "by_kind": [row for row in by_kind if row[2]],
        "total": counted.count(),
        "in_hubs": HubMembership.objects.filter(hub__community=community)
        .values("organization")
        .distinct()
        .count(),
        "council_count": community.council_seats.count(),
        "map_svg": _region_map(community, hubs),
        "chart": chart,
    }


@conditional_page
def hub_detail(request: HttpRequest, key: str) -> HttpResponse:
    hub = get_object_or_404(Hub.objects.select_related("community"), key=key)
    memberships = hub.memberships.select_related("organization").order_by(
        directory.name_order(current_language(), "organization__")
    )
    grouped: dict[str, list[HubMembership]] = defaultdict(list)
    for membership in memberships:
        grouped[membership.function].append(membership)
    functions = [
        (value, label, grouped[value]) for value, label in HubFunction.choices if grouped.get(value)
    ]
    language = current_language()
    points = [
        maps.MapPoint(
            m.organization.lat,
            m.organization.lon,
            pick(m.organization, "name", language),
            reverse("registry:organization", args=[m.organization.key]),
            "org",
        )
        for m in memberships
        if m.organization.lat is not None and m.organization.lon is not None
    ]
    if hub.lat is not None and hub.lon is not None:
        points.append(maps.MapPoint(hub.lat, hub.lon, pick(hub, "name", language), "", "hub"))
    return render(
        request,
        "registry/hub.html",
        {
            "hub": hub,
            "functions": functions,
            "figures": hub.figures.all(),
            "organization_count": len({m.organization_id for m in memberships}),
            # The region's outline drawn once per generation, not on every visit.
            "map_svg": derived.cached(
                "registry:hub-map",
                lambda: maps.render_region_svg(
                    points, language=language, title=pick(hub, "name", language)
                ),
                hub.pk,
                language,
            ),
        },
    )


def _directory_query(request: HttpRequest) -> directory.DirectoryQuery | None:
    try:
        return directory.parse_query(request.GET)
    except directory.InvalidQuery as exc:
        for error in exc.errors:
            messages.error(request, f"{error['field']}: {error['message']}")
        return None


@conditional_page
def directory_page(request: HttpRequest) -> HttpResponse:
    query = _directory_query(request)
    status = 200
    if query is None:
        query, status = directory.DirectoryQuery(), 400
    page = directory.search(query, language=current_language())
    template = "registry/_directory_results.html" if request.htmx else "registry/directory.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"page": page, "query": query, "params": query.as_params()},
        status=status,
    )


def directory_download(request: HttpRequest, fmt: str) -> HttpResponse:
    query = _directory_query(request)
    if query is None:
        return HttpResponse(
            _("Bad filter; nothing to download."), status=400, content_type="text/plain"
        )
    if fmt not in TABLE_FORMATS:
        raise Http404
    body = export_organizations(fmt, directory.filtered_organizations(query))
    return attachment(body, f"organizations.{fmt}")


@conditional_page
def organization_detail(request: HttpRequest, key: str) -> HttpResponse:
    org = get_object_or_404(
        Organization.objects.select_related("parent").prefetch_related(
            "classifications",
            Prefetch("hub_memberships", queryset=HubMembership.objects.select_related("hub")),
            "market_domain_links__domain",
            "council_seats__category",
            "council_seats__community",
            "partnerships",
            "project_participations__project",
            "programme_entries__programme",
            "children",
        ),
        key=key,
    )
    hubs: dict[Hub, list[HubMembership]] = defaultdict(list)
    for membership in org.hub_memberships.all():
        hubs[membership.hub].append(membership)
    can_edit = permissions.can_edit_organization(request.user, org)
    return render(
        request,
        "registry/organization.html",
        {
            "org": org,
            "hubs": dict(hubs),
            "can_edit": can_edit,
            # who answers for it: the secretariat's business only, never shown publicly
            "contacts": (
                permissions.contacts_of(org) if roles.is_secretariat(request.user) else None
            ),
            "map_svg": derived.cached(
                "registry:organization-map",
                lambda: _organization_map(org),
                org.pk,
                current_language(),
            ),
            "map_is_area": org.lat is None and bool(org.prefecture),
        },
    )


def _organization_map(org: Organization) -> str:
    """Its point on the region's map; only its prefecture shaded when that is all we know;
    nothing for an organisation abroad or one with no place recorded."""
    language = current_language()
    if org.country and org.country != "JP":
        return ""
    if org.lat is not None and org.lon is not None:
        point = maps.MapPoint(org.lat, org.lon, pick(org, "name", language), "", "hub")
        return maps.render_region_svg([point], language=language)
    if org.prefecture:
        return maps.render_region_svg([], language=language, highlight=org.prefecture)
    return ""


@login_required
def organization_edit(request: HttpRequest, key: str) -> HttpResponse:
    org = get_object_or_404(Organization, key=key)
    if not permissions.can_edit_organization(request.user, org):
        raise PermissionDenied(_("You may edit only your own organisation's profile."))
    form = OrganizationProfileForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        # The form wrote its values onto ``org`` while validating; the service diffs
        # against the stored record.
        stored = Organization.objects.get(pk=org.pk)
        changes = update_profile(stored, form.cleaned_data, user=request.user)
        if changes:
            labels = [str(form.fields[name].label or name) for name in changes]
            messages.success(
                request, _("Saved. Changed: %(fields)s.") % {"fields": ", ".join(labels)}
            )
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("registry:organization", key=org.key)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registry/organization_edit.html", {"org": org, "form": form}, status=status
    )


@login_required
def organization_history(request: HttpRequest, key: str) -> HttpResponse:
    org = get_object_or_404(Organization, key=key)
    if not permissions.can_view_history(request.user, org):
        raise PermissionDenied(
            _("Only the organisation's members and the secretariat see its history.")
        )
    return render(
        request,
        "registry/organization_history.html",
        {"org": org, "records": history_for(org)[:200]},
    )


@conditional_page
def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registry/open_data.html",
        {
            "total": Organization.objects.count(),
            "formats": list(TABLE_FORMATS),
        },
    )


def open_data_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in TABLE_FORMATS:
        raise Http404
    return attachment(export_organizations(fmt), f"organizations.{fmt}")


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    permissions.require_secretariat(request.user)
    runs = ImportRun.objects.select_related("user").filter(kind="organizations")[:10]
    return import_view(request, import_organizations, "registry/import.html", {"runs": runs})
