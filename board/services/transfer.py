"""Moving a board between instances: a complete JSON export, a CSV of its posts, an import.

The JSON document (``FORMAT``, ``VERSION``) holds everything a board is: its settings,
participants, posts in every state, supports, dots, reports, comments, helpers, groups
with members (and whether each agreed to be named in the group's proposal) and threads,
the proposals with their history of transitions, and the whole moderation log. Officer
tokens and the webhook delivery log belong to the instance, not to a board: they are never
exported, and the instance the board moves to has its own. Ids in the file are references
*inside the file* only: an import gives every row a fresh id and rewrites every reference,
so a board can go into a database that already holds boards, and importing one file twice
makes two boards. The board's event log is not carried: an imported board starts at seq 0
with no events, and clients load a snapshot.

Participants keep their ``token_hash``: the sha256 of their secret token, not the token
itself, so the file does not let anyone in, while everyone's personal link (facilitators'
too) keeps working on the instance the board moves to. Token hashes are unique on an
instance: when one is already taken there (the same file imported a second time), that
participant gets a fresh hash nobody holds the token for, so their old link opens only the
first copy; ``ImportResult.participants_remapped`` says how many.

A proposal's ``reference`` (``CG-<board code>-<n>``) is unique on an instance too: when the
board gets a new join code its references are rebuilt with it, and a reference already in
use here is replaced by a free one in the same pattern.

``proposals`` and the members' ``named_in_proposal`` came after the first files were
written: a file without them (still version 1) imports with no proposals and nobody named.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board import inputs
from board.errors import BoardError
from board.models import (
    ASKS,
    BOARD_KINDS,
    DECISIONS,
    MODERATION_REASONS,
    PHASES,
    POST_KINDS,
    POST_STATES,
    PROPOSAL_STATES,
    REPORT_REASONS,
    ROLES,
    ROUTES,
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
from board.services import Actor
from board.services.boards import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    hash_token,
    new_join_code,
    normalise_code,
)
from board.services.rules import require_facilitator
from board.spreadsheet import safe_cell
from board.storage import read_snapshot, write_transaction

FORMAT = "common-ground-board"
VERSION = 1
#: The largest import the HTTP API reads (the app's usual request limit is far smaller).
MAX_IMPORT_BYTES = 8 * 1024 * 1024

CSV_COLUMNS = (
    "id",
    "kind",
    "state",
    "title",
    "body",
    "tag",
    "availability",
    "author",
    "on_behalf_of",
    "created_at",
    "supports",
    "dots",
    "comments",
    "helpers",
    "group",
    "hidden_reason",
    "pinned",
)

TOKEN_HASH = re.compile(r"^[0-9a-f]{64}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text limits: the models' column lengths and check constraints, and what a write accepts.
POST_BODY_MAX = inputs.NEW_POST["body"].max
COMMENT_MAX = inputs.NEW_COMMENT["body"].max
MESSAGE_MAX = inputs.GROUP_MESSAGE["body"].max
NOTE_MAX = ModerationAction.__table__.c.note.type.length
SETTING_MAX = {
    name: inputs.SESSION[name].max
    for name in inputs.SESSION
    if name.endswith(("budget", "threshold", "seconds"))
}
TIMER_MAX = inputs.TIMER["seconds"].max
#: A proposal's text fields but its title (each may be empty), with the limits the guided
#: form, the contact form and an officer's decision accept (else the column's length).
PROPOSAL_TEXT = {
    **{
        name: field.max
        for name, field in inputs.PROPOSAL_EDIT.items()
        if isinstance(field, inputs.Text) and name != "title"
    },
    "contact_name": inputs.PROPOSAL_CONTACT["name"].max,
    "contact_email": Proposal.__table__.c.contact_email.type.length,
    **{
        name: inputs.OFFICER_MOVE[name].max
        for name in ("decision_maker", "decision_reasons", "conditions", "alternatives_rejected")
    },
    "minutes_url": Proposal.__table__.c.minutes_url.type.length,
}
#: Money in pence: the most the proposal form accepts (£100,000,000).
PENCE_MAX = 100_000_000 * 100
TRANSITION_NOTE_MAX = inputs.PROPOSAL_MOVE["note"].max
#: Who moved a proposal: a participant (the group, a facilitator) or a council officer.
ACTOR_KINDS = ("participant", "officer")
#: A decision's date, as the officer's form takes it.
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
#: A reference as made on promotion: ``CG-<board code>-<n>``.
REFERENCE = re.compile(r"^CG-(.+)-([1-9][0-9]*)\Z")
#: The id stored as ``merged_into_id`` for a duplicate whose post has since been deleted:
#: merged (so it stays hidden and cannot be restored) into no post at all.
MERGED_INTO_DELETED = 0


#: A database id as a reference inside the file (None for a row the file does not hold).
Reference = Callable[[int | None], int | None]
#: ``_Row.get``'s default: the field must be there (one an older file may lack has a default).
REQUIRED: Any = object()


def _limit(column: Any) -> int:
    return int(column.type.length)


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


# Export ---------------------------------------------------------------------------------


def _time(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with every digit kept (SQLite hands back naive UTC datetimes)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def export_board(actor: Actor) -> dict[str, Any]:
    """The whole board as one JSON-ready document (facilitators only)."""
    with read_snapshot() as session:
        require_facilitator(session, actor)
        return _document(session, session.get_one(Board, actor.board_id))


def _document(session: so.Session, board: Board) -> dict[str, Any]:
    def rows(model: Any, *where: Any, join: Any = None) -> list[Any]:
        query = sa.select(model)
        if join is not None:
            query = query.join(join)
        return list(session.scalars(query.where(*where).order_by(model.id)))

    people = rows(Participant, Participant.board_id == board.id)
    posts = rows(Post, Post.board_id == board.id)
    post_ids = {p.id for p in posts}
    groups = rows(Group, Group.board_id == board.id)
    members = rows(GroupMember, Group.board_id == board.id, join=Group)
    messages = rows(GroupMessage, Group.board_id == board.id, join=Group)
    proposals = rows(Proposal, Proposal.board_id == board.id)

    person_ids = {p.id for p in people}
    # Groups have no id in the file: a proposal names its group by its place in the list.
    group_at = {g.id: n for n, g in enumerate(groups)}

    def inside(post_id: int | None) -> int | None:
        """A post id as a reference inside the file: None for a post since deleted."""
        return post_id if post_id in post_ids else None

    def person(participant_id: int | None) -> int | None:
        return participant_id if participant_id in person_ids else None

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _time(utcnow()),
        "board": {
            "code": board.code,
            "title": board.title,
            "prompt": board.prompt,
            "kind": board.kind,
            "tags": list(board.tags or []),
            "created_at": _time(board.created_at),
            "phase": board.phase,
            "locked": board.locked,
            "premoderation": board.premoderation,
            "silent": board.silent,
            "dot_budget": board.dot_budget,
            "dots_hidden": board.dots_hidden,
            "report_threshold": board.report_threshold,
            "slow_mode_seconds": board.slow_mode_seconds,
            "spotlight_post_id": inside(board.spotlight_post_id),
            "timer_ends_at": _time(board.timer_ends_at),
            "timer_seconds": board.timer_seconds,
        },
        "participants": [
            {
                "id": p.id,
                "display_name": p.display_name,
                "anonymous": p.anonymous,
                "role": p.role,
                "token_hash": p.token_hash,
                "created_at": _time(p.created_at),
                "revoked_at": _time(p.revoked_at),
                "muted_at": _time(p.muted_at),
            }
            for p in people
        ],
        "posts": [
            {
                "id": p.id,
                "author_id": p.author_id,
                "kind": p.kind,
                "title": p.title,
                "body": p.body,
                "tag": p.tag,
                "availability": p.availability,
                "state": p.state,
                "rejected_reason": p.rejected_reason,
                "hidden_at": _time(p.hidden_at),
                "hidden_reason": p.hidden_reason,
                "pinned_at": _time(p.pinned_at),
                "on_behalf_of": p.on_behalf_of,
                "merged": p.merged_into_id is not None,
                "merged_into_id": inside(p.merged_into_id),
                "created_at": _time(p.created_at),
                "updated_at": _time(p.updated_at),
            }
            for p in posts
        ],
        "supports": [
            {
                "post_id": s.post_id,
                "participant_id": s.participant_id,
                "created_at": _time(s.created_at),
            }
            for s in rows(Support, Post.board_id == board.id, join=Support.post)
        ],
        "dots": [
            {
                "post_id": d.post_id,
                "participant_id": d.participant_id,
                "created_at": _time(d.created_at),
            }
            for d in rows(Dot, Dot.board_id == board.id)
        ],
        "reports": [
            {
                "post_id": r.post_id,
                "participant_id": r.participant_id,
                "reason": r.reason,
                "created_at": _time(r.created_at),
            }
            for r in rows(Report, Report.board_id == board.id)
        ],
        "comments": [
            {
                "post_id": c.post_id,
                "author_id": c.author_id,
                "body": c.body,
                "created_at": _time(c.created_at),
            }
            for c in rows(Comment, Post.board_id == board.id, join=Comment.post)
        ],
        "links": [
            {
                "target_id": link.target_id,
                "offer_id": link.offer_id,
                "helper_id": link.helper_id,
                "created_at": _time(link.created_at),
            }
            for link in rows(Link, Link.board_id == board.id)
        ],
        "groups": [
            {
                "idea_id": g.idea_id,
                "name": g.name,
                "coordinator_id": g.coordinator_id,
                "created_at": _time(g.created_at),
                "closed_at": _time(g.closed_at),
                "members": [
                    {
                        "participant_id": m.participant_id,
                        "joined_at": _time(m.joined_at),
                        "named_in_proposal": m.named_in_proposal,
                    }
                    for m in members
                    if m.group_id == g.id
                ],
                "messages": [
                    {"author_id": m.author_id, "body": m.body, "created_at": _time(m.created_at)}
                    for m in messages
                    if m.group_id == g.id
                ],
            }
            for g in groups
        ],
        "proposals": [_proposal(p, inside, group_at, person) for p in proposals],
        "moderation_log": [
            {
                "actor_id": a.actor_id,
                "action": a.action,
                "post_id": inside(a.post_id),
                "participant_id": person(a.participant_id),
                "reason": a.reason,
                "note": a.note,
                "created_at": _time(a.created_at),
            }
            for a in rows(ModerationAction, ModerationAction.board_id == board.id)
        ],
    }


def _proposal(
    p: Proposal, inside: Reference, group_at: dict[int, int], person: Reference
) -> dict[str, Any]:
    """One proposal with its history: every column but the board's id."""
    return {
        "id": p.id,
        "idea_id": inside(p.idea_id),
        "group_id": group_at.get(p.group_id) if p.group_id is not None else None,
        "reference": p.reference,
        "state": p.state,
        "title": p.title,
        "short_summary": p.short_summary,
        "summary": p.summary,
        "what_we_want": p.what_we_want,
        "asks": list(p.asks or []),
        "amount_pence": p.amount_pence,
        "ask_details": p.ask_details,
        "involved": p.involved,
        "ward": p.ward,
        "address": p.address,
        "latitude": p.latitude,
        "longitude": p.longitude,
        "capital_pence": p.capital_pence,
        "revenue_pence": p.revenue_pence,
        "cost_notes": p.cost_notes,
        "options": p.options,
        "reasons": p.reasons,
        "risks": p.risks,
        "legal": p.legal,
        "benefits": p.benefits,
        "left_out": p.left_out,
        "route": p.route,
        "contact_id": person(p.contact_id),
        "contact_name": p.contact_name,
        "contact_email": p.contact_email,
        "contact_consent": p.contact_consent,
        "created_by_id": person(p.created_by_id),
        "created_at": _time(p.created_at),
        "updated_at": _time(p.updated_at),
        "decision": p.decision,
        "decision_date": p.decision_date,
        "decision_maker": p.decision_maker,
        "decision_reasons": p.decision_reasons,
        "conditions": p.conditions,
        "alternatives_rejected": p.alternatives_rejected,
        "minutes_url": p.minutes_url,
        "transitions": [
            {
                "from_state": t.from_state,
                "to_state": t.to_state,
                "actor": t.actor,
                "actor_kind": t.actor_kind,
                "note": t.note,
                "created_at": _time(t.created_at),
            }
            for t in p.transitions
        ],
    }


