// "New since your last visit" (board/static/js/board_words.js), on a fake localStorage.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Visits } from "../../board/static/js/board_words.js";
import { FakeStorage, blockedStorage, withStorage } from "./helpers.mjs";

const ME = 1;
const mine = { id: ME };
const theirs = { id: 2 };

describe("Visits", () => {
  test("the first visit marks nothing new, and remembers the newest post", () => {
    const storage = new FakeStorage();
    withStorage(storage, () => {
      const visits = new Visits("ABCDEF", ME, [
        { id: 3, author: theirs },
        { id: 7, author: theirs },
      ]);
      assert.equal(visits.isNew(3), false);
      assert.equal(visits.isNew(7), false);
      assert.equal(storage.getItem("common-ground:seen:ABCDEF:1"), "7");
      assert.equal(visits.lastVisit, null);
    });
  });

  test("the next visit marks others' posts above the last one seen, never my own", () => {
    const storage = new FakeStorage({ "common-ground:seen:ABCDEF:1": "5" });
    withStorage(storage, () => {
      const visits = new Visits("ABCDEF", ME, [
        { id: 4, author: theirs },
        { id: 6, author: theirs },
        { id: 8, author: mine },
      ]);
      assert.equal(visits.isNew(4), false);
      assert.equal(visits.isNew(6), true);
      assert.equal(visits.isNew(8), false);
      assert.equal(storage.getItem("common-ground:seen:ABCDEF:1"), "8");
    });
  });

  test("per board and person", () => {
    const storage = new FakeStorage({ "common-ground:seen:ABCDEF:2": "1" });
    withStorage(storage, () => {
      const visits = new Visits("ABCDEF", ME, [{ id: 6, author: theirs }]);
      assert.equal(visits.isNew(6), false);
    });
  });

  test("a post seen live moves the marker up, never down", () => {
    const storage = new FakeStorage();
    withStorage(storage, () => {
      const visits = new Visits("ABCDEF", ME, [{ id: 3, author: theirs }]);
      visits.saw(9);
      assert.equal(storage.getItem("common-ground:seen:ABCDEF:1"), "9");
      visits.saw(4);
      assert.equal(storage.getItem("common-ground:seen:ABCDEF:1"), "9");
    });
  });

  test("a stored marker that is not a positive whole number counts as none", () => {
    for (const value of ["abc", "-3", "2.5", "0"]) {
      withStorage(new FakeStorage({ "common-ground:seen:ABCDEF:1": value }), () => {
        const visits = new Visits("ABCDEF", ME, [{ id: 6, author: theirs }]);
        assert.equal(visits.isNew(6), false, value);
      });
    }
  });

  test("stillHere remembers the latest time the board was open, for the next visit", () => {
    const storage = new FakeStorage();
    withStorage(storage, () => {
      const visits = new Visits("ABCDEF", ME, []);
      visits.stillHere(1000.7);
      visits.stillHere(500);
      visits.stillHere(Number.NaN);
      assert.equal(storage.getItem("common-ground:visited:ABCDEF:1"), "1000");
      // This visit's lastVisit is when the page opened: it does not move.
      assert.equal(visits.lastVisit, null);
      assert.equal(new Visits("ABCDEF", ME, []).lastVisit, 1000);
    });
  });

  test("news: decisions told of stay until dismissed, across a reload", () => {
    const storage = new FakeStorage();
    withStorage(storage, () => {
      const visits = new Visits("ABCDEF", ME, []);
      visits.addNews(3);
      visits.addNews(3);
      visits.addNews(5);
      assert.deepEqual(visits.news(), [3, 5]);
      visits.dropNews(3);
      visits.dropNews(42);
      assert.deepEqual(new Visits("ABCDEF", ME, []).news(), [5]);
    });
    const broken = new FakeStorage({ "common-ground:news:ABCDEF:1": '[1, "x", -2, 4]' });
    withStorage(broken, () => assert.deepEqual(new Visits("ABCDEF", ME, []).news(), [1, 4]));
  });

  test("with storage blocked nothing is marked and nothing breaks", () => {
    withStorage(blockedStorage, () => {
      const visits = new Visits("ABCDEF", ME, [{ id: 6, author: theirs }]);
      assert.equal(visits.isNew(6), false);
      visits.saw(7);
      visits.stillHere(100);
      visits.addNews(1);
      assert.deepEqual(visits.news(), [1]);
    });
  });
});
