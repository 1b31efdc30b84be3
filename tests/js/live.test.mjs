// Live ordering (board/static/js/live.js): apply only the next seq, ignore duplicates,
// keep early events and ask for the missed range; writes keep their op id on a retry.
// The connection is driven through a fake Socket.IO socket (its socketFactory option).

import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";

import {
  BoardConnection,
  newOpId,
  seqAction,
  shortWait,
  worthKeeping,
} from "../../board/static/js/live.js";
import { event } from "./helpers.mjs";

/** Enough of a Socket.IO client socket: handlers, emits with acks, connect/disconnect. */
class FakeSocket {
  constructor() {
    this.handlers = new Map();
    this.connected = false;
    this.sent = []; // {name, payload, ack}
  }
  on(name, handler) {
    this.handlers.set(name, handler);
  }
  timeout() {
    return { emit: (name, payload, ack) => this.sent.push({ name, payload, ack }) };
  }
  connect() {
    this.connected = true;
    this.handlers.get("connect")?.();
  }
  disconnect() {
    this.connected = false;
    this.handlers.get("disconnect")?.("io client disconnect");
  }
  /** The server sends `name`. */
  push(name, message) {
    this.handlers.get(name)?.(message);
  }
  /** The emits named `name` so far. */
  emitted(name) {
    return this.sent.filter((s) => s.name === name);
  }
  /** Answer the newest `name` emit that has no answer yet. */
  answer(name, ack) {
    const pending = this.emitted(name).filter((s) => !s.answered);
    const last = pending[pending.length - 1];
    assert.ok(last, `no ${name} waiting for an answer`);
    last.answered = true;
    last.ack(null, ack);
  }
}

/** A connection at `seq`, subscribed (caught up with `events`), recording what it applies. */
function connected(seq = 10, events = []) {
  const socket = new FakeSocket();
  const applied = [];
  const statuses = [];
  const snapshots = [];
  const connection = new BoardConnection({
    board: "ABCDEF",
    seq,
    socketFactory: () => socket,
    onEvent: (envelope) => applied.push(envelope),
    onSnapshot: (snapshot) => snapshots.push(snapshot),
    onStatus: (status) => statuses.push(status),
  }).start();
  socket.connect();
  socket.answer("subscribe", { ok: true, data: { mode: "events", events } });
  return { socket, connection, applied, statuses, snapshots };
}

describe("seqAction", () => {
  test("applies exactly the next seq", () => {
    assert.equal(seqAction(10, 11), "apply");
    assert.equal(seqAction(0, 1), "apply");
  });
  test("ignores a seq already applied", () => {
    assert.equal(seqAction(10, 10), "ignore");
    assert.equal(seqAction(10, 3), "ignore");
  });
  test("keeps an early seq (a gap before it)", () => {
    assert.equal(seqAction(10, 12), "keep");
    assert.equal(seqAction(10, 100), "keep");
  });
});

describe("worthKeeping", () => {
  test("a redacted copy never replaces the full event waiting", () => {
    const buffer = new Map([[12, event(12, "post.created")]]);
    assert.equal(worthKeeping(buffer, event(12, "private")), false);
    assert.equal(worthKeeping(buffer, event(13, "private")), true);
    assert.equal(worthKeeping(buffer, event(12, "post.created")), true);
  });
});

