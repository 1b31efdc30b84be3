"""Proposals: an idea promoted by its group into the council's process, and the answer back.

Lifecycle: draft → submitted → received → under_review → decided (accepted, accepted with
conditions, declined, referred elsewhere); withdrawn from any state before decided. The
group (its coordinator, or a facilitator) drafts, submits and withdraws; officers, with an
API token, record received, under review and the decision. Every transition is recorded
(who, when, a note), published to the board as ``proposal.changed`` and, when a council
webhook is configured, written to the webhook outbox in the same transaction.

Exports carry display names only of people who agreed to be named in the proposal; the
named contact's email only because they gave it, consenting, for this purpose.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from board import events
from board.config import links_base
from board.errors import BoardError, forbidden
from board.events import iso
from board.inputs import EditProposal, MoveProposal, Named, OfficerMove, PostRef, ProposalContact
from board.models import (
    Board,
    Group,
    GroupMember,
    OfficerToken,
    Participant,
    Post,
    Proposal,
    ProposalTransition,
    utcnow,
)
from board.outputs import decision_out, proposal_public_out
from board.services import Actor
from board.services.boards import visible_proposals
from board.services.commands import Write, board_read, board_write, declared, lock_board
from board.services.rules import acting, may_write, open_post
from board.services.webhooks import enqueue
from board.spreadsheet import safe_cell
from board.storage import read_snapshot, write_transaction

SCHEMA_VERSION = "1.0"
#: Who may move a proposal from each state, and to where.
GROUP_MOVES = {"draft": {"submitted", "withdrawn"}, "submitted": {"withdrawn"}}
GROUP_MOVES |= {"received": {"withdrawn"}, "under_review": {"withdrawn"}}
OFFICER_MOVES = {
    "submitted": {"received"},
    "received": {"under_review", "decided"},
    "under_review": {"decided"},
}
#: The guided form's fields, as the API takes them (all optional in a draft).
EDITABLE = (
    "title",
    "short_summary",
    "summary",
    "what_we_want",
    "asks",
    "amount_gbp",
    "ask_details",
    "involved",
    "ward",
    "address",
    "latitude",
    "longitude",
    "capital_gbp",
    "revenue_gbp",
    "cost_notes",
    "options",
    "reasons",
    "risks",
    "legal",
    "benefits",
    "left_out",
    "route",
)
#: What a submitted proposal must have, in plain words.
REQUIRED_TO_SUBMIT = {
    "title": "a title",
    "short_summary": "a short summary (125 characters at most)",
    "what_we_want": "what you want to do",
    "asks": "what you ask of the council",
    "route": "the route into the council",
    "options": "the options you considered, including doing nothing",
}


@dataclass(frozen=True)
class Officer:
    """A council officer, as resolved from an API token."""

    id: int
    name: str


def hash_token(token: str) -> str:
    """The stored form of an officer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_officer_token(name: str) -> str:
    """A new officer API token for ``name``; shown once, stored hashed."""
    token = "officer-" + secrets.token_urlsafe(24)
    with write_transaction() as session:
        session.add(OfficerToken(name=name, token_hash=hash_token(token)))
    return token


def officer_by_token(token: str | None) -> Officer:
    """The officer holding ``token``, or a 401 that says what is wrong."""
    if not token:
        raise BoardError("officer_token_required", "Send an officer API token.", 401)
    with read_snapshot() as session:
        row = session.scalar(
            sa.select(OfficerToken).where(OfficerToken.token_hash == hash_token(token))
        )
        if row is None or row.revoked_at is not None:
            raise BoardError("officer_token_invalid", "That officer token is not valid.", 401)
        return Officer(row.id, row.name)


# -- the group's side ---------------------------------------------------------------------


def _group_of(session: so.Session, idea: Post) -> Group | None:
    return session.scalar(sa.select(Group).where(Group.idea_id == idea.id))


