"""Reading an uploaded board file: every row and field checked before anything is written.

Each field is parsed with the rule live input uses for it (``board.inputs``: the same
limits, the same trimming, the same words when it is wrong), so a board file holds nothing
the board's own forms would refuse. A few rules only a file needs live here: ids and
references between rows, times, stored token hashes, dates exactly as stored, and refusing
control characters (live input strips them; a file holding them was not written by a board).
A problem raises ``invalid_import`` naming where it is: ``posts[3].title``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from board.errors import BoardError
from board.inputs import GROUP_MESSAGE as MESSAGE_INPUT
from board.inputs import (
    NEW_BOARD,
    NEW_COMMENT,
    NEW_POST,
    OFFICER_MOVE,
    PROPOSAL_CONTACT,
    PROPOSAL_EDIT,
    PROPOSAL_MOVE,
    SESSION,
    TIMER,
    Choice,
    Flag,
    IsoDate,
    Text,
    Whole,
)
from board.models import (
    MODERATION_REASONS,
    POST_STATES,
    PROPOSAL_STATES,
    REPORT_REASONS,
    ROLES,
    Group,
    ModerationAction,
    Participant,
    Proposal,
    ProposalTransition,
)
from board.services.boards import JOIN_CODE_LENGTH
from board.services.transfer.export import FORMAT, VERSION

#: The largest import the HTTP API reads (the app's usual request limit is far smaller).
MAX_IMPORT_BYTES = 8 * 1024 * 1024

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TOKEN_HASH = re.compile(r"^[0-9a-f]{64}$")
#: A decision's date as stored (the officer's form turns any ISO date into this).
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
#: Money in pence: the most the proposal form accepts (£100,000,000).
PENCE_MAX = 100_000_000 * 100
#: Who moved a proposal: a participant (the group, a facilitator), a council officer, or
#: an import (the step an import records when it leaves the council's steps behind).
ACTOR_KINDS = ("participant", "officer", "import")
#: How a participant's step names who took it (the board never writes a person's name).
PARTICIPANT_ACTORS = ("group coordinator", "facilitator")
#: The name on the step an import records.
IMPORT_ACTOR = "board import"
#: The steps a participant can take: start a draft, submit it, withdraw it (until decided).
PARTICIPANT_STEPS = {
    (None, "draft"),
    ("draft", "submitted"),
    *((state, "withdrawn") for state in ("draft", "submitted", "received", "under_review")),
}
#: The states only the council's steps reach.
COUNCIL_STATES = ("received", "under_review", "decided")
#: A proposal's record of the council's decision: only an officer writes it.
DECISION_FIELDS = (
    "decision",
    "decision_date",
    "decision_maker",
    "decision_reasons",
    "conditions",
    "alternatives_rejected",
    "minutes_url",
)

#: ``Row.get``'s default: the field must be there.
REQUIRED: Any = object()


def invalid(where: str, problem: str) -> BoardError:
    """A board file this server will not import: what is wrong, and where in the file."""
    return BoardError(
        "invalid_import",
        f"The board file cannot be imported: {where}: {problem}.",
        422,
        {where: problem},
    )


def read_json(raw: str | bytes) -> Any:
    """The document in an uploaded file's text."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise invalid("file", "is not valid JSON") from exc


# Rules only a board file needs, beside board.inputs' ------------------------------------


@dataclass(frozen=True)
class Nullable:
    """Null, or what ``rule`` accepts. A field without it refuses null, and a blank that
    its rule reads as none."""

    rule: Any

    def parse(self, value: Any) -> Any:
        return None if value is None else self.rule.parse(value)


@dataclass(frozen=True)
class Added:
    """A field added after the first files were written: a file without it gets ``default``."""

    rule: Any
    default: Any


@dataclass(frozen=True)
class OrEmpty:
    """Empty text (nobody gave one), or what ``rule`` accepts."""

    rule: Any

    def parse(self, value: Any) -> Any:
        return "" if value == "" else self.rule.parse(value)


@dataclass(frozen=True)
class Distinct:
    """What ``rule`` accepts, naming none twice (live input drops repeats; a file has none)."""

    rule: Any

    def parse(self, value: Any) -> Any:
        parsed = self.rule.parse(value)
        if len(parsed) != len(value):
            raise ValueError("must not name the same one twice")
        return parsed


