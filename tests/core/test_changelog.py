"""The change history: snapshot/diff/record_change, and the admin writing into it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory

from biocommunity.core.admin import ChangeLoggedAdmin
from biocommunity.core.changelog import build_record, diff, history_for, record_change, snapshot
from biocommunity.core.models import ChangeAction, ChangeRecord
from biocommunity.registry.models import MarketDomain, Organization
from tests.conftest import assert_status, login
from tests.factories import MarketDomainFactory, OrganizationFactory, UserFactory


def superuser(username: str = "root") -> object:
    return UserFactory(username=username, is_superuser=True, is_staff=True)


# ---------------------------------------------------------------- snapshot and diff


def test_snapshot_makes_values_json_friendly() -> None:
    obj = SimpleNamespace(
        name="x",
        amount=Decimal("1.50"),
        day=date(2022, 4, 1),
        moment=datetime(2022, 4, 1, 9, 30),
        items=("a", Decimal("2")),
        nothing=None,
        flag=True,
    )
    values = snapshot(obj, ["name", "amount", "day", "moment", "items", "nothing", "flag"])  # type: ignore[arg-type]
    assert values == {
        "name": "x",
        "amount": "1.50",
        "day": "2022-04-01",
        "moment": "2022-04-01T09:30:00",
        "items": ["a", "2"],
        "nothing": None,
        "flag": True,
    }


@pytest.mark.django_db
def test_snapshot_of_a_foreign_key_is_its_primary_key() -> None:
    parent = OrganizationFactory()
    child = OrganizationFactory(parent=parent)
    assert snapshot(child, ["parent", "parent_id"]) == {
        "parent": str(parent.pk),
        "parent_id": parent.pk,
    }


def test_diff_lists_only_changed_fields_as_old_new() -> None:
    before = {"a": 1, "b": "x", "c": None}
    after = {"a": 1, "b": "y", "c": "", "d": "new"}
    assert diff(before, after) == {"b": ["x", "y"], "c": [None, ""], "d": [None, "new"]}
    assert diff(after, after) == {}
    assert diff({}, {}) == {}


# ---------------------------------------------------------------- record_change


@pytest.mark.django_db
def test_record_change_writes_who_what_and_how() -> None:
    org = OrganizationFactory(city_en="Chiyoda")
    user = UserFactory()
    record = record_change(
        org,
        action=ChangeAction.UPDATE,
        changes={"city_en": ["Chiyoda", "Minato"]},
        user=user,
        channel="profile form",
    )
    assert record is not None
    stored = ChangeRecord.objects.get()
    assert stored == record
    assert stored.user == user
    assert stored.content_type == ContentType.objects.get_for_model(Organization)
    assert stored.object_id == str(org.pk)
    assert stored.object_repr == str(org)
    assert stored.action == ChangeAction.UPDATE
    assert stored.channel == "profile form"
    assert stored.changes == {"city_en": ["Chiyoda", "Minato"]}
    assert stored.time is not None
    assert list(history_for(org)) == [stored]


@pytest.mark.django_db
def test_an_update_that_changed_nothing_writes_no_record() -> None:
    org = OrganizationFactory()
    assert (
        record_change(org, action=ChangeAction.UPDATE, changes={}, user=None, channel="x") is None
    )
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", [ChangeAction.CREATE, ChangeAction.DELETE])
def test_creations_and_deletions_are_recorded_even_without_field_changes(
    action: ChangeAction,
) -> None:
    org = OrganizationFactory()
    assert record_change(org, action=action, changes={}, channel="dataset") is not None
    assert ChangeRecord.objects.get().action == action


@pytest.mark.django_db
def test_anonymous_user_is_stored_as_nobody_and_long_text_is_cut() -> None:
    org = OrganizationFactory(name_en="N" * 300)
    record = record_change(
        org,
        action=ChangeAction.CREATE,
        changes={"name_en": [None, org.name_en]},
        user=AnonymousUser(),
        channel="import " + "x" * 300,
    )
    assert record is not None
    record.refresh_from_db()
    assert record.user is None
    assert len(record.channel) == 200
    assert len(record.object_repr) == 300


@pytest.mark.django_db
def test_build_record_does_not_save() -> None:
    org = OrganizationFactory()
    record = build_record(org, action=ChangeAction.UPDATE, changes={"a": [1, 2]}, channel="bulk")
    assert record.pk is None
    assert not ChangeRecord.objects.exists()


@pytest.mark.django_db
def test_history_is_per_object_and_newest_first() -> None:
    first, second = OrganizationFactory(), OrganizationFactory()
    # Another model's row with the same primary key must not show up in the history.
    same_pk = MarketDomain.objects.create(
        pk=first.pk, number=3, key="d3", name_ja="三", name_en="Three"
    )
    for n in range(3):
        record_change(first, action=ChangeAction.UPDATE, changes={"n": [n, n + 1]}, channel="c")
    record_change(second, action=ChangeAction.UPDATE, changes={"n": [0, 1]}, channel="c")
    record_change(same_pk, action=ChangeAction.UPDATE, changes={"n": [0, 1]}, channel="c")
    history = list(history_for(first))
    assert [r.changes["n"] for r in history] == [[2, 3], [1, 2], [0, 1]]
    assert len(history_for(second)) == 1
    assert len(history_for(same_pk)) == 1


# ---------------------------------------------------------------- admin


@pytest.mark.django_db
def test_admin_change_view_writes_an_admin_record(client: Client) -> None:
    user = superuser()
    domain = MarketDomainFactory(number=3, key="domain-3", name_ja="市場領域3", name_en="Domain 3")
    login(client, user)
    url = f"/ja/admin/registry/marketdomain/{domain.pk}/change/"
    assert_status(client.get(url), 200)
    response = client.post(
        url,
        {
            "number": 3,
            "key": "domain-3",
            "name_ja": "変更後",
            "name_en": "Domain 3",
            "source": "",
            "as_of": "",
        },
    )
    assert_status(response, 302)
    assert MarketDomain.objects.get(pk=domain.pk).name_ja == "変更後"
    (record,) = history_for(domain)
    assert (record.channel, record.action, record.user) == ("admin", ChangeAction.UPDATE, user)
    assert record.changes == {"name_ja": ["市場領域3", "変更後"]}


@pytest.mark.django_db
def test_admin_add_view_writes_a_creation(client: Client) -> None:
    login(client, superuser())
    response = client.post(
        "/ja/admin/registry/marketdomain/add/",
        {
            "number": 9,
            "key": "domain-9",
            "name_ja": "九",
            "name_en": "Nine",
            "source": "",
            "as_of": "2024",
        },
    )
    assert_status(response, 302)
    domain = MarketDomain.objects.get(number=9)
    (record,) = history_for(domain)
    assert (record.channel, record.action) == ("admin", ChangeAction.CREATE)
    assert record.changes["name_en"] == [None, "Nine"]
    assert record.changes["as_of"] == [None, "2024"]


@pytest.mark.django_db
def test_admin_save_model_records_changes_and_refreshes_search_text() -> None:
    user = superuser()
    org = OrganizationFactory(city_en="Chiyoda", aliases="")
    model_admin = admin.site._registry[Organization]
    assert isinstance(model_admin, ChangeLoggedAdmin)
    request = RequestFactory().post("/ja/admin/")
    request.user = user

    org = Organization.objects.get(pk=org.pk)
    org.city_en = "Minato"
    org.aliases = "ミナト研究所"
    model_admin.save_model(request, org, form=None, change=True)

    stored = Organization.objects.get(pk=org.pk)
    assert stored.city_en == "Minato"
    assert "みなと研究所" in stored.search_text
    (record,) = history_for(org)
    assert (record.channel, record.action, record.user) == ("admin", ChangeAction.UPDATE, user)
    assert record.changes == {"city_en": ["Chiyoda", "Minato"], "aliases": ["", "ミナト研究所"]}

    model_admin.save_model(request, stored, form=None, change=True)  # nothing changed
    assert len(history_for(org)) == 1


@pytest.mark.django_db
def test_admin_delete_is_recorded() -> None:
    user = superuser()
    domain = MarketDomainFactory(number=4)
    pk = domain.pk
    request = RequestFactory().post("/ja/admin/")
    request.user = user
    admin.site._registry[MarketDomain].delete_model(request, domain)
    assert not MarketDomain.objects.filter(pk=pk).exists()
    record = ChangeRecord.objects.get(object_id=str(pk))
    assert (record.action, record.channel, record.user) == (ChangeAction.DELETE, "admin", user)


@pytest.mark.django_db
def test_change_records_cannot_be_edited_in_the_admin(client: Client) -> None:
    login(client, superuser())
    org = OrganizationFactory()
    record = record_change(org, action=ChangeAction.CREATE, changes={}, channel="dataset")
    assert record is not None
    assert_status(client.get("/ja/admin/core/changerecord/add/"), 403)
    response = client.post(
        f"/ja/admin/core/changerecord/{record.pk}/change/", {"channel": "forged", "changes": "{}"}
    )
    assert response.status_code in (200, 403)
    assert ChangeRecord.objects.get(pk=record.pk).channel == "dataset"
    assert_status(
        client.post(f"/ja/admin/core/changerecord/{record.pk}/delete/", {"post": "yes"}), 403
    )
    assert ChangeRecord.objects.filter(pk=record.pk).exists()
