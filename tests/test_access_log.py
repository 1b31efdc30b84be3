"""The access log's lines: what a request would put there, and what it must not."""

from __future__ import annotations

import io
from typing import Any

from board.access_log import AccessLog, redacted_path, redacted_query, request_line


def test_tokens_in_paths_and_queries_are_redacted() -> None:
    assert redacted_path("/b/KX7Q2M/enter/s3cr3t-token") == "/b/KX7Q2M/enter/[redacted]"
    assert redacted_path("/b/KX7Q2M/enter/") == "/b/KX7Q2M/enter/"
    assert redacted_path("/b/KX7Q2M/enter/tok/more") == "/b/KX7Q2M/enter/[redacted]/more"
    assert redacted_path("/b/KX7Q2M/posts/3") == "/b/KX7Q2M/posts/3"
    assert redacted_query("token=abc&x=1") == "token=[redacted]&x=1"
    assert redacted_query("TOKEN=abc") == "TOKEN=[redacted]"
    assert redacted_query("EIO=4&sid=xyz") == "EIO=4&sid=[redacted]"
    assert redacted_query("x=1&y=two") == "x=1&y=two"
    assert redacted_query("") == ""


def test_a_request_cannot_write_a_line_of_its_own() -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/b/X/\n2026-01-01T00:00:00Z GET /forged 200 1ms",
        "QUERY_STRING": "a=\r\nb",
    }
    line = request_line(environ, "404", 0.001)
    assert line.count("\n") == 1 and line.endswith("\n") and "\r" not in line
    assert "/b/X/%0A2026-01-01T00:00:00Z%20GET%20/forged%20200%201ms?a=%0D%0Ab 404" in line


def test_one_line_per_request_with_no_header_in_it() -> None:
    stream = io.StringIO()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("201 CREATED", [("Content-Type", "text/plain")])
        return [b"made"]

    logged = AccessLog(app, stream)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/boards",
        "QUERY_STRING": "",
        "HTTP_AUTHORIZATION": "Bearer participant-secret",
        "HTTP_COOKIE": "session=cookie-secret",
    }
    body = logged(environ, lambda *_: None)
    assert stream.getvalue() == ""  # written once the response is done
    assert b"".join(body) == b"made"
    body.close()  # type: ignore[attr-defined]
    (line,) = stream.getvalue().splitlines()
    _when, method, path, status, took = line.split(" ")
    assert (method, path, status) == ("POST", "/api/v1/boards", "201")
    assert took.endswith("ms")
    assert "secret" not in stream.getvalue()
