"""Two app processes behind Debian's nginx, as docs/DEPLOY.md sets them up: PostgreSQL, a
Redis message queue, and the shipped site config (deploy/nginx/common-ground.conf),
rendered only with this test's ports and paths, over HTTPS with a throwaway certificate.

Every client here comes from 127.0.0.1, as a hall of phones comes from the venue Wi-Fi's
one public address: they must still spread over both processes, and each polling
client's requests must reach the process that holds its session.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import postgres_url, reset_postgres
from tests.e2e.conftest import (
    ROOT,
    LiveClient,
    Server,
    free_port,
    op,
    redis_server,
    system_program,
)

pytestmark = pytest.mark.e2e

SITE = ROOT / "deploy" / "nginx" / "common-ground.conf"
STATIC = ROOT / "board" / "static"
#: The app's engine.io ping interval (board/__init__.py): a long poll waits this long.
PING_INTERVAL = 20

#: What Debian's /etc/nginx/nginx.conf gives a site (mime types, gzip on), every path in
#: the test's folder. Workers run as root when the test does (CI): the folder is root's.
MAIN = """\
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log notice;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    gzip on;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/common-ground.conf;
}}
"""

#: One line of the site's access log (log_format common_ground).
LOG_LINE = re.compile(
    r'^\S+ "(?P<method>\S+) (?P<uri>\S+)" (?P<status>\d{3}) \d+ '
    r"node=(?P<node>\S+) upstream=(?P<upstream>.+) \S+$"
)


@dataclass
class Proxy:
    """nginx in front of the processes: its HTTPS and HTTP addresses, CA file and log."""

    url: str
    http_url: str
    port: int
    ca: Path
    access_log: Path
    processes: list[Server]

    def session(self) -> requests.Session:
        """A session trusting only the test's certificate: requests lets REQUESTS_CA_BUNDLE
        override a session's own ``verify``, so the environment is not read."""
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.ca)
        return session

    def log(self) -> list[dict[str, str]]:
        lines = self.access_log.read_text().splitlines()
        parsed = [LOG_LINE.match(line) for line in lines]
        assert all(parsed), lines
        return [match.groupdict() for match in parsed if match]

    def upstreams(self) -> set[str]:
        return {f"127.0.0.1:{process.port}" for process in self.processes}