def _may_steer(session: so.Session, actor: Actor, proposal: Proposal) -> Participant:
    """The coordinator or a facilitator: who may submit and withdraw."""
    me = may_write(session, actor, session.get_one(Board, proposal.board_id), after_closing=True)
    group = session.get(Group, proposal.group_id) if proposal.group_id else None
    if me.is_facilitator or (group is not None and group.coordinator_id == me.id):
        return me
    raise forbidden("Only the group's coordinator or a facilitator can do that.")


def _may_edit(session: so.Session, actor: Actor, proposal: Proposal) -> Participant:
    """A member of the group or a facilitator: who may shape the draft."""
    me = may_write(session, actor, session.get_one(Board, proposal.board_id), after_closing=True)
    if me.is_facilitator or _member(session, proposal, me.id) is not None:
        return me
    raise forbidden("Only members of the group (or a facilitator) can edit its proposal.")


def _member(session: so.Session, proposal: Proposal, participant_id: int) -> GroupMember | None:
    if proposal.group_id is None:
        return None
    return session.scalar(
        sa.select(GroupMember).where(
            GroupMember.group_id == proposal.group_id,
            GroupMember.participant_id == participant_id,
        )
    )


def proposal_on_board(session: so.Session, board_id: int, proposal_id: int) -> Proposal:
    """The proposal with this id on this board, or a 404."""
    proposal = session.get(Proposal, proposal_id, populate_existing=True)
    if proposal is None or proposal.board_id != board_id:
        raise BoardError("proposal_not_found", "No proposal with that id on this board.", 404)
    return proposal


@board_write("proposal.promote")
def promote(w: Write, cmd: PostRef) -> dict[str, Any]:
    """Promote an idea to a draft proposal, prefilled from the board (coordinator or
    facilitator). One live proposal per idea: a withdrawn one can be promoted again. Open
    after the session closes: that is when groups take their ideas to the council."""
    me = may_write(w.session, w.actor, w.board, after_closing=True)
    idea = open_post(w.session, w.actor, cmd.post_id)
    if idea.kind != "idea":
        raise BoardError("invalid_target", "Only an idea can become a proposal.", 422)
    group = _group_of(w.session, idea)
    coordinates = group is not None and group.coordinator_id == me.id
    if not (me.is_facilitator or coordinates):
        raise forbidden("Only the idea's group coordinator or a facilitator can promote it.")
    live = w.session.scalar(
        sa.select(Proposal.id).where(Proposal.idea_id == idea.id, Proposal.state != "withdrawn")
    )
    if live is not None:
        raise BoardError(
            "proposal_exists", "This idea already has a proposal.", 409, {"id": str(live)}
        )
    count = w.session.scalar(
        sa.select(sa.func.count()).select_from(Proposal).where(Proposal.board_id == w.board.id)
    )
    proposal = Proposal(
        board_id=w.board.id,
        idea_id=idea.id,
        group_id=group.id if group else None,
        reference=f"CG-{w.board.code}-{(count or 0) + 1}",
        title=idea.title,
        short_summary=idea.title[:125],
        summary=idea.body,
        what_we_want=idea.body,
        created_by_id=me.id,
        created_at=utcnow(),
    )
    w.session.add(proposal)
    w.session.flush()
    _transition(w.session, w.board, proposal, None, "draft", _label(me, proposal), "")
    seq = _publish(w.session, w.board, proposal)
    return {"proposal": proposal_out(w.session, proposal), "seq": seq}


@board_write("proposal.update")
def update(w: Write, cmd: EditProposal) -> dict[str, Any]:
    """Shape a draft: only the named fields change (members of the group, facilitators)."""
    changes = {name: value for name, value in cmd.given().items() if name in EDITABLE}
    if not changes:
        raise BoardError("invalid_input", f"Send one or more of: {', '.join(EDITABLE)}.", 422)
    proposal = proposal_on_board(w.session, w.board.id, cmd.proposal_id)
    _may_edit(w.session, w.actor, proposal)
    if proposal.state != "draft":
        raise BoardError(
            "proposal_not_draft", "Only a draft can be edited: this one was submitted.", 409
        )
    for name, value in changes.items():
        if name.endswith("_gbp"):
            name, value = name.replace("_gbp", "_pence"), _pence(value)
        setattr(proposal, name, value)
    proposal.updated_at = utcnow()
    w.session.flush()
    seq = _publish(w.session, w.board, proposal)
    return {"proposal": proposal_out(w.session, proposal), "seq": seq}


