"""The shared web layer (bots.runtime.web): sign-in, roles, CSRF, headers, throttling, sessions, serving.

A tiny app built the way another app would use the layer; requests go through Flask's
test client (and once through waitress) so every rule is checked without a browser.
"""

import re
import urllib.request
from datetime import datetime, timezone

import pytest
from flask import Blueprint

from bots.runtime.clock import FixedClock
from bots.runtime.store.engine import make_engine, upgrade
from bots.runtime.web import BackgroundServer, Realm, User, UserError, UserStore, create_web_app, requires

STAFF = Realm("console", roles=("viewer", "operator", "supervisor"))
CONTACTS = Realm("portal", roles=("contact",))
PASSWORD = "correct horse battery"


@pytest.fixture
def cheap_hashes(monkeypatch):
    """Real argon2id at a low cost, so the many sign-ins here take milliseconds;
    test_passwords_are_hashed_with_argon2id checks the cost used in production."""
    from argon2 import PasswordHasher

    from bots.runtime.web import users

    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def test_passwords_are_hashed_with_argon2id():
    from bots.runtime.web.users import hash_password, verify_password

    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,")
    assert verify_password(hashed, PASSWORD)


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'o2c.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def users(engine, clock, cheap_hashes):
    store = UserStore(engine, STAFF, clock)
    store.add("vera", "viewer", PASSWORD)
    store.add("sam", "supervisor", PASSWORD)
    return store


def make_app(directory, engine, clock, **options):
    app = create_web_app(__name__, title="Test app", directory=directory, engine=engine, secret_key=b"k" * 32,
                         home_endpoint="pages.home", clock=clock, **options)
    pages = Blueprint("pages", __name__)

    @pages.get("/")
    def home():
        return "home page"

    @pages.get("/items/<int:item_id>")
    def item(item_id):
        return f"item {item_id}"

    @pages.post("/items/<int:item_id>/retry")
    @requires("operator")
    def retry(item_id):
        return f"retried {item_id}"

    app.register_blueprint(pages)
    return app


@pytest.fixture
def app(users, engine, clock):
    return make_app(users, engine, clock)


