"""A linear intent model in plain Python: multinomial logistic regression over sparse features.

Why our own code and not scikit-learn: reading a reply is one dot product per label over a few
hundred features, which needs no library, and the default install stays free of numpy, scipy
and a pickled estimator tied to one library version. The weights ship as a small gzipped JSON
file inside the package (``intent_model.json.gz``), written by ``train`` from our labelled dev
sets (never the held-out set) and stamped with a fingerprint of the rows it learned from, so a
test notices when the data changed and the file was not rebuilt.

Training is stochastic gradient descent with AdaGrad step sizes and L2 shrinkage on the
weights a reply touches, in a seeded order, so the same rows always give the same file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Self

from recoup.agent.learned.features import Vector, idf_table, vectorise

__all__ = [
    "CARD_LABELS",
    "CARD_MODEL",
    "MODEL_FILE",
    "IntentModel",
    "TrainingConfig",
    "best_temperature",
    "fingerprint",
    "model_file",
    "softmax",
    "train",
]  # fmt: skip

MODEL_FILE = "intent_model.json.gz"
#: The model that hears an offer of card details the rules' phrase list misses ("card at the
#: ready, what do you want first"), trained on every turn's rows; ``understand`` consults it.
CARD_MODEL = "card_data"
CARD_LABELS = ("no", "yes")


def model_file(context: str) -> str:
    """The file of one turn's model: ``intent_model.json.gz`` for the resolution turn (the
    first and largest), ``intent_model_<context>.json.gz`` for the others."""
    return MODEL_FILE if context == "ask_resolution" else f"intent_model_{context}.json.gz"
_SCALE = 10_000  # weights are stored as integers of 1/10 000: small file, no visible loss


@dataclass(frozen=True)
class TrainingConfig:
    """The knobs, with the values chosen by cross-validation across our dev sets."""

    epochs: int = 30
    learning_rate: float = 0.5
    l2: float = 1e-4
    min_df: int = 2
    seed: int = 7
    #: Scores are divided by this before the softmax. Plain SGD with L2 leaves the model sure of
    #: itself away from its accuracy; the value that minimises log loss on the dev set each
    #: fold left out (``recoup model crossval``: 0.75, so it was a little too modest) makes a
    #: 0.8 mean right about 80% of the time.
    temperature: float = 0.75


@dataclass
class IntentModel:
    """Weights per term and label, a bias per label, and the idf the features were built with."""

    labels: tuple[str, ...]
    idf: dict[str, float]
    weights: dict[str, list[float]]
    bias: list[float]
    trained_on: tuple[str, ...] = ()
    fingerprint: str = ""
    temperature: float = 1.0

    def scores(self, spoken: str) -> list[float]:
        """The raw score of each label for text in spoken form."""
        return self.linear(vectorise(spoken, self.idf))

    def linear(self, x: Vector) -> list[float]:
        """Bias plus weights times features: the scores of an already vectorised reply."""
        totals = list(self.bias)
        for term, value in x.items():
            row = self.weights.get(term)
            if row is not None:
                for k, w in enumerate(row):
                    totals[k] += w * value
        return totals

    def probabilities(self, spoken: str) -> dict[str, float]:
        """Softmax of the scores: each label's probability."""
        probs = softmax(self.scores(spoken), self.temperature)
        return dict(zip(self.labels, probs, strict=True))

    def predict(self, spoken: str) -> tuple[str, float]:
        """The likeliest label and its probability."""
        probs = self.probabilities(spoken)
        label = max(probs, key=lambda k: probs[k])
        return label, probs[label]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": 1, "labels": list(self.labels), "trained_on": list(self.trained_on),
            "fingerprint": self.fingerprint, "temperature": self.temperature,
            "idf": {t: round(v, 5) for t, v in sorted(self.idf.items())},
            "bias": [round(b * _SCALE) for b in self.bias],
            "weights": {t: [round(w * _SCALE) for w in row]
                        for t, row in sorted(self.weights.items())
                        if any(round(w * _SCALE) for w in row)},
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        if data.get("format") != 1:
            raise ValueError(f"unknown intent model format {data.get('format')!r}")
        return cls(
            labels=tuple(data["labels"]), idf=dict(data["idf"]),
            weights={t: [w / _SCALE for w in row] for t, row in data["weights"].items()},
            bias=[b / _SCALE for b in data["bias"]], trained_on=tuple(data["trained_on"]),
            fingerprint=data["fingerprint"], temperature=float(data["temperature"]),
        )  # fmt: skip

    def save(self, path: Path) -> None:
        text = json.dumps(self.to_json(), separators=(",", ":"), sort_keys=True)
        # mtime 0 and no file name in the header: the same rows always give the same bytes
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))

    @classmethod
    def load(cls, path: Path | None = None, name: str = MODEL_FILE) -> Self:
        """The model at ``path``, or the one called ``name`` shipped in the package."""
        if path is None:
            blob = resources.files("recoup.agent.learned").joinpath(name).read_bytes()
        else:
            blob = path.read_bytes()
        return cls.from_json(json.loads(gzip.decompress(blob)))


