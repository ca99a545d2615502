import pytest
from django.test import Client
from tests.factories import OrganizationFactory, member_user
from tests.conftest import login
from biocommunity.registry.models import Organization

@pytest.mark.django_db
def test_explore(client: Client):
    org = OrganizationFactory()
    user = member_user(org)
    login(client, user)
    data = {f: getattr(org, f) for f in ["name_ja","name_en","short_name","aliases","website","city_ja","city_en","description_ja","description_en","corporate_number","ror_id"]}
    data["city_en"] = "Minato"
    r = client.post(f"/ja/organizations/{org.key}/edit/", data)
    print(r.status_code, r.headers.get("Location"))
    org.refresh_from_db()
    print(org.city_en)
    r = client.get(f"/ja/organizations/{org.key}/history/")
    print(r.content.decode()[-1500:])
