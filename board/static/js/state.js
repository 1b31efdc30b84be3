// Board state and the one reducer that applies board events to it.
//
// Pure: applyEvent never changes its input; it returns a new state that shares every
// post it did not touch, so the view can redraw only the posts whose object changed.
// Sequence checks (duplicates, gaps) belong to live.js; by the time an event gets here
// it is the next one in order.
//
// Reducers are also idempotent where a page may see an event whose effect it already
// shows (the group page reads its thread just after the seq it subscribes from): a link,
// a comment or a message already there is not added twice, and group events carry the
// whole group.
//
// Moderation: a hidden post leaves everyone's state but a facilitator's, where it stays
// with `hidden: {reason, at}`. The public summary (`moderation`: {hidden, by_reason}) is
// counted from the snapshot's, event by event; `moderation.seq` is the seq it reflects, so
// a summary fetched afresh is never counted twice. When a post leaves the hidden count for
// a reason this client never saw (hidden before the page loaded), the summary is marked
// `unsure` and the page asks the server for the current one.
//
// Running the room. Fields beside posts, groups and moderation:
//   state.session      the session as the snapshot has it (phase, locked, premoderation,
//                      silent, dots, slow mode, spotlight_post_id, timer...); replaced
//                      whole by session.changed.
//   state.serverOffset ms to add to Date.now() to get the server's clock (timers count
//                      down on it): from server_time, then withServerTime() on each
//                      subscribe ack and head. serverNow(state) gives the time.
//   state.myDots       {post id as text: my dots on it}; state.dotsSpent: on the board.
//   state.me.muted     a facilitator muted me (I can read, support and place dots);
//   state.me.removed   a facilitator removed me (my link opens nothing any more).
//   state.staff        facilitators only, else null: {dot_totals (also while dots are
//                      hidden), reports: {post id: n}, muted_ids} (the snapshot's `staff`).
//   state.merged       Map(duplicate post id -> the post id it was merged into).
//   state.proposals    Map(idea id -> its proposal, public shape): the newest one not
//                      withdrawn, else the newest withdrawn one; from the snapshot, then
//                      proposal.changed. That is public, so drafts may arrive that the
//                      server would not list: shownProposal(state, ideaId) is what may be
//                      shown (a draft only to its group and the facilitators).
// Posts carry the server's new fields (state: visible|pending|rejected|silent,
// rejected_reason, merged_into_id, pinned, on_behalf_of, dot_count: null while dots are
// hidden) and, on a rejected post whose post.rejected this client saw, `rejected_note`.
// A merged duplicate is not in state.posts (it left the board); its supports, comments
// and helpers are on the post it went into. A "private" event (someone else's, redacted)
// only moves the seq on; so does any type this file does not know.
//
// A partial board: the client holds some posts (the first screen, then pages), each with
// `loadedAt`, the seq it was read at; an event changes a post only above that, and adds a
// post it carries whole. state.window: the snapshot's; state.kept: the last KEEP envelopes
// (withPage replays them); state.ahead: the highest loadedAt.

/**
 * State from a snapshot (the page's JSON or a subscribe ack in snapshot mode).
 * `threads`: optional Map(group id -> messages) for pages that show a group's thread;
 * group.message_posted only appends to threads that are here.
 */
export function fromSnapshot(snapshot, threads = new Map()) {
  const posts = new Map();
  const merged = new Map();
  const hiddenReasons = new Map(); // post id -> why it is hidden, as far as this client knows
  for (const post of snapshot.posts || []) {
    if (post.merged_into_id != null) {
      merged.set(post.id, post.merged_into_id); // left the board: not drawn anywhere
      continue;
    }
    posts.set(post.id, { ...post, loadedAt: snapshot.seq });
    if (post.hidden) hiddenReasons.set(post.id, post.hidden.reason);
  }
  const groups = new Map();
  for (const group of snapshot.groups || []) groups.set(group.id, group);
  let proposals = new Map();
  for (const proposal of snapshot.proposals || []) proposals = withProposal(proposals, proposal);
  const serverTime = Date.parse(snapshot.server_time || "");
  return {
    board: snapshot.board,
    seq: snapshot.seq,
    me: snapshot.me,
    participants: snapshot.participants || 0,
    posts,
    groups,
    threads,
    moderation: summaryAt(snapshot.moderation, snapshot.seq),
    hiddenReasons,
    session: { ...DEFAULT_SESSION, ...(snapshot.session || {}) },
    serverOffset: Number.isNaN(serverTime) ? 0 : serverTime - Date.now(),
    myDots: { ...(snapshot.my_dots || {}) },
    dotsSpent: snapshot.dots_spent || 0,
    staff: snapshot.staff ? { ...snapshot.staff } : null,
    merged,
    proposals,
    window: { why: {}, total: posts.size, complete: true, older: null, ...snapshot.window },
    kept: [],
    ahead: snapshot.seq,
  };
}

