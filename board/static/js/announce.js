// Polite screen-reader announcements through one aria-live region, without a flood:
// the first new post in a quiet spell is read out by title, the rest are summed up
// once ("3 more new posts") when the spell ends.

import { t, tn } from "./i18n.js";

const QUIET_MS = 8000;

export class Announcer {
  constructor(region, { quietMs = QUIET_MS } = {}) {
    this.region = region;
    this.quietMs = quietMs;
    this.lastNews = -Infinity;
    this.waiting = 0;
    this.timer = null;
  }

  /** Say something now (e.g. the result of the person's own action). */
  say(message) {
    if (!this.region) return;
    // Clear first so the same words twice are still read twice.
    this.region.textContent = "";
    setTimeout(() => {
      this.region.textContent = message;
    }, 50);
  }

  /** Someone else posted: announce it, or count it into the next summary. */
  newPost(title) {
    const now = Date.now();
    if (now - this.lastNews >= this.quietMs && !this.timer) {
      this.lastNews = now;
      this.say(t("new_post", { title }));
      return;
    }
    this.waiting += 1;
    if (!this.timer) {
      const wait = Math.max(0, this.quietMs - (now - this.lastNews));
      this.timer = setTimeout(() => this._summarise(), wait);
    }
  }

  _summarise() {
    const count = this.waiting;
    this.timer = null;
    this.waiting = 0;
    this.lastNews = Date.now();
    if (count > 0) this.say(tn("more_new_posts", count));
  }
}
