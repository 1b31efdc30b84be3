// "New since your last visit": this device remembers, per board and person, the highest
// post id it has shown. Ids only grow, so on the next visit every post with a higher id
// (written by someone else) is new to this person. The first visit marks nothing.
//
// Closing the loop: it also remembers when this person last had the board open
// (the server's clock, in ms: stillHere), so a council decision recorded since then is
// news (lastVisit, read once as the page opens), and which decisions it has told them of
// that they have not dismissed yet (news: proposal ids), so a reload keeps that notice.

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

function readList(key) {
  try {
    const list = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(list) ? list.filter((id) => Number.isInteger(id) && id > 0) : [];
  } catch {
    return [];
  }
}

export class Visits {
  /** `posts`: the posts on the page now; `meId`: your own posts are never "new". */
  constructor(board, meId, posts) {
    this.key = `common-ground:seen:${board}:${meId}`;
    this.visitKey = `common-ground:visited:${board}:${meId}`;
    this.newsKey = `common-ground:news:${board}:${meId}`;
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
    /** When this person last had the board open (server ms), or null: not on this device. */
    this.lastVisit = read(this.visitKey);
    this.here = this.lastVisit || 0;
    this.newsIds = new Set(readList(this.newsKey));
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

  /** The board is open at `at` (server ms): what happened until then is not news next time. */
  stillHere(at) {
    if (Number.isFinite(at) && at > this.here) {
      this.here = Math.floor(at);
      write(this.visitKey, this.here);
    }
  }

  /** Proposal ids whose decision this person has been told of and not dismissed. */
  news() {
    return [...this.newsIds];
  }

  /** Keep telling of this decision until it is dismissed. */
  addNews(proposalId) {
    if (this.newsIds.has(proposalId)) return;
    this.newsIds.add(proposalId);
    this.writeNews();
  }

  /** Dismissed (or gone): stop telling of it. */
  dropNews(proposalId) {
    if (!this.newsIds.delete(proposalId)) return;
    this.writeNews();
  }

  writeNews() {
    try {
      localStorage.setItem(this.newsKey, JSON.stringify([...this.newsIds]));
    } catch {
      /* the notice is a nicety */
    }
  }
}