def token_of(client, path="/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, name, password=PASSWORD, **extra):
    return client.post("/sign-in", data={"name": name, "password": password, "csrf_token": token_of(client), **extra})


def test_every_route_sends_an_anonymous_request_to_sign_in(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("auth.sign_in", "static", "web.static"):
            continue
        path = rule.build({name: 1 for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = client.open(path, method=method)
            assert answer.status_code in (302, 400), (method, path, answer.status_code)
            if answer.status_code == 302:
                assert answer.headers["Location"].startswith("/sign-in"), (method, path)
            assert b"home page" not in answer.data and b"retried" not in answer.data


def test_sign_in_reaches_the_page_asked_for_and_sign_out_ends_it(app):
    client = app.test_client()
    assert client.get("/items/7").headers["Location"] == "/sign-in?next=/items/7"
    answer = sign_in(client, "sam", next="/items/7")
    assert answer.status_code == 302 and answer.headers["Location"] == "/items/7"
    assert client.get("/items/7").get_data(as_text=True) == "item 7"
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/sign-in?next=/").get_data(as_text=True) or "")
    client.post("/sign-out", data={"csrf_token": _session_token(client)})
    assert client.get("/items/7").status_code == 302
    assert token is None  # signed in, /sign-in only redirects


def _session_token(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


def test_a_wrong_password_or_a_user_of_another_realm_does_not_sign_in(app, engine, clock):
    UserStore(engine, CONTACTS, clock).add("carla", "contact", PASSWORD)
    client = app.test_client()
    assert sign_in(client, "sam", "wrong password!").status_code == 401
    assert sign_in(client, "carla").status_code == 401
    assert client.get("/").status_code == 302


def test_next_never_leads_to_another_site(app):
    client = app.test_client()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = sign_in(client, "sam", next=target)
        assert answer.headers["Location"] == "/", target
        client.post("/sign-out", data={"csrf_token": _session_token(client)})


def test_a_post_without_the_csrf_token_is_refused(app):
    client = app.test_client()
    sign_in(client, "sam")
    assert client.post("/items/3/retry").status_code == 400
    assert client.post("/items/3/retry", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/items/3/retry", headers={"X-CSRF-Token": _session_token(client)}).data == b"retried 3"
    assert client.post("/sign-in", data={"name": "sam", "password": PASSWORD}).status_code == 400


def test_the_role_is_checked_on_the_server(app):
    client = app.test_client()
    sign_in(client, "vera")
    answer = client.post("/items/3/retry", data={"csrf_token": _session_token(client)})
    assert answer.status_code == 403
    assert b"viewer" in answer.data and b"retried" not in answer.data


def test_security_headers_on_every_answer(app):
    client = app.test_client()
    assert client.get("/static/web/style.css").status_code == 200
    for answer in (client.get("/sign-in"), client.get("/"), client.get("/static/web/style.css")):
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Referrer-Policy"]


def test_cookies_are_http_only_same_site_and_secure_under_https(app):
    plain = app.test_client()
    cookie = sign_in(plain, "sam").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = app.test_client()
    page = secure.get("/sign-in", base_url="https://console.example").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = secure.post("/sign-in", base_url="https://console.example",
                         data={"name": "sam", "password": PASSWORD, "csrf_token": token})
    assert "Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"]


def test_failed_sign_ins_slow_down_per_user(app, clock):
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "sam", "wrong password!").status_code == 401
    assert sign_in(client, "sam", "wrong password!").status_code == 401  # the 4th counts and blocks
    blocked = sign_in(client, "sam")  # even the right password waits
    assert blocked.status_code == 429 and b"Try again in" in blocked.data
    clock.advance(seconds=2)
    assert sign_in(client, "sam").status_code == 302


def test_failed_sign_ins_slow_down_per_address(app):
    client = app.test_client()
    for number in range(11):
        sign_in(client, f"guess{number}", "wrong password!")
    assert sign_in(client, "sam").status_code == 429  # another name, same address


def test_an_idle_session_ends(app, clock):
    client = app.test_client()
    sign_in(client, "sam")
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    answer = client.get("/")
    assert answer.status_code == 302
    assert b"without use" in client.get(answer.headers["Location"]).data


def test_disabling_a_user_or_changing_the_password_ends_their_session(app, users):
    vera, sam = app.test_client(), app.test_client()
    sign_in(vera, "vera")
    sign_in(sam, "sam")
    users.set_disabled("vera")
    users.set_password("sam", "another long password")
    assert vera.get("/").status_code == 302
    assert sam.get("/").status_code == 302
    assert sign_in(app.test_client(), "vera").status_code == 401


def test_users_are_checked_when_added(users):
    with pytest.raises(UserError, match="already"):
        users.add("sam", "viewer", PASSWORD)
    with pytest.raises(UserError, match="at least"):
        users.add("short", "viewer", "short")
    with pytest.raises(UserError, match="unknown role"):
        users.add("rolf", "admin", PASSWORD)
    row = users.list()[0]
    assert set(row) >= {"name", "role", "disabled"} and "password_hash" not in row


class ContactDirectory:
    """An app's own user table: here a dict, as customer contacts could be."""

    realm = CONTACTS

    def __init__(self, contacts):
        self.contacts = contacts

    def authenticate(self, name, password):
        if self.contacts.get(name) == password:
            return User(id=name, name=name, role="contact")
        return None

    def load(self, user_id):
        return User(id=user_id, name=user_id, role="contact") if user_id in self.contacts else None


def test_an_app_can_keep_its_own_users(engine, clock):
    app = make_app(ContactDirectory({"buyer@pinecrest.example": PASSWORD}), engine, clock)
    client = app.test_client()
    assert sign_in(client, "sam").status_code == 401
    assert sign_in(client, "buyer@pinecrest.example").status_code == 302
    assert client.get("/items/1").get_data(as_text=True) == "item 1"
    assert client.post("/items/1/retry", data={"csrf_token": _session_token(client)}).status_code == 403


def test_waitress_serves_the_app(app):
    with BackgroundServer(app) as server:
        with urllib.request.urlopen(f"{server.url}/sign-in", timeout=10) as answer:
            assert answer.status == 200
            assert "Server" not in answer.headers or "waitress" not in answer.headers["Server"].lower()
            assert b"Sign in" in answer.read()


def test_a_cookie_kept_from_before_sign_out_is_refused(app):
    client = app.test_client()
    sign_in(client, "sam")
    old_cookie = client.get_cookie("o2c_console").value
    client.post("/sign-out", data={"csrf_token": _session_token(client)})
    replay = app.test_client()
    replay.set_cookie("o2c_console", old_cookie)
    assert replay.get("/").status_code == 302
