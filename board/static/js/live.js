// The live connection to one board: ordered events, catch-up after reconnects, and
// writes that survive a dropped connection without ever being applied twice.
//
// The delivery model is docs/REALTIME.md's: apply seq last + 1, ignore seq <= last, keep an
// early one and ask for the gap (`subscribe` since last). Writes carry an op_id a retry
// reuses; the sender applies its own change from the event, not the ack. A redacted
// "private" copy of a seq is a duplicate and never replaces the full event buffered.

import { io } from "../vendor/socket.io/socket.io.esm.min.js";

const ACK_TIMEOUT_MS = 10000;
// A catch-up can carry a whole snapshot: give it longer on a slow phone connection.
const SUBSCRIBE_TIMEOUT_MS = 20000;
const RETRY_DELAY_MS = 1000;
// A write refused by the per-person rate limit is not about the write: the server did not
// run it, and says when to try again. A short wait (a phone flushing what it queued while
// offline) is waited out; a long one (slow mode's interval) is shown to the person.
const WAIT_OUT_SECONDS = 5;

/** A fresh op id: a UUID where the browser has one, else 32 random hex digits. */
export function newOpId() {
  const c = globalThis.crypto;
  // randomUUID needs a secure context: a laptop serving plain http on venue Wi-Fi is not.
  if (c && typeof c.randomUUID === "function") {
    try {
      return c.randomUUID();
    } catch {
      /* fall through */
    }
  }
  const bytes = new Uint8Array(16);
  if (c && typeof c.getRandomValues === "function") {
    c.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  }
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const noop = () => {};

/**
 * What to do with an event at `seq` when the state reflects `last`: "apply" the next one,
 * "ignore" a duplicate (seq <= last), or "keep" an early one until the gap before it is
 * filled (the connection then asks the server for the range it missed).
 */
export function seqAction(last, seq) {
  if (seq <= last) return "ignore";
  return seq === last + 1 ? "apply" : "keep";
}

/**
 * Should this early envelope go into `buffer` (Map seq -> envelope)? Not a redacted
 * "private" copy of a seq already waiting there: the full event stays.
 */
export function worthKeeping(buffer, envelope) {
  return !(envelope.type === "private" && buffer.has(envelope.seq));
}

export class BoardConnection {
  /**
   * @param {object} options
   * @param {string} options.board    the board's join code
   * @param {number} options.seq      the seq the page's state reflects
   * @param {(envelope) => void} [options.onEvent]      the next event, in order
   * @param {(snapshot) => void} [options.onSnapshot]   replace all state
   * @param {(count: number, joined?: number) => void} [options.onPresence]  people
   *        connected now, and (from the `presence` message) how many have joined the board
   * @param {(iso: string) => void} [options.onClock]  the server's time, from each
   *        subscribe ack (server_time) and head (now): timers count down on it
   * @param {(status: string, detail?: object) => void} [options.onStatus]
   *        "connecting" | "online" | "offline" | "refused" (detail: the ack error);
   *        "connecting" comes at start() and at resume()
   * @param {string} [options.view]  "public": see only what everyone sees (the projector
   *        and the results page), even when signed in as a facilitator
   * @param {string} [options.token]  who this page is, instead of the cookie: the view-only
   *        projector link's token (sent in `subscribe`, and as a bearer token on reads)
   * @param {() => object} [options.socketFactory]  for tests: returns a Socket.IO-like socket
   * @param {typeof fetch} [options.fetch]  for tests: reads over HTTP
   */
  constructor(options) {
    this.board = options.board;
    this.last = options.seq;
    this.onEvent = options.onEvent || noop;
    this.onSnapshot = options.onSnapshot || noop;
    this.onPresence = options.onPresence || noop;
    this.onStatus = options.onStatus || noop;
    this.onClock = options.onClock || noop;
    this.view = options.view || null;
    this.token = options.token || null;
    this.socketFactory = options.socketFactory || (() => io());
    this.fetch = options.fetch || ((...args) => globalThis.fetch(...args));

    this.socket = null;
    this.subscribed = false; // the server knows this connection is on the board
    this.subscribing = 0; // generation of the pending subscribe, 0 when none
    this.generation = 0;
    this.resyncWanted = false;
    this.refused = false;
    this.paused = false; // closed on purpose while the device is offline
    this.buffer = new Map(); // seq -> envelope that cannot be applied yet
    this.outbox = []; // writes not yet acknowledged, oldest first
    this.inflight = null; // the write sent and waiting for its ack
  }

  get lastSeq() {
    return this.last;
  }

  /** How many writes are waiting to be acknowledged. */
  get pending() {
    return this.outbox.length;
  }

  start() {
    if (this.socket) return this;
    const socket = this.socketFactory();
    this.socket = socket;
    socket.on("connect", () => this._subscribe());
    socket.on("disconnect", (reason) => {
      this._lost();
      // Socket.IO does not reconnect by itself after the server closed the connection.
      if (reason === "io server disconnect" && !this.paused) socket.connect();
    });
    socket.on("event", (envelope) => this._received(envelope));
    // Several envelopes at once (a burst of supports or dots gathered per tick), in seq
    // order: each goes through the same rule as if it had come alone.
    socket.on("events", (batch) => {
      if (!batch || batch.board !== this.board || !Array.isArray(batch.events)) return;
      for (const envelope of batch.events) this._received(envelope);
    });
    socket.on("head", (head) => this._head(head));
    socket.on("presence", (message) => {
      if (message && message.board === this.board) {
        this.onPresence(message.count, message.participants);
      }
    });
    this.onStatus("connecting");
    return this;
  }

  /** Check for missed events now (e.g. when a phone wakes the page up again). */
  resync() {
    if (this.subscribed) this._subscribe();
    else if (this.socket && !this.socket.connected && !this.paused && !this.refused) {
      this.socket.connect(); // woken up while Socket.IO waits out its back-off: try now
    }
  }

  /**
   * The device says it is offline (the browser's `offline` event): close the socket now
   * rather than wait for pings to fail; writes wait in the outbox until resume().
   */
  pause() {
    if (!this.socket || this.paused) return;
    this.paused = true;
    const wasConnected = this.socket.connected;
    this.socket.disconnect(); // a connected socket reports "disconnect": _lost() runs
    if (!wasConnected) this._lost();
  }

  /** The device is back online: connect again (then subscribe, catch up, send). */
  resume() {
    if (!this.socket || !this.paused) return;
    this.paused = false;
    this.onStatus("connecting");
    this.socket.connect();
  }

  /**
   * Send a write: adds the board and an op_id, queues it while offline, resends it
   * with the same op_id after a timeout or reconnect. Resolves with the server's ack,
   * `{ok: true, data}` or `{ok: false, error: {code, message}}`.
   */
  send(eventName, payload = {}) {
    return new Promise((resolve) => {
      this.outbox.push({
        name: eventName,
        payload: { ...payload, board: this.board, op_id: payload.op_id || newOpId() },
        resolve,
        attempt: 0,
        rejoined: false,
      });
      this._flush();
    });
  }

  /**
   * A page of board.posts ({kind, tag, q, sort, after, limit}): by socket while subscribed,
   * else (or unanswered) by HTTP. `merge(page)` false (stale): read again, up to 3 times.
   * Resolves the page merged, or null.
   */
  async page(query, merge = () => true) {
    const asked = {};
    for (const [name, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== "") asked[name] = value;
    }
    for (let tries = 0; tries < 3; tries += 1) {
      const found = await this._readPage(asked);
      if (!found || merge(found)) return found;
    }
    return null;
  }

  /** Page through the newest posts (`pages` of 100 at most) until `has()`; `merge` as page(). */
  async seek(has, merge, pages = 5) {
    let after = null;
    for (let read = 0; read < pages && !has(); read += 1) {
      const found = await this.page({ sort: "newest", after, limit: 100 }, merge);
      if (!found?.next) return;
      after = found.next;
    }
  }

  async _readPage(asked) {
    const socket = this.socket;
    if (this.subscribed && socket?.connected) {
      const ack = await new Promise((resolve) => {
        const payload = { ...asked, board: this.board };
        socket.timeout(ACK_TIMEOUT_MS).emit("posts.page", payload, (err, answer) => {
          resolve(err ? null : answer || null);
        });
      });
      if (ack?.ok) return ack.data;
      if (ack && ack.error?.code !== "not_joined") return null; // refused
    }
    try {
      const url = `/api/v1/boards/${encodeURIComponent(this.board)}/posts`;
      const response = await this.fetch(`${url}?${new URLSearchParams(asked)}`, {
        credentials: "same-origin",
        headers: this.headers(),
      });
      return response.ok ? await response.json() : null;
    } catch {
      return null; // offline
    }
  }

  close() {
    if (this.socket) this.socket.disconnect();
  }

  /** Headers for a read over HTTP: JSON, and the page's token when it has one. */
  headers() {
    const headers = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }

  // --- subscribe and catch up -------------------------------------------------------

  /** What `subscribe` asks for: this board, from our seq, in our view. */
  _subscription() {
    const asked = { board: this.board, since: this.last };
    if (this.view) asked.view = this.view;
    if (this.token) asked.token = this.token;
    return asked;
  }

  _subscribe() {
    const socket = this.socket;
    if (!socket || !socket.connected || this.refused) return;
    if (this.subscribing) {
      this.resyncWanted = true; // ask again once the pending answer is in
      return;
    }
    const generation = ++this.generation;
    this.subscribing = generation;
    this.resyncWanted = false;
    socket
      .timeout(SUBSCRIBE_TIMEOUT_MS)
      .emit("subscribe", this._subscription(), (err, ack) => {
        if (this.subscribing !== generation) return; // a disconnect overtook it
        this.subscribing = 0;
        if (err) {
          // No answer in time: the connection is probably dead although not yet noticed.
          if (socket.connected) {
            socket.disconnect();
            socket.connect();
          }
          return;
        }
        if (!ack || !ack.ok) {
          this._subscribeRefused(ack && ack.error);
          return;
        }
        this._caughtUp(ack.data || {});
      });
  }

  _caughtUp(data) {
    if (data.server_time) this.onClock(data.server_time);
    if (data.mode === "snapshot" && data.snapshot) {
      this.last = data.snapshot.seq;
      this.onSnapshot(data.snapshot);
    } else {
      for (const envelope of data.events || []) this._offer(envelope);
    }
    if (typeof data.presence === "number") this.onPresence(data.presence);
    const wasSubscribed = this.subscribed;
    this.subscribed = true;
    if (!wasSubscribed) this.onStatus("online");
    this._drain();
    if (this.resyncWanted) this._subscribe();
    this._flush();
  }

  _subscribeRefused(error) {
    const code = error && error.code;
    if (code === "internal") {
      setTimeout(() => this._subscribe(), RETRY_DELAY_MS * 5);
      return;
    }
    // not_joined, board_not_found...: retrying will not help; tell the page.
    this.refused = true;
    this.subscribed = false;
    this.onStatus("refused", error || { code: "unknown", message: "Could not join the board." });
    for (const op of this.outbox.splice(0)) op.resolve({ ok: false, error });
    this.inflight = null;
  }

  _lost() {
    const wasSubscribed = this.subscribed;
    this.subscribed = false;
    this.subscribing = 0; // ignore the answer to a subscribe sent on the dead connection
    if (this.inflight) {
      this.inflight.attempt += 1; // its ack can no longer arrive; resend after rejoining
      this.inflight = null;
    }
    if (wasSubscribed || !this.refused) this.onStatus("offline");
  }

  // --- live events ------------------------------------------------------------------

  _received(envelope) {
    if (!envelope || envelope.board !== this.board || typeof envelope.seq !== "number") return;
    if (!this.subscribed || this.subscribing) {
      // A subscribe answer is on its way: keep this until we know where we stand.
      if (envelope.seq > this.last) this._keep(envelope);
      return;
    }
    this._offer(envelope);
    this._drain();
  }

  /** Apply the envelope if it is next; drop it if old; keep it if early. */
  _offer(envelope) {
    const action = seqAction(this.last, envelope.seq);
    if (action === "ignore") return;
    if (action === "apply") {
      this.last = envelope.seq;
      try {
        this.onEvent(envelope);
      } catch (error) {
        console.error("Could not apply board event", envelope, error);
      }
      return;
    }
    this._keep(envelope);
  }

  /** Buffer an early envelope; a redacted copy never replaces the full event. */
  _keep(envelope) {
    if (worthKeeping(this.buffer, envelope)) this.buffer.set(envelope.seq, envelope);
  }

  /** Apply whatever buffered events are now in order; on a gap, ask for the rest. */
  _drain() {
    let next = this.buffer.get(this.last + 1);
    while (next) {
      this.buffer.delete(next.seq);
      this._offer(next);
      next = this.buffer.get(this.last + 1);
    }
    for (const seq of this.buffer.keys()) if (seq <= this.last) this.buffer.delete(seq);
    if (this.buffer.size > 0 && !this.subscribing) this._subscribe();
  }

  _head(head) {
    if (!head || head.board !== this.board) return;
    if (head.now) this.onClock(head.now);
    if (!this.subscribed) return;
    if (typeof head.seq === "number" && head.seq > this.last) this._subscribe();
  }

  // --- writes -----------------------------------------------------------------------

  _flush() {
    const socket = this.socket;
    if (this.inflight || !this.subscribed || this.subscribing || !socket || !socket.connected) {
      return;
    }
    const op = this.outbox[0];
    if (!op) return;
    this.inflight = op;
    const attempt = ++op.attempt;
    socket.timeout(ACK_TIMEOUT_MS).emit(op.name, op.payload, (err, ack) => {
      if (this.inflight !== op || op.attempt !== attempt) return;
      this.inflight = null;
      if (err) {
        // Timed out: send it again with the same op_id (the server runs it at most once).
        setTimeout(() => this._flush(), socket.connected ? 0 : RETRY_DELAY_MS);
        return;
      }
      const wait = shortWait(ack);
      if (wait !== null) {
        setTimeout(() => this._flush(), wait * 1000);
        return;
      }
      if (ack && !ack.ok && ack.error && ack.error.code === "not_joined" && !op.rejoined) {
        // The server forgot this connection's subscription: subscribe again, then retry.
        op.rejoined = true;
        this.subscribed = false;
        this._subscribe();
        return;
      }
      this.outbox.shift();
      op.resolve(ack || { ok: false, error: { code: "internal", message: "No answer." } });
      this._flush();
    });
  }
}

/** Seconds to wait before sending a write again when its refusal says to (else null). */
export function shortWait(ack) {
  if (!ack || ack.ok || ack.error?.code !== "slow_down") return null;
  const seconds = Number(ack.error.fields?.retry_after);
  return seconds > 0 && seconds <= WAIT_OUT_SECONDS ? seconds : null;
}
