"""Sparse features of one reply for the learned intent model: words, word pairs, word pieces.

Why these: rules match the phrasings someone wrote patterns for; a linear model over words and
pairs ("never arrived", "take me off") weighs every clue at once, and the pieces of words
(``char`` n-grams inside each word) carry it over misrecognitions and inflections the training
replies never had ("cancelation", "charge-back", "refunded"). The text is the rules' own spoken
form (``normalise`` on the *redacted* reply), so card digits never reach a feature.

Each block (words and pairs; pieces) is weighted ``(1 + log tf) * idf`` and scaled to unit
length on its own, the way scikit-learn's ``TfidfVectorizer`` in a ``FeatureUnion`` does, so a
long reply does not outvote a short one and neither block drowns the other.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import pairwise

__all__ = ["Vector", "idf_table", "raw_counts", "vectorise"]

Vector = dict[str, float]
_PIECE_SIZES = (2, 3, 4, 5)


def _word_terms(words: list[str]) -> Iterable[str]:
    yield from (f"w:{w}" for w in words)
    padded = ["<s>", *words]
    yield from (f"b:{a} {b}" for a, b in pairwise(padded))


def _piece_terms(words: list[str]) -> Iterable[str]:
    for word in words:
        padded = f" {word} "
        for n in _PIECE_SIZES:
            if n > len(padded):
                break
            yield from (f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))


def raw_counts(spoken: str) -> tuple[Counter[str], Counter[str]]:
    """Term counts of the two blocks for text already in spoken form."""
    words = spoken.split()
    return Counter(_word_terms(words)), Counter(_piece_terms(words))


def idf_table(documents: Iterable[str], min_df: int = 2) -> dict[str, float]:
    """Smoothed inverse document frequency of every term seen in at least ``min_df`` replies
    (scikit-learn's ``smooth_idf``: ``ln((1 + n) / (1 + df)) + 1``). Rarer terms are dropped:
    a term seen once teaches the model one reply, not a way of speaking."""
    df: Counter[str] = Counter()
    n = 0
    for spoken in documents:
        n += 1
        words, pieces = raw_counts(spoken)
        df.update(set(words) | set(pieces))
    return {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items() if c >= min_df}


def _block(counts: Counter[str], idf: Mapping[str, float]) -> Vector:
    out = {t: (1 + math.log(c)) * idf[t] for t, c in counts.items() if t in idf}
    norm = math.sqrt(sum(v * v for v in out.values()))
    return {t: v / norm for t, v in out.items()} if norm else {}


def vectorise(spoken: str, idf: Mapping[str, float]) -> Vector:
    """The model's input: both blocks, each of unit length; unknown terms are ignored."""
    words, pieces = raw_counts(spoken)
    return _block(words, idf) | _block(pieces, idf)
