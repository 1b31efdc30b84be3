"""Facilitators' powers, each checked here and written to the moderation log.

Every function refuses, with no change, anyone who is not a facilitator of the board
right now: a participant, a co-facilitator whose link was withdrawn, someone elsewhere.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board import events
from board.errors import BoardError, forbidden
from board.events import iso
from board.inputs import (
    InviteFacilitator,
    Merge,
    Moderate,
    Mute,
    ParticipantRef,
    Pin,
    PostRef,
    RemoveParticipant,
    ReportPost,
    Restore,
)
from board.models import (
    Comment,
    Dot,
    GroupMember,
    Link,
    ModerationAction,
    Participant,
    Post,
    Report,
    Support,
    utcnow,
)
from board.outputs import participant_out, post_out
from board.services import Actor
from board.services.boards import Entry, moderation_summary, new_participant
from board.services.commands import Write, board_read, board_write
from board.services.rules import (
    audience,
    log_action,
    may_write,
    open_post,
    post_on_board,
    require_facilitator,
)
from board.services.workshop import clear_spotlight
from board.spreadsheet import safe_cell
from board.storage import read_snapshot

LOG_COLUMNS = ("at", "facilitator", "action", "post_id", "participant_id", "reason", "note")


@board_write("post.hide", who="facilitator")
def hide_post(w: Write, cmd: Moderate) -> dict[str, Any]:
    """Hide a post from everyone but facilitators, with a reason everyone can see counted."""
    me = w.me
    post = post_on_board(w.session, w.actor, cmd.post_id)
    if post.hidden_at is not None:
        raise BoardError("already_hidden", "That post is already hidden.", 409)
    seen_by = audience(post)
    post.hidden_at, post.hidden_reason = utcnow(), cmd.reason
    log_action(w.session, w.board, me, "hide", post_id=post.id, reason=cmd.reason, note=cmd.note)
    w.session.flush()
    # Replay shows it only to facilitators from now on, like the snapshot does.
    events.redact(w.session, w.board, post_id=post.id, staff_may_see=True)
    summary = moderation_summary(w.session, w.board.id)
    hidden = events.PostHidden(post.id, cmd.reason, summary)
    seq = events.record(w.session, w.board, hidden, seen_by)
    if w.board.spotlight_post_id == post.id:
        seq = clear_spotlight(w.session, w.board)
    return {"post_id": post.id, "hidden": True, "reason": cmd.reason, "seq": seq}


@board_write("post.restore", who="facilitator")
def restore_post(w: Write, cmd: Restore) -> dict[str, Any]:
    """Show a hidden post to everyone again."""
    me = w.me
    post = post_on_board(w.session, w.actor, cmd.post_id)
    if post.hidden_at is None:
        raise BoardError("not_hidden", "That post is not hidden.", 409)
    if post.merged_into_id is not None:
        raise BoardError("post_merged", "That post was merged into another one.", 409)
    post.hidden_at, post.hidden_reason = None, None
    # Restoring a post dismisses the reports that hid it.
    w.session.execute(sa.delete(Report).where(Report.post_id == post.id))
    log_action(w.session, w.board, me, "restore", post_id=post.id, note=cmd.note)
    w.session.flush()
    shaped = post_out(post)
    restored = events.PostRestored(shaped, moderation_summary(w.session, w.board.id))
    seq = events.record(w.session, w.board, restored, audience(post))
    return {"post": shaped, "seq": seq}


def _queued(session: so.Session, actor: Actor, post_id: int) -> Post:
    post = post_on_board(session, actor, post_id)
    if post.state != "pending":
        raise BoardError("not_pending", "That post is not waiting for approval.", 409)
    return post


@board_write("post.approve", who="facilitator")
def approve_post(w: Write, cmd: PostRef) -> dict[str, Any]:
    """Let a post from the pre-moderation queue onto the board: it appears everywhere live.

    During silent brainstorming it joins the held-back posts, to appear at the reveal.
    """
    me = w.me
    post = _queued(w.session, w.actor, cmd.post_id)
    post.state = "silent" if w.board.silent else "visible"
    log_action(w.session, w.board, me, "approve", post_id=post.id)
    w.session.flush()
    shaped = post_out(post)
    seq = events.record(w.session, w.board, events.PostApproved(shaped), audience(post))
    return {"post": shaped, "seq": seq}


@board_write("post.reject", who="facilitator")
def reject_post(w: Write, cmd: Moderate) -> dict[str, Any]:
    """Keep a queued post off the board, with a reason its author sees."""
    me = w.me
    post = _queued(w.session, w.actor, cmd.post_id)
    post.state, post.rejected_reason = "rejected", cmd.reason
    log_action(w.session, w.board, me, "reject", post_id=post.id, reason=cmd.reason, note=cmd.note)
    rejected = events.PostRejected(post.id, post.title, cmd.reason, cmd.note)
    seq = events.record(w.session, w.board, rejected, audience(post))
    return {"post_id": post.id, "rejected": True, "reason": cmd.reason, "seq": seq}


@board_write("post.merge", who="facilitator")
def merge_posts(w: Write, cmd: Merge) -> dict[str, Any]:
    """Merge a duplicate (``post_id``) into another post (``into_id``).

    Supports move, one per person (someone who supported both counts once); comments,
    dots, helpers and group members move; the duplicate is kept hidden ("duplicate") for
    the log, and both authors are told.
    """
    me = w.me
    dup = open_post(w.session, w.actor, cmd.post_id)
    into = open_post(w.session, w.actor, cmd.into_id)
    if dup.id == into.id:
        raise BoardError("invalid_input", "A post cannot be merged into itself.", 422)
    _move_everything(w.session, dup, into)
    dup.hidden_at, dup.hidden_reason, dup.merged_into_id = utcnow(), "duplicate", into.id
    log_action(
        w.session,
        w.board,
        me,
        "merge",
        post_id=dup.id,
        reason="duplicate",
        note=f"merged into post {into.id}",
    )
    w.session.flush()
    w.session.expire(into)
    shaped = post_out(into)
    merged = events.PostMerged(dup.id, dup.title, dup.author_id, shaped)
    seq = events.record(w.session, w.board, merged)
    if w.board.spotlight_post_id == dup.id:
        seq = clear_spotlight(w.session, w.board)
    return {"from_id": dup.id, "into": shaped, "seq": seq}


def _move_everything(session: so.Session, dup: Post, into: Post) -> None:
    supporters = set(
        session.scalars(sa.select(Support.participant_id).where(Support.post_id == into.id))
    )
    for support in list(dup.supports):
        if support.participant_id in supporters:
            session.delete(support)
        else:
            support.post_id = into.id
    session.execute(sa.update(Comment).where(Comment.post_id == dup.id).values(post_id=into.id))
    session.execute(sa.update(Dot).where(Dot.post_id == dup.id).values(post_id=into.id))
    linked = session.scalars(sa.select(Link).where(Link.target_id == into.id)).all()
    have = {(link.offer_id, link.helper_id if link.offer_id is None else None) for link in linked}
    for link in session.scalars(sa.select(Link).where(Link.target_id == dup.id)).all():
        key = (link.offer_id, link.helper_id if link.offer_id is None else None)
        if key in have:
            session.delete(link)
        else:
            link.target_id = into.id
    if dup.group is not None and into.kind == "idea":
        if into.group is None:
            dup.group.idea_id = into.id
        else:
            members = {m.participant_id for m in into.group.members}
            for member in list(dup.group.members):
                if member.participant_id not in members:
                    into.group.members.append(
                        GroupMember(participant_id=member.participant_id, joined_at=utcnow())
                    )
            dup.group.closed_at = utcnow()
            dup.group.members.clear()
    session.flush()
    session.expire(dup)


@board_write("post.pin", who="facilitator")
def pin_post(w: Write, cmd: Pin) -> dict[str, Any]:
    """Pin a post to the top of every screen, or unpin it."""
    me = w.me
    post = open_post(w.session, w.actor, cmd.post_id)
    if (post.pinned_at is not None) == cmd.pinned:
        raise BoardError(
            "no_change",
            "That post is already pinned." if cmd.pinned else "It is not pinned.",
            409,
        )
    post.pinned_at = utcnow() if cmd.pinned else None
    log_action(w.session, w.board, me, "pin" if cmd.pinned else "unpin", post_id=post.id)
    seq = events.record(w.session, w.board, events.PostPinned(post.id, cmd.pinned))
    return {"post_id": post.id, "pinned": cmd.pinned, "seq": seq}


@board_write("post.report")
def report_post(w: Write, cmd: ReportPost) -> dict[str, Any]:
    """A participant reports a post; at the board's threshold of reporters it is hidden
    pending a facilitator's review (restoring it dismisses the reports)."""
    me = may_write(w.session, w.actor, w.board)
    post = open_post(w.session, w.actor, cmd.post_id)
    if post.author_id == me.id:
        raise BoardError("invalid_input", "You cannot report your own post.", 422)
    done = w.session.scalar(
        sa.select(Report.id).where(Report.post_id == post.id, Report.participant_id == me.id)
    )
    if done is not None:
        raise BoardError("already_reported", "You have already reported this post.", 409)
    w.session.add(
        Report(board_id=w.board.id, post_id=post.id, participant_id=me.id, reason=cmd.reason)
    )
    w.session.flush()
    reasons = w.session.execute(
        sa.select(Report.reason, sa.func.count())
        .where(Report.post_id == post.id)
        .group_by(Report.reason)
        .order_by(sa.func.count().desc(), Report.reason)
    ).all()
    reports = sum(n for _, n in reasons)
    hide = bool(w.board.report_threshold) and reports >= w.board.report_threshold
    reported = events.PostReported(post.id, cmd.reason, reports, hide)
    seq = events.record(w.session, w.board, reported, events.STAFF)
    if hide:
        top = reasons[0][0]
        post.hidden_at, post.hidden_reason = utcnow(), top
        log_action(
            w.session,
            w.board,
            me,
            "hidden_by_reports",
            post_id=post.id,
            reason=top,
            note=f"{reports} reports",
        )
        w.session.flush()
        events.redact(w.session, w.board, post_id=post.id, staff_may_see=True)
        summary = moderation_summary(w.session, w.board.id)
        seq = events.record(w.session, w.board, events.PostHidden(post.id, top, summary))
        if w.board.spotlight_post_id == post.id:
            seq = clear_spotlight(w.session, w.board)
    return {"post_id": post.id, "reported": True, "seq": seq}


