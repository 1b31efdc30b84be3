// Translated strings (board/static/js/i18n.js) and moderation in words (moderation.js).

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { t, tn, useStrings } from "../../board/static/js/i18n.js";
import { reasonLabel, summaryText } from "../../board/static/js/moderation.js";

describe("t and tn", () => {
  // First: nothing has been looked up yet, so the page's strings are read now.
  test("reads the page's <script id=i18n> and its language on first use", () => {
    globalThis.document = {
      documentElement: { lang: "fr" },
      getElementById: (id) =>
        id === "i18n"
          ? {
              textContent: JSON.stringify({
                hello: "Bonjour {name}",
                n_one: "{count} idée",
                n_other: "{count} idées",
              }),
            }
          : null,
    };
    try {
      assert.equal(t("hello", { name: "Ann" }), "Bonjour Ann");
      // French counts 0 as singular, English does not: the page's language decides.
      assert.equal(tn("n", 0), "0 idée");
      assert.equal(tn("n", 2), "2 idées");
    } finally {
      delete globalThis.document;
    }
  });

  test("fills every {name} it is given and leaves the others", () => {
    useStrings({ greet: "Hi {name}, {name}! {other}" });
    assert.equal(t("greet", { name: "Bo" }), "Hi Bo, Bo! {other}");
    assert.equal(t("greet", { name: 0 }), "Hi 0, 0! {other}");
  });

  test("a missing key shows as the key", () => {
    useStrings({});
    assert.equal(t("no_such_key"), "no_such_key");
  });

  test("tn picks _one or _other for the language and passes {count}", () => {
    useStrings({ posts_one: "{count} post by {who}", posts_other: "{count} posts by {who}" }, "en");
    assert.equal(tn("posts", 1, { who: "Ann" }), "1 post by Ann");
    assert.equal(tn("posts", 0, { who: "Ann" }), "0 posts by Ann");
    assert.equal(tn("posts", 5, { who: "Ann" }), "5 posts by Ann");
    useStrings({ posts_one: "{count} one", posts_other: "{count} other" }, "fr");
    assert.equal(tn("posts", 0), "0 one");
  });
});

describe("moderation words", () => {
  const STRINGS = {
    reason_spam: "Spam",
    reason_off_topic: "Off-topic",
    reason_personal_information: "Personal information",
    reason_count_spam: "{count} spam",
    reason_count_off_topic: "{count} off-topic",
    hidden_summary_one: "1 post hidden by facilitators: {reasons}",
    hidden_summary_other: "{count} posts hidden by facilitators: {reasons}",
    hidden_count_one: "1 post hidden by facilitators",
    hidden_count_other: "{count} posts hidden by facilitators",
  };

  test("a reason as people read it; an unknown one as it came", () => {
    useStrings(STRINGS);
    assert.equal(reasonLabel("spam"), "Spam");
    assert.equal(reasonLabel("off-topic"), "Off-topic");
    assert.equal(reasonLabel("Personal information"), "Personal information");
    assert.equal(reasonLabel("rude"), "rude");
  });

  test("the summary: most first, then by name; nothing when nothing is hidden", () => {
    useStrings(STRINGS);
    assert.equal(summaryText({ hidden: 0, by_reason: {} }), "");
    assert.equal(summaryText(null), "");
    assert.equal(
      summaryText({ hidden: 4, by_reason: { spam: 1, "off-topic": 3 } }),
      "4 posts hidden by facilitators: 3 off-topic, 1 spam",
    );
    assert.equal(
      summaryText({ hidden: 2, by_reason: { spam: 1, "off-topic": 1 } }),
      "2 posts hidden by facilitators: 1 off-topic, 1 spam",
    );
    assert.equal(
      summaryText({ hidden: 1, by_reason: { spam: 1 } }),
      "1 post hidden by facilitators: 1 spam",
    );
  });

  test("a reason without words of its own, and a count without reasons", () => {
    useStrings(STRINGS);
    assert.equal(
      summaryText({ hidden: 2, by_reason: { rude: 2, spam: 0 } }),
      "2 posts hidden by facilitators: 2 rude",
    );
    assert.equal(summaryText({ hidden: 3, by_reason: {} }), "3 posts hidden by facilitators");
  });
});
