"""The offers directory and plain, explainable suggestions of who might help.

A suggestion scores an offer against an idea or need with two visible reasons, so a
person can see why it is shown: each meaningful word they share (after folding plurals
and word forms, and treating a few everyday synonyms as one word) counts 2, and the same
theme tag counts 1. Shared words count more than the theme because a theme is broad
("older people" covers sewing as well as lifts) while a shared word is specific.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from board.errors import BoardError
from board.inputs import OfferSearch
from board.models import Link, Post
from board.outputs import post_out
from board.services import Actor
from board.services.commands import board_read
from board.services.loading import post_loading
from board.services.rules import is_open, open_clause
from board.storage import read_snapshot

WORD_WEIGHT = 2
TAG_WEIGHT = 1
MAX_SUGGESTIONS = 5

STOPWORDS = frozenset(
    """a about after all also am an and any anyone are as at be been but by can could do
    for from get got happy have help i if in into is it its just like love me more my
    need needs no not of on once or our out over please so some someone than that the
    their them then there they this to too up us want was we week weekly were what when
    where which who will with would you your""".split()  # noqa: SIM905
)
# Stems that lost their final "e" to -ing or -ed: "driving" and "drives" both mean "drive".
RESTORE_E = {"driv": "drive", "shar": "share", "mak": "make", "bak": "bake", "cycl": "cycle"}
# Words whose "-er" or "-ery" is not a worker or a craft, where taking it off would make
# another word ("corner" is not "corn", "poster" is not "post").
KEEP_ENDING = frozenset(
    "brother butter career corner counter flower mother number poster shower".split()  # noqa: SIM905
)
# Everyday words that mean the same thing when people ask and offer.
SYNONYMS = {
    "lift": "drive",
    "driver": "drive",
    "car": "drive",
    "transport": "drive",
    "mend": "repair",
    "fix": "repair",
    "accountant": "account",
    "bookkeep": "account",
    "finance": "account",
    "sew": "sewing",
    "alteration": "sewing",
    "kid": "child",
    "children": "child",
}


def stem(word: str) -> str:
    """A light English stem: enough to fold "lifts"/"lift", "fixes"/"fix", "drives"/"driving",
    and a trade with its worker ("carpentry"/"carpenter", "gardening"/"gardener")."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        word = word[:-2]  # classes, boxes, fixes, benches
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    if word.endswith(("ing", "ed")) and len(word) > 5:
        word = word[: -3 if word.endswith("ing") else -2]  # "paintings" too
        word = RESTORE_E.get(word, word)
    word = _trade(word)
    return SYNONYMS.get(word, word)


def _trade(word: str) -> str:
    """The trade a worker or a craft is named after: "carpenter", "carpentry" -> "carpent"."""
    if word in KEEP_ENDING:
        return word
    if word.endswith("try") and len(word) > 7:
        return word[:-2]  # carpentry, forestry (but "country" stays)
    if word.endswith("ery") and len(word) > 5:
        return RESTORE_E.get(word[:-3], word[:-3])  # joinery, pottery, bakery
    if word.endswith("er") and (len(word) > 5 or word[:-2] in RESTORE_E):
        return RESTORE_E.get(word[:-2], word[:-2])  # carpenter, gardener, baker, driver
    return word


def terms(*texts: str | None) -> set[str]:
    """The meaningful words of some text, stemmed ("helping" is as common as "help"), with
    accents folded ("café" is "cafe", as phones' keyboards often type it)."""
    text = unicodedata.normalize("NFKD", " ".join(t or "" for t in texts).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = re.findall(r"[^\W\d_]+", text)
    stems = {stem(w) for w in words if len(w) > 2}
    return {w for w in stems if w not in STOPWORDS}


@board_read("offers.search", input=OfferSearch)
def search_offers(
    actor: Actor, kind: str | None = None, tag: str | None = None, q: str | None = None
) -> list[dict[str, Any]]:
    """Skill and tool offers and needs on the board, filtered by kind, tag and words."""
    with read_snapshot() as session:
        query = (
            sa.select(Post)
            .where(Post.board_id == actor.board_id, open_clause())
            .where(Post.kind == kind if kind else Post.kind.in_(("skill", "tool", "need")))
            .order_by(Post.id.desc())
        )
        if tag:
            query = query.where(Post.tag == tag)
        found = _loaded(session, query)
        if q:
            wanted = terms(q)
            found = [p for p in found if wanted <= terms(p.title, p.body, p.tag, p.availability)]
        return [post_out(p) for p in found]


@board_read("post.suggestions")
def suggest_offers(actor: Actor, post_id: int) -> list[dict[str, Any]]:
    """Offers on the board that look relevant to an idea or need, best first, with why."""
    with read_snapshot() as session:
        target = session.get(Post, post_id)
        if target is None or target.board_id != actor.board_id or not is_open(target):
            raise BoardError("post_not_found", "That post is not on this board.", 404)
        if target.kind not in ("idea", "need"):
            raise BoardError("invalid_target", "Suggestions are for ideas and needs.", 422)
        linked = set(
            session.scalars(
                sa.select(Link.offer_id).where(
                    Link.target_id == target.id, Link.offer_id.is_not(None)
                )
            )
        )
        wanted = terms(target.title, target.body)
        offers = _loaded(
            session,
            sa.select(Post).where(
                Post.board_id == actor.board_id,
                Post.kind.in_(("skill", "tool")),
                Post.author_id != target.author_id,
                open_clause(),
            ),
        )
        ranked: list[dict[str, Any]] = []
        for offer in offers:
            if offer.id in linked:
                continue
            shared = sorted(wanted & terms(offer.title, offer.body, offer.availability))
            same_tag = bool(target.tag and offer.tag and offer.tag.lower() == target.tag.lower())
            score = WORD_WEIGHT * len(shared) + TAG_WEIGHT * same_tag
            if score == 0:
                continue
            reasons = []
            if shared:
                reasons.append("both mention " + ", ".join(f"\u201c{w}\u201d" for w in shared))
            if same_tag:
                reasons.append(f"same theme: {offer.tag}")
            ranked.append(
                {
                    "offer": post_out(offer),
                    "score": score,
                    "shared_words": shared,
                    "same_tag": same_tag,
                    "why": "; ".join(reasons),
                }
            )
        ranked.sort(key=lambda s: (-s["score"], -s["offer"]["id"]))
        return ranked[:MAX_SUGGESTIONS]


def _loaded(session: so.Session, query: Any) -> list[Post]:
    return list(session.scalars(query.options(*post_loading())))