def _participant(session: so.Session, actor: Actor, participant_id: int) -> Participant:
    them = session.get(Participant, participant_id)
    if them is None or them.board_id != actor.board_id:
        raise BoardError("participant_not_found", "No participant with that id on this board.", 404)
    if them.role == "facilitator":
        raise forbidden(
            "Facilitators cannot be muted or removed; withdraw a co-facilitator's link."
        )
    if them.revoked_at is not None:
        raise BoardError("already_removed", "That person was already removed.", 409)
    return them


@board_write("participant.mute", who="facilitator")
def mute_participant(w: Write, cmd: Mute) -> dict[str, Any]:
    """Stop someone posting and commenting (they can still read, support and place dots)."""
    me = w.me
    them = _participant(w.session, w.actor, cmd.participant_id)
    if (them.muted_at is not None) == cmd.muted:
        raise BoardError("no_change", "Already muted." if cmd.muted else "Not muted.", 409)
    them.muted_at = utcnow() if cmd.muted else None
    log_action(w.session, w.board, me, "mute" if cmd.muted else "unmute", participant_id=them.id)
    change = events.ParticipantMuted(them.id, cmd.muted)
    seq = events.record(w.session, w.board, change, events.Audience(them.id))
    return {"participant_id": them.id, "muted": cmd.muted, "seq": seq}


