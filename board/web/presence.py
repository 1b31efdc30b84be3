"""Who is connected to which board right now, in this process (not history, not logged)."""

from __future__ import annotations

import threading


class Presence:
    """Connected sockets per board, counted as distinct participants; and the sockets that
    watch a board without counting (the view-only projector link)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._boards: dict[str, dict[str, int]] = {}
        self._watching: dict[str, set[str]] = {}

    def watch(self, board_code: str, sid: str) -> int:
        """Note a socket that is nobody on a board; return how many people are there."""
        with self._lock:
            self._watching.setdefault(board_code, set()).add(sid)
            return len(set(self._boards.get(board_code, {}).values()))

    def add(self, board_code: str, sid: str, participant_id: int) -> int:
        """Note a socket on a board; return how many people are there now."""
        with self._lock:
            sockets = self._boards.setdefault(board_code, {})
            sockets[sid] = participant_id
            return len(set(sockets.values()))

    def leave(self, board_code: str, sid: str) -> int | None:
        """Forget a socket on one board; return the new count if it changed, else None."""
        with self._lock:
            return self._leave(board_code, sid)

    def remove(self, sid: str) -> dict[str, int]:
        """Forget a socket everywhere; return the new count of each board where it changed."""
        counts: dict[str, int] = {}
        with self._lock:
            for code in list(self._boards | dict.fromkeys(self._watching)):
                count = self._leave(code, sid)
                if count is not None:
                    counts[code] = count
        return counts

    def _leave(self, board_code: str, sid: str) -> int | None:
        watching = self._watching.get(board_code)
        if watching is not None:
            watching.discard(sid)
            if not watching:
                self._watching.pop(board_code, None)
        sockets = self._boards.get(board_code, {})
        before = len(set(sockets.values()))
        if sockets.pop(sid, None) is None:
            return None
        after = len(set(sockets.values()))
        if not sockets:
            self._boards.pop(board_code, None)
        # Another tab of the same person is still here: nobody left.
        return after if after != before else None

    def count(self, board_code: str) -> int:
        """How many people are on a board now."""
        with self._lock:
            return len(set(self._boards.get(board_code, {}).values()))

    def boards(self) -> list[str]:
        """Codes of boards with someone connected, or watching (they need the heartbeat)."""
        with self._lock:
            return list(self._boards | dict.fromkeys(self._watching))


presence = Presence()
