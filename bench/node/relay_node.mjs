// The bare Node relay: socket.io 4.8 on node:http, the least a server can do and still
// speak the app's protocol, so the benchmark can say what the app costs above the stack.
//
// Usage: node relay_node.mjs --port PORT --capture CAPTURE.json
//
// CAPTURE.json holds what the app sent (bench/run.py captures it from the app first): the
// create and join entries, the participant.joined envelope, each write's envelope and ack,
// the snapshot phones got, and the board page and snapshot API bytes at the same board
// size. The relay answers with the same shapes and sizes:
//   POST /api/v1/boards and POST /api/v1/boards/<code>/participants: an entry with a token
//     (a new board starts at the seq the app's did; a join logs and broadcasts a
//     participant.joined envelope when the app's did);
//   GET /b/<code> and GET /api/v1/boards/<code>/snapshot: the captured bytes, as sent;
//   socket `subscribe` {board, token, since?}: joins the room, acks the captured snapshot
//     (with the room's seq) or replays from the in-memory log;
//   any other socket event with an op id: the room's next seq, the captured ack, and the
//     captured envelope broadcast to the room;
//   presence: {board, count, participants} at most once per 0.5 s per board, as the app.
// No database, no checks beyond the token, no op-id memory.

import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { Server } from "socket.io";

const PRESENCE_EVERY_MS = 500;
const LOG_KEEP = 2000;
const REPLAY_MAX = 500;

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

const port = Number(option("port", "0"));
const capture = JSON.parse(fs.readFileSync(option("capture"), "utf8"));
const rooms = new Map(); // code -> {seq, log, tokens, participants, presenceDue}

const iso = () => new Date().toISOString();
const newToken = () => `pr-${crypto.randomBytes(24).toString("base64url")}`;
const newCode = () =>
  Array.from(crypto.randomBytes(6), (b) => "ABCDEFGHJKLMNPQRSTUVWXYZ"[b % 24]).join("");

function entry(template, code, token, host) {
  const made = structuredClone(template);
  if (made.board) made.board.code = code;
  made.token = token;
  made.enter_url = `http://${host}/b/${code}/enter/${token}`;
  return made;
}

/** Append an envelope to the room's log and broadcast it: the room's next seq. */
function record(code, room, type, data) {
  room.seq += 1;
  const envelope = { board: code, seq: room.seq, type, data, at: iso() };
  room.log.push(envelope);
  if (room.log.length > LOG_KEEP + 99) room.log.splice(0, room.log.length - LOG_KEEP);
  io.to(`board:${code}`).emit("event", envelope);
  return room.seq;
}

function presenceChanged(code) {
  const room = rooms.get(code);
  if (!room || room.presenceDue) return;
  room.presenceDue = true;
  setTimeout(() => {
    room.presenceDue = false;
    const count = io.sockets.adapter.rooms.get(`board:${code}`)?.size ?? 0;
    io.to(`board:${code}`).emit("presence", { board: code, count, participants: room.participants });
  }, PRESENCE_EVERY_MS);
}

function fixed(response, captured) {
  if (!captured) {
    response.writeHead(404, { "Content-Type": "application/json" });
    response.end('{"error":{"code":"not_captured","message":"Nothing captured for this."}}');
    return;
  }
  const body = Buffer.from(captured.body_b64, "base64");
  response.writeHead(200, { ...captured.headers, "Content-Length": body.length });
  response.end(body);
}

function json(response, status, value) {
  const body = JSON.stringify(value);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  response.end(body);
}

function readBody(request) {
  return new Promise((resolve) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

async function serveHttp(request, response) {
  const path = new URL(request.url, "http://relay").pathname;
  const host = request.headers.host || `127.0.0.1:${port}`;
  await readBody(request);
  let match;
  if (request.method === "GET" && path === "/") {
    json(response, 200, { relay: "node" });
  } else if (request.method === "POST" && path === "/api/v1/boards") {
    const code = newCode();
    const token = newToken();
    const room = { seq: capture.created_seq, log: [], tokens: new Set([token]), participants: 1, presenceDue: false };
    rooms.set(code, room);
    json(response, 201, entry(capture.create_entry, code, token, host));
  } else if (request.method === "POST" && (match = path.match(/^\/api\/v1\/boards\/(\w+)\/participants$/))) {
    const room = rooms.get(match[1]);
    if (!room) return json(response, 404, { error: { code: "board_not_found", message: "No such board." } });
    const token = newToken();
    room.tokens.add(token);
    room.participants += 1;
    if (capture.joined) record(match[1], room, capture.joined.type, capture.joined.data);
    json(response, 201, entry(capture.join_entry, match[1], token, host));
  } else if (request.method === "GET" && /^\/b\/\w+$/.test(path)) {
    fixed(response, capture.page);
  } else if (request.method === "GET" && /^\/api\/v1\/boards\/\w+\/snapshot$/.test(path)) {
    fixed(response, capture.snapshot_http);
  } else {
    json(response, 404, { error: { code: "not_found", message: "Not here." } });
  }
}

const server = http.createServer((request, response) => {
  serveHttp(request, response).catch((error) => {
    response.writeHead(500);
    response.end(String(error));
  });
});
const io = new Server(server, { serveClient: false, pingInterval: 20000, pingTimeout: 20000 });

function refuse(ack, code, message) {
  if (typeof ack === "function") ack({ ok: false, error: { code, message } });
}

io.on("connection", (socket) => {
  socket.data.boards = new Set();

  socket.on("subscribe", (payload, ack) => {
    const code = payload?.board;
    const room = rooms.get(code);
    if (!room) return refuse(ack, "board_not_found", "No such board.");
    if (!room.tokens.has(payload.token)) return refuse(ack, "not_joined", "Join the board first.");
    socket.join(`board:${code}`);
    socket.data.boards.add(code);
    presenceChanged(code);
    const presence = io.sockets.adapter.rooms.get(`board:${code}`)?.size ?? 0;
    const since = payload.since;
    const first = room.log.length ? room.log[0].seq : room.seq + 1;
    if (Number.isInteger(since) && since <= room.seq && since >= first - 1 && room.seq - since <= REPLAY_MAX) {
      const events = room.log.slice(room.log.length - (room.seq - since));
      return ack({ ok: true, data: { mode: "events", events, presence, server_time: iso() } });
    }
    const snapshot = { ...capture.snapshot, seq: room.seq, server_time: iso() };
    ack({ ok: true, data: { mode: "snapshot", snapshot, presence, server_time: iso() } });
  });

  socket.onAny((name, payload, ack) => {
    if (name === "subscribe") return;
    const write = capture.writes[name];
    if (!write) return refuse(ack, "unknown_event", `Unknown event ${JSON.stringify(name)}.`);
    const code = payload?.board;
    const room = rooms.get(code);
    if (!room || !socket.data.boards.has(code)) return refuse(ack, "not_joined", "Subscribe first.");
    const seq = record(code, room, write.type, write.data);
    if (typeof ack === "function") ack({ ok: true, data: { ...write.ack, seq } });
  });

  socket.on("disconnect", () => {
    for (const code of socket.data.boards) presenceChanged(code);
  });
});

server.listen({ port, host: "127.0.0.1", backlog: 2048 }, () => {
  process.stdout.write(`relay_node listening on ${server.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