def render_site(values: dict[str, str]) -> str:
    """The shipped site config with each of its deployment values replaced (in one pass,
    so a port put in cannot be replaced again), failing if the config lost one."""
    text = SITE.read_text()
    missing = [old for old in values if old not in text]
    assert not missing, f"{SITE} no longer has {missing}: update the test's rendering"
    pattern = re.compile("|".join(re.escape(old) for old in values))
    return pattern.sub(lambda match: values[match.group(0)], text)


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (the clients trust exactly this one)."""
    openssl = system_program("openssl", "openssl")
    cert, key = folder / "cert.pem", folder / "key.pem"
    key_type = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    names = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(
        [openssl, "req", "-x509", *key_type, "-days", "2", *names, *files],
        check=True,
        capture_output=True,
    )
    return cert, key


def distinct_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@contextlib.contextmanager
def running_nginx(folder: Path, site: str) -> Iterator[None]:
    """Debian's nginx in the foreground with the site, until the block ends."""
    nginx = system_program("nginx", "nginx-light")
    (folder / "common-ground.conf").write_text(site)
    user = "user root;" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(MAIN.format(user=user, folder=folder))
    command = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")]
    command += ["-e", str(folder / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    with (folder / "nginx.out").open("wb") as out:
        process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=out, stderr=out)
    try:
        yield
    finally:
        process.terminate()
        process.wait(10)


def wait_answering(proxy: Proxy, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    session = proxy.session()
    while True:
        try:
            answer: object = session.get(proxy.url + "/", timeout=2)
            if getattr(answer, "status_code", None) == 200:
                return
        except requests.RequestException as error:
            answer = error
        if time.monotonic() > deadline:
            log = (proxy.access_log.parent / "error.log").read_text(errors="replace")
            detail = getattr(answer, "text", answer)
            raise AssertionError(f"nginx did not answer within {timeout}s: {detail}\n{log}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """Redis, two processes on PostgreSQL (each named by its port) and nginx before them."""
    system_program("nginx", "nginx-light")
    database = postgres_url()
    assert database is not None
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = self_signed(folder)
    first, second, https_port, http_port = distinct_ports(4)
    with contextlib.ExitStack() as stack:
        queue = stack.enter_context(redis_server(folder))
        reset_postgres(database)
        processes = []
        # One after the other: the first migrates the database, the second finds it done.
        for port in (first, second):
            (folder / f"process-{port}").mkdir()
            process = Server(
                folder / f"process-{port}",
                "gevent",
                port=port,
                BOARD_DATABASE_URL=database,
                BOARD_MESSAGE_QUEUE=queue,
                BOARD_SECRET_KEY="one-key-for-every-process",
                BOARD_NODE=str(port),
                BOARD_TRUSTED_PROXIES="127.0.0.1",
                # No heartbeat: every client must get each event live, not by catching up.
                BOARD_HEAD_INTERVAL="600",
                BOARD_CODE_MISSES="3 per minute",
            )
            stack.callback(process.stop)
            processes.append(process.start())
        # The static files as the app sends them, written by the command DEPLOY.md runs.
        served = folder / "static"
        processes[0].flask("board", "static", str(served))
        site = render_site(
            {
                "listen 80;": f"listen 127.0.0.1:{http_port};",
                "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
                "/etc/letsencrypt/live/board.example.org/fullchain.pem": str(cert),
                "/etc/letsencrypt/live/board.example.org/privkey.pem": str(key),
                "/srv/common-ground/static/": f"{served}/",
                "/var/log/nginx/common-ground.access.log": str(folder / "access.log"),
                "/var/www/letsencrypt": str(folder / "acme"),
                "8001": str(first),
                "8002": str(second),
            }
        )
        stack.enter_context(running_nginx(folder, site))
        running = Proxy(
            url=f"https://127.0.0.1:{https_port}",
            http_url=f"http://127.0.0.1:{http_port}",
            port=https_port,
            ca=cert,
            access_log=folder / "access.log",
            processes=processes,
        )
        wait_answering(running)
        yield running


class ProxiedClient(LiveClient):
    """A LiveClient reaching the board through nginx on the given transports, sending its
    page's Origin as a browser does (accepted only if the app knows it is on HTTPS)."""

    def __init__(self, proxy: Proxy, code: str, token: str, transports: list[str]) -> None:
        super().__init__(proxy, code, token)  # type: ignore[arg-type]
        self.transports = transports
        # The polling requests go through this session; a WebSocket's handshake carries
        # the same Origin already (websocket-client adds it: naming it again would send two).
        self.sio.eio.http = proxy.session()
        self.sio.eio.http.headers["Origin"] = proxy.url

    def connect(self) -> ProxiedClient:
        self.sio.connect(self.server.url, transports=self.transports, wait_timeout=10)
        return self

    def node(self) -> str:
        """The process holding this client's session: the name its session id starts with."""
        return str(self.sio.eio.sid).split(".", 1)[0]


#: Long polling only; polling upgraded to a WebSocket (what a browser does); WebSocket only.
TRANSPORTS = [["polling"]] * 2 + [["polling", "websocket"]] * 2 + [["websocket"]] * 2


def new_board(proxy: Proxy, title: str) -> tuple[str, str]:
    made = proxy.session().post(f"{proxy.url}/api/v1/boards", json={"title": title}, timeout=10)
    assert made.status_code == 201, made.text
    return made.json()["board"]["code"], made.json()["token"]


def joined(proxy: Proxy, code: str, name: str) -> str:
    answer = proxy.session().post(
        f"{proxy.url}/api/v1/boards/{code}/participants", json={"display_name": name}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    # Links given out name the public address: https, and the Host with its port.
    assert answer.json()["enter_url"].startswith(f"{proxy.url}/b/{code}/enter/")
    token: str = answer.json()["token"]
    return token


def all_write(people: list[ProxiedClient], write: Any) -> list[int]:
    """Everyone writes at the same moment; the seqs of their acks."""
    start = threading.Barrier(len(people))

    def one(index: int) -> int:
        start.wait(10)
        ack = write(index, people[index])
        assert ack["ok"], ack
        seq: int = ack["data"]["seq"]
        return seq

    with ThreadPoolExecutor(len(people)) as pool:
        return list(pool.map(one, range(len(people))))


def everyone_has(people: list[ProxiedClient], seqs: list[int]) -> None:
    """Each client applied every one of these seqs, and got each live (not by catching up)."""
    for client in people:
        client.wait_for(lambda c: c.last_seq is not None and c.last_seq >= max(seqs), timeout=15)
        applied = {e["seq"] for e in client.applied}
        received = {e["seq"] for e in client.received}
        assert set(seqs) <= applied, (client.transports, seqs, sorted(applied))
        assert set(seqs) <= received, (client.transports, seqs, sorted(received))


def test_clients_on_every_transport_see_each_other_in_order_through_nginx(
    proxy: Proxy, clients: list[LiveClient]
) -> None:
    code, lead_token = new_board(proxy, "Behind nginx")
    tokens = [lead_token] + [joined(proxy, code, f"Person {n}") for n in range(1, 6)]
    people = [
        ProxiedClient(proxy, code, token, transports)
        for token, transports in zip(tokens, TRANSPORTS, strict=True)
    ]
    clients += people
    for client in people:
        client.connect()
    for client in people:
        client.wait_subscribed()

    # One address, both processes: the first request carried no session id (any process),
    # and the next ones were routed by the process name in it.
    nodes = {str(process.port) for process in proxy.processes}
    assert {c.node() for c in people if c.transports[0] == "polling"} == nodes
    assert {c.node() for c in people if c.transports == ["websocket"]} == nodes
    sessions = [c.sio.eio.sid for c in people]

    posts = all_write(
        people,
        lambda n, c: c.call("post.create", op_id=op(), kind="idea", title=f"Idea {n}"),
    )
    everyone_has(people, posts)
    post_ids = {e["seq"]: e["data"]["post"]["id"] for e in people[0].applied if e["seq"] in posts}

    # Quiet for longer than a long poll waits: nginx must hold it (and a quiet WebSocket).
    time.sleep(PING_INTERVAL + 5)
    supports = all_write(
        people,
        lambda n, c: c.call(
            "support.toggle", op_id=op(), post_id=post_ids[posts[(n + 1) % len(posts)]]
        ),
    )
    everyone_has(people, supports)

    assert [c.sio.eio.sid for c in people] == sessions  # nobody reconnected
    assert [c.sio.transport() for c in people] == ["polling"] * 2 + ["websocket"] * 4
    since = min(posts)
    seen = [[(e["seq"], e["type"]) for e in c.applied if e["seq"] >= since] for c in people]
    seqs = [seq for seq, _type in seen[0]]
    assert seqs == list(range(since, since + len(seqs))) and set(supports) <= set(seqs)
    assert all(view == seen[0] for view in seen), seen

    # nginx's own record: no session refused, and every request that carried a session
    # id went to the process that made it. WebSockets are logged when they close.
    socket_lines = [line for line in proxy.log() if line["uri"] == "/socket.io/"]
    assert {line["status"] for line in socket_lines} <= {"200", "101"}, socket_lines
    for client in people:
        client.close()
    upgrades = len([t for t in TRANSPORTS if "websocket" in t])
    deadline = time.monotonic() + 10
    while len([x for x in proxy.log() if x["status"] == "101"]) < upgrades:
        assert time.monotonic() < deadline, proxy.log()
        time.sleep(0.1)
    socket_lines = [line for line in proxy.log() if line["uri"] == "/socket.io/"]
    routed = [line for line in socket_lines if line["node"] != "-"]
    assert routed and all(x["upstream"] == f"127.0.0.1:{x['node']}" for x in routed), routed
    first_requests = {line["upstream"] for line in socket_lines if line["node"] == "-"}
    assert first_requests == proxy.upstreams()


def lookup(proxy: Proxy, source: str, port: int | None = None, **headers: str) -> int:
    """GET a code no board has, from ``source`` (a loopback address), through nginx, or
    straight to the process on ``port``; the status."""
    path = "/join?code=NOSUCHBOARD"
    if port is None:
        context = ssl.create_default_context(cafile=str(proxy.ca))
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", proxy.port, source_address=(source, 0), context=context, timeout=10
        )
    else:
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, source_address=(source, 0), timeout=10
        )
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def test_the_app_sees_each_clients_address_through_nginx_and_only_from_nginx(
    proxy: Proxy,
) -> None:
    # Code guessing is limited per address (3 misses a minute here, counted in Redis by
    # both processes). Through nginx, the app counts the client's address, not nginx's.
    assert [lookup(proxy, "127.0.0.2") for _ in range(4)] == [404, 404, 404, 429]
    # A client naming another address is not believed: nginx replaces the header.
    assert lookup(proxy, "127.0.0.2", **{"X-Forwarded-For": "127.0.0.9"}) == 429
    assert lookup(proxy, "127.0.0.3") == 404  # another network is not held up
    # Straight to a process, from an address that is not the proxy's, the header is
    # dropped: four different claimed addresses count as the one they came from.
    direct = proxy.processes[0].port
    claims = [f"10.0.0.{n}" for n in range(1, 5)]
    statuses = [lookup(proxy, "127.0.0.4", direct, **{"X-Forwarded-For": c}) for c in claims]
    assert statuses == [404, 404, 404, 429]


def test_pages_static_files_and_bodies_through_nginx(proxy: Proxy) -> None:
    session = proxy.session()
    code, _token = new_board(proxy, "Pages behind nginx")
    page = session.get(f"{proxy.url}/b/{code}", timeout=10)
    assert page.status_code == 200 and "Pages behind nginx" in page.text
    # The app knows the page went out over HTTPS (X-Forwarded-Proto from the proxy).
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert (
        "Strict-Transport-Security"
        not in requests.get(f"{proxy.processes[0].url}/b/{code}", timeout=10).headers
    )

    linked = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)))
    assert any(path.endswith(".css") or ".css?" in path for path in linked), linked
    for path in linked:
        answer = session.get(proxy.url + path.replace("&amp;", "&"), timeout=10)
        assert answer.status_code == 200, path
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        if "?v=" in path:
            assert "immutable" in answer.headers["Cache-Control"], path

    # Every static file, served by nginx itself, as the app would serve it.
    app = proxy.processes[1].url
    for file in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        path = "/static/" + file.relative_to(STATIC).as_posix()
        mine, theirs = session.get(proxy.url + path, timeout=10), requests.get(app + path)
        assert mine.status_code == theirs.status_code == 200, path
        assert mine.content == theirs.content, path
        kind = mine.headers["Content-Type"].split(";")[0]
        assert kind == theirs.headers["Content-Type"].split(";")[0], (path, kind)
        assert mine.headers["Cache-Control"] == "no-cache", path
        if file.suffix in {".js", ".mjs", ".css"} and file.stat().st_size > 512:
            assert mine.headers.get("Content-Encoding") == "gzip", path
    static_lines = [line for line in proxy.log() if line["uri"].startswith("/static/")]
    assert static_lines and {line["upstream"] for line in static_lines} == {"-"}

    # Plain HTTP is sent to HTTPS.
    plain = requests.get(f"{proxy.http_url}/b/{code}", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1/b/{code}"

    # Bodies: the API's limit answered in its own shape, and an import may be larger.
    too_large = session.post(f"{proxy.url}/api/v1/boards", data=b"x" * (300 * 1024), timeout=10)
    assert too_large.status_code == 413
    assert too_large.json()["error"]["code"] == "request_entity_too_large"
    imported = session.post(
        f"{proxy.url}/api/v1/boards/import",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert imported.status_code == 401, imported.text  # reached the app: it wants a token
    assert imported.json()["error"]["code"] == "admin_token_required"
