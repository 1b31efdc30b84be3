"""Defences every transport shares against hostile input: nesting, path ids, mailto links."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from werkzeug.routing import IntegerConverter, Map

from board.inputs import MAX_WHOLE

#: How deep a request's JSON may nest; no action's input needs more than a few levels.
MAX_DEPTH = 32
TOO_DEEP_MESSAGE = f"The JSON is nested too deeply (at most {MAX_DEPTH} levels)."


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than ``limit`` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > limit:
            return True
        stack.extend((child, level + 1) for child in children)
    return False


class TooDeep:
    """What a socket handler receives for a payload too deep for the JSON decoder."""

    def __repr__(self) -> str:
        return "TOO_DEEP"


TOO_DEEP = TooDeep()
_EVENT_NAME = re.compile(r'\s*\[\s*("(?:[^"\\]|\\.)*")')


class SocketJSON:
    """The JSON module for Socket.IO packets.

    The standard decoder raises RecursionError on a packet nested about a thousand deep,
    and python-socketio would then drop the packet without an ack. Here such an event
    still reaches its handler, with ``TOO_DEEP`` as its payload, so the client is told.
    """

    @staticmethod
    def dumps(*args: Any, **kwargs: Any) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(text: str | bytes, *args: Any, **kwargs: Any) -> Any:
        try:
            return json.loads(text, *args, **kwargs)
        except RecursionError:
            found = _EVENT_NAME.match(text) if isinstance(text, str) else None
            if found is None:
                raise ValueError(TOO_DEEP_MESSAGE) from None
            return [json.loads(found.group(1)), TOO_DEEP]


def up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers from 0 to ``limit`` (no leading zeros)."""
    digits = str(limit)
    ways = ["0"] + ([rf"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else [])
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            below = f"[{low}-{int(digit) - 1}]"
            ways.append(digits[:i] + below + f"[0-9]{{{len(digits) - i - 1}}}")
    ways.append(digits)
    return "(?:" + "|".join(ways) + ")"


class WholeConverter(IntegerConverter):
    """``<int:...>`` in a route: only ids the database can hold match, so a larger one is a
    404 whatever the method (a converter that refuses after matching would make it a 405)."""

    regex = up_to(MAX_WHOLE)

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_WHOLE,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, MAX_WHOLE if max is None else max, signed)


def mailto(address: str) -> str:
    """A mailto link to exactly this address: anything a client would read as headers is quoted."""
    return "mailto:" + quote(address, safe="@")
