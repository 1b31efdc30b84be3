"""Writing a checked board file as a new board: every row a fresh id, every reference rewritten."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.models import (
    Board,
    Comment,
    Dot,
    Group,
    GroupMember,
    GroupMessage,
    Link,
    ModerationAction,
    Participant,
    Post,
    Proposal,
    ProposalTransition,
    Report,
    Support,
    utcnow,
)
from board.services.boards import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    hash_token,
    new_join_code,
    normalise_code,
)
from board.services.commands import declared
from board.services.transfer.checks import (
    COUNCIL_STATES,
    DECISION_FIELDS,
    IMPORT_ACTOR,
    Checked,
    check,
    read_json,
)
from board.storage import write_transaction

#: A reference as made on promotion: ``CG-<board code>-<n>``.
REFERENCE = re.compile(r"^CG-(.+)-([1-9][0-9]*)\Z")
#: The id stored as ``merged_into_id`` for a duplicate whose post has since been deleted:
#: merged (so it stays hidden and cannot be restored) into no post at all.
MERGED_INTO_DELETED = 0


@dataclass(frozen=True)
class ImportResult:
    """The board an import made."""

    board_id: int
    board_code: str
    #: The file's join code was already in use here, so the board got a new one.
    code_changed: bool
    #: Participants whose token hash was already in use here, given a fresh one: their old
    #: personal link does not open this copy.
    participants_remapped: int


@declared("board.import", who="admin")
def import_json(raw: str | bytes) -> ImportResult:
    """Import a board from the text of an export file (over HTTP, an instance administrator's
    token: `Authorization: Bearer`)."""
    data = read_json(raw)
    _let_others_run()
    return import_board(data)


def import_board(data: Any) -> ImportResult:
    """Create a new board from an export document, in one write transaction.

    Everything is checked before anything is written: a file with any problem (wrong
    format or version, a missing field, a wrong type, text over its limit, a reference to
    a row the file does not hold) raises ``invalid_import`` (422) naming the first problem,
    and adds nothing. Every row gets a fresh id and every reference is rewritten; the
    moderation log's post and participant ids (kept as plain ids, as a log entry can
    outlive its post) are rewritten when the file holds that row, and left empty when not.
    The join code is kept when it is free here, else the board gets a new one; proposals'
    references follow it (see ``_references``). ``proposals`` and the members'
    ``named_in_proposal`` may be missing (a file written before proposals): no proposals,
    nobody named. Nothing instance-wide is imported: no officer tokens, no webhook
    deliveries, and no webhook is sent for the imported proposals.
    """
    checked = check(data)
    _let_others_run()
    with write_transaction() as session:
        return _write(session, checked)


def _let_others_run() -> None:
    """Between an import's steps, let other requests in: under gevent or eventlet (which
    patch ``time.sleep``) this yields to their hub; without them it costs a system call.

    Never inside the write transaction: another write would wait for SQLite's lock in C,
    holding the hub, while the import that holds it could not run.
    """
    time.sleep(0)


def _write(session: so.Session, checked: Checked) -> ImportResult:
    code = normalise_code(checked.code)
    usable = len(code) == JOIN_CODE_LENGTH and set(code) <= set(JOIN_CODE_ALPHABET)
    if not usable or session.scalar(sa.select(Board.id).where(Board.code == code)) is not None:
        code = new_join_code(session)
    settings = dict(checked.board)
    spotlight = settings.pop("spotlight_post_id")
    board = Board(code=code, last_seq=0, **settings)
    session.add(board)
    session.flush()

    wanted = [p["token_hash"] for p in checked.participants.values()]
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        taken |= set(
            session.scalars(
                sa.select(Participant.token_hash).where(Participant.token_hash.in_(chunk))
            )
        )
    people: dict[int, Participant] = {}
    for ident, values in checked.participants.items():
        person = Participant(board_id=board.id, **values)
        if person.token_hash in taken:
            # Nobody holds the token for this hash: the old link opens only the first copy.
            person.token_hash = hash_token(secrets.token_urlsafe(24))
        people[ident] = person
    session.add_all(people.values())
    session.flush()
    pid = {ident: person.id for ident, person in people.items()}

    # Posts are most of a large file: one bulk INSERT ... RETURNING, not an object each,
    # keeps the write transaction (which nothing else can run beside) short.
    rows = [
        {
            **{k: v for k, v in values.items() if k not in ("merged", "merged_into_id")},
            "board_id": board.id,
            "author_id": pid[values["author_id"]],
        }
        for values in checked.posts.values()
    ]
    made_ids = session.scalars(
        sa.insert(Post).returning(Post.id, sort_by_parameter_order=True), rows
    ).all()
    post_id = dict(zip(checked.posts, made_ids, strict=True))
    merges = [
        {
            "id": post_id[ident],
            "merged_into_id": MERGED_INTO_DELETED
            if values["merged_into_id"] is None
            else post_id[values["merged_into_id"]],
        }
        for ident, values in checked.posts.items()
        if values["merged"]
    ]
    if merges:
        session.execute(sa.update(Post), merges)
    board.spotlight_post_id = post_id[spotlight] if spotlight is not None else None

    def marks(values: dict[str, Any]) -> dict[str, Any]:
        return {
            **values,
            "post_id": post_id[values["post_id"]],
            "participant_id": pid[values["participant_id"]],
        }

    session.add_all(Support(**marks(v)) for v in checked.supports)
    session.add_all(Dot(board_id=board.id, **marks(v)) for v in checked.dots)
    session.add_all(Report(board_id=board.id, **marks(v)) for v in checked.reports)
    session.add_all(
        Comment(**{**v, "post_id": post_id[v["post_id"]], "author_id": pid[v["author_id"]]})
        for v in checked.comments
    )
    session.add_all(
        Link(
            board_id=board.id,
            target_id=post_id[v["target_id"]],
            offer_id=None if v["offer_id"] is None else post_id[v["offer_id"]],
            helper_id=pid[v["helper_id"]],
            created_at=v["created_at"],
        )
        for v in checked.links
    )
    made: list[Group] = []
    for values, _members, _messages in checked.groups:
        coordinator = values["coordinator_id"]
        group = Group(
            board_id=board.id,
            **{
                **values,
                "idea_id": post_id[values["idea_id"]],
                "coordinator_id": None if coordinator is None else pid[coordinator],
            },
        )
        made.append(group)
    session.add_all(made)
    session.flush()
    for group, (_values, members, messages) in zip(made, checked.groups, strict=True):
        session.add_all(
            GroupMember(
                group_id=group.id,
                participant_id=pid[m["participant_id"]],
                joined_at=m["joined_at"],
                named_in_proposal=m["named_in_proposal"],
            )
            for m in members
        )
        session.add_all(
            GroupMessage(
                group_id=group.id,
                author_id=pid[m["author_id"]],
                body=m["body"],
                created_at=m["created_at"],
            )
            for m in messages
        )
    references = _references(session, checked, board.code)
    for (filed, steps), reference in zip(checked.proposals, references, strict=True):
        values, transitions = without_council(filed, steps)
        idea, group = values["idea_id"], values["group_id"]
        contact, creator = values["contact_id"], values["created_by_id"]
        session.add(
            Proposal(
                board_id=board.id,
                **{
                    **values,
                    "reference": reference,
                    "idea_id": None if idea is None else post_id[idea],
                    "group_id": None if group is None else made[group].id,
                    "contact_id": None if contact is None else pid[contact],
                    "created_by_id": None if creator is None else pid[creator],
                },
                transitions=[ProposalTransition(**t) for t in transitions],
            )
        )
    session.add_all(
        ModerationAction(
            board_id=board.id,
            **{
                **v,
                "actor_id": pid[v["actor_id"]],
                "post_id": post_id.get(v["post_id"]),
                "participant_id": pid.get(v["participant_id"]),
            },
        )
        for v in checked.log
    )
    session.flush()
    return ImportResult(
        board_id=board.id,
        board_code=board.code,
        code_changed=board.code != normalise_code(checked.code),
        participants_remapped=sum(
            1 for p in checked.participants.values() if p["token_hash"] in taken
        ),
    )


def without_council(
    values: dict[str, Any], steps: list[dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A proposal as the council here has to see it: not yet received.

    The file's council steps were taken on another server, by officers this one does not
    know; the file cannot prove them. So officers' steps are dropped, the decision record
    emptied, and a proposal the council had received, reviewed or decided comes back to
    ``submitted`` (a group's withdrawal after receipt becomes one from ``submitted``). When
    anything was dropped, a step by ``board import`` says so.
    """
    kept = [dict(s) for s in steps if s["actor_kind"] != "officer"]
    state = values["state"]
    arrived = "submitted" if state in COUNCIL_STATES else state
    for step in kept:
        if step["from_state"] in COUNCIL_STATES:
            step["from_state"] = "submitted"
    blank = {
        name: None if name in ("decision", "decision_date") else "" for name in DECISION_FIELDS
    }
    dropped = [s["to_state"] for s in steps if s["actor_kind"] == "officer"]
    if dropped or arrived != state or any(values[name] != blank[name] for name in blank):
        steps_text = ", ".join(s.replace("_", " ") for s in dropped) or "none"
        kept.append(
            {
                "from_state": state,
                "to_state": arrived,
                "actor": IMPORT_ACTOR,
                "actor_kind": "import",
                "note": (
                    "Imported from another server. The council's steps there "
                    f"({steps_text}) and its decision record are not carried over: "
                    "the council here has not received this proposal."
                ),
                "created_at": utcnow(),
            }
        )
    return {**values, **blank, "state": arrived}, kept


def _references(session: so.Session, checked: Checked, code: str) -> list[str]:
    """The proposals' references on this instance, unique here: ``CG-<file's code>-<n>``
    becomes ``CG-<board's code>-<n>`` (the same when the board kept its code), any other is
    kept as it is; one already in use gets the first free ``CG-<board's code>-<n>`` from its
    place in the file."""
    old = normalise_code(checked.code)
    wanted: list[str] = []
    for values, _transitions in checked.proposals:
        reference = values["reference"]
        made = REFERENCE.match(reference)
        if made and normalise_code(made[1]) == old:
            reference = f"CG-{code}-{made[2]}"
        wanted.append(reference)

    def in_use(references: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(references), 500):
            chunk = references[start : start + 500]
            found |= set(
                session.scalars(sa.select(Proposal.reference).where(Proposal.reference.in_(chunk)))
            )
        return found

    taken = in_use(wanted)
    chosen: list[str] = []
    for place, reference in enumerate(wanted, start=1):
        if reference in taken or reference in chosen:
            n = place
            while (
                (reference := f"CG-{code}-{n}") in chosen
                or reference in wanted
                or in_use([reference])
            ):
                n += 1
        chosen.append(reference)
    return chosen