def _pence(value: float | int | None) -> int | None:
    return None if value is None else round(float(value) * 100)


@board_write("proposal.contact")
def volunteer_contact(w: Write, cmd: ProposalContact) -> dict[str, Any]:
    """A member offers themself as the proposal's named contact, consenting to be named and
    contacted; ``consent`` false withdraws them as the contact."""
    proposal = proposal_on_board(w.session, w.board.id, cmd.proposal_id)
    me = _may_edit(w.session, w.actor, proposal)
    if proposal.state in ("decided", "withdrawn"):
        raise BoardError("proposal_closed", "This proposal is closed.", 409)
    if cmd.consent:
        proposal.contact_id, proposal.contact_consent = me.id, True
        proposal.contact_name, proposal.contact_email = cmd.name, cmd.email
    elif proposal.contact_id == me.id:
        proposal.contact_id, proposal.contact_consent = None, False
        proposal.contact_name = proposal.contact_email = ""
    else:
        raise BoardError("not_contact", "You are not this proposal's contact.", 409)
    w.session.flush()
    seq = _publish(w.session, w.board, proposal)
    return {"proposal": proposal_out(w.session, proposal), "seq": seq}


@board_write("group.named")
def set_named(w: Write, cmd: Named) -> dict[str, Any]:
    """A group member agrees (or no longer agrees) to be named in the group's proposal."""
    me = may_write(w.session, w.actor, w.board, after_closing=True)
    member = w.session.scalar(
        sa.select(GroupMember)
        .join(Group, Group.id == GroupMember.group_id)
        .where(
            GroupMember.group_id == cmd.group_id,
            GroupMember.participant_id == me.id,
            Group.board_id == w.board.id,
        )
    )
    if member is None:
        raise BoardError("not_a_member", "You are not in this group.", 409)
    member.named_in_proposal = cmd.named
    w.session.flush()
    seq = w.board.last_seq
    for proposal in w.session.scalars(sa.select(Proposal).where(Proposal.group_id == cmd.group_id)):
        seq = _publish(w.session, w.board, proposal)
    return {"group_id": cmd.group_id, "named": cmd.named, "seq": seq}


def is_named(actor: Actor, group_id: int) -> bool:
    """Whether the acting participant agreed to be named in this group's proposal."""
    with read_snapshot() as session:
        return bool(
            session.scalar(
                sa.select(GroupMember.named_in_proposal).where(
                    GroupMember.group_id == group_id,
                    GroupMember.participant_id == actor.participant_id,
                )
            )
        )


@board_write("proposal.submit")
def submit(w: Write, cmd: MoveProposal) -> dict[str, Any]:
    """Send the proposal to the council (the coordinator or a facilitator)."""
    return _move(w, cmd, "submitted")


@board_write("proposal.withdraw")
def withdraw(w: Write, cmd: MoveProposal) -> dict[str, Any]:
    """Withdraw the proposal, from any state before decided (coordinator or facilitator)."""
    return _move(w, cmd, "withdrawn")


def _move(w: Write, cmd: MoveProposal, to: str) -> dict[str, Any]:
    proposal = proposal_on_board(w.session, w.board.id, cmd.proposal_id)
    me = _may_steer(w.session, w.actor, proposal)
    _check_move(proposal.state, to, GROUP_MOVES)
    if to == "submitted":
        _check_complete(proposal)
    _transition(w.session, w.board, proposal, proposal.state, to, _label(me, proposal), cmd.note)
    seq = _publish(w.session, w.board, proposal)
    return {"proposal": proposal_out(w.session, proposal), "seq": seq}