/** A live proposal comes before a withdrawn one; then the newer (higher id) one. */
function proposalRank(proposal) {
  return [proposal.state === "withdrawn" ? 0 : 1, proposal.id];
}

/** `proposals` (Map idea id -> proposal) with this proposal in its idea's place if it wins. */
function withProposal(proposals, proposal) {
  if (!proposal || proposal.idea_id == null) return proposals;
  const current = proposals.get(proposal.idea_id);
  if (current && current.id !== proposal.id) {
    const [a, b] = [proposalRank(proposal), proposalRank(current)];
    if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) return proposals; // an older one
  }
  const next = new Map(proposals);
  next.set(proposal.idea_id, proposal);
  return next;
}

/**
 * The proposal to show on this idea's card, or null: a draft only to its group's members
 * and the facilitators (the snapshot leaves it out for everyone else).
 */
export function shownProposal(state, ideaId) {
  const proposal = state.proposals?.get(ideaId) || null;
  if (!proposal || proposal.state !== "draft") return proposal;
  if (isFacilitator(state)) return proposal;
  const group = proposal.group_id == null ? null : state.groups.get(proposal.group_id);
  return isMember(group, state.me?.id) ? proposal : null;
}

/** How a board runs when the server says nothing (an older snapshot). */
const DEFAULT_SESSION = {
  phase: "gather",
  locked: false,
  premoderation: false,
  silent: false,
  dot_budget: 3,
  dots_hidden: false,
  report_threshold: 0,
  slow_mode_seconds: 0,
  spotlight_post_id: null,
  timer: null,
};

/** The state with the server's clock as told at `iso` (a subscribe ack, a head). */
export function withServerTime(state, iso, now = Date.now()) {
  const at = Date.parse(iso || "");
  if (Number.isNaN(at)) return state;
  return { ...state, serverOffset: at - now };
}

/** The server's time now, in ms since the epoch. */
export function serverNow(state, now = Date.now()) {
  return now + (state.serverOffset || 0);
}

/** Whole seconds left on the session's timer (0 once it has run out), or null: no timer. */
export function timerLeft(state, now = Date.now()) {
  const timer = state.session?.timer;
  const ends = Date.parse(timer?.ends_at || "");
  if (Number.isNaN(ends)) return null;
  // The clock is told a little late (the network's delay): never more than was set.
  const left = Math.ceil((ends - serverNow(state, now)) / 1000);
  return Math.max(0, Math.min(left, timer.seconds ?? left));
}

/** My dots on this post. */
export function myDotsOn(state, postId) {
  return state.myDots?.[String(postId)] || 0;
}

/** How many of my dots I can still place. */
export function dotsLeft(state) {
  return Math.max(0, (state.session?.dot_budget ?? 0) - (state.dotsSpent || 0));
}

/** Everyone can see it: not waiting for approval, rejected, held back or hidden. */
export function isOpen(post) {
  return (post.state || "visible") === "visible" && !post.hidden;
}

/** Is `words` in the post's title or body, whatever the case (as the server's search)? */
export function says(post, words) {
  const wanted = words.toLowerCase();
  return [post.title, post.body].some((text) => (text || "").toLowerCase().includes(wanted));
}

/** The post in the spotlight now, if this client has it. */
export function spotlightPost(state) {
  const id = state.session?.spotlight_post_id;
  return id == null ? null : state.posts.get(id) || null;
}