@board_write("participant.remove", who="facilitator")
def remove_participant(w: Write, cmd: RemoveParticipant) -> dict[str, Any]:
    """Remove someone from the board: their link opens nothing from now on."""
    me = w.me
    them = _participant(w.session, w.actor, cmd.participant_id)
    them.revoked_at = utcnow()
    log_action(w.session, w.board, me, "remove", participant_id=them.id, note=cmd.note)
    seq = events.record(w.session, w.board, events.ParticipantRemoved(them.id))
    return {"participant_id": them.id, "removed": True, "seq": seq}


@board_write("facilitator.invite", who="facilitator")
def invite_facilitator(w: Write, cmd: InviteFacilitator) -> Entry:
    """Make a co-facilitator with their own link, shown once to the inviting facilitator.

    Takes no op id: the token exists only in this answer, so replaying a stored result
    could not hand the link out again. A repeated invitation makes a second link, which
    the facilitator can withdraw.
    """
    invited, token = new_participant(w.session, w.board, cmd.display_name, False, "facilitator")
    log_action(w.session, w.board, w.me, "invite_facilitator", participant_id=invited.id)
    return Entry(w.board.code, invited.id, token, participant_out(invited))


@board_write("facilitator.revoke", who="facilitator")
def revoke_facilitator(w: Write, cmd: ParticipantRef) -> dict[str, Any]:
    """Withdraw a co-facilitator's link: it opens nothing from now on."""
    me = w.me
    them = w.session.get(Participant, cmd.participant_id)
    if them is None or them.board_id != w.board.id or them.role != "facilitator":
        raise BoardError(
            "participant_not_found", "No co-facilitator with that id on this board.", 404
        )
    if them.id == me.id:
        raise BoardError("invalid_input", "You cannot withdraw your own link.", 422)
    first = w.session.scalar(
        sa.select(sa.func.min(Participant.id)).where(
            Participant.board_id == w.board.id, Participant.role == "facilitator"
        )
    )
    if them.id == first:
        raise forbidden("The board's first facilitator cannot be withdrawn.")
    if them.revoked_at is not None:
        raise BoardError("already_revoked", "That link was already withdrawn.", 409)
    them.revoked_at = utcnow()
    log_action(w.session, w.board, me, "revoke_facilitator", participant_id=them.id)
    seq = events.record(w.session, w.board, events.FacilitatorRevoked(them.id))
    return {"participant_id": them.id, "revoked": True, "seq": seq}


