"""What every action takes: one pydantic model per input, shared by sockets, the API, forms
and board import.

Each field is annotated with a rule (``Text``, ``Choice``, ``Whole``...) that trims, checks and
says what is wrong in words people can act on; the models forbid undeclared fields. An absent
field is parsed as null, so a rule's ``required`` and ``default`` decide what absence means.
A *partial* input (an edit) changes only the fields it names: absent optional fields stay
unset, and an explicit null clears a field only where the rule is ``nullable``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import core_schema

from board.errors import BoardError
from board.models import (
    ASKS,
    BOARD_KINDS,
    DECISIONS,
    MODERATION_REASONS,
    PHASES,
    POST_KINDS,
    REPORT_REASONS,
    ROUTES,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
OP_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
#: A page's cursor: ``n<id>`` (newest first) or ``s<supports>-<id>`` (most supported first).
CURSOR = re.compile(r"n[0-9]{1,19}|s[0-9]{1,19}-[0-9]{1,19}")
#: How a page of posts may be sorted.
PAGE_SORTS = ("newest", "supported")
#: The largest whole number the database holds (a 64-bit signed integer).
MAX_WHOLE = 2**63 - 1
#: An address as a mailto link may carry it: no spaces, no ``?``, ``&``, ``%``, ``,`` or ``#``
#: (which would add headers or recipients), dot-separated parts, a domain with a dot.
_LOCAL = r"[A-Za-z0-9!$'*+/=^_`{|}~-]+(?:\.[A-Za-z0-9!$'*+/=^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL = re.compile(rf"{_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")


#: Stand-ins the model puts for an explicit null in an edit (see ``Input``).
_NULL = object()
_CLEAR = object()


class Rule:
    """How one input field is parsed: ``parse`` returns the clean value or raises ValueError."""

    # Plain class attributes (not dataclass fields) unless a rule's own fields set them.
    required = False
    nullable = False

    def parse(self, value: Any) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        """The rule in words, for the API reference."""
        raise NotImplementedError

    def from_form(self, value: str) -> Any:
        """A form field's text as the rule expects it (forms send only text)."""
        return value

    def _check(self, value: Any) -> Any:
        if value is _NULL:
            raise ValueError("cannot be null")
        if value is _CLEAR:
            return None
        return self.parse(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(self._check)


@dataclass(frozen=True)
class Text(Rule):
    """A string, trimmed, between ``min`` and ``max`` characters."""

    min: int
    max: int
    required: bool = True
    default: str | None = None
    multiline: bool = False
    blank_is_none: bool = False
    #: In an edit, an explicit null clears the field (a tag); otherwise null is refused.
    nullable: bool = False

    def parse(self, value: Any) -> str | None:
        if value is None:
            if self.required:
                raise ValueError("is required")
            return self.default
        if not isinstance(value, str):
            raise ValueError("must be text")
        if not _encodable(value):
            raise ValueError("must be valid Unicode text (it holds a lone surrogate)")
        value = _CONTROL.sub("", value.replace("\r\n", "\n")).strip()
        if not self.multiline:
            value = " ".join(value.split())
        if value == "" and self.blank_is_none:
            return None
        if len(value) < self.min:
            raise ValueError(
                "must not be empty" if self.min == 1 else f"needs {self.min} characters"
            )
        if len(value) > self.max:
            raise ValueError(f"must be {self.max} characters or fewer")
        return value

    def describe(self) -> str:
        size = f"up to {self.max}" if self.min == 0 else f"{self.min} to {self.max}"
        lines = "text" if self.multiline else "one line of text"
        return f"{lines}, {size} characters" + _optional(self.required, self.default)


@dataclass(frozen=True)
class Choice(Rule):
    """One of a fixed set of words."""

    options: tuple[str, ...]
    required: bool = True
    default: str | None = None

    def parse(self, value: Any) -> str | None:
        if value is None:
            if self.required:
                raise ValueError("is required")
            return self.default
        if not isinstance(value, str) or value not in self.options:
            raise ValueError(f"must be one of: {', '.join(self.options)}")
        return value

    def describe(self) -> str:
        words = ", ".join(f"`{o}`" for o in self.options)
        return f"one of {words}" + _optional(self.required, self.default)


@dataclass(frozen=True)
class Flag(Rule):
    """True or false."""

    default: bool = False

    def parse(self, value: Any) -> bool:
        if value is None:
            return self.default
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value

    def describe(self) -> str:
        return f"true or false (default {str(self.default).lower()})"

    def from_form(self, value: str) -> Any:
        return value in ("1", "on", "true", "yes")


@dataclass(frozen=True)
class Whole(Rule):
    """A whole number of at least ``min``."""

    min: int = 0
    required: bool = True
    max: int | None = None
    default: int | None = None

    def parse(self, value: Any) -> int | None:
        if value is None:
            if self.required:
                raise ValueError("is required")
            return self.default
        if isinstance(value, bool) or not isinstance(value, int) or value < self.min:
            raise ValueError(f"must be a whole number, {self.min} or more")
        top = MAX_WHOLE if self.max is None else self.max
        if value > top:
            raise ValueError(f"must be a whole number from {self.min} to {top}")
        return value

    def describe(self) -> str:
        size = f"{self.min} or more" if self.max is None else f"{self.min} to {self.max}"
        return f"whole number, {size}" + _optional(self.required, self.default)

    def from_form(self, value: str) -> Any:
        if value == "":
            return None
        if not (value.isascii() and value.isdigit()):
            return value
        # Python refuses to read more than 4,300 digits; anything past 19 is too large anyway.
        return int(value) if len(value) <= 20 else MAX_WHOLE + 1


@dataclass(frozen=True)
class Tags(Rule):
    """A short list of short tags."""

    max_items: int = 20

    def parse(self, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise ValueError("must be a list of text")
        tags: list[str] = []
        for raw in value:
            tag = Text(1, 40, blank_is_none=True).parse(raw)
            if tag and tag not in tags:
                tags.append(tag)
        if len(tags) > self.max_items:
            raise ValueError(f"must have {self.max_items} tags or fewer")
        return tags

    def describe(self) -> str:
        return f"list of up to {self.max_items} tags (text, 1 to 40 characters each)"

    def from_form(self, value: str) -> Any:
        return [t for t in (part.strip() for part in value.split(",")) if t]


@dataclass(frozen=True)
class OpId(Rule):
    """A client-generated operation id: 8 to 64 letters, digits, '-' or '_' (a UUID fits)."""

    required = True

    def parse(self, value: Any) -> str:
        if not isinstance(value, str) or not OP_ID.match(value):
            raise ValueError("must be 8 to 64 letters, digits, '-' or '_' (a UUID is ideal)")
        return value

    def describe(self) -> str:
        return "op id: 8 to 64 letters, digits, `-` or `_`, new for each write (a UUID)"


@dataclass(frozen=True)
class Choices(Rule):
    """A list of distinct words from a fixed set."""

    options: tuple[str, ...]
    required = False

    def parse(self, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or any(v not in self.options for v in value):
            raise ValueError(f"must be a list of: {', '.join(self.options)}")
        return list(dict.fromkeys(value))

    def describe(self) -> str:
        return "list of " + ", ".join(f"`{o}`" for o in self.options)


def _finite(value: Any) -> bool:
    """A JSON number that is a real quantity: not true/false, NaN, infinity or past a float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer of hundreds of digits
        return False


@dataclass(frozen=True)
class Money(Rule):
    """An amount in pounds, at most two decimals, up to £100m; null for none."""

    required = False
    nullable = True

    def parse(self, value: Any) -> float | None:
        if value is None:
            return None
        if not _finite(value) or value < 0:
            raise ValueError("must be an amount in pounds, 0 or more")
        if value > 100_000_000 or round(value * 100) != round(value * 100, 6):
            raise ValueError("must be pounds and pence, up to 100,000,000")
        return float(value)

    def describe(self) -> str:
        return "pounds (pence as decimals), 0 to 100,000,000, or null"


@dataclass(frozen=True)
class Coordinate(Rule):
    """A latitude (±90) or longitude (±180) in degrees; null for none."""

    limit: int
    required = False
    nullable = True

    def parse(self, value: Any) -> float | None:
        if value is None:
            return None
        if not _finite(value) or abs(value) > self.limit:
            raise ValueError(f"must be a number of degrees from -{self.limit} to {self.limit}")
        return float(value)

    def describe(self) -> str:
        return f"degrees, -{self.limit} to {self.limit}, or null"


@dataclass(frozen=True)
class Email(Rule):
    """An email address: name@domain.tld, with nothing a mailto link would read as more."""

    required = True

    def parse(self, value: Any) -> str:
        text = Text(3, 200).parse(value)
        if text is None or not EMAIL.fullmatch(text):
            raise ValueError("must be an email address")
        return text

    def describe(self) -> str:
        return "email address"


@dataclass(frozen=True)
class IsoDate(Rule):
    """A calendar date as YYYY-MM-DD."""

    required = False

    def parse(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError("must be a date as YYYY-MM-DD")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError("must be a date as YYYY-MM-DD") from exc

    def describe(self) -> str:
        return "date as YYYY-MM-DD, optional"


@dataclass(frozen=True)
class Url(Rule):
    """An http(s) address naming a host, or empty.

    Links open in other people's browsers (an officer's minutes link on every resident's
    card): nothing a page could read as the end of an attribute is let through.
    """

    required = False

    def parse(self, value: Any) -> str:
        text = Text(0, 500, required=False, default="").parse(value) or ""
        if not text:
            return text
        if not re.fullmatch(r"https?://\S+", text, re.IGNORECASE):
            raise ValueError("must start with http:// or https://")
        if not urlsplit(text).hostname:
            raise ValueError("must be an http:// or https:// address with a host")
        if any(c in text for c in "\"'<>`\\"):
            raise ValueError("must not hold quotes, angle brackets or backslashes")
        return text

    def describe(self) -> str:
        return "http:// or https:// address, up to 500 characters, optional"


@dataclass(frozen=True)
class Cursor(Rule):
    """Where a page of posts goes on from: a page's ``next`` or the snapshot's ``window.older``,
    passed back as it came (its form is the server's business: see board.services.feed)."""

    required = False

    def parse(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if (
            not isinstance(value, str)
            or not CURSOR.fullmatch(value)
            or any(int(n) > MAX_WHOLE for n in re.findall(r"[0-9]+", value))
        ):
            raise ValueError("is not a cursor this server gave out (a page's next)")
        return value

    def describe(self) -> str:
        return "a cursor from a page's `next` or the snapshot's `window.older`, optional"


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _optional(required: bool, default: Any) -> str:
    if required:
        return ""
    return ", optional" if default in (None, "") else f", optional (default `{default}`)"


class Input(BaseModel):
    """Base of every action's input: parse with ``parse``, which raises one clear BoardError."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: An edit: only the fields the payload names are set (see the module docstring).
    partial: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _absent_is_null(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValueError("not an object")
        values = dict(data)
        for name, rule in cls.rules().items():
            if name not in values:
                if not cls.partial or rule.required:
                    values[name] = None
            elif cls.partial and values[name] is None and not rule.required:
                values[name] = _CLEAR if rule.nullable else _NULL
        return values

    @classmethod
    def rules(cls) -> dict[str, Rule]:
        """Each field's rule, in declaration order."""
        return {
            name: next(m for m in info.metadata if isinstance(m, Rule))
            for name, info in cls.model_fields.items()
        }

    @classmethod
    def parse(cls, payload: Any) -> Self:
        """The payload checked against every field: one BoardError naming each bad field."""
        if not isinstance(payload, Mapping):
            raise BoardError("invalid_input", "Expected a JSON object.", 400)
        try:
            return cls.model_validate(payload)
        except ValidationError as exc:
            raise _refusal(exc) from None

    @classmethod
    def from_call(cls, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Self:
        """An input from a Python call's arguments, positional ones in field order."""
        names = list(cls.model_fields)
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__} takes at most {len(names)} positional arguments")
        return cls.parse({**dict(zip(names, args, strict=False)), **kwargs})

    def given(self) -> dict[str, Any]:
        """The parsed fields but the op id (an edit: only those the payload named)."""
        return self.model_dump(exclude={"op_id"}, exclude_unset=self.partial)


def _refusal(error: ValidationError) -> BoardError:
    problems: dict[str, str] = {}
    for item in error.errors():
        name = str(item["loc"][0]) if item["loc"] else ""
        if not name:
            return BoardError("invalid_input", "Expected a JSON object.", 400)
        if item["type"] == "extra_forbidden":
            problems[name] = "is not a field of this action"
        else:
            cause = (item.get("ctx") or {}).get("error")
            problems[name] = str(cause) if cause is not None else item["msg"]
    message = "; ".join(
        f"{name.replace('_', ' ').capitalize()} {problem}" for name, problem in problems.items()
    )
    return BoardError("invalid_input", message + ".", 422, problems)


# Inputs, one per shape of action. Field order is the order of a Python call's positional
# arguments (tests and the CLI call services that way).

OpIdField = Annotated[str, OpId()]
PostId = Annotated[int, Whole(1)]
GroupId = Annotated[int, Whole(1)]
ParticipantId = Annotated[int, Whole(1)]
ProposalId = Annotated[int, Whole(1)]
Note = Annotated[str, Text(0, 500, required=False, default="", multiline=True)]
Name = Annotated[str | None, Text(1, 40, required=False, blank_is_none=True)]


class NewBoard(Input):
    title: Annotated[str, Text(1, 120)]
    prompt: Annotated[str, Text(0, 500, required=False, default="", multiline=True)]
    kind: Annotated[str, Choice(BOARD_KINDS, required=False, default="workshop")]
    tags: Annotated[list[str], Tags()]
    facilitator_name: Annotated[str, Text(1, 40, required=False, default="Facilitator")]


class Join(Input):
    display_name: Name
    anonymous: Annotated[bool, Flag()]


class NewPost(Input):
    op_id: OpIdField
    kind: Annotated[str, Choice(POST_KINDS)]
    title: Annotated[str, Text(1, 120)]
    body: Annotated[str, Text(0, 2000, required=False, default="", multiline=True)]
    tag: Annotated[str | None, Text(1, 40, required=False, blank_is_none=True)]
    availability: Annotated[str | None, Text(1, 80, required=False, blank_is_none=True)]
    #: Facilitators only: the name of the person a post is entered for (a paper card).
    on_behalf_of: Name


class EditPost(Input):
    partial = True
    op_id: OpIdField
    post_id: PostId
    kind: Annotated[str | None, Choice(POST_KINDS, required=False)] = None
    title: Annotated[str | None, Text(1, 120, required=False)] = None
    body: Annotated[str | None, Text(0, 2000, required=False, multiline=True)] = None
    tag: Annotated[str | None, Text(1, 40, required=False, blank_is_none=True, nullable=True)] = (
        None
    )
    availability: Annotated[
        str | None, Text(1, 80, required=False, blank_is_none=True, nullable=True)
    ] = None


class PostRef(Input):
    op_id: OpIdField
    post_id: PostId


class NewComment(Input):
    op_id: OpIdField
    post_id: PostId
    body: Annotated[str, Text(1, 1000, multiline=True)]


class LinkHelp(Input):
    op_id: OpIdField
    post_id: PostId
    offer_id: Annotated[int | None, Whole(1, required=False)]


class Unlink(Input):
    op_id: OpIdField
    link_id: Annotated[int, Whole(1)]


class JoinGroup(Input):
    op_id: OpIdField
    post_id: PostId
    display_name: Name


class GroupRef(Input):
    op_id: OpIdField
    group_id: GroupId


class HandOver(Input):
    op_id: OpIdField
    group_id: GroupId
    participant_id: ParticipantId


class RenameGroup(Input):
    op_id: OpIdField
    group_id: GroupId
    name: Annotated[str, Text(1, 120)]


class NewGroupMessage(Input):
    op_id: OpIdField
    group_id: GroupId
    body: Annotated[str, Text(1, 1000, multiline=True)]


class Moderate(Input):
    """Hide a post, or reject a queued one: a reason, and a note for the log."""

    op_id: OpIdField
    post_id: PostId
    reason: Annotated[str, Choice(MODERATION_REASONS)]
    note: Note


class Restore(Input):
    op_id: OpIdField
    post_id: PostId
    note: Note


class InviteFacilitator(Input):
    display_name: Annotated[str, Text(1, 40)]


class ParticipantRef(Input):
    op_id: OpIdField
    participant_id: ParticipantId


class OfferSearch(Input):
    kind: Annotated[str | None, Choice(("skill", "tool", "need"), required=False)]
    tag: Annotated[str | None, Text(1, 40, required=False, blank_is_none=True)]
    q: Annotated[str | None, Text(1, 100, required=False, blank_is_none=True)]


class SimilarPosts(Input):
    """A title being written, and its kind: the posts already on the board it may repeat."""

    title: Annotated[str, Text(1, 120)]
    kind: Annotated[str | None, Choice(POST_KINDS, required=False)]


class PostsPage(Input):
    """One page of the board's posts: filtered, newest or most supported first, after a cursor."""

    kind: Annotated[str | None, Choice(POST_KINDS, required=False)]
    tag: Annotated[str | None, Text(1, 40, required=False, blank_is_none=True)]
    q: Annotated[str | None, Text(1, 100, required=False, blank_is_none=True)]
    sort: Annotated[str, Choice(PAGE_SORTS, required=False, default="newest")]
    after: Annotated[str | None, Cursor()]
    limit: Annotated[int, Whole(1, required=False, max=100, default=30)]


class Merge(Input):
    op_id: OpIdField
    post_id: PostId
    into_id: Annotated[int, Whole(1)]


class Pin(Input):
    op_id: OpIdField
    post_id: PostId
    pinned: Annotated[bool, Flag(default=True)]


class ReportPost(Input):
    op_id: OpIdField
    post_id: PostId
    reason: Annotated[str, Choice(REPORT_REASONS)]


class Mute(Input):
    op_id: OpIdField
    participant_id: ParticipantId
    muted: Annotated[bool, Flag(default=True)]


class RemoveParticipant(Input):
    op_id: OpIdField
    participant_id: ParticipantId
    note: Note


class SessionSettings(Input):
    """Only the named settings change."""

    partial = True
    op_id: OpIdField
    phase: Annotated[str | None, Choice(PHASES, required=False)] = None
    locked: Annotated[bool | None, Flag()] = None
    premoderation: Annotated[bool | None, Flag()] = None
    silent: Annotated[bool | None, Flag()] = None
    dot_budget: Annotated[int | None, Whole(0, required=False, max=20)] = None
    dots_hidden: Annotated[bool | None, Flag()] = None
    report_threshold: Annotated[int | None, Whole(0, required=False, max=50)] = None
    slow_mode_seconds: Annotated[int | None, Whole(0, required=False, max=3600)] = None


class Timer(Input):
    """Seconds 0 stops the timer."""

    op_id: OpIdField
    seconds: Annotated[int, Whole(0, max=4 * 3600)]


class Spotlight(Input):
    """No post_id (or null) ends the spotlight."""

    op_id: OpIdField
    post_id: Annotated[int | None, Whole(1, required=False)]


class EditProposal(Input):
    """The guided form: only the named fields change."""

    partial = True
    op_id: OpIdField
    proposal_id: ProposalId
    title: Annotated[str | None, Text(1, 120, required=False)] = None
    short_summary: Annotated[str | None, Text(0, 125, required=False)] = None
    summary: Annotated[str | None, Text(0, 4000, required=False, multiline=True)] = None
    what_we_want: Annotated[str | None, Text(0, 4000, required=False, multiline=True)] = None
    asks: Annotated[list[str] | None, Choices(ASKS)] = None
    amount_gbp: Annotated[float | None, Money()] = None
    ask_details: Annotated[str | None, Text(0, 2000, required=False, multiline=True)] = None
    involved: Annotated[str | None, Text(0, 2000, required=False, multiline=True)] = None
    ward: Annotated[str | None, Text(0, 80, required=False)] = None
    address: Annotated[str | None, Text(0, 200, required=False)] = None
    latitude: Annotated[float | None, Coordinate(90)] = None
    longitude: Annotated[float | None, Coordinate(180)] = None
    capital_gbp: Annotated[float | None, Money()] = None
    revenue_gbp: Annotated[float | None, Money()] = None
    cost_notes: Annotated[str | None, Text(0, 2000, required=False, multiline=True)] = None
    options: Annotated[str | None, Text(0, 4000, required=False, multiline=True)] = None
    reasons: Annotated[str | None, Text(0, 4000, required=False, multiline=True)] = None
    risks: Annotated[str | None, Text(0, 4000, required=False, multiline=True)] = None
    legal: Annotated[str | None, Text(0, 2000, required=False, multiline=True)] = None
    benefits: Annotated[str | None, Text(0, 2000, required=False, multiline=True)] = None
    left_out: Annotated[str | None, Text(0, 2000, required=False, multiline=True)] = None
    route: Annotated[str | None, Choice(ROUTES, required=False)] = None


class MoveProposal(Input):
    op_id: OpIdField
    proposal_id: ProposalId
    note: Annotated[str, Text(0, 1000, required=False, default="", multiline=True)]


class ProposalContact(Input):
    op_id: OpIdField
    proposal_id: ProposalId
    name: Annotated[str, Text(1, 80)]
    email: Annotated[str, Email()]
    consent: Annotated[bool, Flag()]


class Named(Input):
    op_id: OpIdField
    group_id: GroupId
    named: Annotated[bool, Flag()]


LongText = Annotated[str, Text(0, 4000, required=False, default="", multiline=True)]


class OfficerMove(Input):
    to: Annotated[str, Choice(("received", "under_review", "decided"))]
    note: Annotated[str, Text(0, 1000, required=False, default="", multiline=True)]
    decision: Annotated[str | None, Choice(DECISIONS, required=False)]
    decision_date: Annotated[str | None, IsoDate()]
    decision_maker: Annotated[str, Text(0, 200, required=False, default="")]
    decision_reasons: LongText
    conditions: LongText
    alternatives_rejected: LongText
    minutes_url: Annotated[str, Url()]


class NewProjectorLink(Input):
    """Nothing to give: the server makes the link's token (and it takes no op id, as a
    replayed answer could not hand the token out again)."""


class StopProjectorLink(Input):
    op_id: OpIdField


class OfficerName(Input):
    name: Annotated[str, Text(1, 120)]


class Since(Input):
    """Where a client's copy of the board stands: the last seq it applied."""

    since: Annotated[int, Whole(0)]


class Subscribe(Input):
    """Where the client's copy stands; its token (API clients); the projector's public view."""

    since: Annotated[int | None, Whole(0, required=False)]
    token: Annotated[str | None, Text(1, 200, required=False)]
    view: Annotated[str | None, Choice(("public", "own"), required=False)]


# The rules by input, as board-file checks read them (limits shared with live input).
NEW_BOARD = NewBoard.rules()
NEW_POST = NewPost.rules()
NEW_COMMENT = NewComment.rules()
GROUP_MESSAGE = NewGroupMessage.rules()
SESSION = SessionSettings.rules()
TIMER = Timer.rules()
PROPOSAL_EDIT = EditProposal.rules()
PROPOSAL_CONTACT = ProposalContact.rules()
PROPOSAL_MOVE = MoveProposal.rules()
OFFICER_MOVE = OfficerMove.rules()
