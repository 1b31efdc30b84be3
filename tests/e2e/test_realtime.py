"""Realtime guarantees against the real server process, under gevent and under eventlet."""

from __future__ import annotations

import concurrent.futures

import pytest
import requests

from tests.e2e.conftest import LiveClient, Server, join, new_board, op

pytestmark = pytest.mark.e2e


def test_two_clients_see_each_others_posts_supports_and_comments_live(
    server: Server, clients: list[LiveClient]
) -> None:
    code = new_board(server)["board"]["code"]
    aisha = LiveClient(server, code, join(server, code, "Aisha")["token"]).connect()
    dev = LiveClient(server, code, join(server, code, "Dev")["token"]).connect()
    clients += [aisha, dev]
    aisha.wait_subscribed()
    dev.wait_subscribed()

    posted = aisha.call("post.create", op_id=op(), kind="idea", title="Repair café")
    assert posted["ok"], posted
    post_id = posted["data"]["post"]["id"]
    # Acknowledged only after commit: a fresh read straight after the ack has the post.
    snapshot = requests.get(
        f"{server.url}/api/v1/boards/{code}/snapshot",
        headers={"Authorization": f"Bearer {dev.token}"},
        timeout=5,
    ).json()
    assert post_id in [p["id"] for p in snapshot["posts"]]
    dev.wait_for(lambda c: any(e["type"] == "post.created" for e in c.applied))
    seen = next(e for e in dev.applied if e["type"] == "post.created")
    assert seen["data"]["post"]["title"] == "Repair café"
    assert seen["data"]["post"]["author"]["name"] == "Aisha"

    supported = dev.call("support.toggle", op_id=op(), post_id=post_id)
    assert supported["ok"] and supported["data"]["count"] == 1
    aisha.wait_for(lambda c: any(e["type"] == "support.changed" for e in c.applied))

    commented = aisha.call("comment.create", op_id=op(), post_id=post_id, body="Saturdays?")
    assert commented["ok"], commented
    dev.wait_for(lambda c: any(e["type"] == "comment.created" for e in c.applied))
    aisha.wait_for(lambda c: any(e["type"] == "comment.created" for e in c.applied))

    # Both saw the same events, in the same gapless order; the writer got its own change
    # from the broadcast like everyone else.
    assert aisha.applied[-3:] == dev.applied[-3:]
    seqs = [e["seq"] for e in aisha.applied]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert [e["type"] for e in dev.applied][-3:] == [
        "post.created",
        "support.changed",
        "comment.created",
    ]


def test_reconnect_replays_exactly_the_missed_events(
    server: Server, clients: list[LiveClient]
) -> None:
    code = new_board(server)["board"]["code"]
    writer = LiveClient(server, code, join(server, code, "Writer")["token"]).connect()
    phone = LiveClient(server, code, join(server, code, "Phone")["token"]).connect()
    clients += [writer, phone]
    writer.wait_subscribed()
    phone.wait_subscribed()
    first = writer.call("post.create", op_id=op(), kind="idea", title="Before the drop")
    phone.wait_for(lambda c: c.last_seq == writer.last_seq and c.applied)
    post_id = first["data"]["post"]["id"]

    phone.sio.disconnect()
    last_before = phone.last_seq
    received_before = len(phone.received)
    for n in range(20):
        kind = n % 3
        if kind == 0:
            ack = writer.call("post.create", op_id=op(), kind="need", title=f"Missed {n}")
        elif kind == 1:
            ack = writer.call("support.toggle", op_id=op(), post_id=post_id)
        else:
            ack = writer.call("comment.create", op_id=op(), post_id=post_id, body=f"Missed {n}")
        assert ack["ok"], ack
    writer.wait_for(lambda c: c.last_seq == last_before + 20)

    phone.connect()
    phone.wait_subscribed(times=2)
    replay = phone.replays[-1]
    assert replay["mode"] == "events"
    assert [e["seq"] for e in replay["events"]] == list(range(last_before + 1, last_before + 21))
    assert phone.applied[-20:] == replay["events"]
    applied_seqs = [e["seq"] for e in phone.applied]
    assert len(applied_seqs) == len(set(applied_seqs)), "an event was applied twice"
    assert phone.last_seq == writer.last_seq
    # Nothing was pushed live while the phone was away.
    assert len(phone.received) == received_before