describe("BoardConnection ordering", () => {
  test("subscribes from the page's seq and reports online", () => {
    const { socket, statuses } = connected(10);
    assert.deepEqual(socket.emitted("subscribe")[0].payload, { board: "ABCDEF", since: 10 });
    assert.deepEqual(statuses, ["connecting", "online"]);
  });

  test("applies the catch-up's events in order, then live ones", () => {
    const { socket, connection, applied } = connected(10, [event(11, "a"), event(12, "b")]);
    socket.push("event", event(13, "c"));
    assert.deepEqual(
      applied.map((e) => e.seq),
      [11, 12, 13],
    );
    assert.equal(connection.lastSeq, 13);
  });

  test("a duplicate is applied once", () => {
    const { socket, applied } = connected(10);
    socket.push("event", event(11, "post.created"));
    socket.push("event", event(11, "post.created"));
    socket.push("event", event(9, "post.created"));
    assert.deepEqual(
      applied.map((e) => e.seq),
      [11],
    );
  });

  test("the full event and then its redacted copy: the full one is applied", () => {
    const { socket, applied } = connected(10);
    socket.push("event", event(11, "post.created"));
    socket.push("event", event(11, "private"));
    assert.deepEqual(
      applied.map((e) => e.type),
      ["post.created"],
    );
  });

  test("a gap is kept back and asked for with since = last; the answer fills it in order", () => {
    const { socket, applied } = connected(10);
    socket.push("event", event(13, "c"));
    assert.deepEqual(applied, []);
    const asks = socket.emitted("subscribe");
    assert.equal(asks.length, 2);
    assert.deepEqual(asks[1].payload, { board: "ABCDEF", since: 10 });
    socket.answer("subscribe", { ok: true, data: { events: [event(11, "a"), event(12, "b")] } });
    assert.deepEqual(
      applied.map((e) => e.seq),
      [11, 12, 13],
    );
  });

  test("an early private copy does not push out the full event kept for its seq", () => {
    const { socket, applied } = connected(10);
    socket.push("event", event(12, "post.created"));
    socket.push("event", event(12, "private"));
    socket.answer("subscribe", { ok: true, data: { events: [event(11, "a")] } });
    assert.deepEqual(
      applied.map((e) => e.type),
      ["a", "post.created"],
    );
  });

  test("events for another board, or without a seq, are dropped", () => {
    const { socket, applied } = connected(10);
    socket.push("event", { ...event(11, "a"), board: "OTHER1" });
    socket.push("event", { board: "ABCDEF", type: "a" });
    assert.deepEqual(applied, []);
  });

  test("a snapshot answer replaces the state and moves the seq", () => {
    const socket = new FakeSocket();
    const snapshots = [];
    const connection = new BoardConnection({
      board: "ABCDEF",
      seq: 3,
      socketFactory: () => socket,
      onSnapshot: (s) => snapshots.push(s),
    }).start();
    socket.connect();
    socket.answer("subscribe", { ok: true, data: { mode: "snapshot", snapshot: { seq: 40 } } });
    assert.equal(connection.lastSeq, 40);
    assert.deepEqual(snapshots, [{ seq: 40 }]);
  });

  test("a head past our seq asks for what we missed", () => {
    const { socket } = connected(10);
    socket.push("head", { board: "ABCDEF", seq: 10 });
    assert.equal(socket.emitted("subscribe").length, 1);
    socket.push("head", { board: "ABCDEF", seq: 12 });
    assert.equal(socket.emitted("subscribe").length, 2);
  });

  test("a refused subscribe is final: status refused, writes answered with the error", async () => {
    const socket = new FakeSocket();
    const statuses = [];
    const connection = new BoardConnection({
      board: "ABCDEF",
      seq: 0,
      socketFactory: () => socket,
      onStatus: (s) => statuses.push(s),
    }).start();
    const write = connection.send("post.create", { title: "x" });
    socket.connect();
    const error = { code: "board_not_found", message: "No such board." };
    socket.answer("subscribe", { ok: false, error });
    assert.deepEqual(await write, { ok: false, error });
    assert.equal(statuses.at(-1), "refused");
  });
});

