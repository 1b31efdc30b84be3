"""Input parsing for every write, shared by sockets, the API, forms and board import."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

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


@dataclass(frozen=True)
class Text:
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


@dataclass(frozen=True)
class Choice:
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


@dataclass(frozen=True)
class Flag:
    """True or false."""

    default: bool = False

    def parse(self, value: Any) -> bool:
        if value is None:
            return self.default
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value


@dataclass(frozen=True)
class Whole:
    """A whole number of at least ``min``."""

    min: int = 0
    required: bool = True
    max: int | None = None

    def parse(self, value: Any) -> int | None:
        if value is None:
            if self.required:
                raise ValueError("is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < self.min:
            raise ValueError(f"must be a whole number, {self.min} or more")
        if self.max is not None and value > self.max:
            raise ValueError(f"must be a whole number from {self.min} to {self.max}")
        return value


@dataclass(frozen=True)
class Tags:
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


@dataclass(frozen=True)
class OpId:
    """A client-generated operation id: 8 to 64 letters, digits, '-' or '_' (a UUID fits)."""

    required: ClassVar[bool] = True

    def parse(self, value: Any) -> str:
        if not isinstance(value, str) or not OP_ID.match(value):
            raise ValueError("must be 8 to 64 letters, digits, '-' or '_' (a UUID is ideal)")
        return value


@dataclass(frozen=True)
class Choices:
    """A list of distinct words from a fixed set."""

    options: tuple[str, ...]
    required: ClassVar[bool] = False

    def parse(self, value: Any) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or any(v not in self.options for v in value):
            raise ValueError(f"must be a list of: {', '.join(self.options)}")
        return list(dict.fromkeys(value))


@dataclass(frozen=True)
class Money:
    """An amount in pounds, at most two decimals, up to £100m; null for none."""

    required: ClassVar[bool] = False
    nullable: ClassVar[bool] = True

    def parse(self, value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError("must be an amount in pounds, 0 or more")
        if value > 100_000_000 or round(value * 100) != round(value * 100, 6):
            raise ValueError("must be pounds and pence, up to 100,000,000")
        return float(value)


@dataclass(frozen=True)
class Coordinate:
    """A latitude (±90) or longitude (±180) in degrees; null for none."""

    limit: int
    required: ClassVar[bool] = False
    nullable: ClassVar[bool] = True

    def parse(self, value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > self.limit:
            raise ValueError(f"must be a number of degrees from -{self.limit} to {self.limit}")
        return float(value)


@dataclass(frozen=True)
class Email:
    """An email address, loosely checked (something@something.something)."""

    required: ClassVar[bool] = True

    def parse(self, value: Any) -> str:
        text = Text(3, 200).parse(value)
        if text is None or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            raise ValueError("must be an email address")
        return text


@dataclass(frozen=True)
class IsoDate:
    """A calendar date as YYYY-MM-DD."""

    required: ClassVar[bool] = False

    def parse(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError("must be a date as YYYY-MM-DD")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError("must be a date as YYYY-MM-DD") from exc


@dataclass(frozen=True)
class Url:
    """An http(s) address, or empty."""

    required: ClassVar[bool] = False

    def parse(self, value: Any) -> str:
        text = Text(0, 500, required=False, default="").parse(value) or ""
        if text and not re.fullmatch(r"https?://\S+", text):
            raise ValueError("must start with http:// or https://")
        return text


Field = (
    Text
    | Choice
    | Flag
    | Whole
    | Tags
    | OpId
    | Choices
    | Money
    | Coordinate
    | Email
    | IsoDate
    | Url
)


def parse(payload: Any, spec: Mapping[str, Field], partial: bool = False) -> dict[str, Any]:
    """Check ``payload`` against ``spec``; raise one BoardError naming every bad field.

    With ``partial``, optional fields absent from the payload are left out of the result
    (an edit changes only what it names).
    """
    if not isinstance(payload, Mapping):
        raise BoardError("invalid_input", "Expected a JSON object.", 400)
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, field in spec.items():
        if partial and name not in payload and not getattr(field, "required", False):
            continue
        if partial and name in payload and payload[name] is None:
            if getattr(field, "nullable", False):
                values[name] = None
            else:
                problems[name] = "cannot be null"
            continue
        try:
            values[name] = field.parse(payload.get(name))
        except ValueError as exc:
            problems[name] = str(exc)
    if problems:
        message = "; ".join(
            f"{name.replace('_', ' ').capitalize()} {problem}" for name, problem in problems.items()
        )
        raise BoardError("invalid_input", message + ".", 422, problems)
    return values


NEW_BOARD = {
    "title": Text(1, 120),
    "prompt": Text(0, 500, required=False, default="", multiline=True),
    "kind": Choice(BOARD_KINDS, required=False, default="workshop"),
    "tags": Tags(),
    "facilitator_name": Text(1, 40, required=False, default="Facilitator"),
}
JOIN = {
    "display_name": Text(1, 40, required=False, blank_is_none=True),
    "anonymous": Flag(),
}
NEW_POST = {
    "op_id": OpId(),
    "kind": Choice(POST_KINDS),
    "title": Text(1, 120),
    "body": Text(0, 2000, required=False, default="", multiline=True),
    "tag": Text(1, 40, required=False, blank_is_none=True),
    "availability": Text(1, 80, required=False, blank_is_none=True),
    # Facilitators only: the name of the person a post is entered for (a paper card).
    "on_behalf_of": Text(1, 40, required=False, blank_is_none=True),
}
EDIT_POST = {
    "op_id": OpId(),
    "post_id": Whole(1),
    "kind": Choice(POST_KINDS, required=False),
    "title": Text(1, 120, required=False),
    "body": Text(0, 2000, required=False, multiline=True),
    "tag": Text(1, 40, required=False, blank_is_none=True, nullable=True),
    "availability": Text(1, 80, required=False, blank_is_none=True, nullable=True),
}
POST_REF = {"op_id": OpId(), "post_id": Whole(1)}
LINK = {"op_id": OpId(), "post_id": Whole(1), "offer_id": Whole(1, required=False)}
UNLINK = {"op_id": OpId(), "link_id": Whole(1)}
GROUP_JOIN = {
    "op_id": OpId(),
    "post_id": Whole(1),
    "display_name": Text(1, 40, required=False, blank_is_none=True),
}
GROUP_REF = {"op_id": OpId(), "group_id": Whole(1)}
HAND_OVER = {"op_id": OpId(), "group_id": Whole(1), "participant_id": Whole(1)}
GROUP_RENAME = {"op_id": OpId(), "group_id": Whole(1), "name": Text(1, 120)}
GROUP_MESSAGE = {"op_id": OpId(), "group_id": Whole(1), "body": Text(1, 1000, multiline=True)}
MODERATE = {
    "op_id": OpId(),
    "post_id": Whole(1),
    "reason": Choice(MODERATION_REASONS),
    "note": Text(0, 500, required=False, default="", multiline=True),
}
RESTORE = {
    "op_id": OpId(),
    "post_id": Whole(1),
    "note": Text(0, 500, required=False, default="", multiline=True),
}
INVITE_FACILITATOR = {"display_name": Text(1, 40)}
REVOKE_FACILITATOR = {"op_id": OpId(), "participant_id": Whole(1)}
OFFER_SEARCH = {
    "kind": Choice(("skill", "tool", "need"), required=False),
    "tag": Text(1, 40, required=False, blank_is_none=True),
    "q": Text(1, 100, required=False, blank_is_none=True),
}
APPROVE = {"op_id": OpId(), "post_id": Whole(1)}
REJECT = MODERATE
MERGE = {"op_id": OpId(), "post_id": Whole(1), "into_id": Whole(1)}
PIN = {"op_id": OpId(), "post_id": Whole(1), "pinned": Flag(default=True)}
REPORT = {"op_id": OpId(), "post_id": Whole(1), "reason": Choice(REPORT_REASONS)}
MUTE = {"op_id": OpId(), "participant_id": Whole(1), "muted": Flag(default=True)}
REMOVE_PARTICIPANT = {
    "op_id": OpId(),
    "participant_id": Whole(1),
    "note": Text(0, 500, required=False, default="", multiline=True),
}
#: Parsed with ``partial``: only the named settings change.
SESSION = {
    "op_id": OpId(),
    "phase": Choice(PHASES, required=False),
    "locked": Flag(),
    "premoderation": Flag(),
    "silent": Flag(),
    "dot_budget": Whole(0, required=False, max=20),
    "dots_hidden": Flag(),
    "report_threshold": Whole(0, required=False, max=50),
    "slow_mode_seconds": Whole(0, required=False, max=3600),
}
#: Seconds 0 stops the timer.
TIMER = {"op_id": OpId(), "seconds": Whole(0, max=4 * 3600)}
#: No post_id (or null) ends the spotlight.
SPOTLIGHT = {"op_id": OpId(), "post_id": Whole(1, required=False)}
DOT = {"op_id": OpId(), "post_id": Whole(1)}
PROMOTE = {"op_id": OpId(), "post_id": Whole(1)}
#: The guided form; parsed with ``partial``: only the named fields change.
PROPOSAL_EDIT = {
    "op_id": OpId(),
    "proposal_id": Whole(1),
    "title": Text(1, 120, required=False),
    "short_summary": Text(0, 125, required=False),
    "summary": Text(0, 4000, required=False, multiline=True),
    "what_we_want": Text(0, 4000, required=False, multiline=True),
    "asks": Choices(ASKS),
    "amount_gbp": Money(),
    "ask_details": Text(0, 2000, required=False, multiline=True),
    "involved": Text(0, 2000, required=False, multiline=True),
    "ward": Text(0, 80, required=False),
    "address": Text(0, 200, required=False),
    "latitude": Coordinate(90),
    "longitude": Coordinate(180),
    "capital_gbp": Money(),
    "revenue_gbp": Money(),
    "cost_notes": Text(0, 2000, required=False, multiline=True),
    "options": Text(0, 4000, required=False, multiline=True),
    "reasons": Text(0, 4000, required=False, multiline=True),
    "risks": Text(0, 4000, required=False, multiline=True),
    "legal": Text(0, 2000, required=False, multiline=True),
    "benefits": Text(0, 2000, required=False, multiline=True),
    "left_out": Text(0, 2000, required=False, multiline=True),
    "route": Choice(ROUTES, required=False),
}
PROPOSAL_MOVE = {
    "op_id": OpId(),
    "proposal_id": Whole(1),
    "note": Text(0, 1000, required=False, default="", multiline=True),
}
PROPOSAL_CONTACT = {
    "op_id": OpId(),
    "proposal_id": Whole(1),
    "name": Text(1, 80),
    "email": Email(),
    "consent": Flag(),
}
NAMED = {"op_id": OpId(), "group_id": Whole(1), "named": Flag()}
OFFICER_MOVE = {
    "to": Choice(("received", "under_review", "decided")),
    "note": Text(0, 1000, required=False, default="", multiline=True),
    "decision": Choice(DECISIONS, required=False),
    "decision_date": IsoDate(),
    "decision_maker": Text(0, 200, required=False, default=""),
    "decision_reasons": Text(0, 4000, required=False, default="", multiline=True),
    "conditions": Text(0, 4000, required=False, default="", multiline=True),
    "alternatives_rejected": Text(0, 4000, required=False, default="", multiline=True),
    "minutes_url": Url(),
}
OFFICER_TOKEN = {"name": Text(1, 120)}
NEW_COMMENT = {"op_id": OpId(), "post_id": Whole(1), "body": Text(1, 1000, multiline=True)}