def test_one_op_id_sent_three_times_creates_one_post(
    server: Server, clients: list[LiveClient]
) -> None:
    code = new_board(server)["board"]["code"]
    token = join(server, code, "Retrying phone")["token"]
    # Three connections of the same phone (a retry after each reconnect), all at once.
    tabs = [LiveClient(server, code, token).connect() for _ in range(3)]
    clients += tabs
    for tab in tabs:
        tab.wait_subscribed()
    op_id = op()
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        acks = list(
            pool.map(
                lambda tab: tab.call("post.create", op_id=op_id, kind="idea", title="Just once"),
                tabs,
            )
        )
    assert all(a["ok"] for a in acks), acks
    assert len({a["data"]["post"]["id"] for a in acks}) == 1
    snapshot = requests.get(
        f"{server.url}/api/v1/boards/{code}/snapshot",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()
    assert [p["title"] for p in snapshot["posts"]] == ["Just once"]
    for tab in tabs:
        tab.wait_for(lambda c: any(e["type"] == "post.created" for e in c.applied))
        assert [e["type"] for e in tab.applied].count("post.created") == 1


def test_second_server_on_a_busy_port_exits_and_the_first_keeps_serving(
    server: Server, clients: list[LiveClient], tmp_path_factory: pytest.TempPathFactory
) -> None:
    code = new_board(server)["board"]["code"]
    watcher = LiveClient(server, code, join(server, code, "Watcher")["token"]).connect()
    clients.append(watcher)
    watcher.wait_subscribed()

    intruder = Server(tmp_path_factory.mktemp("intruder"), server.mode, port=server.port)
    intruder.start(wait=False)
    assert intruder.process is not None
    assert intruder.process.wait(30) != 0
    assert f"port {server.port} on 127.0.0.1 is already in use" in intruder.output()

    # Every new connection still reaches the first server and its rooms.
    for n in range(10):
        writer_token = join(server, code, f"Late {n}")["token"]
        late = LiveClient(server, code, writer_token).connect()
        clients.append(late)
        late.wait_subscribed()
        assert late.call("post.create", op_id=op(), kind="idea", title=f"Late {n}")["ok"]
    watcher.wait_for(lambda c: sum(e["type"] == "post.created" for e in c.applied) == 10)


def test_listener_backlog_is_large(server: Server) -> None:
    """A QR-code join rush queues in the kernel rather than being refused."""
    import subprocess

    listing = subprocess.run(
        ["ss", "-ltnH", f"sport = :{server.port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    # For a listening socket, ss reports the accept backlog in the Send-Q column.
    assert int(listing[2]) >= 1024, listing


def test_replay_after_reconnect_covers_links_and_groups(
    server: Server, clients: list[LiveClient]
) -> None:
    code = new_board(server)["board"]["code"]
    aisha = LiveClient(server, code, join(server, code, "Aisha")["token"]).connect()
    tomasz = LiveClient(server, code, join(server, code, "Tomasz")["token"]).connect()
    clients += [aisha, tomasz]
    aisha.wait_subscribed()
    tomasz.wait_subscribed()
    idea = aisha.call("post.create", op_id=op(), kind="idea", title="Repair café")["data"]
    aisha.wait_for(lambda c: c.last_seq == idea["seq"])

    aisha.sio.disconnect()
    last_before = aisha.last_seq
    offer = tomasz.call("post.create", op_id=op(), kind="skill", title="I can fix bikes")
    linked = tomasz.call(
        "link.create", op_id=op(), post_id=idea["post"]["id"], offer_id=offer["data"]["post"]["id"]
    )
    joined = tomasz.call("group.join", op_id=op(), post_id=idea["post"]["id"])
    group_id = joined["data"]["group"]["id"]
    said = tomasz.call("group.message", op_id=op(), group_id=group_id, body="Saturdays?")
    left = tomasz.call("group.leave", op_id=op(), group_id=group_id)
    for ack in (offer, linked, joined, said, left):
        assert ack["ok"], ack

    aisha.connect()
    aisha.wait_subscribed(times=2)
    replay = aisha.replays[-1]
    assert replay["mode"] == "events"
    assert [e["type"] for e in replay["events"]] == [
        "post.created",
        "link.created",
        "group.created",
        "group.message_posted",
        "group.member_left",
        "group.closed",
    ]
    assert [e["seq"] for e in replay["events"]] == list(range(last_before + 1, last_before + 7))
    assert replay["events"][1]["data"]["link"]["helper"]["name"] == "Tomasz"
    assert aisha.last_seq == left["data"]["seq"]
