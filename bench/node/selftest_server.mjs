// A server that misbehaves on purpose, to check that loadgen.mjs counts every delivery.
//
// Usage: node selftest_server.mjs   (prints "selftest listening on PORT")
//
// It speaks just enough of the app's protocol for loadgen's `fanout` scenario: create a
// board (seq 1), join (a seq each, its envelope sent to the room), `subscribe` (a snapshot with the current seq), and
// `post.create` (the next seq, acked). Each post's envelope goes out by a fixed plan, so
// tests/test_loadgen.py knows exactly what every client must count. With the k-th post of
// the board:
//   k = 3        never sent: a gap for every client
//   k = 5        sent twice: a duplicate for every client
//   k = 7, 8     7 held back and sent after 8: out of order once per client
//   k = 10, 11   held back, then sent with 12 in one batched `events` message
//   k = 13       a batched `events` message [12 again, 13]: a duplicate and a delivery
//   k = 15       sent only to the first half of the subscribers (by subscribe order)
//   other k      one `event` message

import crypto from "node:crypto";
import http from "node:http";
import { Server } from "socket.io";

const boards = new Map(); // code -> {seq, posts, held, subscribers: [socket]}

function json(response, status, value) {
  response.writeHead(status, { "Content-Type": "application/json" });
  response.end(JSON.stringify(value));
}

const server = http.createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    const path = new URL(request.url, "http://selftest").pathname;
    const match = path.match(/^\/api\/v1\/boards\/(\w+)\/participants$/);
    if (request.method === "POST" && path === "/api/v1/boards") {
      const code = crypto.randomBytes(4).toString("hex").toUpperCase();
      boards.set(code, { seq: 1, posts: 0, held: new Map(), subscribers: [] });
      json(response, 201, { board: { code }, token: `t-${code}-0` });
    } else if (request.method === "POST" && match && boards.has(match[1])) {
      const board = boards.get(match[1]);
      board.seq += 1;
      const joined = { board: match[1], seq: board.seq, type: "participant.joined", data: {}, at: "" };
      io.to(`board:${match[1]}`).emit("event", joined);
      json(response, 201, { token: `t-${match[1]}-${board.seq}` });
    } else {
      json(response, 404, { error: { code: "not_found", message: "Not here." } });
    }
  });
});
const io = new Server(server, { serveClient: false });

function envelope(code, seq) {
  return { board: code, seq, type: "post.created", data: { post: { id: seq } }, at: new Date().toISOString() };
}

function send(code, board, k, seq) {
  const room = `board:${code}`;
  const now = envelope(code, seq);
  if (k === 3) return;
  if (k === 7 || k === 10 || k === 11) {
    board.held.set(k, now);
    return;
  }
  if (k === 8) {
    io.to(room).emit("event", now);
    io.to(room).emit("event", board.held.get(7));
  } else if (k === 12) {
    board.held.set(12, now);
    io.to(room).emit("events", { board: code, events: [board.held.get(10), board.held.get(11), now] });
  } else if (k === 13) {
    io.to(room).emit("events", { board: code, events: [board.held.get(12), now] });
  } else if (k === 15) {
    const half = board.subscribers.slice(0, Math.ceil(board.subscribers.length / 2));
    for (const socket of half) socket.emit("event", now);
  } else {
    io.to(room).emit("event", now);
    if (k === 5) io.to(room).emit("event", now);
  }
}

io.on("connection", (socket) => {
  socket.on("subscribe", (payload, ack) => {
    const board = boards.get(payload?.board);
    if (!board) return ack({ ok: false, error: { code: "board_not_found", message: "No such board." } });
    socket.join(`board:${payload.board}`);
    board.subscribers.push(socket);
    ack({ ok: true, data: { mode: "snapshot", snapshot: { seq: board.seq }, presence: 0 } });
  });
  socket.on("post.create", (payload, ack) => {
    const board = boards.get(payload?.board);
    if (!board) return ack({ ok: false, error: { code: "board_not_found", message: "No such board." } });
    board.seq += 1;
    board.posts += 1;
    ack({ ok: true, data: { post: { id: board.seq }, seq: board.seq } });
    send(payload.board, board, board.posts, board.seq);
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`selftest listening on ${server.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
