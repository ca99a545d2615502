import json
import pytest
from django.test import Client

@pytest.mark.django_db
def test_explore(gtb, client: Client):
    r = client.get("/api/organizations?page_size=2")
    print(json.dumps(json.loads(r.content), ensure_ascii=False, indent=1)[:3000])
    r = client.get("/api/organizations?kind=bogus&page=0&hub=x")
    print(r.status_code, r.content.decode())
    r = client.get("/api/organizations/nope")
    print(r.status_code, r.content.decode())
    r = client.get("/api/hubs/nope")
    print(r.status_code, r.content.decode())
    r = client.get("/api/communities/nope")
    print(r.status_code, r.content.decode())
    r = client.get("/api/communities")
    print(r.status_code, r.content.decode()[:1000])
    r = client.get("/api/openapi.json")
    s = json.loads(r.content)
    print(s["openapi"], list(s["paths"]))
    print(json.dumps(s["paths"]["/api/organizations"], indent=1)[:2500])
    r = client.get("/api/organizations?q=" + "<script>' OR 1=1 --")
    print(r.status_code, r.content.decode()[:300])
    r = client.get("/api/organizations?page_size=1000")
    print(r.status_code, r.content.decode()[:300])
    r = client.get("/api/hubs?community=nope")
    print(r.status_code, r.content.decode()[:300])
