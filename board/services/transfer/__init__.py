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

``export`` writes the file; ``checks`` reads one back, every field by the rule live input
uses for it, before ``write`` makes the board.
"""

from board.services.transfer.checks import MAX_IMPORT_BYTES
from board.services.transfer.export import (
    CSV_COLUMNS,
    FORMAT,
    VERSION,
    export_board,
    export_csv,
)
from board.services.transfer.write import ImportResult, import_board, import_json

__all__ = [
    "CSV_COLUMNS",
    "FORMAT",
    "MAX_IMPORT_BYTES",
    "VERSION",
    "ImportResult",
    "export_board",
    "export_csv",
    "import_board",
    "import_json",
]