def _check_move(state: str, to: str, moves: dict[str, set[str]]) -> None:
    if to not in moves.get(state, set()):
        allowed = ", ".join(sorted(moves.get(state, set()))) or "nothing (it is closed)"
        raise BoardError(
            "invalid_transition",
            f"A proposal that is {state.replace('_', ' ')} cannot become "
            f"{to.replace('_', ' ')} from here; it can become: {allowed.replace('_', ' ')}.",
            409,
        )


def _check_complete(proposal: Proposal) -> None:
    missing = {
        name: f"needs {what}"
        for name, what in REQUIRED_TO_SUBMIT.items()
        if not getattr(proposal, name)
    }
    if "money" in (proposal.asks or []) and not proposal.amount_pence:
        missing["amount_gbp"] = "needs the amount of money you ask for"
    if not (proposal.contact_consent and proposal.contact_name):
        missing["contact"] = "needs a named contact who agreed to be contacted"
    if missing:
        raise BoardError(
            "proposal_incomplete",
            "Before submitting, the proposal " + "; ".join(missing.values()) + ".",
            422,
            missing,
        )


def _label(me: Participant, proposal: Proposal) -> str:
    return "facilitator" if me.is_facilitator else "group coordinator"


def _transition(
    session: so.Session,
    board: Board,
    proposal: Proposal,
    from_state: str | None,
    to: str,
    who: str,
    note: str,
    kind: str = "participant",
) -> None:
    proposal.state = to
    proposal.updated_at = utcnow()
    proposal.transitions.append(
        ProposalTransition(
            from_state=from_state,
            to_state=to,
            actor=who,
            actor_kind=kind,
            note=note,
            created_at=utcnow(),
        )
    )
    session.flush()
    if from_state is not None and _was_submitted(proposal):
        enqueue(session, board, proposal, f"proposal.{to}", export(session, proposal))


def _publish(session: so.Session, board: Board, proposal: Proposal) -> int:
    """Tell the board: a draft only its group and facilitators, anything later everyone."""
    audience = None
    if proposal.state == "draft" or not _was_submitted(proposal):
        audience = (
            events.Audience(group_id=proposal.group_id) if proposal.group_id else events.STAFF
        )
    return events.record(
        session, board, events.ProposalChanged(proposal_public_out(proposal)), audience
    )


def _was_submitted(proposal: Proposal) -> bool:
    """Whether the proposal ever reached the council (a withdrawn draft never did)."""
    return any(t.to_state == "submitted" for t in proposal.transitions)


# -- the council's side -------------------------------------------------------------------

#: Proposals that reached the council: submitted at some point.
_SENT = Proposal.transitions.any(ProposalTransition.to_state == "submitted")


@board_read("officer.proposals", who="officer")
def officer_proposals() -> list[dict[str, Any]]:
    """Every proposal that has reached the council (submitted or later), newest first."""
    with read_snapshot() as session:
        rows = session.scalars(sa.select(Proposal).where(_SENT).order_by(Proposal.id.desc())).all()
        return [export(session, p) for p in rows]


@board_read("officer.proposal", who="officer")
def officer_proposal(proposal_id: int) -> dict[str, Any]:
    """One proposal as the council sees it (its export)."""
    with read_snapshot() as session:
        proposal = session.get(Proposal, proposal_id)
        if proposal is None or not _was_submitted(proposal):
            raise BoardError("proposal_not_found", "No submitted proposal with that id.", 404)
        return export(session, proposal)


@declared("proposal.officer_move", who="officer", input=OfficerMove)
def officer_move(
    officer: Officer, proposal_id: int, to: str, note: str = "", **decision: Any
) -> dict[str, Any]:
    """Record received, under review, or the decision (with its record)."""
    with write_transaction() as session:
        found = session.get(Proposal, proposal_id)
        if found is None or not _was_submitted(found):
            raise BoardError("proposal_not_found", "No submitted proposal with that id.", 404)
        board = lock_board(session, found.board_id)
        proposal = proposal_on_board(session, board.id, proposal_id)
        _check_move(proposal.state, to, OFFICER_MOVES)
        if to == "decided":
            missing = {
                k: "is required"
                for k in ("decision", "decision_date", "decision_maker", "decision_reasons")
                if not decision.get(k)
            }
            if missing:
                raise BoardError(
                    "invalid_input",
                    "A decision needs its outcome, date, decision maker and reasons.",
                    422,
                    missing,
                )
            for name, value in decision.items():
                setattr(proposal, name, value if value is not None else "")
        _transition(session, board, proposal, proposal.state, to, officer.name, note, "officer")
        _publish(session, board, proposal)
        return export(session, proposal)