/** A public moderation summary as of `seq`. */
function summaryAt(moderation, seq) {
  return {
    hidden: moderation?.hidden || 0,
    by_reason: { ...(moderation?.by_reason || {}) },
    seq: seq ?? 0,
    unsure: false,
  };
}

/** The state with the public summary the server gave as of `seq` (e.g. from a snapshot). */
export function withSummary(state, moderation, seq) {
  if (seq < state.moderation.seq) return state; // older than what we count from
  return { ...state, moderation: summaryAt(moderation, seq) };
}

/** May this person run the board (and so see hidden posts)? */
export function isFacilitator(state) {
  return state.me?.role === "facilitator" && !state.me.revoked;
}

/** One more (or one fewer) hidden post for `reason`. */
function bump(moderation, reason, by) {
  const byReason = { ...moderation.by_reason };
  const count = Math.max(0, (byReason[reason] || 0) + by);
  if (count) byReason[reason] = count;
  else delete byReason[reason];
  return { ...moderation, hidden: Math.max(0, moderation.hidden + by), by_reason: byReason };
}

/**
 * Count an event into the summary, once: not when the summary already reflects its seq.
 * An event that carries the summary itself (`data.moderation`) is taken as it is.
 */
function recount(state, envelope, data, change) {
  if (data.moderation) return withSummary(state, data.moderation, envelope.seq);
  if (envelope.seq <= state.moderation.seq) return state;
  return { ...state, moderation: { ...change(state.moderation), seq: envelope.seq } };
}

function withHiddenReason(state, postId, reason) {
  const hiddenReasons = new Map(state.hiddenReasons);
  if (reason) hiddenReasons.set(postId, reason);
  else hiddenReasons.delete(postId);
  return { ...state, hiddenReasons };
}

/** Posts newest first (ids grow with time; the server orders the same way), pinned first. */
export function postsNewestFirst(state) {
  return pinnedFirst([...state.posts.values()].sort((a, b) => b.id - a.id));
}

/** The same order with pinned posts moved to the top (a stable sort keeps the rest). */
export function pinnedFirst(posts) {
  return posts.sort((a, b) => Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)));
}

function withPost(state, post) {
  const posts = new Map(state.posts);
  posts.set(post.id, post);
  return { ...state, posts };
}

function changePost(state, postId, change) {
  const post = state.posts.get(postId);
  if (!post) return state; // already gone: nothing to change
  return withPost(state, change(post));
}

/** Change every post (and every group) for which `change` returns a new object. */
function changeEach(state, changePostFn, changeGroupFn) {
  let posts = state.posts;
  for (const [id, post] of state.posts) {
    const next = changePostFn ? changePostFn(post) : post;
    if (next !== post) {
      if (posts === state.posts) posts = new Map(state.posts);
      posts.set(id, next);
    }
  }
  let groups = state.groups;
  for (const [id, group] of state.groups) {
    const next = changeGroupFn ? changeGroupFn(group) : group;
    if (next !== group) {
      if (groups === state.groups) groups = new Map(state.groups);
      groups.set(id, next);
    }
  }
  return posts === state.posts && groups === state.groups ? state : { ...state, posts, groups };
}

/** The group summary a post carries (as post_out shapes it) for a whole group. */
function groupSummary(group) {
  return {
    id: group.id,
    name: group.name,
    member_count: (group.member_ids || []).length,
    closed: Boolean(group.closed),
  };
}

function withLink(list, link) {
  const links = list || [];
  return links.some((l) => l.id === link.id) ? links : [...links, link];
}

function withoutLinks(list, drop) {
  const links = list || [];
  const kept = links.filter((l) => !drop(l));
  return kept.length === links.length ? links : kept;
}

/** A group event: keep the whole group, and the summary on its idea. */
function groupChanged(state, data) {
  const group = data.group;
  if (!group) return state;
  const groups = new Map(state.groups);
  groups.set(group.id, group);
  const next = { ...state, groups };
  return changePost(next, group.idea_id, (post) => ({ ...post, group: groupSummary(group) }));
}