@dataclass(frozen=True)
class Finite:
    """What ``rule`` accepts, and not NaN (JSON as Python reads it allows NaN)."""

    rule: Any

    def parse(self, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return self.rule.parse(value)


class Moment:
    """An ISO 8601 time, as UTC (one without an offset is taken as UTC)."""

    def parse(self, value: Any) -> datetime:
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise ValueError("must be an ISO 8601 time") from exc


class Day:
    """A calendar date exactly as stored, YYYY-MM-DD (not a week date)."""

    def parse(self, value: Any) -> str | None:
        if not isinstance(value, str) or not DAY.match(value):
            raise ValueError("must be a date as YYYY-MM-DD")
        return IsoDate().parse(value)


class TokenHash:
    """The sha256 of a participant's token, as stored."""

    def parse(self, value: Any) -> str:
        if not isinstance(value, str) or not TOKEN_HASH.match(value):
            raise ValueError("must be 64 lowercase hexadecimal digits")
        return value


def _column(column: Any, least: int = 0, **options: Any) -> Text:
    """Text up to a column's length, for what no input names a limit for."""
    return Text(least, int(column.type.length), **options)


# Each table's fields but ids and references -----------------------------------------------

ID = Whole(1)
MOMENT = Moment()
CODE = Text(1, JOIN_CODE_LENGTH)
#: Why a facilitator hid or rejected a post.
HIDE_REASON = Choice(MODERATION_REASONS)

BOARD = {
    "title": NEW_BOARD["title"],
    "prompt": NEW_BOARD["prompt"],
    "kind": NEW_BOARD["kind"],
    "tags": NEW_BOARD["tags"],
    "created_at": MOMENT,
    **{
        name: SESSION[name]
        for name in (
            "phase",
            "locked",
            "premoderation",
            "silent",
            "dot_budget",
            "dots_hidden",
            "report_threshold",
            "slow_mode_seconds",
        )
    },
    "timer_ends_at": Nullable(MOMENT),
    "timer_seconds": Nullable(TIMER["seconds"]),
}
PARTICIPANT = {
    "display_name": Nullable(_column(Participant.display_name, least=1, blank_is_none=True)),
    "anonymous": Flag(),
    "role": Choice(ROLES),
    "token_hash": TokenHash(),
    "created_at": MOMENT,
    "revoked_at": Nullable(MOMENT),
    "muted_at": Nullable(MOMENT),
}
POST = {
    "kind": NEW_POST["kind"],
    "title": NEW_POST["title"],
    "body": NEW_POST["body"],
    "tag": Nullable(NEW_POST["tag"]),
    "availability": Nullable(NEW_POST["availability"]),
    "state": Choice(POST_STATES),
    "rejected_reason": Nullable(HIDE_REASON),
    "hidden_at": Nullable(MOMENT),
    "hidden_reason": Nullable(HIDE_REASON),
    "pinned_at": Nullable(MOMENT),
    "on_behalf_of": Nullable(NEW_POST["on_behalf_of"]),
    "created_at": MOMENT,
    "updated_at": Nullable(MOMENT),
}
MARK = {"created_at": MOMENT}
REPORT = {**MARK, "reason": Choice(REPORT_REASONS)}
COMMENT = {"body": NEW_COMMENT["body"], "created_at": MOMENT}
GROUP = {
    "name": _column(Group.name, least=1),
    "created_at": MOMENT,
    "closed_at": Nullable(MOMENT),
}
MEMBER = {"joined_at": MOMENT, "named_in_proposal": Added(Flag(), default=False)}
MESSAGE = {"body": MESSAGE_INPUT["body"], "created_at": MOMENT}
PROPOSAL = {
    "reference": _column(Proposal.reference, least=1),
    "state": Choice(PROPOSAL_STATES),
    "title": PROPOSAL_EDIT["title"],
    **{
        name: rule
        for name, rule in PROPOSAL_EDIT.items()
        if isinstance(rule, Text) and name != "title"
    },
    "contact_name": OrEmpty(PROPOSAL_CONTACT["name"]),
    "contact_email": OrEmpty(PROPOSAL_CONTACT["email"]),
    "contact_consent": PROPOSAL_CONTACT["consent"],
    **{
        name: OFFICER_MOVE[name]
        for name in (
            "decision_maker",
            "decision_reasons",
            "conditions",
            "alternatives_rejected",
        )
    },
    "minutes_url": OFFICER_MOVE["minutes_url"],
    "asks": Distinct(PROPOSAL_EDIT["asks"]),
    **{
        name: Nullable(Whole(0, max=PENCE_MAX))
        for name in ("amount_pence", "capital_pence", "revenue_pence")
    },
    "latitude": Nullable(Finite(PROPOSAL_EDIT["latitude"])),
    "longitude": Nullable(Finite(PROPOSAL_EDIT["longitude"])),
    "route": Nullable(PROPOSAL_EDIT["route"]),
    "created_at": MOMENT,
    "updated_at": Nullable(MOMENT),
    "decision": Nullable(OFFICER_MOVE["decision"]),
    "decision_date": Nullable(Day()),
}
TRANSITION = {
    "from_state": Nullable(Choice(PROPOSAL_STATES)),
    "to_state": Choice(PROPOSAL_STATES),
    "actor": _column(ProposalTransition.actor, least=1),
    "actor_kind": Choice(ACTOR_KINDS),
    "note": PROPOSAL_MOVE["note"],
    "created_at": MOMENT,
}
LOG = {
    "action": _column(ModerationAction.action, least=1),
    "reason": Nullable(_column(ModerationAction.reason)),
    "note": _column(ModerationAction.note, multiline=True),
    "created_at": MOMENT,
    # Plain ids, not references: a log entry outlives its post.
    "post_id": Nullable(ID),
    "participant_id": Nullable(ID),
}


# Reading rows ------------------------------------------------------------------------------


def _plain(value: Any) -> bool:
    """Text any database stores as given: valid Unicode, no control characters."""
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if not isinstance(value, str):
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, which JSON's \\u escapes allow
        return False
    return not CONTROL.search(value)


class Row:
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

    def field(self, key: str, rule: Any) -> Any:
        """The field parsed by ``rule``; null only where the rule is ``Nullable``."""
        if isinstance(rule, Added):
            if key not in self.value:
                return rule.default
            rule = rule.rule
        value = self.get(key)
        nullable = isinstance(rule, Nullable)
        if value is None and not nullable:
            raise invalid(self.at(key), "must not be null")
        if not _plain(value):
            raise invalid(self.at(key), "must be Unicode text without control characters")
        try:
            parsed = rule.parse(value)
        except ValueError as exc:
            raise invalid(self.at(key), str(exc)) from None
        if parsed is None and not nullable:
            raise invalid(self.at(key), "must not be empty")
        return parsed

    def read(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Every field of ``spec``, parsed."""
        return {key: self.field(key, rule) for key, rule in spec.items()}

    def ref(self, key: str, known: dict[int, Any], what: str, null: bool = False) -> Any:
        """The file's id of a row of ``known`` (None when ``null`` allows it)."""
        value = self.field(key, Nullable(ID) if null else ID)
        if value is not None and value not in known:
            raise invalid(self.at(key), f"no {what} in the file has id {value}")
        return value

    def place(self, key: str, rows: list[Any], what: str) -> int | None:
        """A row's position (from 0) in a list of the file that has no ids, or null."""
        value = self.field(key, Nullable(Whole(0)))
        if value is not None and value >= len(rows):
            raise invalid(self.at(key), f"the file has no {what} at position {value}")
        return value

    def rows(self, key: str, default: Any = REQUIRED) -> list[Row]:
        value = self.get(key, default)
        if not isinstance(value, list):
            raise invalid(self.at(key), "must be a list")
        return [Row(item, f"{self.at(key)}[{n}]") for n, item in enumerate(value)]


def _unique(rows: list[Row], what: str) -> dict[int, Row]:
    """The rows by their ``id``, refusing a missing, malformed or repeated one."""
    found: dict[int, Row] = {}
    for row in rows:
        ident = row.field("id", ID)
        if ident in found:
            raise invalid(row.where, f"another {what} in the file has id {ident}")
        found[ident] = row
    return found


# The whole file ----------------------------------------------------------------------------

#: A group's columns, its members and its messages.
CheckedGroup = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]
#: A proposal's columns (``group_id`` a position in the groups) and its transitions.
CheckedProposal = tuple[dict[str, Any], list[dict[str, Any]]]


@dataclass
class Checked:
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
    groups: list[CheckedGroup]
    proposals: list[CheckedProposal]
    log: list[dict[str, Any]]


def check(data: Any) -> Checked:
    """Read the whole document, checking every field and reference; raise on the first problem."""
    doc = Row(data, "file")
    if data.get("format") != FORMAT:
        raise invalid("format", f'must be "{FORMAT}" (this is not a Common Ground board file)')
    if data.get("version") != VERSION:
        raise invalid("version", f"must be {VERSION} (this server reads version {VERSION} files)")

    spec = Row(doc.get("board"), "board")
    code = spec.field("code", CODE)
    board = spec.read(BOARD)
    people = _participants(doc)
    posts = _posts(doc, people)
    board["spotlight_post_id"] = spec.ref("spotlight_post_id", posts, "post", null=True)
    groups = _groups(doc, people, posts)
    return Checked(
        code=code,
        board=board,
        participants=people,
        posts=posts,
        supports=_marks(doc, "supports", MARK, people, posts, one_each=True),
        dots=_marks(doc, "dots", MARK, people, posts, one_each=False),
        reports=_marks(doc, "reports", REPORT, people, posts, one_each=True),
        comments=[
            {
                **row.read(COMMENT),
                "post_id": row.ref("post_id", posts, "post"),
                "author_id": row.ref("author_id", people, "participant"),
            }
            for row in doc.rows("comments")
        ],
        links=_links(doc, people, posts),
        groups=groups,
        proposals=_proposals(doc, people, posts, groups),
        log=[
            {**row.read(LOG), "actor_id": row.ref("actor_id", people, "participant")}
            for row in doc.rows("moderation_log")
        ],
    )


def _participants(doc: Row) -> dict[int, dict[str, Any]]:
    """Everyone, with a facilitator among them whose link still works."""
    people: dict[int, dict[str, Any]] = {}
    hashes: set[str] = set()
    for ident, row in _unique(doc.rows("participants"), "participant").items():
        person = row.read(PARTICIPANT)
        if person["display_name"] is None and not person["anonymous"]:
            raise invalid(row.at("display_name"), "is required unless anonymous is true")
        if person["token_hash"] in hashes:
            raise invalid(row.at("token_hash"), "another participant in the file has the same")
        hashes.add(person["token_hash"])
        people[ident] = person
    if not any(p["role"] == "facilitator" and p["revoked_at"] is None for p in people.values()):
        raise invalid("participants", "the board needs a facilitator whose link is not withdrawn")
    return people


def _posts(doc: Row, people: dict[int, Any]) -> dict[int, dict[str, Any]]:
    """Every post; a merged one names the post it went into (None: since deleted)."""
    rows = _unique(doc.rows("posts"), "post")
    posts = {
        ident: {**row.read(POST), "author_id": row.ref("author_id", people, "participant")}
        for ident, row in rows.items()
    }
    for ident, row in rows.items():
        merged = row.field("merged", Flag())
        into = row.ref("merged_into_id", posts, "post", null=True)
        if into is not None and not merged:
            raise invalid(row.at("merged"), "must be true when merged_into_id is set")
        if into == ident:
            raise invalid(row.at("merged_into_id"), "a post cannot be merged into itself")
        posts[ident]["merged"], posts[ident]["merged_into_id"] = merged, into
    return posts


def _marks(
    doc: Row,
    table: str,
    spec: dict[str, Any],
    people: dict[int, Any],
    posts: dict[int, Any],
    one_each: bool,
) -> list[dict[str, Any]]:
    """Supports, dots and reports: one participant's mark on one post (with ``one_each``,
    at most one per participant per post)."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for row in doc.rows(table):
        mark = {
            **row.read(spec),
            "post_id": row.ref("post_id", posts, "post"),
            "participant_id": row.ref("participant_id", people, "participant"),
        }
        pair = (mark["post_id"], mark["participant_id"])
        if one_each and pair in seen:
            raise invalid(row.where, f"a participant has two {table} on one post")
        seen.add(pair)
        out.append(mark)
    return out


def _links(doc: Row, people: dict[int, Any], posts: dict[int, Any]) -> list[dict[str, Any]]:
    """Help linked to posts: one link per offer per target, one "just me" per helper."""
    links: list[dict[str, Any]] = []
    seen: set[tuple[int, int | None, int | None]] = set()
    for row in doc.rows("links"):
        link = {
            **row.read(MARK),
            "target_id": row.ref("target_id", posts, "post"),
            "offer_id": row.ref("offer_id", posts, "post", null=True),
            "helper_id": row.ref("helper_id", people, "participant"),
        }
        key = (
            link["target_id"],
            link["offer_id"],
            link["helper_id"] if link["offer_id"] is None else None,
        )
        if key in seen:
            raise invalid(row.where, "the same help is already linked to that post")
        seen.add(key)
        links.append(link)
    return links


def _groups(doc: Row, people: dict[int, Any], posts: dict[int, Any]) -> list[CheckedGroup]:
    """The groups, at most one per idea, with their members and messages."""
    groups: list[CheckedGroup] = []
    ideas: set[int] = set()
    for row in doc.rows("groups"):
        group = {
            **row.read(GROUP),
            "idea_id": row.ref("idea_id", posts, "post"),
            "coordinator_id": row.ref("coordinator_id", people, "participant", null=True),
        }
        if group["idea_id"] in ideas:
            raise invalid(row.at("idea_id"), "another group in the file forms around that post")
        ideas.add(group["idea_id"])
        members: list[dict[str, Any]] = []
        for member in row.rows("members"):
            joined = {
                **member.read(MEMBER),
                "participant_id": member.ref("participant_id", people, "participant"),
            }
            if any(m["participant_id"] == joined["participant_id"] for m in members):
                raise invalid(member.where, "that participant is already a member")
            members.append(joined)
        messages = [
            {
                **message.read(MESSAGE),
                "author_id": message.ref("author_id", people, "participant"),
            }
            for message in row.rows("messages")
        ]
        groups.append((group, members, messages))
    return groups


def _proposals(
    doc: Row, people: dict[int, Any], posts: dict[int, Any], groups: list[CheckedGroup]
) -> list[CheckedProposal]:
    """The proposals (none in a file written before they existed) and their histories."""
    out: list[CheckedProposal] = []
    references: set[str] = set()
    live: set[int] = set()
    for row in _unique(doc.rows("proposals", default=[]), "proposal").values():
        proposal = {
            **row.read(PROPOSAL),
            "idea_id": row.ref("idea_id", posts, "post", null=True),
            "group_id": row.place("group_id", groups, "group in groups"),
            "contact_id": row.ref("contact_id", people, "participant", null=True),
            "created_by_id": row.ref("created_by_id", people, "participant", null=True),
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
        out.append((proposal, _history(row, proposal)))
    return out


def _history(row: Row, proposal: dict[str, Any]) -> list[dict[str, Any]]:
    """A proposal's steps, each one a step its kind of actor can take, agreeing with its
    state: submitted (at some point) exactly when its state says it reached the council.

    Officers' steps are read and checked here but never written: ``write`` drops them.
    """
    steps: list[dict[str, Any]] = []
    for step_row in row.rows("transitions"):
        step = step_row.read(TRANSITION)
        pair = (step["from_state"], step["to_state"])
        if step["actor_kind"] == "participant":
            if pair not in PARTICIPANT_STEPS:
                raise invalid(
                    step_row.where,
                    f"a participant cannot move a proposal from {pair[0] or 'nothing'} "
                    f"to {pair[1]}",
                )
            if step["actor"] not in PARTICIPANT_ACTORS:
                raise invalid(
                    step_row.at("actor"), f"must be one of {', '.join(PARTICIPANT_ACTORS)}"
                )
        elif step["actor_kind"] == "import" and (
            step["actor"] != IMPORT_ACTOR or pair[1] not in (pair[0], "submitted")
        ):
            raise invalid(step_row.where, "is not a step an import records")
        steps.append(step)
    submitted = any(s["to_state"] == "submitted" and s["actor_kind"] != "officer" for s in steps)
    state = proposal["state"]
    if state == "draft" and submitted:
        raise invalid(row.at("state"), "is draft, but the history says it was submitted")
    if state not in ("draft", "withdrawn") and not submitted:
        raise invalid(row.at("state"), f"is {state}, but the history never submits it")
    return steps
