// The outbox: writes made on this device that the server has not acknowledged yet.
//
// Each write (post.create, support.toggle, comment.create, post.update, post.delete,
// link.create, link.remove, group.join, group.leave, dot.place, dot.take_back,
// post.report; a facilitator's post.hide, post.restore, post.approve and post.reject)
// gets its op id when the person acts, and is kept in localStorage (per board and person)
// until its ack arrives, so a write made offline, or cut off by a reload or a flat
// battery, is sent later with the same op id: the server does it once and answers a
// retry with the first result.
//
// Only an answer that may change by itself is worth keeping the write for (see
// worthRetrying): a refusal by the session (board_locked, board_closed, posting_paused,
// muted, slow mode's slow_down...) or by the rules is final, and the page shows it
// instead; the person decides whether to try again later. (A rate limit's short
// slow_down never gets here: live.js waits it out and sends the write again.)
//
// pendingView() says how the writes still in flight change what the feed shows: pending
// cards for new posts, a support already counted, a comment "Sending…". A write stays
// "in flight" until the board event it produced has been applied (state.seq >= the ack's
// seq), so the pending card and the real card are swapped in one redraw, never both.

const VERSION = 1;

/** Refusals that are not about the write itself: keep it and send it again later. */
const TRANSIENT = new Set(["not_joined", "internal"]);

/** Should a write refused with `error` stay in the outbox (true) or be dropped and shown? */
export function worthRetrying(error) {
  return !error || TRANSIENT.has(error.code);
}

function fieldsOf(op) {
  const { op_id: _opId, board: _board, ...payload } = op.payload || {};
  return payload;
}

export class Outbox {
  constructor(board, meId) {
    this.key = `common-ground:outbox:${board}:${meId}`;
    this.memory = []; // used when localStorage is blocked
  }

  /** The stored writes, oldest first. */
  list() {
    try {
      const stored = JSON.parse(localStorage.getItem(this.key) || "null");
      if (stored && stored.v === VERSION && Array.isArray(stored.ops)) return stored.ops;
      return [];
    } catch {
      return this.memory;
    }
  }

  _save(ops) {
    this.memory = ops;
    try {
      if (ops.length) localStorage.setItem(this.key, JSON.stringify({ v: VERSION, ops }));
      else localStorage.removeItem(this.key);
    } catch {
      /* storage blocked or full: the write still goes out from memory */
    }
  }

  add(op) {
    const { op_id, name, after, before, at } = op;
    this._save([...this.list(), { op_id, name, payload: fieldsOf(op), after, before, at }]);
  }

  remove(opId) {
    const ops = this.list();
    const kept = ops.filter((op) => op.op_id !== opId);
    if (kept.length !== ops.length) this._save(kept);
  }
}

// Writes in flight that show as a flag on their post's overlay.
const FLAGS = {
  "post.hide": "hiding",
  "post.restore": "restoring",
  "post.report": "reporting",
  "post.approve": "approving",
  "post.reject": "rejecting",
};

/** The highest post id and comment id in a state: anything of ours above them is newer. */
export function newestIds(state) {
  let post = 0;
  let comment = 0;
  for (const p of state.posts.values()) {
    post = Math.max(post, p.id);
    for (const c of p.comments || []) comment = Math.max(comment, c.id);
  }
  return { post, comment };
}

// The server trims text and folds runs of spaces; compare the way it stores them.
function same(a, b) {
  const fold = (text) =>
    String(text ?? "")
      .replace(/\s+/g, " ")
      .trim();
  return fold(a) === fold(b);
}

/** The post a link is on, by the link's id (null when it is gone). */
function linkTarget(state, linkId) {
  for (const post of state.posts.values()) {
    if ((post.helpers || []).some((link) => link.id === linkId)) return post.id;
  }
  return null;
}

/** The idea a group formed around, by the group's id. */
function groupIdea(state, groupId) {
  const group = state.groups?.get(groupId);
  if (group) return group.idea_id;
  for (const post of state.posts.values()) if (post.group?.id === groupId) return post.id;
  return null;
}

