"""A draft withdrawn before it was ever submitted stays with its group and the facilitators."""

from __future__ import annotations

import json

from flask import Flask

from tests.test_proposals import Demo, bearer, demo, ok, promote_repair_cafe

__all__ = ["demo"]


def test_a_withdrawn_draft_is_read_only_by_its_group_and_facilitators(
    app: Flask, demo: Demo
) -> None:
    client = app.test_client()
    base = f"/api/v1/boards/{demo.code}"
    made = promote_repair_cafe(client, demo)
    title = made["title"]
    ok(
        client.post(
            f"{base}/proposals/{made['id']}/withdraw",
            json={"op_id": "withdraw-draft-1"},
            headers=bearer(demo.tokens["Aisha"]),
        )
    )
    outsider = bearer(demo.tokens["Dev"])
    assert client.get(f"{base}/proposals/{made['id']}", headers=outsider).status_code == 404
    assert client.get(f"{base}/proposals", headers=outsider).json["proposals"] == []
    assert client.get(f"{base}/proposals/{made['id']}/export", headers=outsider).status_code == 403
    snapshot = client.get(f"{base}/snapshot", headers=outsider).json
    assert snapshot["proposals"] == []
    replay = client.get(f"{base}/events?since=0", headers=outsider).json["events"]
    assert not [e for e in replay if e["type"] == "proposal.changed"]
    for answer in (snapshot, replay):
        assert made["reference"] not in json.dumps(answer)
    # The group and the facilitators still read it.
    for token in (demo.tokens["Aisha"], demo.lead):
        shown = client.get(f"{base}/proposals/{made['id']}", headers=bearer(token))
        assert shown.status_code == 200 and shown.json["proposal"]["title"] == title