def facilitators(actor: Actor) -> list[dict[str, Any]]:
    """The board's facilitators, the first (its creator) first, each with ``revoked``."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        rows = session.scalars(
            sa.select(Participant)
            .where(Participant.board_id == actor.board_id, Participant.role == "facilitator")
            .order_by(Participant.id)
        ).all()
        return [{**participant_out(p), "revoked": p.revoked_at is not None} for p in rows]


@board_read("participants.list", who="facilitator")
def participants(actor: Actor) -> list[dict[str, Any]]:
    """Everyone on the board with how much they posted, and whether muted or removed
    (facilitators only), in the order they joined."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        counts = dict(
            session.execute(
                sa.select(Post.author_id, sa.func.count())
                .where(Post.board_id == actor.board_id)
                .group_by(Post.author_id)
            ).all()
        )
        rows = session.scalars(
            sa.select(Participant)
            .where(Participant.board_id == actor.board_id)
            .order_by(Participant.id)
        ).all()
        return [
            {
                **participant_out(p),
                "posts": counts.get(p.id, 0),
                "muted": p.muted_at is not None,
                "removed": p.role == "participant" and p.revoked_at is not None,
                "revoked": p.role == "facilitator" and p.revoked_at is not None,
                "joined_at": iso(p.created_at),
            }
            for p in rows
        ]


@board_read("moderation.log", who="facilitator")
def moderation_log(actor: Actor) -> list[dict[str, Any]]:
    """Every facilitator action on the board, oldest first (facilitators only)."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        rows = session.scalars(
            sa.select(ModerationAction)
            .where(ModerationAction.board_id == actor.board_id)
            .order_by(ModerationAction.id)
            .options(so.selectinload(ModerationAction.actor))
        ).all()
        return [
            {
                "at": iso(row.created_at),
                "facilitator": participant_out(row.actor),
                "action": row.action,
                "post_id": row.post_id,
                "participant_id": row.participant_id,
                "reason": row.reason,
                "note": row.note,
            }
            for row in rows
        ]


def moderation_log_csv(actor: Actor) -> str:
    """The moderation log as CSV, one action per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LOG_COLUMNS)
    for entry in moderation_log(actor):
        writer.writerow(
            safe_cell(cell)
            for cell in [
                entry["at"],
                entry["facilitator"]["name"],
                entry["action"],
                entry["post_id"] or "",
                entry["participant_id"] or "",
                entry["reason"] or "",
                entry["note"],
            ]
        )
    return out.getvalue()