def export_csv(actor: Actor) -> str:
    """The board's posts as CSV, one row per post in every state (facilitators only).

    Dots are counted even while hidden from participants; cells a spreadsheet would run
    as a formula are written as text.
    """
    with read_snapshot() as session:
        require_facilitator(session, actor)
        posts = session.scalars(
            sa.select(Post)
            .where(Post.board_id == actor.board_id)
            .order_by(Post.id)
            .options(
                so.selectinload(Post.author),
                so.selectinload(Post.supports),
                so.selectinload(Post.dots),
                so.selectinload(Post.comments),
                so.selectinload(Post.help_links),
                so.selectinload(Post.group),
            )
        ).all()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for post in posts:
            author = post.author
            writer.writerow(
                safe_cell(cell)
                for cell in [
                    post.id,
                    post.kind,
                    post.state,
                    post.title,
                    post.body,
                    post.tag or "",
                    post.availability or "",
                    "(anonymous)" if author.anonymous else author.display_name or "",
                    post.on_behalf_of or "",
                    _time(post.created_at),
                    len(post.supports),
                    len(post.dots),
                    len(post.comments),
                    len(post.help_links),
                    post.group.name if post.group is not None else "",
                    post.hidden_reason or "",
                    "yes" if post.pinned_at is not None else "no",
                ]
            )
        return out.getvalue()


