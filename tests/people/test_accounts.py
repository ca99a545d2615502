"""Roles, affiliations and contacts; the secretariat's changes to accounts, each in the log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from biocommunity.assessment.services import workflow as wf
from biocommunity.assessment.services.rubrics import get_rubric
from biocommunity.core import roles
from biocommunity.core.changelog import history_for
from biocommunity.people.choices import AccountRole, NoticeKind
from biocommunity.people.services import accounts
from biocommunity.people.services.persons import person_of, wants_email
from biocommunity.registry.models import Organization, OrganizationMember
from biocommunity.registry.services.permissions import (
    affiliation,
    can_edit_organization,
    contacts_of,
    member_organization,
)
from tests.factories import (
    OrganizationFactory,
    certification_round,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db
REGISTERED = [
    c.code for c in get_rubric("institutions").type("incubator").criteria if c.stage == "registered"
]


def test_an_affiliated_reviewer_gets_no_member_rights_but_is_in_conflict() -> None:
    university = OrganizationFactory(kinds=["incubator"])
    reviewer = reviewer_user(organization=university)

    assert affiliation(reviewer) == university
    assert member_organization(reviewer) is None
    assert not can_edit_organization(reviewer, university)
    assert contacts_of(university) == []

    round_ = certification_round(invite=[(university, "incubator")])
    assessment = round_.assessments.get()
    member = member_user(university)
    wf.save_claims(member, assessment, {REGISTERED[0]: (True, "")})
    wf.add_evidence(member, assessment, REGISTERED[0], url="https://example.org/")
    wf.submit_assessment(member, assessment)

    assert wf.conflict_of_interest(reviewer, assessment)
    assert assessment not in wf.review_queue(reviewer)
    with pytest.raises(PermissionDenied):
        wf.require_review(reviewer, assessment)
    # the same reviewer at another institution may review it
    elsewhere = reviewer_user(organization=OrganizationFactory(kinds=["university"]))
    assert wf.conflict_of_interest(elsewhere, assessment) is None


def test_contacts_are_the_active_members_acting_for_the_organisation() -> None:
    org = OrganizationFactory()
    first = member_user(org)
    second = member_user(org)
    secretariat_user(organization=org)  # works there, answers for nothing
    gone = member_user(org)
    gone.is_active = False
    gone.save()

    assert contacts_of(org) == [first, second]
    assert member_organization(first) == org


def test_organizations_without_contact_are_listed_for_the_secretariat_only() -> None:
    answered = OrganizationFactory()
    member_user(answered)
    only_reviewer = OrganizationFactory()
    reviewer_user(organization=only_reviewer)
    office = secretariat_user()

    found = set(accounts.organizations_without_contact(office))
    assert only_reviewer in found and answered not in found
    for outsider in (member_user(answered), reviewer_user(), AnonymousUser()):
        with pytest.raises(PermissionDenied):
            accounts.organizations_without_contact(outsider)


def test_change_role_moves_groups_and_organisation_and_is_logged() -> None:
    office = secretariat_user()
    org = OrganizationFactory()
    person = member_user(org)

    accounts.change_role(office, person, AccountRole.REVIEWER, org)

    person.refresh_from_db()
    assert accounts.role_of(person) == AccountRole.REVIEWER
    assert roles.is_reviewer(person)
    assert member_organization(person) is None
    assert affiliation(person) == org
    record = history_for(person).first()
    assert record is not None and record.user == office
    assert record.changes["role"] == ["member", "reviewer"]

    accounts.change_role(office, person, AccountRole.SECRETARIAT, None)
    person.refresh_from_db()
    assert roles.is_secretariat(person) and person.is_staff
    assert person.has_perm("registry.change_organization")
    assert not OrganizationMember.objects.filter(user=person).exists()

    accounts.change_role(office, person, AccountRole.MEMBER, org)
    person = type(person).objects.get(pk=person.pk)  # fresh permission cache
    assert not person.is_staff and not roles.is_secretariat(person)
    assert not person.has_perm("registry.change_organization")
    assert member_organization(person) == org


def test_a_member_needs_an_organisation() -> None:
    office = secretariat_user()
    person = reviewer_user()
    with pytest.raises(ValidationError) as caught:
        accounts.change_role(office, person, AccountRole.MEMBER, None)
    assert "organization" in caught.value.message_dict
    assert roles.is_reviewer(person)


@pytest.mark.parametrize("who", ["member", "reviewer", "anonymous"])
def test_only_the_secretariat_changes_accounts(who: str) -> None:
    org = OrganizationFactory()
    target = member_user(org)
    actor: Any = {
        "member": lambda: member_user(org),
        "reviewer": reviewer_user,
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(PermissionDenied):
        accounts.change_role(actor, target, AccountRole.SECRETARIAT, None)
    with pytest.raises(PermissionDenied):
        accounts.deactivate(actor, target)
    with pytest.raises(PermissionDenied):
        accounts.accounts(actor)
    target.refresh_from_db()
    assert target.is_active and not roles.is_secretariat(target)


def test_deactivate_and_reactivate_are_logged() -> None:
    office = secretariat_user()
    person = member_user(OrganizationFactory())

    accounts.deactivate(office, person)
    person.refresh_from_db()
    assert not person.is_active
    assert member_organization(person) is None
    assert history_for(person).first().changes["is_active"] == [True, False]

    with pytest.raises(ValidationError):
        accounts.deactivate(office, person)

    accounts.reactivate(office, person)
    person.refresh_from_db()
    assert person.is_active
    assert history_for(person).first().changes["is_active"] == [False, True]


def test_the_secretariat_cannot_lock_itself_out() -> None:
    office = secretariat_user()
    with pytest.raises(ValidationError):
        accounts.deactivate(office, office)
    with pytest.raises(ValidationError) as caught:
        accounts.change_role(office, office, AccountRole.MEMBER, OrganizationFactory())
    assert "role" in caught.value.message_dict
    office.refresh_from_db()
    assert office.is_active and roles.is_secretariat(office)


def test_organisation_is_found_by_either_name_never_by_key() -> None:
    org = OrganizationFactory(key="kanagawa-x", name_ja="かながわ研究所", name_en="Kanagawa Lab")
    assert accounts.resolve_organization("かながわ研究所") == org
    assert accounts.resolve_organization("kanagawa lab") == org
    assert accounts.resolve_organization(accounts.organization_label(org)) == org
    with pytest.raises(ValidationError) as caught:
        accounts.resolve_organization("kanagawa-x")
    assert "kanagawa-x" in caught.value.message_dict["organization"][0]


def test_an_ambiguous_name_asks_to_pick_from_the_list() -> None:
    OrganizationFactory(name_ja="同名機関", name_en="Same Name A")
    OrganizationFactory(name_ja="同名機関", name_en="Same Name B")
    with pytest.raises(ValidationError) as caught:
        accounts.resolve_organization("同名機関")
    assert "同名機関" in caught.value.message_dict["organization"][0]
    assert accounts.resolve_organization("同名機関 / Same Name B").name_en == "Same Name B"


def test_preferences_mute_the_unticked_kinds_and_set_the_language() -> None:
    user = member_user(OrganizationFactory())
    accounts.update_preferences(
        user, language="en", email_kinds=[NoticeKind.INTRODUCTION_REQUESTED.value]
    )
    person = person_of(type(user).objects.get(pk=user.pk))
    assert person.language == "en"
    assert wants_email(person.user, NoticeKind.INTRODUCTION_REQUESTED)
    assert not wants_email(person.user, NoticeKind.SAVED_SEARCH_HIT)
    with pytest.raises(ValidationError) as caught:
        accounts.update_preferences(user, language="fr", email_kinds=[])
    assert "language" in caught.value.message_dict
    assert person_of(type(user).objects.get(pk=user.pk)).language == "en"


def test_every_shipped_organisation_is_found_by_its_picker_label(gtb: Any) -> None:
    for organization in Organization.objects.all():
        label = accounts.organization_label(organization)
        assert accounts.resolve_organization(label) == organization, label
