"""Intent accuracy and latency of the understanding back ends, against the rules.

Data: ``src/recoup/evaluation/data/utterances_dev.jsonl`` only. The rules alone and the
default reading (rules plus the learned model, which was trained on dev among others, so its
figure there is a training figure) are scored on every row as the evaluation scores them
(``labels.reading``). The embeddings classifier is scored by
k-fold cross-validation: each fold is classified by a classifier trained on the other folds, so
no row is ever both training and test. Three readings of each embeddings run are reported:

- ``raw``: the classifier's label alone;
- ``guarded``: ``understand_with`` (the rules keep opt-out, human, card data, language);
- ``rules-first``: ``understand_with(..., rules_first=CONFIDENCE_FLOOR)``, the classifier asked
  only where the rules are below the dialog's confidence floor; timed end to end (rules plus
  the classifier when asked), with the share of replies it was asked about.

The LLM adapter runs against the local fake server, so only its latency means anything (HTTP on
loopback plus validation); its accuracy would be the fake's and is not printed.

Run: ``.venv/bin/python bench/bench_backends.py [--folds 5] [--k 7] [--seed 7]``.
``--score-on SPLIT`` instead trains the embeddings on ``--train-on`` (by default the sets the
learned model was trained on) and scores every back end on SPLIT: the fair comparison.
(the embeddings part needs ``torch==2.13.0`` and ``recoup[embeddings]``; it is skipped, with a
note, without them).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import SecretStr

from recoup.agent.backends import Classifier, understand_with
from recoup.agent.backends.fake_llm import FakeChatServer
from recoup.agent.backends.llm import LlmClassifier
from recoup.agent.flow import CONFIDENCE_FLOOR
from recoup.agent.learned.training import TRAINING_SPLITS
from recoup.agent.understand import understand, understand_rules
from recoup.domain.errors import ConfigError
from recoup.evaluation.datasets import Utterance, load_split
from recoup.evaluation.labels import reading

KEY, MODEL = "sk-bench-local", "fake-model"


@dataclass
class Run:
    """Predicted labels by row id and the milliseconds each took."""

    name: str
    predicted: dict[str, str]
    ms: list[float]


class Fixed:
    """A classifier that replays one answer, to compose a measured reading with the rules."""

    def __init__(self, label: str, confidence: float) -> None:
        self.answer = (label, confidence)

    def classify(self, text: str, context: str) -> tuple[str, float]:
        return self.answer


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def report(run: Run, rows: Sequence[Utterance]) -> None:
    by_context: dict[str, Counter[bool]] = defaultdict(Counter)
    for row in rows:
        by_context[row.context][run.predicted[row.id] == row.label] += 1
    right = sum(c[True] for c in by_context.values())
    parts = "  ".join(
        f"{ctx} {c[True] / (c[True] + c[False]):.3f}" for ctx, c in sorted(by_context.items())
    )
    timing = (
        f"p50 {percentile(run.ms, 0.5):7.2f} ms  p95 {percentile(run.ms, 0.95):7.2f} ms"
        if run.ms
        else " " * 33
    )
    print(f"{run.name:<44} acc {right / len(rows):.3f} ({right}/{len(rows)})  {timing}  {parts}")


def default_runs(rows: Sequence[Utterance]) -> list[Run]:
    """The rules alone, and the default install's reading (rules plus the learned model)."""
    understand("warm up the date parser and the model on friday", rows[0].now, rows[0].tz)
    rules, default = Run("rules alone", {}, []), Run("default (rules + learned model)", {}, [])
    for row in rows:
        start = time.perf_counter()
        u = understand_rules(row.text, row.now, row.tz)
        rules.ms.append((time.perf_counter() - start) * 1000)
        rules.predicted[row.id] = reading(u, row.context)
        start = time.perf_counter()
        u = understand(row.text, row.now, row.tz, row.context)
        default.ms.append((time.perf_counter() - start) * 1000)
        default.predicted[row.id] = reading(u, row.context)
    return [rules, default]


def folds(rows: Sequence[Utterance], n: int, seed: int) -> list[list[Utterance]]:
    """Stratified by (context, label), so every fold sees every label."""
    groups: dict[tuple[str, str], list[Utterance]] = defaultdict(list)
    for row in rows:
        groups[(row.context, row.label)].append(row)
    out: list[list[Utterance]] = [[] for _ in range(n)]
    rng, i = random.Random(seed), 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for row in members:
            out[i % n].append(row)
            i += 1
    return out


Split = tuple[list[Utterance], list[Utterance]]  # (train, test)


def cross_validation(rows: Sequence[Utterance], n: int, seed: int) -> list[Split]:
    parts = folds(rows, n, seed)
    return [([r for g, p in enumerate(parts) if g != f for r in p], test)
            for f, test in enumerate(parts)]  # fmt: skip