# -- shapes and exports -------------------------------------------------------------------


def proposal_out(session: so.Session, proposal: Proposal) -> dict[str, Any]:
    """The whole proposal for its group and facilitators: every field of the form, the
    evidence from the board, the history."""
    return {
        **proposal_public_out(proposal),
        **{name: _gbp_field(proposal, name) for name in EDITABLE},
        "contact": {
            "participant_id": proposal.contact_id,
            "name": proposal.contact_name,
            "email": proposal.contact_email,
        }
        if proposal.contact_consent
        else None,
        "export": export(session, proposal),
    }


def _gbp_field(proposal: Proposal, name: str) -> Any:
    if name.endswith("_gbp"):
        pence = getattr(proposal, name.replace("_gbp", "_pence"))
        return None if pence is None else pence / 100
    value = getattr(proposal, name)
    return list(value) if isinstance(value, list) else value


def export(session: so.Session, proposal: Proposal) -> dict[str, Any]:
    """The canonical JSON (schema_version 1.0; see board/static/schema/proposal-1.0.json)."""
    board = session.get_one(Board, proposal.board_id)
    idea = session.get(Post, proposal.idea_id) if proposal.idea_id else None
    group = session.get(Group, proposal.group_id) if proposal.group_id else None
    members = list(group.members) if group else []
    named = [m.participant for m in members if m.named_in_proposal and not m.participant.anonymous]
    supporters = {s.participant_id for s in idea.supports} if idea else set()
    commenters = {c.author_id for c in idea.comments} if idea else set()
    helpers = {link.helper_id for link in idea.help_links} if idea else set()
    base = links_base(current_app.config)
    board_url = f"{base}/b/{board.code}" + (f"#post-{idea.id}" if idea else "")
    decision = decision_out(proposal)
    return {
        "schema_version": SCHEMA_VERSION,
        "exported_at": iso(utcnow()),
        "source_url": board_url,
        "id": proposal.id,
        "reference": proposal.reference,
        "title": proposal.title,
        "short_summary": proposal.short_summary,
        "summary": proposal.summary,
        "body": proposal.what_we_want,
        "route": proposal.route,
        "case": {
            "background": proposal.summary,
            "what_we_ask": {
                "asks": list(proposal.asks or []),
                "amount_gbp": _gbp(proposal.amount_pence),
                "details": proposal.ask_details,
            },
            "what_we_have": proposal.involved,
            "options": proposal.options,
            "reasons": proposal.reasons,
            "outcomes": proposal.benefits,
        },
        "support": {
            "supporters": len(supporters),
            "dots": len(idea.dots) if idea else 0,
            "comments": len(idea.comments) if idea else 0,
            "unique_participants": len(
                supporters | commenters | helpers | {m.participant_id for m in members}
            ),
            "comment_digest": [
                {"body": c.body, "at": iso(c.created_at)} for c in (idea.comments if idea else [])
            ][:20],
            "offers": [
                {"kind": link.offer.kind, "title": link.offer.title}
                for link in (idea.help_links if idea else [])
                if link.offer is not None
            ],
            "helpers": len(helpers),
            "board_url": board_url,
        },
        "implications": {
            "financial": {
                "capital_gbp": _gbp(proposal.capital_pence),
                "revenue_gbp": _gbp(proposal.revenue_pence),
                "notes": proposal.cost_notes,
            },
            "legal": proposal.legal,
            "equalities": {
                "who_benefits": proposal.benefits,
                "who_might_be_left_out": proposal.left_out,
            },
            "risks": proposal.risks,
        },
        "place": {
            "wards": [proposal.ward] if proposal.ward else [],
            "address": proposal.address,
            "coordinates": None
            if proposal.latitude is None or proposal.longitude is None
            else {"latitude": proposal.latitude, "longitude": proposal.longitude},
        },
        "proposer": {
            "group_name": group.name if group else None,
            "member_count": len(members),
            "named_members": [p.display_name for p in named],
            "authors": [idea.author.display_name]
            if idea and idea.author_id in {p.id for p in named}
            else [],
            "contact": {"name": proposal.contact_name, "email": proposal.contact_email}
            if proposal.contact_consent
            else None,
        },
        "lifecycle": {
            "state": proposal.state,
            "history": [
                {
                    "from": t.from_state,
                    "to": t.to_state,
                    "at": iso(t.created_at),
                    "by": t.actor,
                    "note": t.note,
                }
                for t in proposal.transitions
            ],
            "decision": decision,
        },
    }