describe("BoardConnection writes", () => {
  test("a write waits for the subscription, then goes out with the board and an op id", async () => {
    const socket = new FakeSocket();
    const connection = new BoardConnection({
      board: "ABCDEF",
      seq: 0,
      socketFactory: () => socket,
    }).start();
    const write = connection.send("post.create", { title: "Bench" });
    assert.equal(connection.pending, 1);
    assert.equal(socket.emitted("post.create").length, 0);
    socket.connect();
    socket.answer("subscribe", { ok: true, data: { events: [] } });
    const sent = socket.emitted("post.create");
    assert.equal(sent.length, 1);
    assert.equal(sent[0].payload.board, "ABCDEF");
    assert.equal(sent[0].payload.title, "Bench");
    assert.match(sent[0].payload.op_id, /^[0-9a-f-]{32,36}$/);
    socket.answer("post.create", { ok: true, data: { post: { id: 1 } } });
    assert.deepEqual(await write, { ok: true, data: { post: { id: 1 } } });
    assert.equal(connection.pending, 0);
  });

  test("a write cut off by a lost connection is sent again with the same op id", () => {
    const { socket, connection } = connected(10);
    connection.send("support.toggle", { post_id: 1 });
    const first = socket.emitted("support.toggle")[0].payload.op_id;
    socket.disconnect();
    socket.connect();
    socket.answer("subscribe", { ok: true, data: { events: [] } });
    const again = socket.emitted("support.toggle");
    assert.equal(again.length, 2);
    assert.equal(again[1].payload.op_id, first);
  });

  test("not_joined: subscribe again and retry once with the same op id", async () => {
    const { socket, connection } = connected(10);
    const write = connection.send("post.pin", { post_id: 1, pinned: true });
    socket.answer("post.pin", { ok: false, error: { code: "not_joined" } });
    assert.equal(socket.emitted("subscribe").length, 2);
    socket.answer("subscribe", { ok: true, data: { events: [] } });
    const sent = socket.emitted("post.pin");
    assert.equal(sent.length, 2);
    assert.equal(sent[1].payload.op_id, sent[0].payload.op_id);
    socket.answer("post.pin", { ok: true, data: {} });
    assert.deepEqual(await write, { ok: true, data: {} });
  });

  test("a rate-limited write waits out a short retry_after and goes again with its op id", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { socket, connection } = connected(10);
      const write = connection.send("support.toggle", { post_id: 1 });
      const slow = { code: "slow_down", message: "Too fast", fields: { retry_after: "2" } };
      socket.answer("support.toggle", { ok: false, error: slow });
      mock.timers.tick(1999);
      assert.equal(socket.emitted("support.toggle").length, 1);
      mock.timers.tick(1);
      const sent = socket.emitted("support.toggle");
      assert.equal(sent.length, 2);
      assert.equal(sent[1].payload.op_id, sent[0].payload.op_id);
      socket.answer("support.toggle", { ok: true, data: { seq: 11 } });
      assert.deepEqual(await write, { ok: true, data: { seq: 11 } });
    } finally {
      mock.timers.reset();
    }
  });

  test("slow mode's long wait, and any other refusal, is answered to the page", () => {
    const long = { code: "slow_down", fields: { retry_after: "60" } };
    assert.equal(shortWait({ ok: false, error: long }), null);
    assert.equal(shortWait({ ok: false, error: { code: "board_locked" } }), null);
    assert.equal(shortWait({ ok: true, data: {} }), null);
    assert.equal(shortWait({ ok: false, error: { code: "slow_down", fields: { retry_after: "1" } } }), 1);
  });

  test("writes go one at a time, oldest first", () => {
    const { socket, connection } = connected(10);
    connection.send("a.one", {});
    connection.send("a.two", {});
    assert.deepEqual(
      socket.sent.filter((s) => s.name.startsWith("a.")).map((s) => s.name),
      ["a.one"],
    );
    socket.answer("a.one", { ok: true, data: {} });
    assert.deepEqual(
      socket.sent.filter((s) => s.name.startsWith("a.")).map((s) => s.name),
      ["a.one", "a.two"],
    );
  });
});

describe("newOpId", () => {
  test("is unique and hex (with the fallback when there is no randomUUID)", () => {
    const ids = new Set(Array.from({ length: 50 }, () => newOpId()));
    assert.equal(ids.size, 50);
    const crypto = globalThis.crypto;
    Object.defineProperty(globalThis, "crypto", {
      value: { getRandomValues: (bytes) => crypto.getRandomValues(bytes) },
      configurable: true,
    });
    try {
      assert.match(newOpId(), /^[0-9a-f]{32}$/);
    } finally {
      Object.defineProperty(globalThis, "crypto", { value: crypto, configurable: true });
    }
  });
});

describe("presence", () => {
  test("passes the people here now and the number who joined the board", () => {
    const socket = new FakeSocket();
    const seen = [];
    new BoardConnection({
      board: "ABCDEF",
      seq: 0,
      socketFactory: () => socket,
      onPresence: (count, joined) => seen.push([count, joined]),
    }).start();
    socket.push("presence", { board: "ABCDEF", count: 3, participants: 41 });
    socket.push("presence", { board: "OTHERS", count: 9, participants: 99 });
    assert.deepEqual(seen, [[3, 41]]);
  });
});

describe("a batch of events", () => {
  test("applies each envelope in order, ignoring duplicates, as if it came alone", () => {
    const { socket, applied } = connected(10);
    socket.push("event", event(11, "support.changed"));
    socket.push("events", {
      board: "ABCDEF",
      events: [event(11, "support.changed"), event(12, "support.changed"), event(13, "dots.changed")],
    });
    assert.deepEqual(
      applied.map((e) => e.seq),
      [11, 12, 13],
    );
    assert.equal(socket.emitted("subscribe").length, 1); // no gap, no catching up
  });
  test("an envelope early in a batch is kept until the gap before it is filled", () => {
    const { socket, applied } = connected(10);
    socket.push("events", {
      board: "ABCDEF",
      events: [event(11, "support.changed"), event(13, "dots.changed")],
    });
    assert.deepEqual(applied.map((e) => e.seq), [11]);
    assert.equal(socket.emitted("subscribe").at(-1).payload.since, 11);
    socket.answer("subscribe", { ok: true, data: { mode: "events", events: [event(12, "x")] } });
    assert.deepEqual(applied.map((e) => e.seq), [11, 12, 13]);
  });
  test("ignores a batch for another board", () => {
    const { socket, applied } = connected(10);
    socket.push("events", { board: "OTHERS", events: [event(11, "support.changed")] });
    assert.deepEqual(applied, []);
  });
});