def embeddings_runs(splits: list[Split], args: argparse.Namespace) -> list[Run]:
    from recoup.agent.backends.embeddings import EmbeddingClassifier, Example, load_encoder

    start = time.perf_counter()
    encoder = load_encoder()
    print(f"embeddings model load: {time.perf_counter() - start:.1f} s (once per process)")
    encoder.encode(["warm up"])
    runs: list[Run] = []
    for method in ("knn", "centroid"):
        raw, guarded, first = (Run(f"embeddings-{method}-{v}", {}, []) for v in
                               ("raw", "guarded", "rules-first"))  # fmt: skip
        asked = scored = 0
        for train, test in splits:
            scored += len(test)
            clf = EmbeddingClassifier(
                [Example(r.text, r.context, r.label) for r in train],
                encoder=encoder, method=method, k=args.k,
            )  # fmt: skip
            for row in test:
                t0 = time.perf_counter()
                label, confidence = clf.classify(row.text, row.context)
                raw.ms.append((time.perf_counter() - t0) * 1000)
                raw.predicted[row.id] = label
                u = understand_with(Fixed(label, confidence), row.text, row.now, row.tz,
                                    context=row.context)  # fmt: skip
                guarded.predicted[row.id] = reading(u, row.context)
                counting = Counting(clf)
                t0 = time.perf_counter()
                u = understand_with(counting, row.text, row.now, row.tz, context=row.context,
                                    rules_first=CONFIDENCE_FLOOR)  # fmt: skip
                first.ms.append((time.perf_counter() - t0) * 1000)
                first.predicted[row.id] = reading(u, row.context)
                asked += counting.calls
        first.name += f" ({asked / scored:.0%} asked)"
        runs += [raw, guarded, first]
    return runs


class Counting:
    """Passes through to a classifier and counts the calls: how often the rules deferred."""

    def __init__(self, inner: Classifier) -> None:
        self.inner, self.calls = inner, 0

    def classify(self, text: str, context: str) -> tuple[str, float]:
        self.calls += 1
        return self.inner.classify(text, context)


def llm_latency(rows: Sequence[Utterance], n: int) -> Run:
    """Adapter latency only: HTTP on loopback to the fake, request building, validation."""

    def answer(body: dict[str, object]) -> str:
        schema = json.dumps(body["response_format"])
        intent = "yes" if '"yes"' in schema else "other"
        return json.dumps({"intent": intent, "confidence": 0.9, "promise_date": None,
                           "channel": None})  # fmt: skip

    ms: list[float] = []
    with FakeChatServer(api_key=KEY, model=MODEL, responder=answer) as server:
        client = LlmClassifier(base_url=server.base_url, api_key=SecretStr(KEY), model=MODEL)
        with client:
            for row in list(rows)[:n]:
                start = time.perf_counter()
                client.classify(row.text, row.context)
                ms.append((time.perf_counter() - start) * 1000)
    return Run(f"llm adapter (fake, n={len(ms)})", {}, ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--k", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--llm-requests", type=int, default=200)
    parser.add_argument(
        "--score-on", metavar="SPLIT", default=None,
        help="train the embeddings on --train-on and score every back end on SPLIT",
    )  # fmt: skip
    parser.add_argument(
        "--train-on", metavar="SPLITS", default=",".join(TRAINING_SPLITS),
        help="comma-separated dev sets the embeddings learn from with --score-on "
        "(default: the learned model's own training sets, for a like-for-like comparison)",
    )  # fmt: skip
    args = parser.parse_args()
    dev = load_split("dev")
    train_rows = [r for s in args.train_on.split(",") for r in load_split(s)]
    rows = load_split(args.score_on) if args.score_on else dev
    counts = Counter(r.context for r in rows)
    print(f"scored on {args.score_on or 'dev'}: {len(rows)} rows {dict(sorted(counts.items()))}")
    runs = default_runs(rows)
    try:
        if args.score_on:
            runs += embeddings_runs([(train_rows, rows)], args)
            print(f"embeddings: trained on {len(train_rows)} rows of {args.train_on}, k={args.k}")
        else:
            runs += embeddings_runs(cross_validation(dev, args.folds, args.seed), args)
            print(f"embeddings: {args.folds}-fold cross-validation, k={args.k}, seed {args.seed}")
    except ConfigError as exc:
        print(f"embeddings skipped: {exc}")
    for run in runs:
        report(run, rows)
    llm = llm_latency(rows, args.llm_requests)
    print(f"{llm.name:<44} {'':<20}  p50 {percentile(llm.ms, 0.5):7.2f} ms  "
          f"p95 {percentile(llm.ms, 0.95):7.2f} ms  (latency only)")  # fmt: skip


if __name__ == "__main__":
    main()