def _gbp(pence: int | None) -> float | None:
    return None if pence is None else pence / 100


def to_csv(exports: list[dict[str, Any]]) -> str:
    """Proposals as CSV: one row each, dotted column names; lists joined with "; "."""
    rows = [_flatten(e) for e in exports]
    columns: list[str] = []
    for row in rows or [_flatten(_EMPTY)]:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return out.getvalue()


_EMPTY: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "id": None, "reference": None}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat |= _flatten(inner, f"{prefix}{key}.")
        return flat
    if isinstance(value, list):
        parts = [
            "; ".join(f"{k}: {'' if v is None else v}" for k, v in item.items())
            if isinstance(item, dict)
            else str(item)
            for item in value
        ]
        return {prefix[:-1]: " | ".join(parts)}
    return {prefix[:-1]: "" if value is None else value}


@board_read("proposals.list")
def board_proposals(actor: Actor) -> list[dict[str, Any]]:
    """The board's proposals as everyone sees them (drafts: only the group and facilitators)."""
    with read_snapshot() as session:
        me = acting(session, actor)
        return visible_proposals(session, actor.board_id, me, me.is_facilitator)


@board_read("proposal.show")
def proposal_detail(actor: Actor, proposal_id: int) -> dict[str, Any]:
    """A whole proposal: anyone on the board once submitted; a draft, its group and
    facilitators."""
    with read_snapshot() as session:
        me = acting(session, actor)
        proposal = proposal_on_board(session, actor.board_id, proposal_id)
        # A draft withdrawn before it was submitted is still a draft: the council never had it.
        if not _was_submitted(proposal) and not (
            me.is_facilitator or _member(session, proposal, me.id)
        ):
            raise BoardError("proposal_not_found", "No proposal with that id on this board.", 404)
        shaped = proposal_out(session, proposal)
        if not (me.is_facilitator or _member(session, proposal, me.id)):
            # The contact agreed to be named, and to be emailed by the council: the board
            # sees the name, not the address.
            shaped["contact"] = None
            contact = shaped["export"]["proposer"]["contact"]
            if contact:
                contact["email"] = ""
        return shaped


@board_read("proposal.export")
def export_for(actor: Actor, proposal_id: int) -> dict[str, Any]:
    """The canonical export, for the group and facilitators."""
    with read_snapshot() as session:
        me = acting(session, actor)
        proposal = proposal_on_board(session, actor.board_id, proposal_id)
        if not (me.is_facilitator or _member(session, proposal, me.id)):
            raise forbidden("Only the group and facilitators can export its proposal.")
        return export(session, proposal)


def exports_for_board(actor: Actor) -> list[dict[str, Any]]:
    """Every proposal of the board, exported (facilitators)."""
    with read_snapshot() as session:
        if not acting(session, actor).is_facilitator:
            raise forbidden("Only facilitators can export all the board's proposals.")
        rows = session.scalars(
            sa.select(Proposal).where(Proposal.board_id == actor.board_id).order_by(Proposal.id)
        ).all()
        return [export(session, p) for p in rows]
