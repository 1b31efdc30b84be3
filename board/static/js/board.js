// The board page: keeps the server-rendered feed live and sends the page's forms over
// the socket. Without JavaScript (or if this fails to load) the forms post as usual.

import { Announcer } from "./announce.js";
import { BoardConnection } from "./live.js";
import { h, postCard, setCsrfToken, updateCard } from "./render.js";
import { applyEvent, fromSnapshot, postsNewestFirst } from "./state.js";

const SHOW_BUSY_AFTER_MS = 300;
const BACK_ONLINE_MS = 3000;
const SLOW_CONNECT_MS = 4000;

const root = document.getElementById("board");
if (root) start(root);

function start(root) {
  const snapshot = JSON.parse(document.getElementById("board-snapshot").textContent);
  const composer = document.getElementById("composer");
  const feed = document.getElementById("feed");
  const presenceEl = document.getElementById("presence");
  const connectionEl = document.getElementById("connection");
  const announcer = new Announcer(document.getElementById("announcer"));
  const code = root.dataset.board;
  const postsUrl = composer.getAttribute("action");
  const ctx = {
    me: {
      id: Number(root.dataset.me || snapshot.me.id),
      role: root.dataset.role || snapshot.me.role,
    },
    labels: kindLabels(composer),
    postsUrl,
  };
  setCsrfToken(document.querySelector('meta[name="csrf-token"]')?.content);

  let state = fromSnapshot(snapshot);
  let hereNow = null;

  // --- drawing ----------------------------------------------------------------------

  function show(next) {
    const prev = state;
    state = next;
    drawFeed(prev, next);
    drawPresence();
  }

  function drawFeed(prev, next) {
    const sameIds =
      prev.posts.size === next.posts.size &&
      [...next.posts.keys()].every((id) => prev.posts.has(id));
    if (sameIds) {
      for (const [id, post] of next.posts) {
        if (prev.posts.get(id) !== post) {
          const card = document.getElementById(`post-${id}`);
          if (card) updateCard(card, post, ctx);
        }
      }
      return;
    }
    for (const card of feed.querySelectorAll("article.post")) {
      if (!next.posts.has(Number(card.dataset.postId))) removeCard(card);
    }
    let cursor = feed.firstElementChild;
    for (const post of postsNewestFirst(next)) {
      let card = document.getElementById(`post-${post.id}`);
      if (!card) card = postCard(post, ctx);
      else if (prev.posts.get(post.id) !== post) updateCard(card, post, ctx);
      if (card === cursor) cursor = cursor.nextElementSibling;
      else feed.insertBefore(card, cursor);
    }
  }

  function removeCard(card) {
    const hadFocus = card.contains(document.activeElement);
    card.remove();
    if (hadFocus) {
      const heading = document.getElementById("feed-heading");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      announcer.say("That post was deleted.");
    }
  }

  function drawPresence() {
    const joined = `${state.participants} joined`;
    const text = hereNow === null ? joined : `${joined} · ${hereNow} here now`;
    if (presenceEl.textContent !== text) presenceEl.textContent = text;
  }

  // --- connection status ------------------------------------------------------------

  let statusTimer = null;
  let wasOffline = false;

  function setConnection(message, tone) {
    clearTimeout(statusTimer);
    statusTimer = null;
    connectionEl.replaceChildren(...(Array.isArray(message) ? message : [message || ""]));
    connectionEl.className = tone ? `connection connection-${tone}` : "connection";
    connectionEl.hidden = !message;
    // Room below the pinned notice, so it never covers the focused control.
    document.documentElement.classList.toggle("has-connection-notice", Boolean(message));
  }

  function onStatus(status, error) {
    if (status === "connecting") {
      statusTimer = setTimeout(
        () => setConnection("Connecting to live updates…", "waiting"),
        SLOW_CONNECT_MS,
      );
    } else if (status === "offline") {
      wasOffline = true;
      setConnection("Connection lost — reconnecting…", "offline");
    } else if (status === "online") {
      if (wasOffline) {
        wasOffline = false;
        setConnection("Back online", "online");
        statusTimer = setTimeout(() => setConnection(""), BACK_ONLINE_MS);
      } else {
        setConnection("");
      }
    } else if (status === "refused") {
      if (error && error.code === "not_joined") {
        const join = h(
          "a",
          { href: postsUrl.replace(/\/posts$/, "/join") },
          "Join the board again",
        );
        setConnection(["You are no longer signed in to this board. ", join, "."], "error");
      } else {
        setConnection(error?.message || "Live updates are not available for this board.", "error");
      }
    }
  }

  // --- the live connection ----------------------------------------------------------

  const connection = new BoardConnection({
    board: code,
    seq: state.seq,
    onEvent(envelope) {
      show(applyEvent(state, envelope));
      const post = envelope.type === "post.created" ? envelope.data.post : null;
      if (post && post.author.id !== ctx.me.id) announcer.newPost(post.title);
    },
    onSnapshot(fresh) {
      show(fromSnapshot(fresh));
    },
    onPresence(count) {
      hereNow = count;
      drawPresence();
    },
    onStatus,
  }).start();

  let hiddenSince = null;
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      hiddenSince = Date.now();
    } else if (hiddenSince !== null && Date.now() - hiddenSince > 10000) {
      connection.resync(); // a phone back from the lock screen: check what it missed
    }
  });

  // --- forms ------------------------------------------------------------------------

  const busy = new WeakSet();

  root.addEventListener("submit", (event) => {
    const form = event.target;
    const write = writeFor(form);
    if (!write) return; // not one of ours: let the browser post it
    event.preventDefault();
    if (busy.has(form)) return; // a double tap sends once
    if (write.confirm && !window.confirm(write.confirm)) return;
    busy.add(form);
    const button = form.querySelector('button[type="submit"], button:not([type])');
    const stopBusy = showBusy(button);
    connection.send(write.name, write.payload).then((ack) => {
      busy.delete(form);
      stopBusy();
      if (ack && ack.ok) {
        clearError(form);
        write.done?.();
      } else {
        showError(form, ack?.error);
      }
    });
  });

  function writeFor(form) {
    const postId = Number(form.closest("article.post")?.dataset.postId);
    if (form === composer) {
      const tag = form.elements.tag?.value;
      return {
        name: "post.create",
        payload: {
          kind: form.elements.kind.value,
          title: form.elements.title.value,
          body: form.elements.body.value,
          ...(tag ? { tag } : {}),
        },
        done() {
          form.reset();
          announcer.say("Your post is on the board.");
        },
      };
    }
    if (!postId) return null;
    if (form.classList.contains("support-form")) {
      return { name: "support.toggle", payload: { post_id: postId } };
    }
    if (form.classList.contains("comment-form")) {
      const input = form.elements.body;
      return {
        name: "comment.create",
        payload: { post_id: postId, body: input.value },
        done() {
          input.value = "";
        },
      };
    }
    if (form.classList.contains("delete-form")) {
      return {
        name: "post.delete",
        payload: { post_id: postId },
        confirm: "Delete this post and its comments?",
        done() {
          announcer.say("Post deleted.");
        },
      };
    }
    return null;
  }
}