/** Someone chose a name: show it wherever they appear. */
function renamed(state, person) {
  const same = (p) => p && p.id === person.id;
  const fix = (p) => (same(p) ? { ...p, ...person } : p);
  const fixLink = (link) => {
    const helper = fix(link.helper);
    const author = link.offer ? fix(link.offer.author) : null;
    if (helper === link.helper && (!link.offer || author === link.offer.author)) return link;
    return { ...link, helper, offer: link.offer ? { ...link.offer, author } : null };
  };
  const fixLinks = (links) => {
    const fixed = (links || []).map(fixLink);
    return fixed.some((l, i) => l !== links[i]) ? fixed : links;
  };
  const next = changeEach(
    state,
    (post) => {
      const author = fix(post.author);
      const comments = (post.comments || []).map((c) => {
        const by = fix(c.author);
        return by === c.author ? c : { ...c, author: by };
      });
      const commentsChanged = comments.some((c, i) => c !== post.comments[i]);
      const helpers = fixLinks(post.helpers);
      if (author === post.author && !commentsChanged && helpers === post.helpers) return post;
      return {
        ...post,
        author,
        comments: commentsChanged ? comments : post.comments,
        helpers,
      };
    },
    (group) => {
      const offers = fixLinks(group.offers);
      const isMember = (group.member_ids || []).includes(person.id);
      const listed = (group.members || []).some(same);
      let members = group.members;
      let anonymous = group.anonymous_members || 0;
      if (listed) {
        members = person.anonymous
          ? members.filter((p) => !same(p))
          : members.map((p) => (same(p) ? { ...p, ...person } : p));
        if (person.anonymous) anonymous += 1;
      } else if (isMember && !person.anonymous) {
        members = [...(members || []), person];
        anonymous = Math.max(0, anonymous - 1);
      }
      if (offers === group.offers && members === group.members) return group;
      return { ...group, offers, members, anonymous_members: anonymous };
    },
  );
  const threads = new Map();
  let threadsChanged = false;
  for (const [id, messages] of state.threads || []) {
    const fixed = messages.map((m) => (same(m.author) ? { ...m, author: fix(m.author) } : m));
    if (fixed.some((m, i) => m !== messages[i])) threadsChanged = true;
    threads.set(id, fixed);
  }
  const me = same(state.me) ? { ...state.me, ...person } : state.me;
  if (!threadsChanged && me === state.me) return next;
  return { ...next, me, threads: threadsChanged ? threads : state.threads };
}

/** A post and everything hanging on it leave the state. */
function deleted(state, data) {
  const id = data.post_id;
  let next = state;
  if (state.posts.has(id)) {
    const posts = new Map(state.posts);
    posts.delete(id);
    next = { ...state, posts };
  }
  // An offer's links go with it; an idea's group goes with the idea.
  const gone = (link) => link.offer && link.offer.id === id;
  next = changeEach(
    next,
    (post) => {
      const helpers = withoutLinks(post.helpers, gone);
      return helpers === post.helpers ? post : { ...post, helpers };
    },
    (group) => {
      const offers = withoutLinks(group.offers, gone);
      return offers === group.offers ? group : { ...group, offers };
    },
  );
  if ([...next.groups.values()].some((g) => g.idea_id === id)) {
    const groups = new Map([...next.groups].filter(([, g]) => g.idea_id !== id));
    next = { ...next, groups };
  }
  return next;
}

