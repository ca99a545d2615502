"""Who may edit what: members, the secretariat, reviewers and anonymous visitors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from biocommunity.core.changelog import history_for
from biocommunity.core.models import ChangeAction, ChangeRecord
from biocommunity.registry.models import ImportRun, Organization
from biocommunity.registry.services import permissions
from biocommunity.registry.services.organizations import PROFILE_FIELDS, update_profile
from tests.conftest import assert_status, login
from tests.factories import (
    OrganizationFactory,
    UserFactory,
    member_user,
    reviewer_user,
    secretariat_user,
)


def edit_url(org: Organization) -> str:
    return f"/ja/organizations/{org.key}/edit/"


def history_url(org: Organization) -> str:
    return f"/ja/organizations/{org.key}/history/"


def profile_data(org: Organization, **changes: str) -> dict[str, str]:
    data = {name: getattr(org, name) for name in PROFILE_FIELDS}
    data.update(changes)
    return data


def stored(org: Organization) -> dict[str, Any]:
    return dict(Organization.objects.filter(pk=org.pk).values(*PROFILE_FIELDS, "search_text").get())


def upload(content: str, name: str = "organizations.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")


# ---------------------------------------------------------------- members


@pytest.mark.django_db
def test_member_sees_the_edit_form_of_their_own_organisation(client: Client) -> None:
    org = OrganizationFactory(city_en="Chiyoda")
    login(client, member_user(org))
    response = client.get(edit_url(org))
    assert_status(response, 200)
    content = response.content.decode()
    assert 'name="city_en"' in content
    assert 'value="Chiyoda"' in content
    assert 'name="key"' not in content  # the key is not the member's to change

    response = client.get(f"/ja/organizations/{org.key}/")
    assert edit_url(org) in response.content.decode()
    assert history_url(org) in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "secretariat"])
def test_profile_edit_is_saved_and_kept_in_history(client: Client, role: str) -> None:
    org = OrganizationFactory(city_en="Chiyoda", website="")
    user = (
        member_user(org, username="editor")
        if role == "member"
        else secretariat_user(username="editor")
    )
    login(client, user)
    response = client.post(
        edit_url(org), profile_data(org, city_en="Minato", website="https://example.org/")
    )
    assert_status(response, 302)
    assert response.headers["Location"] == f"/ja/organizations/{org.key}/"
    assert stored(org)["city_en"] == "Minato"
    assert stored(org)["website"] == "https://example.org/"
    assert "minato" in stored(org)["search_text"]
    (record,) = history_for(org)
    assert record.user == user
    assert record.changes["city_en"] == ["Chiyoda", "Minato"]

    content = client.get(history_url(org)).content.decode()
    assert "editor" in content
    assert "<strong>city_en</strong>" in content


@pytest.mark.django_db
def test_posting_the_same_values_records_nothing(client: Client) -> None:
    org = OrganizationFactory()
    login(client, member_user(org))
    response = client.post(edit_url(org), profile_data(org))
    assert_status(response, 302)
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_history_page_shows_who_changed_which_field(client: Client) -> None:
    org = OrganizationFactory(city_en="Chiyoda")
    user = member_user(org, username="hanako")
    update_profile(org, {"city_en": "Minato"}, user=user)
    login(client, user)
    response = client.get(history_url(org))
    assert_status(response, 200)
    content = response.content.decode()
    assert "<td>hanako</td>" in content
    assert "<strong>city_en</strong>" in content
    assert "Chiyoda" in content
    assert "Minato" in content
    assert "profile form" in content


@pytest.mark.django_db
def test_member_may_not_touch_another_organisation(client: Client) -> None:
    own, other = OrganizationFactory(), OrganizationFactory(city_en="Chiyoda")
    login(client, member_user(own))
    before = stored(other)
    assert_status(client.get(edit_url(other)), 403)
    assert_status(client.post(edit_url(other), profile_data(other, city_en="Hacked")), 403)
    assert_status(client.get(history_url(other)), 403)
    assert stored(other) == before
    assert not ChangeRecord.objects.exists()
    content = client.get(f"/ja/organizations/{other.key}/").content.decode()
    assert edit_url(other) not in content


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client: Client) -> None:
    org = OrganizationFactory()
    for url in (edit_url(org), history_url(org), "/ja/secretariat/import/"):
        response = client.get(url)
        assert_status(response, 302)
        assert response.headers["Location"] == f"/ja/accounts/login/?next={url}"
    response = client.post(edit_url(org), profile_data(org, city_en="Anonymous"))
    assert_status(response, 302)
    assert stored(org)["city_en"] != "Anonymous"


@pytest.mark.django_db
def test_inactive_member_has_no_rights(client: Client) -> None:
    org = OrganizationFactory()
    user = member_user(org, is_active=False)
    assert not permissions.can_edit_organization(user, org)
    with pytest.raises(PermissionDenied):
        update_profile(org, {"city_en": "Minato"}, user=user)


# ---------------------------------------------------------------- secretariat and reviewers


@pytest.mark.django_db
def test_secretariat_may_open_any_profile_history_and_the_import(client: Client) -> None:
    org = OrganizationFactory()
    login(client, secretariat_user())
    assert_status(client.get(edit_url(org)), 200)
    assert_status(client.get(history_url(org)), 200)
    response = client.get("/ja/secretariat/import/")
    assert_status(response, 200)
    assert 'type="file"' in response.content.decode()
    # reached from the secretariat's hub, which the header links
    assert 'href="/ja/secretariat/"' in response.content.decode()
    hub = client.get("/ja/secretariat/")
    assert 'href="/ja/secretariat/import/"' in hub.content.decode()


@pytest.mark.django_db
def test_secretariat_edit_through_the_service_is_recorded() -> None:
    org = OrganizationFactory(city_en="Chiyoda")
    user = secretariat_user()
    changes = update_profile(org, {"city_en": "Minato", "name_ja": org.name_ja}, user=user)
    assert changes == {"city_en": ["Chiyoda", "Minato"]}
    assert stored(org)["city_en"] == "Minato"
    (record,) = history_for(org)
    assert (record.user, record.action, record.channel) == (
        user,
        ChangeAction.UPDATE,
        "profile form",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "reviewer"])
def test_only_the_secretariat_opens_the_import_page(client: Client, role: str) -> None:
    org = OrganizationFactory()
    user = member_user(org) if role == "member" else reviewer_user()
    login(client, user)
    assert_status(client.get("/ja/secretariat/import/"), 403)
    response = client.post(
        "/ja/secretariat/import/", {"file": upload("key,name_ja,name_en\nx,y,z\n")}
    )
    assert_status(response, 403)
    assert not Organization.objects.filter(key="x").exists()


@pytest.mark.django_db
def test_reviewer_role_alone_cannot_edit(client: Client) -> None:
    org = OrganizationFactory(city_en="Chiyoda")
    reviewer = reviewer_user()
    assert not permissions.can_edit_organization(reviewer, org)
    with pytest.raises(PermissionDenied):
        update_profile(org, {"city_en": "Minato"}, user=reviewer)
    login(client, reviewer)
    assert_status(client.get(edit_url(org)), 403)
    assert_status(client.post(edit_url(org), profile_data(org, city_en="Minato")), 403)
    assert stored(org)["city_en"] == "Chiyoda"


@pytest.mark.django_db
def test_update_profile_refuses_another_member_and_anonymous() -> None:
    own, other = OrganizationFactory(), OrganizationFactory(city_en="Chiyoda")
    member = member_user(own)
    with pytest.raises(PermissionDenied):
        update_profile(other, {"city_en": "Minato"}, user=member)
    with pytest.raises(PermissionDenied):
        update_profile(other, {"city_en": "Minato"}, user=None)
    with pytest.raises(PermissionDenied):
        update_profile(other, {"city_en": "Minato"}, user=UserFactory())
    assert stored(other)["city_en"] == "Chiyoda"
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_update_profile_records_nothing_when_nothing_changes() -> None:
    org = OrganizationFactory()
    member = member_user(org)
    assert update_profile(org, {f: getattr(org, f) for f in PROFILE_FIELDS}, user=member) == {}
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_update_profile_ignores_fields_outside_the_profile() -> None:
    org = OrganizationFactory(key="fixed-key", city_en="Chiyoda")
    member = member_user(org)
    changes = update_profile(
        org, {"key": "new-key", "source": "me", "city_en": "Minato"}, user=member
    )
    assert set(changes) == {"city_en"}
    assert Organization.objects.filter(key="fixed-key").exists()


# ---------------------------------------------------------------- bad input


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("website", "not a url"),
        ("corporate_number", "123"),
        ("corporate_number", "1234567890123"),
        ("ror_id", "not-a-ror"),
        ("name_en", ""),
    ],
)
def test_bad_input_is_shown_again_with_errors_and_nothing_saved(
    client: Client, field: str, value: str
) -> None:
    org = OrganizationFactory()
    login(client, member_user(org))
    before = stored(org)
    response = client.post(edit_url(org), profile_data(org, city_en="Minato", **{field: value}))
    assert_status(response, 400)
    assert field in response.context["form"].errors
    content = response.content.decode()
    assert 'class="errorlist' in content
    assert f'name="{field}"' in content
    assert stored(org) == before
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_update_profile_validates_like_the_form() -> None:
    from django.core.exceptions import ValidationError

    org = OrganizationFactory()
    member = member_user(org)
    before = stored(org)
    with pytest.raises(ValidationError) as caught:
        update_profile(org, {"corporate_number": "123", "city_en": "Minato"}, user=member)
    assert "corporate_number" in caught.value.message_dict
    assert stored(org) == before
    assert not ChangeRecord.objects.exists()


# ---------------------------------------------------------------- import page


@pytest.mark.django_db
def test_import_dry_run_reports_and_changes_nothing(client: Client) -> None:
    OrganizationFactory(key="existing", name_ja="既存", name_en="Existing")
    login(client, secretariat_user())
    count = Organization.objects.count()
    csv = "key,name_ja,name_en\nnew-org,新しい機関,New Organisation\nexisting,既存,Existing Ltd\n"
    response = client.post("/ja/secretariat/import/", {"file": upload(csv), "dry_run": "on"})
    assert_status(response, 200)
    content = response.content.decode()
    assert 'data-testid="import-ok"' in content
    report = response.context["report"]
    assert (report.dry_run, report.rows, report.created, report.updated) == (True, 2, 1, 1)
    assert Organization.objects.count() == count
    assert Organization.objects.get(key="existing").name_en == "Existing"
    assert not ImportRun.objects.exists()
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_import_without_dry_run_creates_and_updates(client: Client) -> None:
    OrganizationFactory(key="existing", name_ja="既存", name_en="Existing")
    user = secretariat_user(username="jimukyoku")
    login(client, user)
    csv = (
        "key,name_ja,name_en,kinds,prefecture\n"
        "new-org,新しい機関,New Organisation,university,東京都\n"
        "existing,既存,Existing Ltd,,\n"
    )
    response = client.post("/ja/secretariat/import/", {"file": upload(csv)})
    assert_status(response, 200)
    report = response.context["report"]
    assert (report.ok, report.dry_run, report.created, report.updated) == (True, False, 1, 1)
    new = Organization.objects.get(key="new-org")
    assert (new.name_en, new.prefecture, new.kind_codes) == (
        "New Organisation",
        "13",
        ["university"],
    )
    assert Organization.objects.get(key="existing").name_en == "Existing Ltd"
    run = ImportRun.objects.get()
    assert (run.user, run.created, run.updated) == (user, 1, 1)
    assert {r.action for r in ChangeRecord.objects.all()} == {
        ChangeAction.CREATE,
        ChangeAction.UPDATE,
    }
    assert all(r.channel.startswith(f"import #{run.pk}") for r in ChangeRecord.objects.all())
    assert "jimukyoku" in client.get("/ja/secretariat/import/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name"),
    [
        (
            "key,name_ja,name_en,kinds\nBad Key,x,y,bogus\ngood-key,よい,Good,university\n",
            "bad.csv",
        ),
        ("name_ja,name_en\nx,y\n", "no-key.csv"),
        ("\x00\x01\x02 not a spreadsheet", "junk.xlsx"),
    ],
)
def test_bad_import_file_is_400_with_the_problems_and_changes_nothing(
    client: Client, content: str, name: str
) -> None:
    OrganizationFactory(key="existing")
    login(client, secretariat_user())
    count = Organization.objects.count()
    client.raise_request_exception = False
    response = client.post("/ja/secretariat/import/", {"file": upload(content, name)})
    assert_status(response, 400)
    html = response.content.decode()
    assert 'data-testid="import-errors"' in html
    assert response.context["report"].errors
    assert Organization.objects.count() == count
    assert not Organization.objects.filter(key="good-key").exists()
    assert not ImportRun.objects.exists()
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_bad_import_file_names_row_and_column(client: Client) -> None:
    login(client, secretariat_user())
    csv = "key,name_ja,name_en,kinds\nBad Key,x,y,bogus\n"
    response = client.post("/ja/secretariat/import/", {"file": upload(csv)})
    assert_status(response, 400)
    cells = {(e.row, e.column, e.value) for e in response.context["report"].errors}
    assert cells == {(2, "key", "Bad Key"), (2, "kinds", "bogus")}
    assert "<td>2</td><td>key</td><td>Bad Key</td>" in response.content.decode()


@pytest.mark.django_db
def test_import_form_without_a_file_is_400(client: Client) -> None:
    login(client, secretariat_user())
    response = client.post("/ja/secretariat/import/", {"dry_run": "on"})
    assert_status(response, 400)
    assert "file" in response.context["form"].errors
