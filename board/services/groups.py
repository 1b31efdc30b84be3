"""Groups: "I'm in" on an idea, a coordinator, members who come and go, a thread."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board import events
from board.errors import BoardError, forbidden
from board.inputs import GroupRef, HandOver, JoinGroup, NewGroupMessage, RenameGroup
from board.models import Board, Group, GroupMember, GroupMessage, utcnow
from board.outputs import group_message_out, group_out, participant_out
from board.services import Actor
from board.services.commands import Write, board_read, board_write
from board.services.rules import may_write, open_post
from board.storage import read_snapshot


def _group_on_board(session: so.Session, board_id: int, group_id: int) -> Group:
    group = session.get(Group, group_id, populate_existing=True)
    if group is None or group.board_id != board_id:
        raise BoardError("group_not_found", "That group is not on this board.", 404)
    return group


def _open_group(session: so.Session, board_id: int, group_id: int) -> Group:
    """A group on this board that has not closed (a closed group is read-only)."""
    group = _group_on_board(session, board_id, group_id)
    if group.closed_at is not None:
        raise BoardError("group_closed", "This group has closed.", 409)
    return group


def _member(group: Group, participant_id: int) -> GroupMember | None:
    return next((m for m in group.members if m.participant_id == participant_id), None)


@board_write("group.join")
def join_group(w: Write, cmd: JoinGroup) -> dict[str, Any]:
    """Say "I'm in" on an idea: join its group, creating it (you coordinate) on the first join.

    An anonymous participant is listed as an anonymous member unless they give a
    display name here, which names them on the whole board.
    """
    me = may_write(w.session, w.actor, w.board)
    idea = open_post(w.session, w.actor, cmd.post_id)
    if idea.kind != "idea":
        raise BoardError("invalid_target", "Groups form around ideas.", 422)
    group = idea.group
    if group is not None and group.closed_at is not None:
        raise BoardError("group_closed", "This group has closed: nobody is in it any more.", 409)
    if group is not None and _member(group, me.id):
        raise BoardError("already_member", "You are already in this group.", 409)
    if cmd.display_name and me.anonymous:
        me.anonymous, me.display_name = False, cmd.display_name
        w.session.flush()
        events.record(w.session, w.board, events.ParticipantRenamed(participant_out(me)))
    created = group is None
    if group is None:
        group = Group(board_id=w.board.id, idea_id=idea.id, name=idea.title)
        group.coordinator_id = me.id
        w.session.add(group)
        w.session.flush()
    group.members.append(GroupMember(participant_id=me.id, joined_at=utcnow()))
    w.session.flush()
    shaped = group_out(group)
    event: events.Event = (
        events.GroupCreated(shaped)
        if created
        else events.GroupMemberJoined(shaped, participant_id=me.id)
    )
    seq = events.record(w.session, w.board, event)
    return {"group": shaped, "seq": seq}


@board_write("group.leave")
def leave_group(w: Write, cmd: GroupRef) -> dict[str, Any]:
    """Leave a group. A leaving coordinator hands over to the longest-standing member;
    the last member leaving closes the group (it is kept, with its thread)."""
    may_write(w.session, w.actor, w.board)
    group = _group_on_board(w.session, w.board.id, cmd.group_id)
    mine = _member(group, w.actor.participant_id)
    if mine is None:
        raise BoardError("not_a_member", "You are not in this group.", 409)
    group.members.remove(mine)
    w.session.flush()
    seq = events.record(
        w.session,
        w.board,
        events.GroupMemberLeft(group_out(group), participant_id=w.actor.participant_id),
    )
    if not group.members:
        group.closed_at = utcnow()
        w.session.flush()
        seq = events.record(w.session, w.board, events.GroupClosed(group_out(group)))
    elif group.coordinator_id == w.actor.participant_id:
        successor = group.members[0].participant_id
        group.coordinator_id = successor
        w.session.flush()
        seq = _coordinator_changed(w.session, w.board, group, w.actor.participant_id, successor)
    return {"group": group_out(group), "seq": seq}


@board_write("group.hand_over")
def hand_over(w: Write, cmd: HandOver) -> dict[str, Any]:
    """The coordinator hands coordination to another member."""
    may_write(w.session, w.actor, w.board)
    group = _open_group(w.session, w.board.id, cmd.group_id)
    if group.coordinator_id != w.actor.participant_id:
        raise forbidden("Only the group's coordinator can hand over.")
    if cmd.participant_id == w.actor.participant_id:
        raise BoardError("invalid_input", "You already coordinate this group.", 422)
    if _member(group, cmd.participant_id) is None:
        raise BoardError("not_a_member", "Hand over to someone who is in the group.", 409)
    group.coordinator_id = cmd.participant_id
    w.session.flush()
    seq = _coordinator_changed(
        w.session, w.board, group, w.actor.participant_id, cmd.participant_id
    )
    return {"group": group_out(group), "seq": seq}


@board_write("group.rename")
def rename_group(w: Write, cmd: RenameGroup) -> dict[str, Any]:
    """The coordinator names the group (it starts with the idea's title)."""
    may_write(w.session, w.actor, w.board)
    group = _open_group(w.session, w.board.id, cmd.group_id)
    if group.coordinator_id != w.actor.participant_id:
        raise forbidden("Only the group's coordinator can rename it.")
    group.name = cmd.name
    w.session.flush()
    seq = events.record(w.session, w.board, events.GroupRenamed(group_out(group)))
    return {"group": group_out(group), "seq": seq}


def _coordinator_changed(
    session: so.Session, board: Board, group: Group, from_id: int | None, to_id: int
) -> int:
    return events.record(
        session, board, events.GroupCoordinatorChanged(group_out(group), from_id, to_id)
    )


@board_write("group.message")
def post_message(w: Write, cmd: NewGroupMessage) -> dict[str, Any]:
    """Write in a group's thread: members may, and so may facilitators."""
    me = may_write(w.session, w.actor, w.board, speaking=True)
    group = _open_group(w.session, w.board.id, cmd.group_id)
    if _member(group, me.id) is None and not me.is_facilitator:
        raise BoardError("not_a_member", "Say \u201cI'm in\u201d to write in this group.", 409)
    message = GroupMessage(
        group_id=group.id, author_id=w.actor.participant_id, body=cmd.body, created_at=utcnow()
    )
    w.session.add(message)
    w.session.flush()
    shaped = group_message_out(message)
    seq = events.record(w.session, w.board, events.GroupMessagePosted(shaped))
    return {"message": shaped, "seq": seq}


@board_read("group.show")
def group_page(actor: Actor, group_id: int) -> dict[str, Any]:
    """A group with its idea, members, offers and whole thread."""
    with read_snapshot() as session:
        group = _group_on_board(session, actor.board_id, group_id)
        return {
            "group": group_out(group),
            "idea": {"id": group.idea.id, "title": group.idea.title, "body": group.idea.body},
            "messages": [group_message_out(m) for m in group.messages],
        }


@board_read("groups.list")
def groups_of_board(actor: Actor) -> list[dict[str, Any]]:
    """Every group on the board, open ones first."""
    with read_snapshot() as session:
        found = session.scalars(
            sa.select(Group)
            .where(Group.board_id == actor.board_id)
            .order_by(Group.closed_at.is_not(None), Group.id)
        ).all()
        return [group_out(g) for g in found]