const reducers = {
  "participant.joined": (state) => ({ ...state, participants: state.participants + 1 }),

  "participant.renamed": (state, data) =>
    data.participant ? renamed(state, data.participant) : state,

  "post.created": (state, data) => withPost(state, data.post),

  "post.updated": (state, data) => {
    const post = data.post;
    const next = withPost(state, post);
    if (post.kind !== "skill" && post.kind !== "tool") return next;
    // Where this offer is linked, show what it says now.
    const fresh = (link) =>
      link.offer && link.offer.id === post.id
        ? {
            ...link,
            offer: {
              ...link.offer,
              kind: post.kind,
              title: post.title,
              tag: post.tag,
              availability: post.availability,
            },
          }
        : link;
    const fixLinks = (links) => {
      const fixed = (links || []).map(fresh);
      return fixed.some((l, i) => l !== links[i]) ? fixed : links;
    };
    return changeEach(
      next,
      (p) => {
        const helpers = fixLinks(p.helpers);
        return helpers === p.helpers ? p : { ...p, helpers };
      },
      (group) => {
        const offers = fixLinks(group.offers);
        return offers === group.offers ? group : { ...group, offers };
      },
    );
  },

  "post.deleted": (state, data, envelope) => {
    const id = data.post_id;
    const reason = state.hiddenReasons.get(id);
    let next = withoutMyDots(deleted(state, data), id);
    if (reason) {
      // A hidden post deleted: it no longer counts as hidden.
      next = recount(withHiddenReason(next, id, null), envelope, data, (m) => bump(m, reason, -1));
    } else if (!state.posts.has(id) && !isFacilitator(state) && state.moderation.hidden > 0) {
      // A post this person never saw: perhaps one hidden before the page loaded.
      next = recount(next, envelope, data, (m) => ({ ...m, unsure: true }));
    }
    return next;
  },

  "post.hidden": (state, data, envelope) => {
    const id = data.post_id;
    let next = state;
    if (isFacilitator(state)) {
      next = changePost(state, id, (post) =>
        post.hidden ? post : { ...post, hidden: { reason: data.reason, at: envelope.at } },
      );
    } else if (state.posts.has(id)) {
      const posts = new Map(state.posts);
      posts.delete(id);
      next = { ...state, posts };
    }
    next = withHiddenReason(next, id, data.reason);
    return recount(next, envelope, data, (m) => bump(m, data.reason, 1));
  },

  "post.restored": (state, data, envelope) => {
    const post = data.post;
    if (!post) return state;
    const reason =
      data.reason ?? state.hiddenReasons.get(post.id) ?? state.posts.get(post.id)?.hidden?.reason;
    // Restoring a post dismisses the reports that hid it (facilitators count them).
    const next = withStaff(withHiddenReason(withPost(state, post), post.id, null), (staff) => {
      const reports = { ...staff.reports };
      delete reports[String(post.id)];
      return { ...staff, reports };
    });
    return recount(next, envelope, data, (m) =>
      reason ? bump(m, reason, -1) : { ...m, hidden: Math.max(0, m.hidden - 1), unsure: true },
    );
  },

  "facilitator.revoked": (state, data) => {
    if (!state.me || data.participant_id !== state.me.id) return state;
    // My own link was withdrawn: what only facilitators may see goes.
    const posts = new Map([...state.posts].filter(([, post]) => !post.hidden));
    return { ...state, me: { ...state.me, revoked: true }, posts, staff: null };
  },

  "support.changed": (state, data) =>
    changePost(state, data.post_id, (post) => {
      const others = (post.supporter_ids || []).filter((id) => id !== data.participant_id);
      const supporters = data.supported ? [...others, data.participant_id] : others;
      return {
        ...post,
        supporter_ids: supporters.sort((a, b) => a - b),
        support_count: data.count,
      };
    }),

  "comment.created": (state, data) =>
    changePost(state, data.comment.post_id, (post) => {
      const comments = post.comments || [];
      if (comments.some((c) => c.id === data.comment.id)) return post;
      return { ...post, comments: [...comments, data.comment] };
    }),

  "link.created": (state, data) => {
    const link = data.link;
    if (!link) return state;
    const next = changePost(state, link.target_id, (post) => {
      const helpers = withLink(post.helpers, link);
      return helpers === post.helpers ? post : { ...post, helpers };
    });
    return changeEach(next, null, (group) => {
      if (group.idea_id !== link.target_id) return group;
      const offers = withLink(group.offers, link);
      return offers === group.offers ? group : { ...group, offers };
    });
  },

  "link.removed": (state, data) => {
    const drop = (link) => link.id === data.link_id;
    const next = changePost(state, data.target_id, (post) => {
      const helpers = withoutLinks(post.helpers, drop);
      return helpers === post.helpers ? post : { ...post, helpers };
    });
    return changeEach(next, null, (group) => {
      const offers = withoutLinks(group.offers, drop);
      return offers === group.offers ? group : { ...group, offers };
    });
  },

  "group.created": groupChanged,
  "group.member_joined": groupChanged,
  "group.member_left": groupChanged,
  "group.coordinator_changed": groupChanged,
  "group.renamed": groupChanged,
  "group.closed": groupChanged,

  "group.message_posted": (state, data) => {
    const message = data.message;
    const thread = message && state.threads?.get(message.group_id);
    if (!thread || thread.some((m) => m.id === message.id)) return state;
    const threads = new Map(state.threads);
    threads.set(message.group_id, [...thread, message]);
    return { ...state, threads };
  },
};

