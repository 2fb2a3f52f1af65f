"""``o2c users`` and ``o2c console`` as a person runs them, and the console ``o2c demo --keep-running`` starts."""

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from typer.testing import CliRunner

import bots.cli.users  # noqa: F401  (registers the commands)
from bots.cli.main import app

runner = CliRunner()
O2C = str(Path(sys.executable).with_name("o2c"))


@pytest.fixture
def home(tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    from bots.runtime.web import users as user_module

    # Real argon2 at a low cost (tests/test_web.py signs in at the real cost).
    monkeypatch.setattr(user_module, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.delenv("O2C_DATABASE_URL", raising=False)
    monkeypatch.setenv("O2C_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def users(*args, password: str | None = None):
    return runner.invoke(app, ["users", *args], input=None if password is None else password + "\n")


def test_users_add_list_passwd_disable(home):
    added = users("add", "sam", "--role", "supervisor", "--json", password="a long enough password")
    assert added.exit_code == 0, added.output
    assert json.loads(added.output) == {"user": {"name": "sam", "role": "supervisor"}}
    assert "a long enough password" not in added.output
    assert users("add", "sam", "--role", "viewer", password="another long one").exit_code == 2
    short = users("add", "vera", "--role", "viewer", "--json", password="short")
    assert short.exit_code == 2 and "at least" in json.loads(short.output)["error"]
    assert users("add", "rolf", "--role", "admin", password="a long enough password").exit_code == 2
    assert users("passwd", "sam", password="a new long password").exit_code == 0
    assert users("disable", "sam").exit_code == 0
    [listed] = json.loads(users("list", "--json").output)["users"]
    assert listed["name"] == "sam" and listed["disabled"] is True and "password_hash" not in listed
    assert users("disable", "nobody").exit_code == 2


def test_the_password_is_never_an_argument():
    result = runner.invoke(app, ["users", "add", "--help"])
    assert "--password" not in result.output


def test_o2c_console_serves_the_sign_in_page(home, tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([O2C, "console", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=2) as answer:
                    assert answer.status == 200 and b"Sign in" in answer.read()
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stdout.read()
                time.sleep(0.3)
    finally:
        process.terminate()
        output = process.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{port}/" in output and "o2c users add" in output


def test_the_demo_console_signs_the_supervisor_in(console_world, tmp_path, page):
    from bots.demo.console import start_console

    demo = SimpleNamespace(queue=console_world.queue, folder=tmp_path / "demo")
    server, user, password = start_console(demo, port=0)
    try:
        page.goto(server.url + "/")
        page.get_by_label("User name").fill(user)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("table", name="Work items").locator("tbody tr")).to_have_count(4)
    finally:
        server.stop()
    again, _, second = start_console(demo, port=0)  # a second demo run: a new password, the old one no longer works
    again.stop()
    assert second != password
