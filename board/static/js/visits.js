// "New since your last visit": this device remembers, per board and person, the highest
// post id it has shown. Ids only grow, so on the next visit every post with a higher id
// (written by someone else) is new to this person. The first visit marks nothing.

function read(key) {
  try {
    const value = Number(localStorage.getItem(key));
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null; // storage blocked (private mode): no markers, nothing breaks
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, String(value));
  } catch {
    /* storage full or blocked: the markers are a nicety */
  }
}

export class Visits {
  /** `posts`: the posts on the page now; `meId`: your own posts are never "new". */
  constructor(board, meId, posts) {
    this.key = `common-ground:seen:${board}:${meId}`;
    const before = read(this.key);
    this.newIds = new Set();
    this.seen = before || 0;
    for (const post of posts) {
      if (before !== null && post.id > before && post.author?.id !== meId) {
        this.newIds.add(post.id);
      }
      this.seen = Math.max(this.seen, post.id);
    }
    write(this.key, this.seen);
  }

  /** Was this post added since the last visit? */
  isNew(postId) {
    return this.newIds.has(postId);
  }

  /** A post shown live during this visit counts as seen. */
  saw(postId) {
    if (postId > this.seen) {
      this.seen = postId;
      write(this.key, postId);
    }
  }
}