/** A deleted post's dots went with it, mine too. */
function withoutMyDots(state, postId) {
  const key = String(postId);
  const mine = state.myDots?.[key];
  if (!mine) return state;
  const myDots = { ...state.myDots };
  delete myDots[key];
  return { ...state, myDots, dotsSpent: Math.max(0, state.dotsSpent - mine) };
}

function withPosts(state, list) {
  if (!list?.length) return state;
  const posts = new Map(state.posts);
  for (const post of list) posts.set(post.id, post);
  return { ...state, posts };
}

function withStaff(state, change) {
  return state.staff ? { ...state, staff: change(state.staff) } : state;
}

function count(map, key, value) {
  return { ...(map || {}), [String(key)]: value };
}

/** A duplicate merged into another post: it leaves, the target carries everything. */
function mergedInto(state, data) {
  const into = data.into;
  if (!into) return state;
  const fromId = data.from_id;
  let next = withPost(state, into);
  if (next.posts.has(fromId)) {
    const posts = new Map(next.posts);
    posts.delete(fromId);
    next = { ...next, posts };
  }
  const merged = new Map(next.merged);
  merged.set(fromId, into.id);
  next = { ...next, merged };
  // My dots moved with the others (the total I have spent stays the same).
  const mine = next.myDots?.[String(fromId)];
  if (mine) {
    const myDots = { ...next.myDots };
    delete myDots[String(fromId)];
    myDots[String(into.id)] = (myDots[String(into.id)] || 0) + mine;
    next = { ...next, myDots };
  }
  // The duplicate's group: carried over to the target, or closed into the target's.
  return changeEach(next, null, (group) => {
    if (group.idea_id !== fromId) return group;
    if (!into.group || into.group.id === group.id) return { ...group, idea_id: into.id };
    return { ...group, closed: true, member_ids: [], members: [], anonymous_members: 0 };
  });
}