def fingerprint(examples: Iterable[tuple[str, str]]) -> str:
    """A digest of the (spoken text, label) pairs a model learns from, in order."""
    digest = hashlib.sha256()
    for text, label in examples:
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def train(
    examples: Sequence[tuple[str, str]],
    labels: Sequence[str],
    config: TrainingConfig | None = None,
    trained_on: Sequence[str] = (),
) -> IntentModel:
    """Fit the model to (spoken text, label) pairs; every label must be in ``labels``."""
    cfg = config or TrainingConfig()
    index = {label: k for k, label in enumerate(labels)}
    unknown = {label for _, label in examples} - set(index)
    if unknown:
        raise ValueError(f"labels outside the label set: {sorted(unknown)}")
    idf = idf_table((text for text, _ in examples), cfg.min_df)
    rows = [(vectorise(text, idf), index[label]) for text, label in examples]
    model = IntentModel(tuple(labels), idf, {}, [0.0] * len(labels), tuple(trained_on),
                        fingerprint(examples), cfg.temperature)  # fmt: skip
    _fit(model, rows, cfg)
    return model


def _fit(model: IntentModel, rows: list[tuple[Vector, int]], cfg: TrainingConfig) -> None:
    k = len(model.labels)
    squares: dict[str, list[float]] = {}
    bias_squares = [1e-8] * k
    order = list(range(len(rows)))
    rng = random.Random(cfg.seed)
    for _ in range(cfg.epochs):
        rng.shuffle(order)
        for i in order:
            x, y = rows[i]
            grad = _gradient(model, x, y)
            for term, value in x.items():
                w = model.weights.setdefault(term, [0.0] * k)
                sq = squares.setdefault(term, [1e-8] * k)
                for c in range(k):
                    g = grad[c] * value + cfg.l2 * w[c]
                    sq[c] += g * g
                    w[c] -= cfg.learning_rate * g / math.sqrt(sq[c])
            for c in range(k):
                bias_squares[c] += grad[c] * grad[c]
                model.bias[c] -= cfg.learning_rate * grad[c] / math.sqrt(bias_squares[c])


def _gradient(model: IntentModel, x: Vector, y: int) -> list[float]:
    """d(log loss)/d(score) per label: the probability, less one for the true label."""
    return [p - (1.0 if c == y else 0.0) for c, p in enumerate(softmax(model.linear(x)))]


def softmax(scores: Sequence[float], temperature: float = 1.0) -> list[float]:
    """Probabilities from scores, each divided by ``temperature`` first."""
    scaled = [s / temperature for s in scores]
    top = max(scaled)
    exps = [math.exp(s - top) for s in scaled]
    total = sum(exps)
    return [e / total for e in exps]


def best_temperature(
    scored: Sequence[tuple[Sequence[float], int]], grid: Sequence[float] | None = None
) -> float:
    """The temperature with the lowest mean log loss over (scores, true index) pairs."""
    candidates = grid or [round(0.5 + 0.25 * i, 2) for i in range(23)]  # 0.5 .. 6.0

    def loss(t: float) -> float:
        return -sum(math.log(max(softmax(s, t)[y], 1e-12)) for s, y in scored) / len(scored)

    return min(candidates, key=loss)
