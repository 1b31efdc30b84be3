"""Issue 3's server side: filters, the projector's door, QR code, edit page, static delivery."""

from __future__ import annotations

import gzip
import io
import re

import segno
from flask import Flask
from flask.testing import FlaskClient

from board.web import pages
from tests.test_http import csrf_from


def board_with_posts(app: Flask) -> tuple[str, FlaskClient, FlaskClient, dict[str, str]]:
    facilitator = app.test_client()
    made = facilitator.post("/api/v1/boards", json={"title": "T", "tags": ["food", "arts"]})
    code = made.json["board"]["code"]
    phone = app.test_client()
    token = phone.post(f"/api/v1/boards/{code}/participants", json={"display_name": "Ravi"}).json[
        "token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    ids = {}
    for n, (kind, tag, title) in enumerate(
        [("idea", "food", "Edible beds"), ("tool", "arts", "PA system"), ("idea", "arts", "Mural")]
    ):
        ids[title] = phone.post(
            f"/api/v1/boards/{code}/posts",
            json={"op_id": f"setup-op-{n:04d}", "kind": kind, "title": title, "tag": tag},
            headers=auth,
        ).json["post"]["id"]
    phone.post(
        f"/api/v1/boards/{code}/posts/{ids['Mural']}/support",
        json={"op_id": "setup-support-1"},
        headers=auth,
    )
    return code, facilitator, phone, ids


def titles(html: str) -> list[str]:
    return re.findall(r'class="post-title"[^>]*>([^<]+)<', html)


def test_arrange_filters_and_sorts() -> None:
    posts = [
        {"id": 1, "kind": "idea", "tag": "food", "support_count": 0},
        {"id": 2, "kind": "tool", "tag": "arts", "support_count": 5},
        {"id": 3, "kind": "idea", "tag": "arts", "support_count": 1},
    ]
    assert [p["id"] for p in pages.arrange(posts, None, None, "newest")] == [3, 2, 1]
    assert [p["id"] for p in pages.arrange(posts, "idea", None, "newest")] == [3, 1]
    assert [p["id"] for p in pages.arrange(posts, None, "arts", "supported")] == [2, 3]


def test_board_page_filters_without_javascript(app: Flask) -> None:
    code, _facilitator, phone, _ids = board_with_posts(app)
    assert titles(phone.get(f"/b/{code}").get_data(as_text=True)) == [
        "Mural",
        "PA system",
        "Edible beds",
    ]
    only_ideas = phone.get(f"/b/{code}?kind=idea&sort=supported").get_data(as_text=True)
    assert titles(only_ideas) == ["Mural", "Edible beds"]
    assert titles(phone.get(f"/b/{code}?tag=food").get_data(as_text=True)) == ["Edible beds"]
    # Nonsense in the query is ignored, not an error.
    assert phone.get(f"/b/{code}?kind=party&sort=loudest").status_code == 200


def test_projector_is_for_facilitators(app: Flask) -> None:
    code, facilitator, phone, _ids = board_with_posts(app)
    assert phone.get(f"/b/{code}/projector").status_code == 403
    assert app.test_client().get(f"/b/{code}/projector").status_code == 302  # not joined
    shown = facilitator.get(f"/b/{code}/projector")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert code in html and f"/b/{code}/qr.svg" in html
    assert "http://board.test/b/" + code + "/join" in html


def test_qr_code_encodes_the_join_url(app: Flask, client: FlaskClient) -> None:
    code, _facilitator, _phone, _ids = board_with_posts(app)
    response = client.get(f"/b/{code}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(f"http://board.test/b/{code}/join", error="m").save(
        expected, kind="svg", scale=10, border=2, xmldecl=False, title="Join the board"
    )
    assert response.data == expected.getvalue()
    assert client.get("/b/ZZZZZZ/qr.svg").status_code == 404


def test_edit_page_is_for_the_author(app: Flask) -> None:
    code, facilitator, phone, ids = board_with_posts(app)
    phone.get(f"/b/{code}")  # the phone joined over the API: its cookie knows it
    edit_url = f"/b/{code}/posts/{ids['Mural']}/edit"
    form_page = phone.get(edit_url)
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    saved = phone.post(
        edit_url,
        data={
            "csrf_token": csrf_from(html),
            "op_id": re.search(r'name="op_id" value="([^"]+)"', html).group(1),
            "kind": "idea",
            "title": "Mural on the underpass",
            "body": "",
            "tag": "arts",
        },
    )
    assert saved.status_code == 302
    assert "Mural on the underpass" in titles(phone.get(f"/b/{code}").get_data(as_text=True))
    assert facilitator.get(edit_url).status_code == 403
    assert phone.get(f"/b/{code}/posts/999999/edit").status_code == 404


def test_static_files_are_compressed_and_cached(app: Flask, client: FlaskClient) -> None:
    with app.test_request_context():
        from flask import url_for

        versioned = url_for("static", filename="vendor/socket.io/socket.io.esm.min.js")
    assert "?v=" in versioned
    raw = client.get(versioned.split("?")[0], buffered=True)
    assert raw.headers.get("Content-Encoding") is None
    assert "no-cache" in raw.headers["Cache-Control"]

    zipped = client.get(versioned, headers={"Accept-Encoding": "gzip, br"}, buffered=True)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "immutable" in zipped.headers["Cache-Control"]
    assert "max-age=31536000" in zipped.headers["Cache-Control"]
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == raw.data
    assert len(zipped.data) < len(raw.data) / 2
    etag = zipped.headers["ETag"]
    again = client.get(
        versioned, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}, buffered=True
    )
    assert again.status_code == 304


def test_pages_are_gzipped_for_clients_that_accept_it(app: Flask) -> None:
    code, _facilitator, phone, _ids = board_with_posts(app)
    plain = phone.get(f"/b/{code}")
    zipped = phone.get(f"/b/{code}", headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("Content-Encoding") is None
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert titles(gzip.decompress(zipped.data).decode()) == titles(plain.get_data(as_text=True))
    # JSON answers stay as they are (small, and read by scripts).
    api = phone.get(f"/api/v1/boards/{code}", headers={"Accept-Encoding": "gzip"})
    assert api.headers.get("Content-Encoding") is None
