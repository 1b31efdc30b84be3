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

/**
 * State from a snapshot (the page's JSON or a subscribe ack in snapshot mode).
 * `threads`: optional Map(group id -> messages) for pages that show a group's thread;
 * group.message_posted only appends to threads that are here.
 */
export function fromSnapshot(snapshot, threads = new Map()) {
  const posts = new Map();
  const hiddenReasons = new Map(); // post id -> why it is hidden, as far as this client knows
  for (const post of snapshot.posts || []) {
    posts.set(post.id, post);
    if (post.hidden) hiddenReasons.set(post.id, post.hidden.reason);
  }
  const groups = new Map();
  for (const group of snapshot.groups || []) groups.set(group.id, group);
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
  };
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

/** Posts newest first (ids grow with time; the server orders the same way). */
export function postsNewestFirst(state) {
  return [...state.posts.values()].sort((a, b) => b.id - a.id);
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
    let next = deleted(state, data);
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
    const next = withHiddenReason(withPost(state, post), post.id, null);
    return recount(next, envelope, data, (m) =>
      reason ? bump(m, reason, -1) : { ...m, hidden: Math.max(0, m.hidden - 1), unsure: true },
    );
  },

  "facilitator.revoked": (state, data) => {
    if (!state.me || data.participant_id !== state.me.id) return state;
    // My own link was withdrawn: what only facilitators may see goes.
    const posts = new Map([...state.posts].filter(([, post]) => !post.hidden));
    return { ...state, me: { ...state.me, revoked: true }, posts };
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

/**
 * The state after one event envelope {board, seq, type, data, at}.
 * Unknown event types (a newer server) only move the seq on.
 */
export function applyEvent(state, envelope) {
  const reduce = reducers[envelope.type];
  const next = reduce ? reduce(state, envelope.data || {}, envelope) : state;
  return { ...next, seq: envelope.seq };
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
