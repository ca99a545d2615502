import pytest
from django.test import Client
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.factories import secretariat_user, UserFactory, MarketDomainFactory, OrganizationFactory
from tests.conftest import login
from biocommunity.core.models import ChangeRecord
from biocommunity.registry.models import Organization, ImportRun


@pytest.mark.django_db
def test_explore(client: Client):
    OrganizationFactory(key="existing")
    login(client, secretariat_user())
    csv = "key,name_ja,name_en\nnew-org,新機関,New Organisation\n".encode()
    r = client.post(
        "/ja/secretariat/import/",
        {"file": SimpleUploadedFile("orgs.csv", csv, "text/csv"), "dry_run": "on"},
    )
    print(r.status_code, Organization.objects.count(), ImportRun.objects.count())
    c = r.content.decode()
    print(c[c.find("<main") :][:1500])
    r = client.post(
        "/ja/secretariat/import/", {"file": SimpleUploadedFile("orgs.csv", csv, "text/csv")}
    )
    print(
        r.status_code,
        Organization.objects.count(),
        ImportRun.objects.count(),
        ChangeRecord.objects.count(),
    )
    bad = "key,name_ja,name_en,kinds\nBad Key,x,y,bogus\n".encode()
    r = client.post(
        "/ja/secretariat/import/", {"file": SimpleUploadedFile("bad.csv", bad, "text/csv")}
    )
    print(r.status_code, Organization.objects.count())
    c = r.content.decode()
    print(c[c.find("<main") :][:1500])
    su = UserFactory(username="root", is_superuser=True, is_staff=True)
    login(client, su)
    d = MarketDomainFactory(number=3)
    r = client.get(f"/ja/admin/registry/marketdomain/{d.pk}/change/")
    print(r.status_code)
    r = client.post(
        f"/ja/admin/registry/marketdomain/{d.pk}/change/",
        {
            "number": 3,
            "key": "domain-3",
            "name_ja": "変更",
            "name_en": "Market domain 3",
            "source": "",
            "as_of": "",
        },
    )
    print(
        r.status_code,
        r.headers.get("Location"),
        list(
            ChangeRecord.objects.filter(channel="admin").values(
                "action", "changes", "user__username"
            )
        ),
    )
