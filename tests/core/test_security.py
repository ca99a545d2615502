import pytest
from django.test import Client
from django.conf import settings
from tests.factories import UserFactory, PASSWORD


@pytest.mark.django_db
def test_explore(client: Client):
    u = UserFactory(username="alice")
    for i in range(settings.AXES_FAILURE_LIMIT):
        r = client.post("/ja/accounts/login/", {"username": "alice", "password": "wrong"})
        print(i, r.status_code)
    r = client.post("/ja/accounts/login/", {"username": "alice", "password": PASSWORD})
    print(r.status_code, r.headers.get("Location"), "_auth_user_id" in client.session)
    print(r.content.decode()[r.content.decode().find("<main") :][:400])
    c2 = Client()
    r = c2.post("/ja/accounts/login/", {"username": "alice", "password": PASSWORD})
    print("c2", r.status_code)
    UserFactory(username="bob")
    r = c2.post("/ja/accounts/login/", {"username": "bob", "password": PASSWORD})
    print("bob", r.status_code, r.headers.get("Location"))
    r = Client(enforce_csrf_checks=True).post(
        "/ja/accounts/login/", {"username": "bob", "password": PASSWORD}
    )
    print("csrf", r.status_code)
    r = client.get("/ja/accounts/login/")
    for h in [
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Permissions-Policy",
        "Cross-Origin-Opener-Policy",
    ]:
        print(h, r.headers.get(h))
