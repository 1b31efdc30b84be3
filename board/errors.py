"""The one error type the domain raises; transports turn it into a 4xx JSON body or an ack."""

from __future__ import annotations

from typing import Any


class BoardError(Exception):
    """A request the board refuses, with a stable code, a human message and an HTTP status."""

    def __init__(
        self, code: str, message: str, status: int = 400, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields or {}

    def to_dict(self) -> dict[str, Any]:
        """The error as it appears in JSON bodies and socket acks."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return error


def forbidden(message: str) -> BoardError:
    """The caller is known but may not do this."""
    return BoardError("forbidden", message, 403)


def access_revoked() -> BoardError:
    """A co-facilitator's link that was withdrawn: it opens nothing any more."""
    return BoardError(
        "access_revoked", "This link has been withdrawn by the board's facilitator.", 403
    )


def not_joined() -> BoardError:
    """The caller has not joined this board (or its token is wrong)."""
    return BoardError("not_joined", "Join this board first.", 401)