/**
 * How the writes in flight change the feed.
 * `ops`: in-flight writes, oldest first ({op_id, name, payload, after, before, result}).
 * Returns {creates: [op], posts: Map(postId -> {supported, edit, deleting, comments: [op],
 * helping, unlinking: [link id], joining, leaving, hiding, restoring, dots (my dots on it
 * still on their way: +1 each place, -1 each take back), reporting, approving,
 * rejecting})}.
 */
export function pendingView(ops, state, meId) {
  const creates = [];
  const posts = new Map();
  const claimedPosts = new Set();
  const claimedComments = new Set();
  for (const op of ops) {
    if (op.result?.post) claimedPosts.add(op.result.post.id);
    if (op.result?.comment) claimedComments.add(op.result.comment.id);
  }
  const overlay = (postId) => {
    if (!posts.has(postId)) posts.set(postId, { comments: [] });
    return posts.get(postId);
  };

  for (const op of ops) {
    const fields = op.payload || {};
    if (op.name === "post.create") {
      if (!op.result) {
        // Its event may come before its ack: a post of ours, newer than the write and
        // saying the same, is this write's post. Show that one only.
        const mine = [...state.posts.values()].find(
          (post) =>
            !claimedPosts.has(post.id) &&
            post.author?.id === meId &&
            post.id > (op.after?.post ?? Infinity) &&
            post.kind === fields.kind &&
            same(post.title, fields.title),
        );
        if (mine) {
          claimedPosts.add(mine.id);
          continue;
        }
      } else if (state.posts.has(op.result.post.id)) {
        continue;
      }
      creates.push(op);
    } else if (op.name === "comment.create") {
      const post = state.posts.get(fields.post_id);
      if (!post) continue;
      if (!op.result) {
        const mine = (post.comments || []).find(
          (comment) =>
            !claimedComments.has(comment.id) &&
            comment.author?.id === meId &&
            comment.id > (op.after?.comment ?? Infinity) &&
            same(comment.body, fields.body),
        );
        if (mine) {
          claimedComments.add(mine.id);
          continue;
        }
      } else if ((post.comments || []).some((c) => c.id === op.result.comment.id)) {
        continue;
      }
      overlay(fields.post_id).comments.push(op);
    } else if (op.name === "support.toggle") {
      // The last tap decides: the ack says what the server did, else the opposite of
      // what the button showed when it was tapped.
      overlay(fields.post_id).supported = op.result ? op.result.supported : !op.before;
    } else if (op.name === "post.update") {
      const { post_id: _id, ...edit } = fields;
      const entry = overlay(fields.post_id);
      entry.edit = { ...entry.edit, ...edit };
    } else if (op.name === "post.delete") {
      overlay(fields.post_id).deleting = true;
    } else if (op.name === "link.create") {
      if (state.posts.has(fields.post_id)) overlay(fields.post_id).helping = true;
    } else if (op.name === "link.remove") {
      const target = linkTarget(state, fields.link_id);
      if (target !== null) {
        const entry = overlay(target);
        entry.unlinking = [...(entry.unlinking || []), fields.link_id];
      }
    } else if (op.name === "group.join") {
      if (state.posts.has(fields.post_id)) overlay(fields.post_id).joining = true;
    } else if (op.name === "group.leave") {
      const idea = groupIdea(state, fields.group_id);
      if (idea !== null && state.posts.has(idea)) overlay(idea).leaving = true;
    } else if (op.name in FLAGS) {
      if (state.posts.has(fields.post_id)) overlay(fields.post_id)[FLAGS[op.name]] = true;
    } else if (op.name === "dot.place" || op.name === "dot.take_back") {
      if (!state.posts.has(fields.post_id)) continue;
      const entry = overlay(fields.post_id);
      entry.dots = (entry.dots || 0) + (op.name === "dot.place" ? 1 : -1);
    }
  }
  return { creates, posts };
}