describe("a page of posts", () => {
  const PAGE = { seq: 12, posts: [], next: null, total: 0 };

  /** A fetch that records the addresses asked for and answers `body`. */
  function fakeFetch(body, ok = true) {
    const asked = [];
    const fetch = async (url) => {
      asked.push(url);
      return { ok, json: async () => body };
    };
    return { fetch, asked };
  }

  test("is read over the socket while subscribed, without empty fields", async () => {
    const { socket, connection } = connected(10);
    const reading = connection.page({ kind: "idea", tag: null, q: "", sort: "newest" });
    const sent = socket.emitted("posts.page")[0];
    assert.deepEqual(sent.payload, { kind: "idea", sort: "newest", board: "ABCDEF" });
    assert.equal("op_id" in sent.payload, false, "a read is no write");
    socket.answer("posts.page", { ok: true, data: PAGE });
    assert.deepEqual(await reading, PAGE);
  });

  test("is read again while merge says it came too late, up to 3 times", async () => {
    const { socket, connection } = connected(10);
    let offered = 0;
    const reading = connection.page({}, () => {
      offered += 1;
      return offered === 2;
    });
    socket.answer("posts.page", { ok: true, data: PAGE });
    await new Promise((resolve) => setImmediate(resolve));
    socket.answer("posts.page", { ok: true, data: { ...PAGE, seq: 13 } });
    assert.equal((await reading).seq, 13);
    assert.equal(socket.emitted("posts.page").length, 2);

    const never = connection.page({}, () => false);
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      socket.answer("posts.page", { ok: true, data: PAGE });
    }
    assert.equal(await never, null);
    assert.equal(socket.emitted("posts.page").length, 5);
  });

  test("is read over HTTP before the socket has subscribed", async () => {
    const { fetch, asked } = fakeFetch(PAGE);
    const connection = new BoardConnection({
      board: "ABCDEF",
      seq: 10,
      socketFactory: () => new FakeSocket(),
      fetch,
    }).start();
    const found = await connection.page({ tag: "food & drink", after: "n40", q: null });
    assert.deepEqual(found, PAGE);
    assert.deepEqual(asked, ["/api/v1/boards/ABCDEF/posts?tag=food+%26+drink&after=n40"]);
  });

  test("falls back to HTTP when the socket does not answer; a refusal is null", async () => {
    const { fetch, asked } = fakeFetch(PAGE);
    const socket = new FakeSocket();
    const connection = new BoardConnection({
      board: "ABCDEF",
      seq: 10,
      socketFactory: () => socket,
      fetch,
    }).start();
    socket.connect();
    socket.answer("subscribe", { ok: true, data: { mode: "events", events: [] } });
    const reading = connection.page({ sort: "supported" });
    socket.emitted("posts.page")[0].ack(new Error("timeout"));
    assert.deepEqual(await reading, PAGE);
    assert.equal(asked.length, 1);

    const refused = connection.page({ after: "bad" });
    socket.answer("posts.page", { ok: false, error: { code: "invalid_input" } });
    assert.equal(await refused, null);
    assert.equal(asked.length, 1, "not asked again over HTTP");
  });

  test("a page with its own token (the projector link) sends it, not only the cookie", async () => {
    const headers = [];
    const socket = new FakeSocket();
    const connection = new BoardConnection({
      board: "ABCDEF",
      seq: 10,
      view: "public",
      token: "projector-token",
      socketFactory: () => socket,
      fetch: async (_url, init) => {
        headers.push(init.headers);
        return { ok: true, json: async () => PAGE };
      },
    }).start();
    await connection.page({});
    assert.deepEqual(headers, [
      { Accept: "application/json", Authorization: "Bearer projector-token" },
    ]);
    socket.connect();
    assert.deepEqual(socket.emitted("subscribe")[0].payload, {
      board: "ABCDEF",
      since: 10,
      view: "public",
      token: "projector-token",
    });
    assert.deepEqual(new BoardConnection({ board: "ABCDEF", seq: 1 }).headers(), {
      Accept: "application/json",
    });
  });

  test("offline over HTTP is null", async () => {
    const connection = new BoardConnection({
      board: "ABCDEF",
      seq: 10,
      socketFactory: () => new FakeSocket(),
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    }).start();
    assert.equal(await connection.page({}), null);
    const { fetch } = fakeFetch({}, false);
    connection.fetch = fetch;
    assert.equal(await connection.page({}), null);
  });
});
