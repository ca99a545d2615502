"""Factories for every test: build data here, never copy fixtures between files."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from biocommunity.core.roles import Role, grant_role
from biocommunity.registry.models import (
    Classification,
    Community,
    Hub,
    HubMembership,
    MarketDomain,
    Organization,
    OrganizationMarketDomain,
    OrganizationMember,
)
from biocommunity.registry.services.organizations import refresh_search_text

PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


def _affiliate(user: object, organization: Organization | None) -> None:
    """Record where a reviewer or secretariat person works, without member rights over it."""
    if organization is not None:
        OrganizationMember.objects.create(user=user, organization=organization, acts_for=False)


def secretariat_user(organization: Organization | None = None, **kwargs: object) -> object:
    user = UserFactory(**kwargs)
    grant_role(user, Role.SECRETARIAT)
    _affiliate(user, organization)
    return user


def reviewer_user(organization: Organization | None = None, **kwargs: object) -> object:
    user = UserFactory(**kwargs)
    grant_role(user, Role.REVIEWER)
    _affiliate(user, organization)
    return user


def member_user(organization: Organization, **kwargs: object) -> object:
    user = UserFactory(**kwargs)
    OrganizationMember.objects.create(user=user, organization=organization)
    return user


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("key",)

    key = "gtb"
    name_ja = "グレーター東京バイオコミュニティ"
    name_en = "Greater Tokyo Biocommunity"
    short_name = "GTB"
    kind = "global"
    centre_lat = 35.6812
    centre_lon = 139.7671
    radius_km = 100
    source = "test"
    as_of = "2021"


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    community = factory.SubFactory(CommunityFactory)
    key = factory.Sequence(lambda n: f"hub-{n}")
    number = factory.Sequence(lambda n: n + 3)
    name_ja = factory.Sequence(lambda n: f"拠点{n}")
    name_en = factory.Sequence(lambda n: f"Hub {n}")
    lat = 35.53
    lon = 139.74
    source = "test"
    as_of = "2022"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    key = factory.Sequence(lambda n: f"org-{n}")
    name_ja = factory.Sequence(lambda n: f"テスト機関{n}")
    name_en = factory.Sequence(lambda n: f"Test Organisation {n}")
    country = "JP"
    prefecture = "13"
    city_ja = "千代田区"
    city_en = "Chiyoda"
    lat = 35.694
    lon = 139.754
    source = "test"
    as_of = "2022"

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> Organization:
        kinds = kwargs.pop("kinds", ["company"])
        org = model_class(*args, **kwargs)
        refresh_search_text(org)
        org.save()
        for kind in kinds:  # type: ignore[attr-defined]
            Classification.objects.create(organization=org, kind=kind)
        return org


class HubMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HubMembership

    hub = factory.SubFactory(HubFactory)
    organization = factory.SubFactory(OrganizationFactory)
    function = "incubation"
    source = "test"


class MarketDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketDomain
        django_get_or_create = ("number",)

    number = 6
    key = factory.LazyAttribute(lambda d: f"domain-{d.number}")
    name_ja = factory.LazyAttribute(lambda d: f"市場領域{d.number}")
    name_en = factory.LazyAttribute(lambda d: f"Market domain {d.number}")


class OrganizationMarketDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationMarketDomain

    organization = factory.SubFactory(OrganizationFactory)
    domain = factory.SubFactory(MarketDomainFactory)


# Certification ---------------------------------------------------------------------------------


def round_parameters(rubric_code: str = "institutions") -> dict[str, object]:
    """A value for every threshold the shipped rubric declares."""
    from biocommunity.assessment.services.rubrics import get_rubric

    values: dict[str, object] = {}
    for parameter in get_rubric(rubric_code).parameters:
        if parameter.type == "choice":
            values[parameter.code] = parameter.choices[0]
        elif parameter.type == "integer":
            values[parameter.code] = 3
        else:
            values[parameter.code] = 5
    return values


def certification_round(
    community: Community | None = None,
    *,
    rubric_code: str = "institutions",
    secretariat: object | None = None,
    invite: list[tuple[Organization, str]] | None = None,
    parameters: dict[str, object] | None = None,
    open_it: bool = True,
) -> object:
    """A round made through the workflow service, as the secretariat would make it."""
    import datetime

    from biocommunity.assessment.services import workflow
    from biocommunity.assessment.services.rubrics import get_rubric

    community = community or CommunityFactory()
    secretariat = secretariat or secretariat_user()
    rubric = get_rubric(rubric_code)
    today = datetime.date.today()
    round_ = workflow.create_round(
        secretariat,
        community=community,
        rubric_code=rubric.code,
        rubric_version=rubric.version,
        title_ja="2026年度 認定ラウンド",
        title_en="Certification round 2026",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=90),
    )
    for organization, type_code in invite or []:
        workflow.invite(secretariat, round_, organization, type_code)
    if rubric.subject == "community":
        workflow.add_community(secretariat, round_)
    workflow.set_parameters(
        secretariat, round_, round_parameters(rubric_code) if parameters is None else parameters
    )
    if open_it:
        workflow.open_round(secretariat, round_)
    return round_


def issued_certificate(
    community: Community | None = None,
    *,
    organization: Organization | None = None,
    level_code: str = "candidate",
    valid_from: object = None,
    valid_to: object = None,
) -> object:
    """An incubator taken through the whole workflow to a certificate at the first level."""
    import datetime

    from biocommunity.assessment.services import workflow
    from biocommunity.assessment.services.rubrics import get_rubric

    community = community or CommunityFactory()
    secretariat = secretariat_user()
    organization = organization or OrganizationFactory(kinds=["incubator"])
    round_ = certification_round(
        community, secretariat=secretariat, invite=[(organization, "incubator")]
    )
    assessment = round_.assessments.get()  # type: ignore[attr-defined]
    member = member_user(organization)
    registered = [
        c.code
        for c in get_rubric("institutions").type("incubator").criteria
        if c.stage == "registered"
    ]
    workflow.save_claims(member, assessment, {code: (True, "開示済み") for code in registered})
    for code in registered:
        workflow.add_evidence(member, assessment, code, url="https://example.org/annual-report")
    workflow.submit_assessment(member, assessment)
    workflow.save_review(
        reviewer_user(),
        assessment,
        scores={code: (True, "") for code in registered},
        comment="",
        recommended_level=level_code,
        submit=True,
    )
    today = datetime.date.today()
    return workflow.decide(
        secretariat,
        assessment,
        level_code=level_code,
        valid_from=valid_from or today,  # type: ignore[arg-type]
        valid_to=valid_to or today.replace(year=today.year + 3),  # type: ignore[arg-type]
        reason="",
    )


# ---------------------------------------------------------------- matching


class ProfileFactory(factory.django.DjangoModelFactory):
    """A live profile; pass title_en/body_en (and blank ja) for an English-only one."""

    class Meta:
        model = "matching.Profile"

    kind = "seed"
    organization = factory.SubFactory(OrganizationFactory)
    title_ja = factory.Sequence(lambda n: f"抗体医薬品の製造技術 {n}")
    title_en = ""
    body_ja = "CHO細胞を用いた抗体医薬品の高生産プロセスを開発した。"
    body_en = ""
    visibility = "public"
    status = "active"
    contact_name = factory.Sequence(lambda n: f"Contact {n}")
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.org")
    source = "test"
    as_of = "2026"


class IntroductionFactory(factory.django.DjangoModelFactory):
    """An open request from a member of another organisation."""

    class Meta:
        model = "matching.Introduction"

    profile = factory.SubFactory(ProfileFactory)
    requester_organization = factory.SubFactory(OrganizationFactory)
    requester = factory.LazyAttribute(lambda o: member_user(o.requester_organization))
    message = "ご紹介をお願いします。"


class NoticeFactory(factory.django.DjangoModelFactory):
    """A notice as notify() leaves it: both languages, a link without the language prefix."""

    class Meta:
        model = "people.Notice"

    recipient = factory.SubFactory(UserFactory)
    kind = "introduction_requested"
    text_ja = factory.Sequence(lambda n: f"紹介の依頼 {n}")
    text_en = factory.Sequence(lambda n: f"Introduction request {n}")
    path = "/matching/introductions/"


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A figure a region is compared on, counted in people unless told otherwise."""

    class Meta:
        model = "indicators.Indicator"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name_ja = factory.Sequence(lambda n: f"指標{n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "people"
    factor_group = "performance"


class SubjectFactory(factory.django.DjangoModelFactory):
    """A region figures are given for."""

    class Meta:
        model = "indicators.Subject"
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"region-{n}")
    kind = "region"
    name_ja = factory.Sequence(lambda n: f"地域{n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")


class ObservationFactory(factory.django.DjangoModelFactory):
    """One value as a source table prints it."""

    class Meta:
        model = "indicators.Observation"

    indicator = factory.SubFactory(IndicatorFactory)
    subject = factory.SubFactory(SubjectFactory)
    value = 100
    value_kind = "exact"
    unit = factory.LazyAttribute(lambda o: o.indicator.unit)
    source = "001 参考4 海外主要クラスターとGTBの比較"
    as_of = "2022"
