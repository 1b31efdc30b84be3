// A group's page: members, who can help and the thread, kept live from the board's
// events (the same BoardConnection and reducer as the board), and its forms sent over
// the socket. Without JavaScript (or if this fails to load) the forms post as usual.
//
// The page embeds the group, its thread and the board seq read just before them, so
// the events replayed from that seq may repeat what the page shows: the reducer skips a
// message or a link it already has, and group events carry the whole group.

import { Announcer } from "./announce.js";
import { connectionBanner } from "./banner.js";
import { t, tn } from "./i18n.js";
import { BoardConnection, newOpId } from "./live.js";
import { apiWrite, proposalStateWords } from "./proposal.js";
import { h, setCsrfToken } from "./render.js";
import { applyEvent, fromSnapshot, isMember } from "./state.js";


const root = document.getElementById("group-page");
if (root) start(root);

function nameOf(person) {
  return person?.name || t("anonymous");
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function start(root) {
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("group-data").textContent);
  const code = root.dataset.board;
  const groupId = Number(root.dataset.group);
  const idea = data.idea;
  const boardTitle = data.board.title;
  const announcer = new Announcer($("announcer"));
  setCsrfToken(document.querySelector('meta[name="csrf-token"]')?.content);

  let state = fromSnapshot(
    { board: data.board, seq: data.seq, me: data.me, posts: [], groups: [data.group] },
    new Map([[groupId, data.messages || []]]),
  );
  const sending = []; // messages sent and not yet in the thread: {op_id, body, id?}
  // The group's proposal as this person may see it (a draft: members and facilitators).
  let proposal = JSON.parse($("group-proposal-data")?.textContent || "{}").proposal || null;
  const namedSave = $("named-save");
  if (namedSave) namedSave.hidden = true; // the box saves itself when ticked

  // --- drawing ----------------------------------------------------------------------

  function draw() {
    const me = state.me;
    const group = state.groups.get(groupId) || { ...data.group, closed: true, member_ids: [] };
    const closed = Boolean(group.closed);
    const member = isMember(group, me.id);
    const coordinates = group.coordinator_id === me.id && !closed;
    const mayWrite = !closed && (member || me.role === "facilitator");
    const focused = document.activeElement;

    setText($("group-name"), group.name);
    const title = `${group.name} · ${boardTitle}`;
    if (document.title !== title) document.title = title;
    $("group-closed").hidden = !closed;

    const coordinator = (group.members || []).find((p) => p.id === group.coordinator_id);
    $("group-coordinator").hidden = closed;
    setText($("coordinator-name"), coordinator ? nameOf(coordinator) : t("an_anonymous_member"));

    drawList(
      $("member-list"),
      (group.members || []).map((person) => [
        `member-${person.id}`,
        JSON.stringify([person, group.coordinator_id, me.id]),
        () =>
          h(
            "li",
            { class: "member", id: `member-${person.id}` },
            nameOf(person),
            person.id === group.coordinator_id ? " " : null,
            person.id === group.coordinator_id
              ? h("span", { class: "badge" }, t("coordinator"))
              : null,
            person.id === me.id ? " " : null,
            person.id === me.id ? h("span", { class: "badge" }, t("you")) : null,
          ),
      ]),
    );
    const anonymous = group.anonymous_members || 0;
    $("anonymous-members").hidden = !anonymous;
    setText($("anonymous-members"), tn("anonymous_members", anonymous));
    $("no-members").hidden = (group.member_ids || []).length > 0;

    $("leave-form").hidden = !member;
    $("join-form").hidden = member || closed;
    $("coordinator-tools").hidden = !coordinates;
    const nameField = $("group-new-name");
    if (nameField && document.activeElement !== nameField) nameField.value = group.name;
    const others = (group.members || []).filter((p) => p.id !== me.id);
    $("hand-over-form").hidden = others.length === 0;
    const select = $("hand-over-to");
    const wanted = others.map((p) => `${p.id}:${nameOf(p)}`).join("|");
    if (select.dataset.options !== wanted) {
      const chosen = select.value;
      select.replaceChildren(
        ...others.map((p) => h("option", { value: String(p.id) }, nameOf(p))),
      );
      if (others.some((p) => String(p.id) === chosen)) select.value = chosen;
      select.dataset.options = wanted;
    }

    const offers = group.offers || [];
    drawList(
      $("offer-list"),
      offers.map((link) => [`link-${link.id}`, JSON.stringify(link), () => offerItem(link)]),
    );
    $("no-offers").hidden = offers.length > 0;

    const messages = state.threads.get(groupId) || [];
    const known = new Set(messages.map((m) => m.id));
    for (let i = sending.length - 1; i >= 0; i -= 1) {
      if (sending[i].id && known.has(sending[i].id)) sending.splice(i, 1);
    }
    drawList($("message-list"), [
      ...messages.map((m) => [`message-${m.id}`, JSON.stringify(m), () => messageItem(m)]),
      ...sending.map((m) => [`message-op-${m.op_id}`, "sending", () => pendingItem(m, me)]),
    ]);
    $("no-messages").hidden = messages.length + sending.length > 0;
    $("message-form").hidden = !mayWrite;
    $("message-closed").hidden = mayWrite || closed;
    drawProposal(member, coordinates, closed);

    // A form that just went away took the focus with it: keep it on the page.
    if (focused && focused !== document.body && (!focused.isConnected || hiddenNow(focused))) {
      const heading = $("members-heading");
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }

  function drawProposal(member, coordinates, closed) {
    const me = state.me;
    const live = Boolean(proposal) && proposal.state !== "withdrawn";
    $("proposal-none").hidden = Boolean(proposal);
    $("proposal-link-line").hidden = !proposal;
    if (proposal) {
      const link = $("proposal-link");
      const href = `/b/${code}/proposals/${proposal.id}`;
      if (link.getAttribute("href") !== href) link.setAttribute("href", href);
      setText(link, proposal.title);
      const badge = $("proposal-link-state");
      badge.className = `state-badge state-${proposal.state}`;
      setText(badge, proposalStateWords(proposal));
    }
    $("promote-form").hidden = live || closed || !(coordinates || me.role === "facilitator");
    $("named-form").hidden = !member || Boolean(me.anonymous);
    $("named-anonymous").hidden = !(member && me.anonymous);
  }

  /** A proposal.changed event: keep this group's newest proposal. */
  function noteProposal(changed) {
    if (!changed || changed.group_id !== groupId) return;
    const group = state.groups.get(groupId);
    const mine = state.me.role === "facilitator" || (group && isMember(group, state.me.id));
    if (changed.state === "draft" && !mine) return;
    if (proposal && changed.id < proposal.id) return; // an older one, withdrawn
    const before = proposal?.id === changed.id ? proposal.state : null;
    proposal = changed;
    if (before && before !== changed.state) {
      announcer.say(t("proposal_now", { state: proposalStateWords(changed) }));
    }
  }

  function hiddenNow(el) {
    return Boolean(el.closest("[hidden]"));
  }

  /** Make `list` hold exactly these items, in order: [key, signature, make]. */
  function drawList(list, items) {
    const keep = new Set(items.map(([key]) => key));
    for (const li of [...list.children]) if (!keep.has(li.id)) li.remove();
    let cursor = list.firstElementChild;
    for (const [key, sig, make] of items) {
      let li = list.querySelector(`[id="${key}"]`);
      if (li && li.dataset.sig !== sig) {
        const fresh = make();
        if (cursor === li) cursor = fresh;
        li.replaceWith(fresh);
        li = fresh;
      } else if (!li) {
        li = make();
      }
      li.dataset.sig = sig;
      if (li === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(li, cursor);
    }
  }

  function offerItem(link) {
    const offer = link.offer;
    return h(
      "li",
      { class: "helper", id: `link-${link.id}` },
      h("span", { class: "helper-name", dir: "auto" }, nameOf(link.helper)),
      " · ",
      offer
        ? h("span", { class: "helper-offer", dir: "auto" }, offer.title)
        : h("span", { class: "helper-offer helper-just-me" }, t("just_me_helper")),
      offer?.availability ? " " : null,
      offer?.availability ? h("span", { class: "helper-when" }, `(${offer.availability})`) : null,
    );
  }

  function messageItem(message) {
    return h(
      "li",
      { class: "message", id: `message-${message.id}` },
      h("p", { class: "message-author", dir: "auto" }, nameOf(message.author)),
      h("p", { class: "message-body", dir: "auto" }, message.body),
    );
  }

  function pendingItem(message, me) {
    return h(
      "li",
      { class: "message is-pending", id: `message-op-${message.op_id}` },
      h("p", { class: "message-author", dir: "auto" }, nameOf(me)),
      h("p", { class: "message-body", dir: "auto" }, message.body),
      h("p", { class: "comment-status" }, t("sending")),
    );
  }

  // --- connection banner ------------------------------------------------------------

  const onStatus = connectionBanner($("connection"), code);

  // --- live -------------------------------------------------------------------------

  const connection = new BoardConnection({
    board: code,
    seq: state.seq,
    onEvent(envelope) {
      state = applyEvent(state, envelope);
      if (envelope.type === "proposal.changed") noteProposal(envelope.data?.proposal);
      announce(envelope);
      draw();
    },
    onSnapshot(fresh) {
      // Too far behind for a replay: the board comes whole, the thread by the API.
      state = fromSnapshot(fresh, state.threads);
      draw();
      refetchThread();
    },
    onStatus,
  }).start();

  window.addEventListener("offline", () => connection.pause());
  window.addEventListener("online", () => connection.resume());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) connection.resync();
  });

  async function refetchThread() {
    try {
      const response = await fetch(`/api/v1/boards/${code}/groups/${groupId}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const page = await response.json();
      const byId = new Map((state.threads.get(groupId) || []).map((m) => [m.id, m]));
      for (const message of page.messages || []) byId.set(message.id, message);
      const threads = new Map(state.threads);
      threads.set(
        groupId,
        [...byId.values()].sort((a, b) => a.id - b.id),
      );
      state = { ...state, threads };
      draw();
    } catch {
      /* the next event or resync tries again */
    }
  }

  function announce(envelope) {
    const data = envelope.data || {};
    const me = state.me;
    if (envelope.type === "group.message_posted" && data.message?.group_id === groupId) {
      if (data.message.author?.id !== me.id) {
        announcer.say(t("new_message", { name: nameOf(data.message.author) }));
      }
    } else if (envelope.type === "group.member_joined" && data.group?.id === groupId) {
      if (data.participant_id !== me.id) {
        const person = (data.group.members || []).find((p) => p.id === data.participant_id);
        announcer.say(
          t("member_joined", {
            name: person ? nameOf(person) : t("anonymous_member"),
            group: data.group.name,
          }),
        );
      }
    } else if (envelope.type === "link.created" && data.link?.target_id === idea.id) {
      if (data.link.helper?.id !== me.id) {
        announcer.say(t("helper_arrived", { name: nameOf(data.link.helper), title: idea.title }));
      }
    }
  }

  // --- forms ------------------------------------------------------------------------

  root.addEventListener("submit", (event) => {
    const form = event.target;
    const fields = form.elements;
    if (form.id === "message-form") {
      event.preventDefault();
      const body = fields.body.value;
      if (!body.trim()) return;
      clearError(form);
      const message = { op_id: newOpId(), body };
      sending.push(message);
      fields.body.value = "";
      draw();
      send(form, "group.message", { group_id: groupId, body }, message.op_id).then((ack) => {
        if (ack?.ok) {
          message.id = ack.data?.message?.id;
          announcer.say(t("message_sent"));
        } else {
          sending.splice(sending.indexOf(message), 1);
          if (!fields.body.value) fields.body.value = body;
        }
        draw();
      });
    } else if (form.id === "leave-form") {
      event.preventDefault();
      send(form, "group.leave", { group_id: groupId }).then((ack) => {
        if (ack?.ok) announcer.say(t("left_group"));
      });
    } else if (form.id === "join-form") {
      event.preventDefault();
      const name = fields.display_name?.value.trim();
      const payload = name ? { post_id: idea.id, display_name: name } : { post_id: idea.id };
      send(form, "group.join", payload).then((ack) => {
        if (ack?.ok) announcer.say(t("joined_group", { group: ack.data?.group?.name || "" }));
      });
    } else if (form.id === "rename-form") {
      event.preventDefault();
      const name = fields.name.value;
      if (!name.trim()) return;
      send(form, "group.rename", { group_id: groupId, name }).then((ack) => {
        if (ack?.ok) announcer.say(t("group_renamed"));
      });
    } else if (form.id === "promote-form") {
      event.preventDefault();
      promote(form);
    } else if (form.id === "named-form") {
      event.preventDefault();
      setNamed(form.elements.named);
    } else if (form.id === "hand-over-form") {
      event.preventDefault();
      const participant = Number(fields.participant_id.value);
      if (!participant) return;
      const chosen = fields.participant_id.selectedOptions[0]?.textContent || "";
      send(form, "group.hand_over", { group_id: groupId, participant_id: participant }).then(
        (ack) => {
          if (ack?.ok) announcer.say(t("handed_over", { name: chosen }));
        },
      );
    }
  });

  root.addEventListener("change", (event) => {
    if (event.target.id === "named-in-proposal") setNamed(event.target);
  });

  /** Make the idea a draft proposal and open it (an existing one opens instead). */
  async function promote(form) {
    clearError(form);
    const button = form.querySelector('button[type="submit"]');
    button?.classList.add("is-sending");
    const ack = await apiWrite(`boards/${encodeURIComponent(code)}/posts/${idea.id}/proposal`, {
      op_id: form.elements.op_id.value,
    });
    button?.classList.remove("is-sending");
    const id = ack.ok
      ? ack.data?.proposal?.id
      : ack.error?.code === "proposal_exists" && ack.error.fields?.id;
    if (id) {
      window.location.assign(`/b/${encodeURIComponent(code)}/proposals/${id}`);
      return;
    }
    form.elements.op_id.value = newOpId(); // a refusal: the next try is a new request
    showError(form, ack.error);
  }

  /** Agree (or not) to be named in the group's proposal. */
  async function setNamed(box) {
    const form = $("named-form");
    const wanted = box.checked;
    clearError(form);
    setText($("named-status"), t("sending"));
    const ack = await apiWrite(`boards/${encodeURIComponent(code)}/groups/${groupId}/named`, {
      op_id: newOpId(),
      named: wanted,
    });
    if (!ack.ok) {
      box.checked = !wanted;
      setText($("named-status"), "");
      showError(form, ack.error);
      return;
    }
    setText($("named-status"), wanted ? t("proposal_named_yes") : t("proposal_named_no"));
  }

  /** Send a write over the socket; a refusal is shown by the form. */
  function send(form, name, payload, opId) {
    clearError(form);
    const button = form.querySelector('button[type="submit"]');
    button?.classList.add("is-sending");
    return connection.send(name, opId ? { ...payload, op_id: opId } : payload).then((ack) => {
      button?.classList.remove("is-sending");
      if (!ack?.ok) showError(form, ack?.error);
      return ack;
    });
  }

  function showError(form, error) {
    let box = form.nextElementSibling;
    if (!box || !box.classList.contains("form-error")) {
      box = h("p", { class: "notice notice-error form-error", role: "alert" });
      form.after(box);
    }
    box.textContent = error?.message || t("failed");
  }

  function clearError(form) {
    const box = form.nextElementSibling;
    if (box && box.classList.contains("form-error")) box.remove();
  }

  draw();
}
