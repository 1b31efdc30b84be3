// The benchmark's one load generator: official socket.io-client over WebSocket only.
//
// Usage: node loadgen.mjs SCENARIO.json   (or "-" to read the scenario from stdin)
//
// It drives the app, the bare Flask-SocketIO relay and the bare Node relay alike (they
// share the app's wire shapes: HTTP create and join, socket `subscribe`, writes with op ids
// acked with their seq, `event` envelopes) and prints ONE JSON result on stdout. Progress
// goes to stderr. Every delivery is counted: each client expects every seq from its first
// snapshot to the last write's seq, so a saturated server shows as missing or late
// deliveries, never silently. Envelopes are counted in both `event` messages and batched
// `events` messages ({board, events: [envelope, ...]}); a seq a client already holds is a
// duplicate, not a delivery.
//
// Times are CLOCK_MONOTONIC seconds (process.hrtime), the clock Python's time.monotonic()
// reads too. With `server_pid`, each phase reads the server's CPU (utime + stime from
// /proc/<pid>/stat) and memory (VmRSS, VmHWM) at its start and end.

import fs from "node:fs";
import { io } from "socket.io-client";

const now = () => Number(process.hrtime.bigint()) / 1e9;
const sleep = (seconds) => new Promise((done) => setTimeout(done, Math.max(0, seconds * 1000)));
const log = (...parts) => process.stderr.write(`loadgen: ${parts.join(" ")}\n`);

// ------------------------------------------------------------------ the server process

class ServerProbe {
  constructor(pid, clockTick) {
    this.pid = pid || null;
    this.tick = clockTick || 100;
  }

