"""The browser's defences over HTTP, as an attacker would probe them: the security headers on
every route, a forged Host header, and a link that would switch who a browser is."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from board import config as board_config
from tests.conftest import build_app
from tests.test_http import csrf_from
from tests.test_proposals import Demo, bearer, ok, promote_repair_cafe
from tests.test_proposals import demo as demo

FOREIGN = "evil.example"
#: An address no interface of this machine has (TEST-NET-3).
FOREIGN_IP = "203.0.113.7"


def _app(folder: Path, **config: Any) -> Flask:
    folder.mkdir()
    return build_app(folder, **config)


def _assert_headers(answer: Any, where: str) -> None:
    headers = answer.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    if answer.request.path.startswith("/static/"):
        # Not a document: the page that loads it carries the policy (see board.web.security).
        assert "Content-Security-Policy" not in headers, where
        return
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ") if d}
    assert directives.get("script-src") == ["'self'"], (where, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (where, csp)
    assert directives.get("object-src") == ["'none'"], (where, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (where, csp)
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in ("no-referrer", "same-origin"), where
    features = headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation"):
        assert f"{feature}=()" in features, (where, features)


def _sample_url(rule: Any, values: dict[str, Any]) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[a-z]+:)?{name}>", str(values.get(name, 1)), url)
    return url


def test_every_route_answers_with_the_security_headers(app: Flask, demo: Demo) -> None:
    """Walk every route of the app (pages, API, forms, static, schema), each method, plus
    a 404, a 405, an oversized body and Socket.IO's own endpoint."""
    client = app.test_client()
    values = {"code": demo.code, "token": demo.lead, "filename": "css/board.css"}
    seen = 0
    for rule in app.url_map.iter_rules():
        url = _sample_url(rule, values)
        for method in sorted((rule.methods or set()) - {"OPTIONS"}):
            answer = client.open(url, method=method, headers=bearer(demo.lead))
            assert answer.status_code < 500, (method, url, answer.status_code)
            _assert_headers(answer, f"{method} {url} ({answer.status_code})")
            answer.close()  # a static file's answer holds the file open
            seen += 1
    assert seen > 60  # the walk reached the whole app, not one blueprint
    extra = [
        client.get("/no/such/page"),
        client.get("/api/v1/no/such/route"),
        client.delete("/"),
        client.post(f"/api/v1/boards/{demo.code}/participants", data="x" * 300_000),
        client.get("/socket.io/?EIO=4&transport=polling"),
    ]
    for answer in extra:
        _assert_headers(answer, f"{answer.request.path} ({answer.status_code})")


def test_the_socket_connects_to_its_own_host_under_the_policy(client: FlaskClient) -> None:
    csp = client.get("/", headers={"Host": "127.0.0.1:5000"}).headers["Content-Security-Policy"]
    connect = next(d for d in csp.split("; ") if d.startswith("connect-src "))
    assert connect.split()[1:] == ["'self'", "ws://127.0.0.1:5000", "wss://127.0.0.1:5000"]


def test_hsts_only_when_serving_https(tmp_path: Path) -> None:
    plain = _app(tmp_path / "plain").test_client()
    assert "Strict-Transport-Security" not in plain.get("/").headers
    over_https = plain.get("/", base_url="https://board.test")
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    secure = _app(tmp_path / "secure", SESSION_COOKIE_SECURE=True).test_client()
    assert secure.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


# -- the Host header ------------------------------------------------------------------------


def _create(client: FlaskClient, host: str) -> Any:
    return client.post(
        "/api/v1/boards",
        json={"title": "Westcliff 2030", "prompt": "What would make our streets better?"},
        headers={"Host": host},
    )


@pytest.mark.parametrize(
    "host", [FOREIGN, f"{FOREIGN}:5000", FOREIGN_IP, "board.test.evil.example"]
)
def test_a_foreign_host_is_refused_everywhere(client: FlaskClient, host: str) -> None:
    """DNS rebinding and Host injection: another name for this server gets a 400, never
    a page, an API answer or a live connection."""
    made = _create(client, host)
    assert made.status_code == 400
    assert made.get_json()["error"]["code"] == "bad_request"
    page = client.get("/", headers={"Host": host})
    assert page.status_code == 400 and b"host name" in page.data
    _assert_headers(page, "refused page")
    live = client.get("/socket.io/?EIO=4&transport=polling", headers={"Host": host})
    assert live.status_code == 400
    _assert_headers(live, "refused socket")


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:5000", "127.0.0.1:5000", "127.0.0.2:8000", "[::1]:5000"]
)
def test_the_servers_own_names_are_answered(client: FlaskClient, host: str) -> None:
    made = _create(client, host)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.get_json()["enter_url"].startswith(f"http://{host}/b/")


