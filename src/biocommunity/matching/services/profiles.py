"""Creating, editing, importing and exporting profiles, with the permission rules in one place."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from biocommunity.core import roles
from biocommunity.core.changelog import diff, record_change, snapshot
from biocommunity.core.models import ChangeAction
from biocommunity.core.spreadsheets import append_xlsx, neutralise_row
from biocommunity.matching.choices import (
    CapabilityType,
    ProfileKind,
    ProfileStatus,
    Stage,
    Visibility,
)
from biocommunity.matching.models import Profile
from biocommunity.matching.services import visibility
from biocommunity.registry.models import Hub, ImportRun, MarketDomain, Organization
from biocommunity.registry.services.permissions import member_organization, require_secretariat
from biocommunity.registry.services.tabular import (
    DryRunRollback,
    ImportFailed,
    RowError,
    check_headers,
    read_table,
)

EDITABLE_FIELDS = [
    "kind",
    "capability_type",
    "title_ja",
    "title_en",
    "body_ja",
    "body_en",
    "market_domain",
    "tags",
    "stage",
    "trl",
    "scale_min_litres",
    "scale_max_litres",
    "gmp",
    "hub",
    "visibility",
    "status",
    "expires_on",
    "contact_name",
    "contact_email",
]
CHANGE_FIELDS = [*EDITABLE_FIELDS, "organization", "source", "as_of"]


def check_profile(profile: Profile) -> None:
    """Model validation plus the rules between fields; raises ValidationError by field."""
    errors: dict[str, list[str]] = {}
    try:
        # The table's constraints are the rules below, checked with messages by field: the
        # constraints' own messages ("Constraint … is violated") would only repeat them.
        profile.full_clean(exclude=["created_by"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not (profile.title_ja.strip() or profile.title_en.strip()):
        errors.setdefault("title_ja", []).append(_("Give a title in Japanese, English or both."))
    if not (profile.body_ja.strip() or profile.body_en.strip()):
        errors.setdefault("body_ja", []).append(
            _("Give a description in Japanese, English or both.")
        )
    if profile.kind == ProfileKind.CAPABILITY and not profile.capability_type:
        errors.setdefault("capability_type", []).append(
            _("Say what kind of capability this is (CDMO, CRO, biofoundry …).")
        )
    if profile.kind != ProfileKind.CAPABILITY and profile.capability_type:
        errors.setdefault("capability_type", []).append(
            _("Only capability profiles have a capability type.")
        )
    if (
        profile.scale_min_litres is not None
        and profile.scale_max_litres is not None
        and profile.scale_min_litres > profile.scale_max_litres
    ):
        errors.setdefault("scale_max_litres", []).append(
            _("The largest scale is smaller than the smallest.")
        )
    for name in ("title_ja", "title_en", "body_ja", "body_en"):
        limit = getattr(Profile._meta.get_field(name), "max_length", None)
        if limit and len(getattr(profile, name)) > limit:
            errors.setdefault(name, []).append(
                _("At most %(limit)s characters.") % {"limit": limit}
            )
    if errors:
        raise ValidationError(errors)


def _assign(profile: Profile, data: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable profile field")
        setattr(profile, name, "" if value is None and name in _TEXT_FIELDS else value)


_TEXT_FIELDS = {
    "capability_type",
    "title_ja",
    "title_en",
    "body_ja",
    "body_en",
    "tags",
    "stage",
    "contact_name",
    "contact_email",
}


@transaction.atomic
def create_profile(
    user: Any, data: dict[str, Any], *, organization: Organization | None = None
) -> Profile:
    """A member posts for its own organisation; the secretariat for any, naming it."""
    own = member_organization(user)
    if roles.is_secretariat(user):
        organization = organization or own
        if organization is None:
            raise ValidationError({"organization": [_("Choose the organisation.")]})
    elif own is None:
        raise PermissionDenied(_("Only members of an organisation can post profiles."))
    elif organization is not None and organization.pk != own.pk:
        raise PermissionDenied(_("You may post only for your own organisation."))
    else:
        organization = own
    profile = Profile(organization=organization, created_by=user)
    _assign(profile, data)
    profile.source = profile.source or _("posted by %(user)s") % {"user": user.get_username()}
    profile.as_of = profile.as_of or date.today().isoformat()
    check_profile(profile)
    profile.save()
    _log(profile, None, user=user, channel="matching")
    return profile


def _log(profile: Profile, before: dict[str, Any] | None, *, user: Any, channel: str) -> None:
    """One changelog record: a creation lists every field, an update what changed."""
    after = snapshot(profile, CHANGE_FIELDS)
    record_change(
        profile,
        action=ChangeAction.CREATE if before is None else ChangeAction.UPDATE,
        changes=diff(before or {}, after),
        user=user,
        channel=channel,
    )


@transaction.atomic
def update_profile(user: Any, profile: Profile, data: dict[str, Any]) -> Profile:
    visibility.require_edit(user, profile)
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    before = snapshot(profile, CHANGE_FIELDS)
    _assign(profile, data)
    check_profile(profile)
    profile.save()
    _log(profile, before, user=user, channel="matching")
    return profile


# ---------------------------------------------------------------- import

IMPORT_COLUMNS = [
    "id",
    "kind",
    "capability_type",
    "organization",
    "title_ja",
    "title_en",
    "body_ja",
    "body_en",
    "domain",
    "tags",
    "stage",
    "trl",
    "scale_min_litres",
    "scale_max_litres",
    "gmp",
    "hub",
    "visibility",
    "status",
    "expires_on",
    "contact_name",
    "contact_email",
    "source",
    "as_of",
]
REQUIRED_COLUMNS = ["kind", "organization"]
# Model field → the column that carries it, for error reports.
COLUMN_OF = {"market_domain": "domain", "organization": "organization", "__all__": ""}


@dataclass
class ProfileImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    run_id: int | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "import_run": self.run_id,
            "errors": [e.as_dict() for e in self.errors],
        }


def _parse_row(
    number: int,
    row: dict[str, str],
    *,
    organizations: dict[str, Organization],
    domains: dict[str, MarketDomain],
    hubs: dict[str, Hub],
    existing: dict[int, Profile],
    errors: list[RowError],
) -> Profile | None:
    start = len(errors)

    def error(column: str, message: str) -> None:
        errors.append(RowError(number, column, row.get(column, ""), message))

    # PostgreSQL refuses NUL in text: the save would fail after validation passed.
    for column, value in row.items():
        if "\x00" in value:
            errors.append(
                RowError(
                    number,
                    column,
                    value.replace("\x00", "\\0")[:40],
                    _("The cell contains a NUL character; remove it."),
                )
            )
    if len(errors) > start:
        return None
    raw_id = row.get("id", "").strip()
    profile: Profile | None = None
    if raw_id:
        if not raw_id.isdigit() or int(raw_id) not in existing:
            error("id", _("No profile has the id %(id)s.") % {"id": raw_id})
        else:
            profile = existing[int(raw_id)]
    profile = profile or Profile()
    org_key = row.get("organization", "").strip()
    if org_key not in organizations:
        error("organization", _("No organisation has the key '%(key)s'.") % {"key": org_key})
    else:
        profile.organization = organizations[org_key]
    choices = {
        "kind": ProfileKind.values,
        "capability_type": ["", *CapabilityType.values],
        "stage": ["", *Stage.values],
        "visibility": Visibility.values,
        "status": ProfileStatus.values,
    }
    for column, allowed in choices.items():
        if column not in row:
            continue
        value = row[column].strip()
        if column in ("visibility", "status") and not value:
            continue
        if value not in allowed:
            error(
                column,
                _("'%(value)s' is not allowed; use one of: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(a for a in allowed if a)},
            )
        else:
            setattr(profile, column, value)
    for column in (
        "title_ja",
        "title_en",
        "body_ja",
        "body_en",
        "tags",
        "contact_name",
        "contact_email",
        "source",
        "as_of",
    ):
        if column in row:
            setattr(profile, column, row[column].strip())
    if "domain" in row:
        value = row["domain"].strip()
        if value and value not in domains:
            error("domain", _("No market domain has the key or number '%(v)s'.") % {"v": value})
        profile.market_domain = domains.get(value) if value else None
    if "hub" in row:
        value = row["hub"].strip()
        if value and value not in hubs:
            error("hub", _("No hub has the key '%(key)s'.") % {"key": value})
        profile.hub = hubs.get(value) if value else None
    if "trl" in row:
        value = row["trl"].strip()
        if value and not (value.isdigit() and 1 <= int(value) <= 9):
            error("trl", _("TRL is a whole number from 1 to 9."))
        else:
            profile.trl = int(value) if value else None
    for column in ("scale_min_litres", "scale_max_litres"):
        if column in row:
            value = row[column].strip().replace(",", "")
            try:
                number_value = Decimal(value) if value else None
            except InvalidOperation:
                number_value = Decimal("NaN")
            # NaN and Infinity parse as Decimals, but are no number of litres (and NaN
            # cannot even be compared with zero).
            if number_value is not None and not number_value.is_finite():
                error(column, _("'%(value)s' is not a number of litres.") % {"value": value})
                continue
            if number_value is not None and number_value < 0:
                error(column, _("A scale cannot be negative."))
                continue
            setattr(profile, column, number_value)
    if "gmp" in row:
        value = row["gmp"].strip().lower()
        if value not in ("", "yes", "no", "true", "false", "1", "0"):
            error("gmp", _("Write yes or no (or leave empty)."))
        else:
            profile.gmp = None if not value else value in ("yes", "true", "1")
    if "expires_on" in row:
        value = row["expires_on"].strip()
        try:
            profile.expires_on = date.fromisoformat(value) if value else None
        except ValueError:
            error("expires_on", _("Write the date as YYYY-MM-DD."))
    if len(errors) > start:
        return None
    try:
        check_profile(profile)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = COLUMN_OF.get(name, name)
            for message in messages:
                errors.append(RowError(number, column, row.get(column, ""), message))
        return None
    return profile


def import_profiles(
    data: bytes, file_name: str, *, user: Any, dry_run: bool = False
) -> ProfileImportReport:
    """Import a CSV/XLSX of profiles (secretariat): every row applies, or nothing does."""
    require_secretariat(user)
    report = ProfileImportReport(dry_run=dry_run)
    if len(data) > settings.BIOCOMMUNITY_IMPORT_MAX_BYTES:
        report.errors.append(
            RowError(
                0,
                "",
                file_name,
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.BIOCOMMUNITY_IMPORT_MAX_BYTES // 2**20},
            )
        )
        return report
    try:
        table = read_table(data, file_name)
    except ImportFailed as exc:
        report.errors = exc.errors
        return report
    report.rows = len(table.rows)
    report.errors = check_headers(table, known=IMPORT_COLUMNS, required=REQUIRED_COLUMNS)
    if report.errors:
        return report
    organizations = {o.key: o for o in Organization.objects.all()}
    domains: dict[str, MarketDomain] = {}
    for domain in MarketDomain.objects.all():
        domains[domain.key] = domain
        domains[str(domain.number)] = domain
    hubs = {h.key: h for h in Hub.objects.all()}
    existing = Profile.objects.in_bulk()
    # Rows edit these instances in place; keep what they were for the changelog.
    snapshots = {pk: snapshot(p, CHANGE_FIELDS) for pk, p in existing.items()}
    parsed: list[tuple[Profile, bool]] = []
    for number, row in table.rows:
        is_new = not row.get("id", "").strip()
        profile = _parse_row(
            number,
            row,
            organizations=organizations,
            domains=domains,
            hubs=hubs,
            existing=existing,
            errors=report.errors,
        )
        if profile is not None:
            parsed.append((profile, is_new))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                user=user,
                kind="matching-profiles",
                file_name=file_name[:255],
                sha256=hashlib.sha256(data).hexdigest(),
                rows=len(parsed),
            )
            for profile, is_new in parsed:
                before = None if is_new else snapshots[profile.pk]
                if is_new:
                    profile.created_by = user
                profile.source = profile.source or run.citation
                profile.as_of = profile.as_of or date.today().isoformat()
                profile.save()
                _log(profile, before, user=user, channel=f"import #{run.pk} {file_name}"[:200])
                report.created += int(is_new)
                report.updated += int(not is_new)
            run.created, run.updated = report.created, report.updated
            run.save(update_fields=["created", "updated"])
            report.run_id = run.pk
            if dry_run:
                report.run_id = None
                raise DryRunRollback
    except DryRunRollback:
        pass
    return report


# ---------------------------------------------------------------- export

EXPORT_COLUMNS = [c for c in IMPORT_COLUMNS if c not in ("contact_name", "contact_email")]


def profile_record(profile: Profile, *, with_contacts: bool = False) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": profile.pk,
        "kind": profile.kind,
        "capability_type": profile.capability_type,
        "organization": profile.organization.key,
        "title_ja": profile.title_ja,
        "title_en": profile.title_en,
        "body_ja": profile.body_ja,
        "body_en": profile.body_en,
        "domain": profile.market_domain.key if profile.market_domain else "",
        "tags": profile.tags,
        "stage": profile.stage,
        "trl": profile.trl,
        "scale_min_litres": profile.scale_min_litres,
        "scale_max_litres": profile.scale_max_litres,
        "gmp": profile.gmp,
        "hub": profile.hub.key if profile.hub else "",
        "visibility": profile.visibility,
        "status": profile.status,
        "expires_on": profile.expires_on.isoformat() if profile.expires_on else "",
        "source": profile.source,
        "as_of": profile.as_of,
    }
    if with_contacts:
        record["contact_name"] = profile.contact_name
        record["contact_email"] = profile.contact_email
    return record


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def export_profiles(user: Any, fmt: str, profiles: Iterable[Profile] | None = None) -> bytes:
    """The profiles this user may see, as csv, json or xlsx (the import's columns).

    Contacts are exported only to the secretariat: a member's export never reveals them.
    """
    with_contacts = roles.is_secretariat(user)
    columns = IMPORT_COLUMNS if with_contacts else EXPORT_COLUMNS
    queryset = visibility.visible_profiles(user).select_related(
        "organization", "market_domain", "hub"
    )
    if profiles is not None:
        queryset = queryset.filter(pk__in=[p.pk for p in profiles])
    records = [profile_record(p, with_contacts=with_contacts) for p in queryset.order_by("pk")]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1, default=str).encode()
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for record in records:
            writer.writerow(neutralise_row(_cell(record.get(c)) for c in columns))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("profiles")
        sheet.append(columns)
        for record in records:
            append_xlsx(sheet, [_cell(record.get(c)) for c in columns])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise ValueError(_("Unknown format '%(fmt)s': use csv, json or xlsx.") % {"fmt": fmt})