  cpu() {
    if (!this.pid) return null;
    const stat = fs.readFileSync(`/proc/${this.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / this.tick;
  }

  memory() {
    if (!this.pid) return {};
    const found = {};
    for (const line of fs.readFileSync(`/proc/${this.pid}/status`, "utf8").split("\n")) {
      const [key, value] = line.split(":");
      if (key === "VmRSS" || key === "VmHWM") found[key] = Number.parseInt(value, 10);
    }
    return found;
  }

  /** Wait until the server has used under `share` of a core for `window` seconds. */
  async idle({ window = 1.0, share = 0.05, longest = 60 } = {}) {
    if (!this.pid) return 0;
    const start = now();
    let last = this.cpu();
    while (now() - start < longest) {
      await sleep(window);
      const cpu = this.cpu();
      if (cpu - last < share * window) return now() - start;
      last = cpu;
    }
    return now() - start;
  }
}

/** A measured stretch of the scenario: wall time, server CPU and memory, our own CPU. */
class Phase {
  constructor(run, name) {
    this.run = run;
    this.name = name;
    this.started = now();
    this.cpu = run.server.cpu();
    this.memory = run.server.memory();
    this.own = process.cpuUsage();
  }

  end(extra = {}) {
    const own = process.cpuUsage(this.own);
    const memory = this.run.server.memory();
    const cpu = this.run.server.cpu();
    const record = {
      wall_s: now() - this.started,
      server_cpu_s: cpu === null ? null : cpu - this.cpu,
      rss_kib_start: this.memory.VmRSS ?? null,
      rss_kib_end: memory.VmRSS ?? null,
      hwm_kib: memory.VmHWM ?? null,
      loadgen_cpu_s: (own.user + own.system) / 1e6,
      ...extra,
    };
    this.run.phases[this.name] = record;
    const shown = record.server_cpu_s === null ? "" : `, server CPU ${record.server_cpu_s.toFixed(2)} s`;
    log(`${this.name}: ${record.wall_s.toFixed(1)} s${shown}`);
    return record;
  }
}

// ------------------------------------------------------------------ statistics

function percentile(sorted, fraction) {
  if (!sorted.length) return null;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

function summary(seconds) {
  const ms = seconds.map((s) => s * 1000).sort((a, b) => a - b);
  return {
    n: ms.length,
    p50: percentile(ms, 0.5),
    p95: percentile(ms, 0.95),
    p99: percentile(ms, 0.99),
    max: ms.length ? ms[ms.length - 1] : null,
  };
}

/** mulberry32: a small seeded generator, so every server gets the same workshop. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function pool(items, width, work) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(lanes);
}

// ------------------------------------------------------------------ one phone

class Client {
  constructor(run, index) {
    this.run = run;
    this.index = index;
    this.token = null;
    this.socket = null;
    this.base = null; // seq of the first snapshot: expected deliveries start after it
    this.have = new Set(); // seqs held (> base), delivered or covered by a later snapshot
    this.covered = 0; // of those, seqs a resync snapshot covered without an envelope
    this.last = 0; // highest seq with every seq up to it held
    this.highest = 0; // highest seq seen live (for out-of-order)
    this.early = null; // envelopes that came before the subscribe ack
    this.heldAt = null; // seq -> when it came, while a scenario times catching up
    this.failed = null;
  }

  onEnvelope(envelope, arrived, live) {
    const run = this.run;
    if (!envelope || envelope.board !== run.code || !Number.isInteger(envelope.seq)) return;
    if (this.early) {
      this.early.push([envelope, arrived]);
      return;
    }
    const seq = envelope.seq;
    if (seq <= this.base || this.have.has(seq)) {
      run.duplicates += 1;
      return;
    }
    if (live && seq < this.highest) run.outOfOrder += 1;
    if (live) {
      this.highest = Math.max(this.highest, seq);
      run.arrival(seq, arrived);
    }
    this.have.add(seq);
    if (this.heldAt) this.heldAt.set(seq, arrived);
    while (this.have.has(this.last + 1)) this.last += 1;
    run.progress(this);
  }

  /** Apply a subscribe ack's data: a snapshot (first or resync) or replayed events. */
  apply(data, arrived) {
    const pending = this.early || [];
    this.early = null;
    if (data.mode === "events") {
      for (const envelope of data.events || []) this.onEnvelope(envelope, arrived, false);
    } else {
      const seq = data.snapshot?.seq ?? 0;
      if (this.base === null) {
        this.base = seq;
        this.last = seq;
        this.highest = seq;
      } else {
        this.run.resyncSnapshots += 1;
        for (let s = this.base + 1; s <= seq; s += 1) {
          if (!this.have.has(s)) {
            this.have.add(s);
            this.covered += 1;
          }
        }
        while (this.have.has(this.last + 1)) this.last += 1;
      }
    }
    for (const [envelope, at] of pending) this.onEnvelope(envelope, at, true);
    this.run.progress(this);
  }

  /** Open a fresh WebSocket (no automatic reconnection: a drop must show, not heal). */
  connect() {
    const run = this.run;
    return new Promise((resolve, reject) => {
      const socket = io(run.url, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        timeout: run.scenario.connect_timeout_s * 1000,
      });
      this.socket = socket;
      socket.on("event", (envelope) => this.onEnvelope(envelope, now(), true));
      socket.on("events", (batch) => {
        const arrived = now();
        if (batch && batch.board === run.code && Array.isArray(batch.events)) {
          for (const envelope of batch.events) this.onEnvelope(envelope, arrived, true);
        }
      });
      socket.onAny((name) => {
        run.messages[name] = (run.messages[name] || 0) + 1;
      });
      socket.on("disconnect", (reason) => {
        if (this.socket === socket && !run.closing) run.fail("disconnect", reason);
      });
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", (error) => {
        socket.close();
        reject(new Error(`connect_error: ${error.message}`));
      });
    });
  }

  async subscribe(since) {
    const run = this.run;
    const request = { board: run.code, token: this.token };
    if (since !== undefined && since !== null) request.since = since;
    this.early = [];
    const answer = await this.socket
      .timeout(run.scenario.ack_timeout_s * 1000)
      .emitWithAck("subscribe", request);
    if (!answer?.ok) throw new Error(`subscribe refused: ${JSON.stringify(answer?.error)}`);
    this.apply(answer.data, now());
    if (run.snapshotOut && !run.snapshotSaved && this.index > 0 && answer.data.mode === "snapshot") {
      run.snapshotSaved = true;
      fs.writeFileSync(run.snapshotOut, JSON.stringify(answer.data.snapshot));
    }
    return answer.data;
  }

  /** Connect and subscribe, counting a failure instead of throwing. */
  async start(since) {
    try {
      await this.connect();
      await this.subscribe(since);
      return true;
    } catch (error) {
      this.failed = String(error.message || error);
      this.run.fail(this.failed.startsWith("connect_error") ? "connect" : "subscribe", this.failed);
      return false;
    }
  }

  close() {
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.disconnect();
  }
}

// ------------------------------------------------------------------ one run

class Run {
  constructor(scenario) {
    this.scenario = {
      connect_timeout_s: 30,
      ack_timeout_s: 60,
      drain_s: 30,
      http_concurrency: 10,
      connect_concurrency: 50,
      ...scenario,
    };
    this.url = this.scenario.url.replace(/\/$/, "");
    this.server = new ServerProbe(this.scenario.server_pid, this.scenario.clock_tick);
    this.snapshotOut = this.scenario.snapshot_out || null;
    this.snapshotSaved = false;
    this.code = null;
    this.author = null; // the facilitator: creates the board, writes the posts
    this.clients = [];
    this.phases = {};
    this.sent = new Map(); // seq -> when its write was sent
    this.arrivals = new Map(); // seq -> [live arrival times]
    this.acks = []; // seconds from send to ack, successful writes
    this.finalSeq = null;
    this.duplicates = 0;
    this.outOfOrder = 0;
    this.resyncSnapshots = 0;
    this.failures = {};
    this.failureSamples = [];
    this.messages = {}; // messages received, by name
    this.waiters = new Set();
    this.closing = false;
    this.opCounter = 0;
    this.extra = {};
  }

  fail(kind, detail) {
    this.failures[kind] = (this.failures[kind] || 0) + 1;
    if (this.failureSamples.length < 8) this.failureSamples.push(`${kind}: ${detail}`);
  }

  arrival(seq, arrived) {
    let times = this.arrivals.get(seq);
    if (!times) this.arrivals.set(seq, (times = []));
    times.push(arrived);
  }

  progress(client) {
    if (this.waiters.size) for (const waiter of this.waiters) waiter(client);
  }

  async http(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    const answer = await fetch(this.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.scenario.ack_timeout_s * 1000),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  }

  async createBoard() {
    const entry = await this.http("POST", "/api/v1/boards", {
      title: "Benchmark board",
      prompt: "What should our neighbourhood do next?",
      kind: "workshop",
    });
    this.code = entry.board.code;
    this.author = new Client(this, 0);
    this.author.token = entry.token;
    return entry;
  }

  /** Join one participant over HTTP: its client (marked failed, and counted, if refused). */
  async join(index) {
    const client = new Client(this, index);
    try {
      const entry = await this.http("POST", `/api/v1/boards/${this.code}/participants`, {
        display_name: `Phone ${index}`,
      });
      client.token = entry.token;
      return client;
    } catch (error) {
      client.failed = String(error.message || error);
      this.fail("http", client.failed);
      return client;
    }
  }

  async joinAll(count) {
    const indexes = Array.from({ length: count }, (_, i) => i + 1);
    const joined = new Array(count);
    await pool(indexes, this.scenario.http_concurrency, async (i) => {
      joined[i - 1] = await this.join(i);
    });
    return joined;
  }

  async connectAll(clients) {
    await pool(
      clients.filter((c) => !c.failed),
      this.scenario.connect_concurrency,
      (c) => c.start(),
    );
  }

  /** Send one write from a client's socket; resolves to its ack data or null (counted). */
  async write(client, name, fields) {
    const payload = { board: this.code, op_id: `bench-${process.pid}-${++this.opCounter}`, ...fields };
    const sent = now();
    try {
      const answer = await client.socket
        .timeout(this.scenario.ack_timeout_s * 1000)
        .emitWithAck(name, payload);
      if (!answer?.ok) {
        this.fail("ack_error", `${name}: ${JSON.stringify(answer?.error)}`);
        return null;
      }
      const seq = answer.data?.seq;
      if (Number.isInteger(seq)) {
        this.sent.set(seq, sent);
        this.finalSeq = Math.max(this.finalSeq ?? 0, seq);
      }
      this.acks.push(now() - sent);
      return answer.data;
    } catch (error) {
      this.fail(client.socket ? "ack_timeout" : "ack_error", `${name}: ${error.message || error}`);
      return null;
    }
  }

  post(index, kind = "idea") {
    return this.write(this.author, "post.create", {
      kind,
      title: `Benchmark idea number ${index}`,
      body: "A shared tool library in the old library building, open on Saturday mornings. ".repeat(2),
    });
  }

  /** Everyone who subscribed: the author and the phones. */
  listeners() {
    return [this.author, ...this.clients].filter((c) => c && c.base !== null);
  }

  caughtUp(client) {
    return this.finalSeq !== null && client.base !== null && client.have.size >= this.finalSeq - client.base;
  }

  /** Wait until every subscribed client holds every seq up to the final one, or drain_s. */
  async drain(limit = this.scenario.drain_s) {
    const waiting = new Set(this.listeners().filter((c) => !this.caughtUp(c)));
    let waiter = null;
    if (waiting.size) {
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, limit * 1000);
        waiter = (client) => {
          if (waiting.has(client) && this.caughtUp(client)) {
            waiting.delete(client);
            if (!waiting.size) {
              clearTimeout(timer);
              resolve();
            }
          }
        };
        this.waiters.add(waiter);
      });
      this.waiters.delete(waiter);
    }
    return waiting.size === 0;
  }

  /** Deliveries: per subscribed client, every seq after its first snapshot to the last. */
  count() {
    const final = this.finalSeq ?? 0;
    let expected = 0;
    let received = 0;
    let covered = 0;
    let withGaps = 0;
    const start = this.author?.base ?? 0;
    for (const client of [this.author, ...this.clients]) {
      if (!client) continue;
      const base = client.base ?? start; // never subscribed: everything is missing
      const due = Math.max(0, final - base);
      let held = 0;
      for (const seq of client.have) if (seq <= final) held += 1;
      expected += due;
      received += held - client.covered;
      covered += client.covered;
      if (held < due) withGaps += 1;
    }
    const latencies = [];
    for (const [seq, times] of this.arrivals) {
      const sent = this.sent.get(seq);
      if (sent !== undefined) for (const t of times) latencies.push(t - sent);
    }
    return {
      final_seq: final,
      expected,
      received,
      covered_by_snapshot: covered,
      gaps: expected - received - covered,
      clients_with_gaps: withGaps,
      duplicates: this.duplicates,
      out_of_order: this.outOfOrder,
      resync_snapshots: this.resyncSnapshots,
      latency_ms: summary(latencies),
      ack_ms: summary(this.acks),
    };
  }

  result() {
    const failures = { ...this.failures };
    failures.total = Object.values(this.failures).reduce((a, b) => a + b, 0);
    return {
      kind: this.scenario.kind,
      label: this.scenario.label || null,
      board: this.code,
      clients: this.clients.length + (this.author ? 1 : 0),
      ...this.count(),
      failures,
      failure_samples: this.failureSamples,
      messages: this.messages,
      phases: this.phases,
      ...this.extra,
    };
  }

  close() {
    this.closing = true;
    for (const client of [this.author, ...this.clients]) client?.close();
  }
}

// ------------------------------------------------------------------ scenarios

/** Setup shared by the socket scenarios: a board, `phones` joined and subscribed. */
async function audience(run, phones) {
  await run.createBoard();
  if (!(await run.author.start())) throw new Error(`the author could not subscribe: ${run.author.failed}`);
  const joining = new Phase(run, "join");
  run.clients = await run.joinAll(phones);
  joining.end();
  await run.server.idle();
  const connecting = new Phase(run, "connect");
  await run.connectAll(run.clients);
  const record = connecting.end();
  const subscribed = run.listeners().length;
  if (record.rss_kib_start !== null && subscribed) {
    run.extra.memory_per_connection_kib = (record.rss_kib_end - record.rss_kib_start) / (subscribed - 1 || 1);
  }
  run.extra.subscribed = subscribed;
  await run.server.idle();
}

/** Posts at a steady rate without waiting for acks; resolves when every ack is in. */
async function postAtRate(run, count, rate, from = 1) {
  const start = now();
  const writes = [];
  for (let i = 0; i < count; i += 1) {
    await sleep(start + i / rate - now());
    writes.push(run.post(from + i));
  }
  return Promise.all(writes);
}

const SCENARIOS = {
  /** One author posts to a room of `clients` (the author included). */
  async fanout(run) {
    const s = run.scenario;
    await audience(run, s.clients - 1);
    const posting = new Phase(run, "posts");
    await postAtRate(run, s.posts, s.rate);
    posting.end({ all_delivered: await run.drain() });
  },

  /** `phones` join over HTTP, connect and subscribe, spread evenly over `over_s`. */
  async join_rush(run) {
    const s = run.scenario;
    await run.createBoard();
    if (!(await run.author.start())) throw new Error(`the author could not subscribe: ${run.author.failed}`);
    await run.server.idle();
    const rush = new Phase(run, "rush");
    const start = now();
    const untilSubscribed = [];
    const phones = Array.from({ length: s.phones }, (_, i) => i + 1);
    await Promise.all(
      phones.map(async (i) => {
        await sleep(start + ((i - 1) * s.over_s) / s.phones - now());
        const began = now();
        const client = await run.join(i);
        run.clients.push(client);
        if (!client.failed && (await client.start())) untilSubscribed.push(now() - began);
      }),
    );
    run.extra.all_subscribed_s = now() - start;
    await run.post(1); // the last seq: every phone must get every join after its own
    const delivered = await run.drain();
    const settled = await run.server.idle();
    const record = rush.end({ all_delivered: delivered, settle_s: settled });
    const joined = run.listeners().length - 1;
    if (record.rss_kib_start !== null && joined > 0) {
      run.extra.memory_per_connection_kib = (record.rss_kib_end - record.rss_kib_start) / joined;
    }
    run.extra.until_subscribed_ms = summary(untilSubscribed);
    run.extra.subscribed = run.listeners().length;
  },

  /** Every phone drops and resubscribes with `since` while the author keeps posting. */
  async reconnect(run) {
    const s = run.scenario;
    await audience(run, s.clients - 1);
    let posting = true;
    let index = 0;
    const writes = [];
    const poster = (async () => {
      const start = now();
      while (posting) {
        writes.push(run.post(++index));
        await sleep(start + index / s.rate - now());
      }
    })();
    await sleep(s.warm_s);
    const storm = new Phase(run, "storm");
    const start = now();
    const phones = run.clients.filter((c) => c.base !== null);
    for (const client of phones) {
      client.heldAt = new Map();
      client.close();
    }
    const resubscribed = [];
    await Promise.all(
      phones.map(async (client) => {
        if (await client.start(client.last)) resubscribed.push(now() - start);
      }),
    );
    run.extra.all_resubscribed_s = now() - start;
    posting = false;
    await poster;
    await Promise.all(writes);
    const delivered = await run.drain();
    storm.end({ all_delivered: delivered });
    // A phone is caught up once it holds every seq to the last: when its last missing one came.
    const caughtUp = phones
      .filter((c) => run.caughtUp(c))
      .map((c) => Math.max(0, ...[...c.heldAt].filter(([seq]) => seq <= run.finalSeq).map(([, t]) => t - start)));
    run.extra.all_caught_up_s = delivered && caughtUp.length === phones.length ? Math.max(0, ...caughtUp) : null;
    run.extra.caught_up_ms = summary(caughtUp);
    run.extra.resubscribed_ms = summary(resubscribed);
    run.extra.posts = index;
  },

  /** A workshop at full tilt: posts, supports, comments and dots from random phones. */
  async workshop(run) {
    const s = run.scenario;
    await audience(run, s.phones);
    const settings = await run.write(run.author, "session.update", {
      phase: "prioritise",
      dot_budget: s.dot_budget,
      dots_hidden: false,
    });
    if (!settings) throw new Error("session.update failed: cannot prioritise");
    const ideas = [];
    for (let i = 1; i <= s.seed_posts; i += 1) {
      const made = await run.post(i, i % 2 ? "idea" : "need");
      if (made?.post?.id) ideas.push(made.post.id);
    }
    if (!ideas.length) throw new Error("no seed post was created");
    await run.drain();
    await run.server.idle();
    const random = seeded(s.seed);
    const phones = run.clients.filter((c) => c.base !== null);
    const dots = new Map();
    const kinds = { post: 0, support: 0, comment: 0, dot: 0 };
    const mix = new Phase(run, "mix");
    const start = now();
    const writes = [];
    const total = Math.round(s.rate * s.duration_s);
    for (let k = 0; k < total; k += 1) {
      await sleep(start + k / s.rate - now());
      const roll = random();
      const phone = phones[Math.floor(random() * phones.length)];
      const target = ideas[Math.floor(random() * ideas.length)];
      let action = roll < s.mix.post ? "post" : roll < s.mix.post + s.mix.support ? "support" : "comment";
      if (roll >= 1 - s.mix.dot) action = "dot";
      if (action === "dot" && (dots.get(phone) || 0) >= s.dot_budget) action = "support";
      kinds[action] += 1;
      if (action === "post") {
        writes.push(
          run.post(s.seed_posts + k, k % 2 ? "idea" : "need").then((made) => made?.post?.id && ideas.push(made.post.id)),
        );
      } else if (action === "support") {
        writes.push(run.write(phone, "support.toggle", { post_id: target }));
      } else if (action === "comment") {
        writes.push(run.write(phone, "comment.create", { post_id: target, body: "Yes, and the school could lend its hall." }));
      } else {
        dots.set(phone, (dots.get(phone) || 0) + 1);
        writes.push(run.write(phone, "dot.place", { post_id: target }));
      }
    }
    await Promise.all(writes);
    mix.end({ all_delivered: await run.drain() });
    run.extra.actions = kinds;
  },

  /** Capture the app's wire shapes for the relays: entries, envelopes and acks per write. */
  async capture(run) {
    const created = await run.createBoard();
    const envelopes = new Map();
    if (!(await run.author.start())) throw new Error(`capture: ${run.author.failed}`);
    run.author.socket.on("event", (envelope) => envelopes.set(envelope.seq, envelope));
    const phone = await run.join(1);
    if (phone.failed) throw new Error(`capture: ${phone.failed}`);
    const joinEntry = await run.http("POST", `/api/v1/boards/${run.code}/participants`, {
      display_name: "Phone 2",
    });
    run.clients.push(phone);
    if (!(await phone.start())) throw new Error(`capture: ${phone.failed}`);
    const steps = [
      [run.author, "session.update", { phase: "prioritise", dot_budget: 20, dots_hidden: false }],
      [run.author, "post.create", null],
      [phone, "support.toggle", "post"],
      [phone, "comment.create", "post"],
      [phone, "dot.place", "post"],
    ];
    const writes = {};
    let postId = null;
    for (const [client, name, fields] of steps) {
      let data;
      if (name === "post.create") data = await run.post(1);
      else if (fields === "post") {
        const extra = name === "comment.create" ? { body: "Yes, and the school could lend its hall." } : {};
        data = await run.write(client, name, { post_id: postId, ...extra });
      } else data = await run.write(client, name, fields);
      if (!data) throw new Error(`capture: ${name} failed: ${run.failureSamples.at(-1)}`);
      if (name === "post.create") postId = data.post?.id ?? data.post_id;
      await run.drain(10);
      const envelope = envelopes.get(data.seq);
      writes[name] = { type: envelope.type, data: envelope.data, ack: data };
    }
    // A join is an event on some versions of the app and not on others: copy what it does.
    const joined = [...envelopes.values()].find((e) => e.type === "participant.joined");
    run.extra.capture = {
      create_entry: created,
      created_seq: run.author.base,
      join_entry: joinEntry,
      joined: joined ? { type: joined.type, data: joined.data } : null,
      writes,
    };
  },
};

// ------------------------------------------------------------------ main

async function main() {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write("usage: node loadgen.mjs SCENARIO.json (or - for stdin)\n");
    process.exit(2);
  }
  const scenario = JSON.parse(fs.readFileSync(source === "-" ? 0 : source, "utf8"));
  const play = SCENARIOS[scenario.kind];
  if (!play) throw new Error(`unknown scenario kind ${JSON.stringify(scenario.kind)}`);
  const run = new Run(scenario);
  const began = now();
  let error = null;
  try {
    await play(run);
  } catch (caught) {
    error = String(caught?.stack || caught);
    log(error);
  }
  run.close();
  const result = { ...run.result(), ok: error === null, error, wall_s: now() - began };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Sockets close in the background; do not wait for their timers.
  setTimeout(() => process.exit(0), 200);
}

main();
