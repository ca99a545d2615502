"""Cached facet counts follow every kind of registry write."""

from __future__ import annotations

import pytest

from biocommunity.registry.models import Classification
from biocommunity.registry.services import directory
from biocommunity.registry.services.organizations import import_organizations
from tests.factories import OrganizationFactory


def _kind_count(kind: str) -> int:
    facets = directory.facets(directory.DirectoryQuery(), language="en")
    return next((f.count for f in facets["kind"] if f.value == kind), 0)


@pytest.mark.django_db
def test_facets_are_recounted_after_a_save_an_import_and_a_delete() -> None:
    OrganizationFactory(kinds=["venture"])
    assert _kind_count("venture") == 1
    assert _kind_count("venture") == 1  # served from the cache

    OrganizationFactory(kinds=["venture"])  # model saves send signals
    assert _kind_count("venture") == 2

    data = b"key,name_ja,name_en,kinds\nbulk-one,\xe4\xb8\x80,One,venture\n"
    assert import_organizations(data, "a.csv", check_permission=False).created == 1
    assert _kind_count("venture") == 3  # bulk writes mark the counts stale themselves

    Classification.objects.filter(organization__key="bulk-one").delete()
    assert _kind_count("venture") == 2


@pytest.mark.django_db
def test_a_cached_query_and_another_page_share_counts_but_not_other_filters() -> None:
    OrganizationFactory(kinds=["venture"], prefecture="13")
    OrganizationFactory(kinds=["company"], prefecture="14")
    first = directory.facets(directory.DirectoryQuery(prefecture="13"), language="en")
    again = directory.facets(directory.DirectoryQuery(prefecture="13", page=2), language="en")
    other = directory.facets(directory.DirectoryQuery(prefecture="14"), language="en")
    assert first == again
    assert [f.value for f in first["kind"]] == ["venture"]
    assert [f.value for f in other["kind"]] == ["company"]


@pytest.mark.django_db
def test_a_kind_added_later_is_searched_and_recounted() -> None:
    org = OrganizationFactory(kinds=["company"])
    query = directory.DirectoryQuery(q="受託製造")
    assert directory.search(query, with_facets=False).total == 0
    assert directory.facets(query, language="en")["kind"] == []  # now cached

    Classification.objects.create(organization=org, kind="cdmo")  # e.g. the admin's inline
    assert [o.pk for o in directory.search(query, with_facets=False).organizations] == [org.pk]
    kinds = {f.value: f.count for f in directory.facets(query, language="en")["kind"]}
    assert kinds == {"cdmo": 1, "company": 1}

    Classification.objects.filter(organization=org, kind="cdmo").delete()
    assert directory.search(query, with_facets=False).total == 0
    assert directory.facets(query, language="en")["kind"] == []


@pytest.mark.django_db
def test_an_import_that_changes_only_kinds_refreshes_the_search_text() -> None:
    header = b"key,name_ja,name_en,kinds\n"
    import_organizations(header + b"maker,M,Maker,company\n", "a.csv", check_permission=False)
    query = directory.DirectoryQuery(q="GMP")
    assert directory.facets(query, language="en")["kind"] == []
    report = import_organizations(header + b"maker,M,Maker,cdmo\n", "b.csv", check_permission=False)
    assert report.updated == 1
    assert [o.key for o in directory.search(query, with_facets=False).organizations] == ["maker"]
    assert {f.value for f in directory.facets(query, language="en")["kind"]} == {"cdmo"}