Object.assign(reducers, {
  // Someone else's private event: nothing to show, only the seq moves on. (Events that
  // change the public summary — a post hidden, restored, or deleted while hidden — are
  // public and carry the summary itself.)
  private: (state) => state,

  "post.approved": (state, data) => (data.post ? withPost(state, data.post) : state),

  "post.rejected": (state, data) =>
    changePost(state, data.post_id, (post) => ({
      ...post,
      state: "rejected",
      rejected_reason: data.reason,
      rejected_note: data.note || "",
    })),

  "posts.revealed": (state, data) => withPosts(state, data.posts),

  "post.merged": mergedInto,

  "post.pinned": (state, data) =>
    changePost(state, data.post_id, (post) =>
      post.pinned === data.pinned ? post : { ...post, pinned: data.pinned },
    ),

  "post.reported": (state, data) =>
    withStaff(state, (staff) => ({
      ...staff,
      reports: count(staff.reports, data.post_id, data.reports),
    })),

  "participant.muted": (state, data) => {
    let next = state;
    if (state.me && data.participant_id === state.me.id) {
      next = { ...state, me: { ...state.me, muted: Boolean(data.muted) } };
    }
    return withStaff(next, (staff) => {
      const others = (staff.muted_ids || []).filter((id) => id !== data.participant_id);
      return { ...staff, muted_ids: data.muted ? [...others, data.participant_id] : others };
    });
  },

  "participant.removed": (state, data) => {
    let next = state;
    if (state.me && data.participant_id === state.me.id) {
      next = { ...state, me: { ...state.me, removed: true } };
    }
    return withStaff(next, (staff) => ({
      ...staff,
      muted_ids: (staff.muted_ids || []).filter((id) => id !== data.participant_id),
    }));
  },

  "session.changed": (state, data) => {
    if (!data.session) return state;
    const session = { ...DEFAULT_SESSION, ...data.session };
    let next = { ...state, session };
    // Dots hidden from now on: no count shows until dots.revealed brings them back.
    if (session.dots_hidden && !state.session.dots_hidden) {
      next = changeEach(
        next,
        (post) => (post.dot_count == null ? post : { ...post, dot_count: null }),
        null,
      );
    }
    return next;
  },

  "dots.changed": (state, data) => {
    let next = state;
    if (state.me && data.participant_id === state.me.id) {
      next = { ...state, myDots: count(state.myDots, data.post_id, data.mine) };
      if (!data.mine) delete next.myDots[String(data.post_id)];
      next.dotsSpent = data.spent;
    }
    if (!next.session.dots_hidden) {
      next = changePost(next, data.post_id, (post) =>
        post.dot_count === data.total ? post : { ...post, dot_count: data.total },
      );
    }
    return withStaff(next, (staff) => ({
      ...staff,
      dot_totals: count(staff.dot_totals, data.post_id, data.total),
    }));
  },

  "proposal.changed": (state, data) => {
    const proposals = withProposal(state.proposals || new Map(), data.proposal);
    return proposals === state.proposals ? state : { ...state, proposals };
  },

  "dots.revealed": (state, data) => {
    const totals = data.totals || {};
    const next = changeEach(
      state,
      (post) => {
        const total = totals[String(post.id)] || 0;
        return post.dot_count === total ? post : { ...post, dot_count: total };
      },
      null,
    );
    return withStaff(next, (staff) => ({ ...staff, dot_totals: { ...totals } }));
  },
});

/** Envelopes kept, to bring a page read a little earlier up to date. */
export const KEEP = 1000;

const named = (...ids) => ids.filter((id) => id != null);
const whole = (data) => named(data.post?.id);
const single = (data) => named(data.post_id);
const ofGroup = (data) => named(data.group?.idea_id);
const every = () => null;
const none = () => [];
// The posts each event concerns; null: any (a name, links to an offer, every dot count).
const CONCERNS = {
  "post.created": whole,
  "post.updated": (data) => (["skill", "tool"].includes(data.post?.kind) ? null : whole(data)),
  "post.deleted": every,
  "support.changed": single,
  "comment.created": (data) => named(data.comment?.post_id),
  "participant.renamed": every,
  "link.created": (data) => named(data.link?.target_id),
  "link.removed": (data) => named(data.target_id),
  "group.created": ofGroup,
  "group.member_joined": ofGroup,
  "group.member_left": ofGroup,
  "group.coordinator_changed": ofGroup,
  "group.renamed": ofGroup,
  "group.closed": ofGroup,
  "group.message_posted": none,
  "post.hidden": single,
  "post.restored": whole,
  "facilitator.revoked": every,
  "post.approved": whole,
  "post.rejected": single,
  "posts.revealed": (data) => named(...(data.posts || []).map((p) => p.id)),
  "post.merged": (data) => named(data.from_id, data.into?.id),
  "post.pinned": single,
  "post.reported": single,
  "participant.muted": none,
  "participant.removed": none,
  "session.changed": (data) => ((data.changed || []).includes("dots_hidden") ? null : []),
  "dots.changed": single,
  "dots.revealed": every,
  "proposal.changed": none,
};

/** The ids of the posts an event concerns, or null: it may change any post. */
export function postIdsOf(envelope) {
  const concerns = CONCERNS[envelope.type];
  return concerns ? concerns(envelope.data || {}) : [];
}

const STAFF_MAPS = ["dot_totals", "reports"];

/** `into` with the posts `ids` (and their staff counts) as in `from`. */
function postsFrom(into, from, ids) {
  if (!ids.length) return into;
  const posts = new Map(into.posts);
  const staff = into.staff && { ...into.staff };
  for (const name of STAFF_MAPS) if (staff) staff[name] = { ...staff[name] };
  for (const id of ids) {
    const post = from.posts.get(id);
    if (post) posts.set(id, post);
    else posts.delete(id);
    for (const name of staff ? STAFF_MAPS : []) {
      const value = from.staff?.[name]?.[String(id)];
      if (value === undefined) delete staff[name][String(id)];
      else staff[name][String(id)] = value;
    }
  }
  return { ...into, posts, staff };
}

