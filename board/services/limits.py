"""The write bucket: each participant may write in bursts, and a flood waits its turn.

A token bucket (kept as its "theoretical arrival time", GCRA): ``BOARD_WRITE_BURST`` writes
at once, then ``BOARD_WRITE_RATE`` a second. The write path takes a token before it opens
its transaction, so a flood never holds the board's lock. One process keeps the buckets in
memory; several processes (``BOARD_MESSAGE_QUEUE`` names a Redis) share them in Redis,
timed by Redis's clock.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import current_app

from board.errors import BoardError
from board.services import Actor

#: Buckets kept in memory before the idle ones (full again) are dropped.
PRUNE_AT = 10_000

_GCRA = """
local now = redis.call('TIME')
now = tonumber(now[1]) + tonumber(now[2]) / 1000000
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + interval
if tat - now > window then
  return tostring(tat - now - window)
end
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now) * 1000))
return '0'
"""


class WriteBucket:
    """Per-key token buckets; ``take`` answers 0 (go ahead) or the seconds to wait."""

    def __init__(
        self,
        burst: int,
        rate: float,
        redis_url: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if burst < 1 or rate <= 0:
            raise RuntimeError("BOARD_WRITE_BURST must be at least 1, BOARD_WRITE_RATE above 0")
        self.interval = 1.0 / rate
        self.window = burst * self.interval
        self.clock = clock
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}
        self._script: Any = None
        if redis_url:
            import redis

            self._script = redis.Redis.from_url(redis_url).register_script(_GCRA)

    def take(self, key: str) -> float:
        if self._script is not None:
            found = self._script(keys=[f"board:write:{key}"], args=[self.interval, self.window])
            return float(found)
        with self._lock:
            now = self.clock()
            tat = max(self._tat.get(key, now), now) + self.interval
            if tat - now > self.window:
                return tat - now - self.window
            self._tat[key] = tat
            if len(self._tat) > PRUNE_AT:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
            return 0.0


def bucket_for(config: Any) -> WriteBucket | None:
    """The write bucket these settings ask for (None: rate limits are off)."""
    if not config.get("BOARD_RATE_LIMITS", True):
        return None
    queue = config.get("BOARD_MESSAGE_QUEUE") or ""
    return WriteBucket(
        int(config["BOARD_WRITE_BURST"]),
        float(config["BOARD_WRITE_RATE"]),
        queue if queue.startswith(("redis://", "rediss://", "unix://")) else None,
    )


def take_write(actor: Actor) -> None:
    """Let the actor write now, or refuse with ``slow_down`` and the seconds to wait."""
    if not current_app:  # a write outside an app (a script): nothing to limit
        return
    extensions = current_app.extensions
    if "board_write_bucket" not in extensions:
        extensions["board_write_bucket"] = bucket_for(current_app.config)
    bucket: WriteBucket | None = extensions["board_write_bucket"]
    if bucket is None or actor.participant_id is None:
        return
    wait = bucket.take(str(actor.participant_id))
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise BoardError(
            "slow_down",
            f"That is a lot of changes at once: try again in {seconds} seconds.",
            429,
            {"retry_after": str(seconds)},
        )