/** Kind labels as the composer shows them ("I have an idea", ...). */
function kindLabels(composer) {
  const labels = {};
  for (const input of composer.querySelectorAll('input[name="kind"]')) {
    labels[input.value] = input.closest("label")?.textContent.trim() || input.value;
  }
  return labels;
}

/** Mark a button as sending; the label changes only if the answer is slow. Returns undo. */
function showBusy(button) {
  if (!button) return () => {};
  button.setAttribute("aria-disabled", "true");
  const label = [...button.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.data.trim());
  const original = label?.data;
  const timer = setTimeout(() => {
    button.classList.add("is-sending");
    if (label) label.data = label.data.replace(original.trim(), "Sending…");
  }, SHOW_BUSY_AFTER_MS);
  return () => {
    clearTimeout(timer);
    button.removeAttribute("aria-disabled");
    button.classList.remove("is-sending");
    if (label) label.data = original;
  };
}

/** Where a form's error goes: after the form, or after the row of small action forms. */
function errorAnchor(form) {
  return form.closest(".post-actions") || form;
}

function showError(form, error) {
  const message = error?.message || "That did not work. Please try again.";
  if (!form.isConnected) {
    // The post went away meanwhile (deleted): say so instead.
    document.getElementById("announcer").textContent = message;
    return;
  }
  const anchor = errorAnchor(form);
  let box = anchor.nextElementSibling;
  if (!box || !box.classList.contains("form-error")) {
    box = h("p", { class: "notice notice-error form-error", role: "alert" });
    anchor.after(box);
  }
  box.textContent = message;
  for (const field of form.querySelectorAll("[aria-invalid]"))
    field.removeAttribute("aria-invalid");
  for (const name of Object.keys(error?.fields || {})) {
    const field = form.elements[name];
    if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
  }
}

function clearError(form) {
  const box = errorAnchor(form).nextElementSibling;
  if (box && box.classList.contains("form-error")) box.remove();
  for (const field of form.querySelectorAll("[aria-invalid]"))
    field.removeAttribute("aria-invalid");
}