/** Which of `ids` (null: all) `state` holds. */
function heldOf(state, ids) {
  return ids === null ? [...state.posts.keys()] : ids.filter((id) => state.posts.has(id));
}

/** Posts an event added whole are loaded at its seq. */
function stamped(state, ids, seq) {
  let posts = state.posts;
  for (const id of heldOf(state, ids)) {
    const post = posts.get(id);
    if (post.loadedAt !== undefined) continue;
    if (posts === state.posts) posts = new Map(posts);
    posts.set(id, { ...post, loadedAt: seq });
  }
  return posts === state.posts ? state : { ...state, posts };
}

/**
 * The state after one event envelope {board, seq, type, data, at}.
 * Unknown event types (a newer server) only move the seq on. A post loaded at this seq or
 * later (a newer page) already shows it: it stays.
 */
export function applyEvent(state, envelope) {
  const reduce = reducers[envelope.type];
  let next = reduce ? reduce(state, envelope.data || {}, envelope) : state;
  const ids = postIdsOf(envelope);
  if (envelope.seq <= (state.ahead ?? -Infinity)) {
    const ahead = heldOf(state, ids).filter((id) => state.posts.get(id).loadedAt >= envelope.seq);
    next = postsFrom(next, state, ahead);
  }
  next = stamped(next, ids, envelope.seq);
  const kept = (state.kept || []).slice(1 - KEEP);
  kept.push(envelope);
  return { ...next, seq: envelope.seq, kept };
}

/** The seq after which `state.kept` holds every envelope. */
function keptSince(state) {
  return state.kept?.length ? state.kept[0].seq - 1 : state.seq;
}

/**
 * A page of board.posts ({seq, posts, staff?}) merged: {state, added: ids, stale}. Held
 * posts stay (events keep them exact). The kept envelopes after an older page's seq are
 * replayed onto the posts it adds; `stale` (nothing merged): they do not reach back.
 */
export function withPage(state, page) {
  const at = page.seq;
  const fresh = (page.posts || []).filter(
    (p) => p.merged_into_id == null && !state.posts.has(p.id) && !state.merged.has(p.id),
  );
  if (!fresh.length) return { state, added: [], stale: false };
  if (at < keptSince(state)) return { state, added: [], stale: true };
  const staff = state.staff && { ...state.staff };
  for (const name of STAFF_MAPS) if (staff) staff[name] = { ...page.staff?.[name] };
  let scratch = {
    ...state,
    posts: new Map(fresh.map((p) => [p.id, { ...p, loadedAt: at }])),
    staff,
  };
  for (const envelope of state.kept || []) {
    const reduce = reducers[envelope.type];
    if (envelope.seq <= at || !reduce || !heldOf(scratch, postIdsOf(envelope)).length) continue;
    const reduced = reduce(scratch, envelope.data || {}, envelope);
    scratch = postsFrom(scratch, reduced, [...scratch.posts.keys()]);
  }
  const next = postsFrom(state, scratch, fresh.map((p) => p.id));
  const added = fresh.map((p) => p.id).filter((id) => next.posts.has(id));
  const hiddenReasons = new Map(state.hiddenReasons);
  for (const id of added) {
    const hidden = next.posts.get(id).hidden;
    if (hidden) hiddenReasons.set(id, hidden.reason);
  }
  return {
    state: { ...next, hiddenReasons, ahead: Math.max(state.ahead ?? at, at) },
    added,
    stale: false,
  };
}

/** Did this participant support this post? */
export function supportedBy(post, participantId) {
  return (post.supporter_ids || []).includes(participantId);
}

/** The whole group formed around this idea, if there is one. */
export function groupOf(state, post) {
  return post.group ? state.groups.get(post.group.id) || null : null;
}

/** Is this participant in this group? */
export function isMember(group, participantId) {
  return Boolean(group && (group.member_ids || []).includes(participantId));
}
