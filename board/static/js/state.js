// Board state and the one reducer that applies board events to it.
//
// Pure: applyEvent never changes its input; it returns a new state that shares every
// post it did not touch, so the view can redraw only the posts whose object changed.
// Sequence checks (duplicates, gaps) belong to live.js; by the time an event gets here
// it is the next one in order.

/** State from a snapshot (the page's JSON or a subscribe ack in snapshot mode). */
export function fromSnapshot(snapshot) {
  const posts = new Map();
  for (const post of snapshot.posts || []) posts.set(post.id, post);
  return {
    board: snapshot.board,
    seq: snapshot.seq,
    me: snapshot.me,
    participants: snapshot.participants || 0,
    posts,
  };
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

const reducers = {
  "participant.joined": (state) => ({ ...state, participants: state.participants + 1 }),

  "post.created": (state, data) => withPost(state, data.post),

  "post.updated": (state, data) => withPost(state, data.post),

  "post.deleted": (state, data) => {
    if (!state.posts.has(data.post_id)) return state;
    const posts = new Map(state.posts);
    posts.delete(data.post_id);
    return { ...state, posts };
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
};

/**
 * The state after one event envelope {board, seq, type, data, at}.
 * Unknown event types (a newer server) only move the seq on.
 */
export function applyEvent(state, envelope) {
  const reduce = reducers[envelope.type];
  const next = reduce ? reduce(state, envelope.data || {}) : state;
  return { ...next, seq: envelope.seq };
}

/** Did this participant support this post? */
export function supportedBy(post, participantId) {
  return (post.supporter_ids || []).includes(participantId);
}