# Import ---------------------------------------------------------------------------------


def invalid(where: str, problem: str) -> BoardError:
    """A board file this server will not import: what is wrong, and where in the file."""
    return BoardError(
        "invalid_import",
        f"The board file cannot be imported: {where}: {problem}.",
        422,
        {where: problem},
    )


def import_json(raw: str | bytes) -> ImportResult:
    """Import a board from the text of an export file."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise invalid("file", "is not valid JSON") from exc
    return import_board(data)


class _Row:
    """One JSON object of the file, read field by field with the file path for errors."""

    def __init__(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise invalid(where, "must be an object")
        self.value, self.where = value, where

    def get(self, key: str, default: Any = REQUIRED) -> Any:
        """The field's value; a missing field is an error unless it has a ``default``."""
        if key not in self.value:
            if default is not REQUIRED:
                return default
            raise invalid(self.where, f"{key} is missing")
        return self.value[key]

    def at(self, key: str) -> str:
        """Where a field is, in error messages: ``posts[3].title``, ``board.phase``."""
        return key if self.where == "file" else f"{self.where}.{key}"

    def text(self, key: str, most: int, least: int = 0, null: bool = False) -> str | None:
        value = self.get(key)
        if value is None and null:
            return None
        if not isinstance(value, str):
            raise invalid(self.at(key), "must be text" + (" or null" if null else ""))
        if not _plain(value):
            raise invalid(self.at(key), "must be Unicode text without control characters")
        if len(value) < least:
            raise invalid(self.at(key), "must not be empty")
        if len(value) > most:
            raise invalid(self.at(key), f"must be {most} characters or fewer")
        return value

    def choice(self, key: str, options: tuple[str, ...], null: bool = False) -> str | None:
        value = self.get(key)
        if value is None and null:
            return None
        if not isinstance(value, str) or value not in options:
            raise invalid(self.at(key), f"must be one of: {', '.join(options)}")
        return value

    def flag(self, key: str, default: Any = REQUIRED) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise invalid(self.at(key), "must be true or false")
        return value

    def whole(self, key: str, least: int = 0, most: int | None = None, null: bool = False) -> Any:
        value = self.get(key)
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise invalid(self.at(key), f"must be a whole number, {least} or more")
        if most is not None and value > most:
            raise invalid(self.at(key), f"must be a whole number from {least} to {most}")
        return value

    def when(self, key: str, null: bool = False) -> datetime | None:
        value = self.get(key)
        if value is None and null:
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)  # an exporter that dropped the Z
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise invalid(self.at(key), "must be an ISO 8601 time") from exc

    def ref(self, key: str, known: dict[int, Any], what: str, null: bool = False) -> Any:
        """The file's id of a row of ``known`` (None when ``null`` allows it)."""
        value = self.get(key)
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(self.at(key), f"must be the id of a {what} in the file")
        if value not in known:
            raise invalid(self.at(key), f"no {what} in the file has id {value}")
        return value

    def plain_id(self, key: str) -> int | None:
        value = self.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise invalid(self.at(key), "must be a whole number or null")
        return value

    def rows(self, key: str, default: Any = REQUIRED) -> list[_Row]:
        value = self.get(key, default)
        if not isinstance(value, list):
            raise invalid(self.at(key), "must be a list")
        return [_Row(item, f"{self.at(key)}[{n}]") for n, item in enumerate(value)]

    def degrees(self, key: str, limit: int) -> float | None:
        """A latitude or longitude: a number from ``-limit`` to ``limit``, or null."""
        value = self.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or abs(value) > limit
        ):
            raise invalid(self.at(key), f"must be a number from -{limit} to {limit}, or null")
        return float(value)

    def day(self, key: str) -> str | None:
        """A calendar date as YYYY-MM-DD, or null."""
        value = self.get(key)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or not DAY.match(value):
                raise ValueError(value)
            return date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise invalid(self.at(key), "must be a date as YYYY-MM-DD, or null") from exc

    def choices(self, key: str, options: tuple[str, ...]) -> list[str]:
        """A list of distinct words from ``options``."""
        value = self.get(key)
        if not isinstance(value, list) or any(
            not isinstance(v, str) or v not in options for v in value
        ):
            raise invalid(self.at(key), f"must be a list of: {', '.join(options)}")
        if len(set(value)) != len(value):
            raise invalid(self.at(key), "must not name the same one twice")
        return list(value)

    def place(self, key: str, rows: list[Any], what: str) -> int | None:
        """A row's position (from 0) in a list of the file that has no ids, or null."""
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise invalid(self.at(key), f"must be the position (from 0) of a {what}, or null")
        if value >= len(rows):
            raise invalid(self.at(key), f"the file has no {what} at position {value}")
        return value

    def tags(self, key: str) -> list[str]:
        value = self.get(key)
        most = inputs.NEW_BOARD["tags"].max_items
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise invalid(self.at(key), "must be a list of text")
        if len(value) > most:
            raise invalid(self.at(key), f"must have {most} tags or fewer")
        for tag in value:
            if not tag or len(tag) > _limit(Post.tag) or not _plain(tag):
                raise invalid(self.at(key), f"each tag must be 1 to {_limit(Post.tag)} characters")
        return list(value)


