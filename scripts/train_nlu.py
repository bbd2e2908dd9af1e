"""Regenerate aicc/nlu/data/model.json.gz from the training templates (pure Python, deterministic).

python scripts/train_nlu.py            # k-fold cross-validation, then train on everything and write weights
python scripts/train_nlu.py --no-cv    # skip the cross-validation
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aicc.nlu.features import FEATURE_VERSION
from aicc.nlu.linear import MODEL_PATH, encode_head
from aicc.nlu.training import (
    SEED,
    SENTIMENTS,
    TRAINING_CONFIG,
    Example,
    TrainedHead,
    build_examples,
    build_vocabulary,
    featurize,
    predict,
    to_rows,
    train_head,
    training_data_hash,
)

MODEL_NAME = "local-linear/1"
INTENT_LABELS = (
    "service_booking", "vehicle_feature_help", "vehicle_problem", "roadside_assistance", "recall_inquiry",
    "warranty_inquiry", "purchase_inquiry", "test_drive", "financing", "trade_in", "parts_accessories",
    "complaint", "connected_services", "human_agent", "greeting", "other",
)  # fmt: skip


def cross_validate(examples: list[Example], folds: int) -> dict[str, float]:
    """Stratification-free k-fold over shuffled examples; vocabulary is rebuilt per fold to avoid leakage."""
    order = list(range(len(examples)))
    random.Random(SEED).shuffle(order)
    intent_hits = sentiment_hits = 0
    for fold in range(folds):
        held = {index for position, index in enumerate(order) if position % folds == fold}
        train = [examples[i] for i in order if i not in held]
        test = [examples[i] for i in sorted(held)]
        train_vectors = featurize(train)
        vocabulary = {name: i for i, name in enumerate(build_vocabulary(train_vectors))}
        train_rows = to_rows(train_vectors, vocabulary)
        test_rows = to_rows(featurize(test), vocabulary)
        intent_head = train_head(train_rows, [e.intent for e in train], INTENT_LABELS, len(vocabulary))
        sentiment_head = train_head(train_rows, [e.sentiment for e in train], SENTIMENTS, len(vocabulary))
        fold_intent = sum(predict(intent_head, row) == e.intent for row, e in zip(test_rows, test, strict=True))
        fold_sentiment = sum(
            predict(sentiment_head, row) == e.sentiment for row, e in zip(test_rows, test, strict=True)
        )
        intent_hits += fold_intent
        sentiment_hits += fold_sentiment
        size = len(test)
        print(f"  fold {fold + 1}/{folds}: intent {fold_intent / size:.3f}  sentiment {fold_sentiment / size:.3f}")
    return {
        "folds": folds,
        "intent_accuracy": round(intent_hits / len(examples), 4),
        "sentiment_accuracy": round(sentiment_hits / len(examples), 4),
    }


def prune(heads: list[TrainedHead], vocabulary: list[str], threshold: float) -> list[int]:
    """Feature rows worth shipping: any weight in any head above the threshold."""
    keep = []
    for index in range(len(vocabulary)):
        if any(abs(weight) >= threshold for head in heads for weight in head.weights[index]):
            keep.append(index)
    return keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    args = parser.parse_args()

    started = time.perf_counter()
    examples = build_examples()
    print(f"{len(examples)} training examples")
    print("  intents:", dict(sorted(Counter(e.intent for e in examples).items())))
    print("  sentiment:", dict(Counter(e.sentiment for e in examples)))

    metrics: dict[str, float] = {}
    if not args.no_cv:
        print(f"{args.folds}-fold cross-validation:")
        metrics = cross_validate(examples, args.folds)
        intent_cv, sentiment_cv = metrics["intent_accuracy"], metrics["sentiment_accuracy"]
        print(f"CV intent accuracy {intent_cv:.4f}, sentiment accuracy {sentiment_cv:.4f}")

    vectors = featurize(examples)
    vocabulary = build_vocabulary(vectors)
    index = {name: i for i, name in enumerate(vocabulary)}
    rows = to_rows(vectors, index)
    intent_head = train_head(rows, [e.intent for e in examples], INTENT_LABELS, len(vocabulary))
    sentiment_head = train_head(rows, [e.sentiment for e in examples], SENTIMENTS, len(vocabulary))
    train_accuracy = sum(predict(intent_head, row) == e.intent for row, e in zip(rows, examples, strict=True))
    print(f"training-set intent accuracy {train_accuracy / len(examples):.4f}")

    dev_path = Path(__file__).resolve().parent.parent / "aicc" / "nlu" / "data" / "dev.jsonl"
    if dev_path.exists():
        dev = [json.loads(line) for line in dev_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        dev_rows = to_rows(featurize([Example(r["text"], r["intent"], r["sentiment"]) for r in dev]), index)
        dev_intent = [predict(intent_head, row) for row in dev_rows]
        dev_sentiment = [predict(sentiment_head, row) for row in dev_rows]
        hits = sum(p == r["intent"] for p, r in zip(dev_intent, dev, strict=True))
        sentiment_hits = sum(p == r["sentiment"] for p, r in zip(dev_sentiment, dev, strict=True))
        print(f"dev set ({len(dev)}): intent {hits / len(dev):.3f}  sentiment {sentiment_hits / len(dev):.3f}")
        for predicted, row in zip(dev_intent, dev, strict=True):
            if predicted != row["intent"]:
                print(f"  dev miss: {row['intent']} -> {predicted}: {row['text']}")

    keep = prune([intent_head, sentiment_head], vocabulary, threshold=0.01)
    payload = {
        "format": 1,
        "model": MODEL_NAME,
        "feature_version": FEATURE_VERSION,
        "training_config": TRAINING_CONFIG,
        "training_data_sha256": training_data_hash(),
        "n_examples": len(examples),
        "cross_validation": metrics,
        "vocabulary": "\n".join(vocabulary[i] for i in keep),
        "heads": {
            name: encode_head(head.labels, head.bias, [weight for i in keep for weight in head.weights[i]])
            for name, head in (("intent", intent_head), ("sentiment", sentiment_head))
        },
    }
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    args.output.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))
    print(
        f"wrote {args.output} ({args.output.stat().st_size // 1024} KiB, {len(keep)}/{len(vocabulary)} features) "
        f"in {time.perf_counter() - started:.1f}s"
    )


if __name__ == "__main__":
    main()