def _own_lan_address() -> str | None:
    """This machine's address on its network, as a phone in the hall would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((FOREIGN_IP, 9))  # UDP: picks a route, sends nothing
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


def test_phones_reaching_the_laptop_by_its_address_are_answered(client: FlaskClient) -> None:
    """The venue's case: no setting, phones type the laptop's Wi-Fi address."""
    address = _own_lan_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    made = _create(client, f"{address}:5000")
    assert made.status_code == 201
    assert made.get_json()["enter_url"].startswith(f"http://{address}:5000/b/")


def test_allowed_hosts_adds_names_and_star_answers_any_without_trusting_it(
    tmp_path: Path,
) -> None:
    named = _app(tmp_path / "named", BOARD_ALLOWED_HOSTS=("board.council.example",))
    made = _create(named.test_client(), "board.council.example")
    assert made.get_json()["enter_url"].startswith("http://board.council.example/b/")
    assert _create(named.test_client(), FOREIGN).status_code == 400
    anything = _app(tmp_path / "any", BOARD_ALLOWED_HOSTS=("*",))
    made = _create(anything.test_client(), FOREIGN)
    assert made.status_code == 201
    url = made.get_json()["enter_url"]
    assert FOREIGN not in url and url.startswith(anything.config["SERVER_URL"] + "/b/")


def test_the_public_url_wins_over_any_host(tmp_path: Path) -> None:
    app = build_app(tmp_path, BOARD_PUBLIC_URL="https://board.council.example")
    client = app.test_client()
    for host in ("board.council.example", "localhost:5000"):
        made = _create(client, host)
        assert made.status_code == 201
        assert made.get_json()["enter_url"].startswith("https://board.council.example/b/")


@pytest.mark.parametrize(
    "host",
    [
        "localhost/evil.example",
        "localhost@evil.example",
        "localhost:5000\\@evil.example",
        "localhost:99999",
        "",
    ],
)
def test_hosts_that_are_not_plain_names_make_no_links(host: str) -> None:
    config = {"SERVER_URL": "http://127.0.0.1:5000", "BOARD_ALLOWED_HOSTS": ("*",)}
    assert not board_config.host_listed(config, host)
    assert board_config.links_base(config, host) == "http://127.0.0.1:5000"


def test_a_server_listening_everywhere_links_to_an_address_people_can_open() -> None:
    assert board_config._server_url("0.0.0.0", "5000") == "http://127.0.0.1:5000"
    assert board_config._server_url("::", "5000") == "http://[::1]:5000"


def test_a_forged_host_reaches_no_proposal_export(app: Flask, demo: Demo) -> None:
    """The export and the committee paper link back to the board by our own address, even
    on a server told to answer any Host."""
    app.config["BOARD_ALLOWED_HOSTS"] = ("*",)
    board = demo
    client = app.test_client()
    made = promote_repair_cafe(client, board)
    forged = {"Host": FOREIGN, **bearer(board.lead)}
    base = f"/api/v1/boards/{board.code}/proposals"
    export = ok(client.get(f"{base}/{made['id']}/export", headers=forged))
    text = repr(export)
    assert FOREIGN not in text and export["source_url"].startswith(app.config["SERVER_URL"])
    browser = app.test_client()
    browser.get(f"/b/{board.code}/enter/{board.lead}", headers={"Host": FOREIGN})
    paper = browser.get(f"/b/{board.code}/proposals/{made['id']}/paper", headers={"Host": FOREIGN})
    assert paper.status_code == 200
    html = paper.get_data(as_text=True)
    assert FOREIGN not in html.replace(f"//{FOREIGN}/static", "")


# -- switching who a browser is -------------------------------------------------------------


def _me(browser: FlaskClient, code: str) -> str | None:
    """Who the board page says this browser is (the snapshot's ``me``)."""
    page = browser.get(f"/b/{code}")
    if page.status_code != 200:
        return None
    found = re.search(
        r'<script type="application/json" id="board-snapshot">(.*?)</script>',
        page.get_data(as_text=True),
        re.S,
    )
    assert found
    me = json.loads(found.group(1))["me"]
    return me.get("name") or me.get("display_name")


def _join(client: FlaskClient, code: str, name: str) -> str:
    joined = client.post(f"/api/v1/boards/{code}/participants", json={"display_name": name})
    assert joined.status_code == 201
    return str(joined.get_json()["token"])


def test_another_persons_link_asks_before_switching(app: Flask) -> None:
    api = app.test_client()
    board = _create(api, "board.test").get_json()
    code = board["board"]["code"]
    aisha, dev = _join(api, code, "Aisha"), _join(api, code, "Dev")
    browser = app.test_client()
    assert browser.get(f"/b/{code}/enter/{aisha}").status_code == 302
    assert _me(browser, code) == "Aisha"

    asked = browser.get(f"/b/{code}/enter/{dev}")
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "You are signed in as Aisha on this board. Continue as Dev instead?" in html
    assert asked.headers["Cache-Control"] == "no-store"
    assert _me(browser, code) == "Aisha"  # opening the link alone switched nothing

    forged = browser.post(f"/b/{code}/enter/{dev}", data={})
    assert forged.status_code == 400  # no CSRF token: what a page elsewhere would send
    assert _me(browser, code) == "Aisha"

    switched = browser.post(f"/b/{code}/enter/{dev}", data={"csrf_token": csrf_from(html)})
    assert switched.status_code == 302 and switched.headers["Location"].endswith(f"/b/{code}")
    assert _me(browser, code) == "Dev"


def test_your_own_link_and_a_fresh_browser_sign_in_as_before(app: Flask) -> None:
    api = app.test_client()
    code = _create(api, "board.test").get_json()["board"]["code"]
    aisha = _join(api, code, "Aisha")
    fresh = app.test_client()
    assert fresh.get(f"/b/{code}/enter/{aisha}").status_code == 302
    assert _me(fresh, code) == "Aisha"
    again = fresh.get(f"/b/{code}/enter/{aisha}")
    assert again.status_code == 302 and _me(fresh, code) == "Aisha"
    assert fresh.get(f"/b/{code}/enter/not-a-token").status_code == 404
    assert fresh.post(f"/b/{code}/enter/not-a-token", data={}).status_code in (400, 404)