def _plain(text: str) -> bool:
    """Text any database stores as given: valid Unicode, no control characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \\u escapes allow
        return False
    return not CONTROL.search(text)


def _unique(rows: list[_Row], what: str) -> dict[int, _Row]:
    """The rows by their ``id``, refusing a missing, malformed or repeated one."""
    found: dict[int, _Row] = {}
    for row in rows:
        ident = row.whole("id", least=1)
        if ident in found:
            raise invalid(row.where, f"another {what} in the file has id {ident}")
        found[ident] = row
    return found


@dataclass
class _Checked:
    """The file read and checked: column values per row, references still the file's ids."""

    code: str
    board: dict[str, Any]
    participants: dict[int, dict[str, Any]]
    posts: dict[int, dict[str, Any]]
    supports: list[dict[str, Any]]
    dots: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    comments: list[dict[str, Any]]
    links: list[dict[str, Any]]
    groups: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]]
    #: Each proposal's columns (``group_id`` a position in ``groups``) and its transitions.
    proposals: list[tuple[dict[str, Any], list[dict[str, Any]]]]
    log: list[dict[str, Any]]


def _check(data: Any) -> _Checked:
    """Read the whole document, checking every field and reference; raise on the first problem."""
    doc = _Row(data, "file")
    if data.get("format") != FORMAT:
        raise invalid("format", f'must be "{FORMAT}" (this is not a Common Ground board file)')
    if data.get("version") != VERSION:
        raise invalid("version", f"must be {VERSION} (this server reads version {VERSION} files)")

    spec = _Row(doc.get("board"), "board")
    code = spec.text("code", JOIN_CODE_LENGTH, least=1)
    board = {
        "title": spec.text("title", _limit(Board.title), least=1),
        "prompt": spec.text("prompt", _limit(Board.prompt)),
        "kind": spec.choice("kind", BOARD_KINDS),
        "tags": spec.tags("tags"),
        "created_at": spec.when("created_at"),
        "phase": spec.choice("phase", PHASES),
        "locked": spec.flag("locked"),
        "premoderation": spec.flag("premoderation"),
        "silent": spec.flag("silent"),
        "dot_budget": spec.whole("dot_budget", most=SETTING_MAX["dot_budget"]),
        "dots_hidden": spec.flag("dots_hidden"),
        "report_threshold": spec.whole("report_threshold", most=SETTING_MAX["report_threshold"]),
        "slow_mode_seconds": spec.whole("slow_mode_seconds", most=SETTING_MAX["slow_mode_seconds"]),
        "timer_ends_at": spec.when("timer_ends_at", null=True),
        "timer_seconds": spec.whole("timer_seconds", most=TIMER_MAX, null=True),
    }

    people: dict[int, dict[str, Any]] = {}
    hashes: set[str] = set()
    for ident, row in _unique(doc.rows("participants"), "participant").items():
        anonymous = row.flag("anonymous")
        name = row.text("display_name", _limit(Participant.display_name), least=1, null=True)
        if name is None and not anonymous:
            raise invalid(row.at("display_name"), "is required unless anonymous is true")
        token_hash = row.text("token_hash", 64) or ""
        if not TOKEN_HASH.match(token_hash):
            raise invalid(row.at("token_hash"), "must be 64 lowercase hexadecimal digits")
        if token_hash in hashes:
            raise invalid(row.at("token_hash"), "another participant in the file has the same")
        hashes.add(token_hash)
        people[ident] = {
            "display_name": name,
            "anonymous": anonymous,
            "role": row.choice("role", ROLES),
            "token_hash": token_hash,
            "created_at": row.when("created_at"),
            "revoked_at": row.when("revoked_at", null=True),
            "muted_at": row.when("muted_at", null=True),
        }
    if not any(p["role"] == "facilitator" and p["revoked_at"] is None for p in people.values()):
        raise invalid("participants", "the board needs a facilitator whose link is not withdrawn")

    posts: dict[int, dict[str, Any]] = {}
    post_rows = _unique(doc.rows("posts"), "post")
    for ident, row in post_rows.items():
        posts[ident] = {
            "author_id": row.ref("author_id", people, "participant"),
            "kind": row.choice("kind", POST_KINDS),
            "title": row.text("title", _limit(Post.title), least=1),
            "body": row.text("body", POST_BODY_MAX),
            "tag": row.text("tag", _limit(Post.tag), least=1, null=True),
            "availability": row.text("availability", _limit(Post.availability), least=1, null=True),
            "state": row.choice("state", POST_STATES),
            "rejected_reason": row.choice("rejected_reason", MODERATION_REASONS, null=True),
            "hidden_at": row.when("hidden_at", null=True),
            "hidden_reason": row.choice("hidden_reason", MODERATION_REASONS, null=True),
            "pinned_at": row.when("pinned_at", null=True),
            "on_behalf_of": row.text("on_behalf_of", _limit(Post.on_behalf_of), least=1, null=True),
            "created_at": row.when("created_at"),
            "updated_at": row.when("updated_at", null=True),
        }
    for ident, row in post_rows.items():
        merged = row.flag("merged")
        into = row.ref("merged_into_id", posts, "post", null=True)
        if into is not None and not merged:
            raise invalid(row.at("merged"), "must be true when merged_into_id is set")
        if into == ident:
            raise invalid(row.at("merged_into_id"), "a post cannot be merged into itself")
        posts[ident]["merged"], posts[ident]["merged_into_id"] = merged, into
    board["spotlight_post_id"] = spec.ref("spotlight_post_id", posts, "post", null=True)

    def by_people(table: str, one_each: bool, reasons: bool = False) -> list[dict[str, Any]]:
        """Supports, dots and reports: one participant's mark on one post (with
        ``one_each``, at most one per participant per post)."""
        out: list[dict[str, Any]] = []
        seen: set[tuple[int, int]] = set()
        for row in doc.rows(table):
            mark = {
                "post_id": row.ref("post_id", posts, "post"),
                "participant_id": row.ref("participant_id", people, "participant"),
                "created_at": row.when("created_at"),
            }
            if reasons:
                mark["reason"] = row.choice("reason", REPORT_REASONS)
            pair = (mark["post_id"], mark["participant_id"])
            if one_each and pair in seen:
                raise invalid(row.where, f"a participant has two {table} on one post")
            seen.add(pair)
            out.append(mark)
        return out

    supports = by_people("supports", True)
    dots = by_people("dots", False)
    reports = by_people("reports", True, reasons=True)

    comments = [
        {
            "post_id": row.ref("post_id", posts, "post"),
            "author_id": row.ref("author_id", people, "participant"),
            "body": row.text("body", COMMENT_MAX, least=1),
            "created_at": row.when("created_at"),
        }
        for row in doc.rows("comments")
    ]

    links: list[dict[str, Any]] = []
    seen_links: set[tuple[int, int | None, int | None]] = set()
    for row in doc.rows("links"):
        link = {
            "target_id": row.ref("target_id", posts, "post"),
            "offer_id": row.ref("offer_id", posts, "post", null=True),
            "helper_id": row.ref("helper_id", people, "participant"),
            "created_at": row.when("created_at"),
        }
        # One link per offer per target, and one "just me" per helper per target.
        key = (
            link["target_id"],
            link["offer_id"],
            link["helper_id"] if link["offer_id"] is None else None,
        )
        if key in seen_links:
            raise invalid(row.where, "the same help is already linked to that post")
        seen_links.add(key)
        links.append(link)

    groups: list[tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]] = []
    ideas: set[int] = set()
    for row in doc.rows("groups"):
        group = {
            "idea_id": row.ref("idea_id", posts, "post"),
            "name": row.text("name", _limit(Group.name), least=1),
            "coordinator_id": row.ref("coordinator_id", people, "participant", null=True),
            "created_at": row.when("created_at"),
            "closed_at": row.when("closed_at", null=True),
        }
        if group["idea_id"] in ideas:
            raise invalid(row.at("idea_id"), "another group in the file forms around that post")
        ideas.add(group["idea_id"])
        members: list[dict[str, Any]] = []
        for member in row.rows("members"):
            joined = {
                "participant_id": member.ref("participant_id", people, "participant"),
                "joined_at": member.when("joined_at"),
                "named_in_proposal": member.flag("named_in_proposal", default=False),
            }
            if any(m["participant_id"] == joined["participant_id"] for m in members):
                raise invalid(member.where, "that participant is already a member")
            members.append(joined)
        messages = [
            {
                "author_id": message.ref("author_id", people, "participant"),
                "body": message.text("body", MESSAGE_MAX, least=1),
                "created_at": message.when("created_at"),
            }
            for message in row.rows("messages")
        ]
        groups.append((group, members, messages))

    proposals = _check_proposals(doc, people, posts, groups)

    log = [
        {
            "actor_id": row.ref("actor_id", people, "participant"),
            "action": row.text("action", _limit(ModerationAction.action), least=1),
            "post_id": row.plain_id("post_id"),
            "participant_id": row.plain_id("participant_id"),
            "reason": row.text("reason", _limit(ModerationAction.reason), null=True),
            "note": row.text("note", NOTE_MAX),
            "created_at": row.when("created_at"),
        }
        for row in doc.rows("moderation_log")
    ]
    return _Checked(
        code or "",
        board,
        people,
        posts,
        supports,
        dots,
        reports,
        comments,
        links,
        groups,
        proposals,
        log,
    )


def _check_proposals(
    doc: _Row, people: dict[int, Any], posts: dict[int, Any], groups: list[Any]
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The proposals (none in a file written before they existed) and their histories."""
    out: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    references: set[str] = set()
    live: set[int] = set()
    for row in _unique(doc.rows("proposals", default=[]), "proposal").values():
        proposal = {
            "idea_id": row.ref("idea_id", posts, "post", null=True),
            "group_id": row.place("group_id", groups, "group in groups"),
            "reference": row.text("reference", _limit(Proposal.reference), least=1),
            "state": row.choice("state", PROPOSAL_STATES),
            "title": row.text("title", inputs.PROPOSAL_EDIT["title"].max, least=1),
            **{name: row.text(name, most) for name, most in PROPOSAL_TEXT.items()},
            "asks": row.choices("asks", ASKS),
            **{
                name: row.whole(name, most=PENCE_MAX, null=True)
                for name in ("amount_pence", "capital_pence", "revenue_pence")
            },
            "latitude": row.degrees("latitude", 90),
            "longitude": row.degrees("longitude", 180),
            "route": row.choice("route", ROUTES, null=True),
            "contact_id": row.ref("contact_id", people, "participant", null=True),
            "contact_consent": row.flag("contact_consent"),
            "created_by_id": row.ref("created_by_id", people, "participant", null=True),
            "created_at": row.when("created_at"),
            "updated_at": row.when("updated_at", null=True),
            "decision": row.choice("decision", DECISIONS, null=True),
            "decision_date": row.day("decision_date"),
        }
        if proposal["reference"] in references:
            raise invalid(row.at("reference"), "another proposal in the file has the same")
        references.add(proposal["reference"])
        # One proposal per idea that is not withdrawn (an idea can be promoted again).
        idea = proposal["idea_id"]
        if idea is not None and proposal["state"] != "withdrawn":
            if idea in live:
                raise invalid(
                    row.at("idea_id"), "another proposal in the file, not withdrawn, has that idea"
                )
            live.add(idea)
        transitions = [
            {
                "from_state": step.choice("from_state", PROPOSAL_STATES, null=True),
                "to_state": step.choice("to_state", PROPOSAL_STATES),
                "actor": step.text("actor", _limit(ProposalTransition.actor), least=1),
                "actor_kind": step.choice("actor_kind", ACTOR_KINDS),
                "note": step.text("note", TRANSITION_NOTE_MAX),
                "created_at": step.when("created_at"),
            }
            for step in row.rows("transitions")
        ]
        out.append((proposal, transitions))
    return out


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
    checked = _check(data)
    with write_transaction() as session:
        return _write(session, checked)


def _write(session: so.Session, checked: _Checked) -> ImportResult:
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

    posts: dict[int, Post] = {}
    for ident, values in checked.posts.items():
        columns = {k: v for k, v in values.items() if k not in ("merged", "merged_into_id")}
        posts[ident] = Post(board_id=board.id, **{**columns, "author_id": pid[values["author_id"]]})
    session.add_all(posts.values())
    session.flush()
    post_id = {ident: post.id for ident, post in posts.items()}
    for ident, values in checked.posts.items():
        if values["merged"]:
            into = values["merged_into_id"]
            posts[ident].merged_into_id = post_id[into] if into is not None else MERGED_INTO_DELETED
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
    for (values, transitions), reference in zip(checked.proposals, references, strict=True):
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


def _references(session: so.Session, checked: _Checked, code: str) -> list[str]:
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
