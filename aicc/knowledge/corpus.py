"""The shipped knowledge corpus: owner's-manual, FAQ and policy passages with their applicability.

Files live in `aicc/data/knowledge/*.json`, each `{"collection": "...", "passages": [...]}`. A passage
applies to the models in `models` and the model years in `years`; an empty list means "all".
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.events import Passage

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CORPUS_DIR = DATA_DIR / "knowledge"

PassageKind = Literal["manual", "faq", "policy"]
# Same scales as contracts.events.CockpitGuidance.severity and RecallNotice.severity.
WarningSeverity = Literal["info", "caution", "warning", "critical"]
RecallSeverity = Literal["low", "medium", "high", "critical"]

# Kendra attribute filters cannot express "attribute absent", so passages for every model/year carry
# this value instead of an empty list (see `kendra_metadata`).
KENDRA_ANY = "all"


class CorpusPassage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")
    kind: PassageKind
    title: str = Field(min_length=1)
    section: str = Field(min_length=1)
    uri: str = Field(pattern=r"^https://[a-z0-9.-]+\.example(/|$)")
    text: str = Field(min_length=1)
    models: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    # Structured facts some agents use directly (cockpit assistant, CDH insights); None when n/a.
    severity: WarningSeverity | None = None
    safe_to_drive: bool | None = None
    recall_id: str | None = None
    recall_severity: RecallSeverity | None = None

    def applies_to_model(self, model: str) -> bool:
        return not self.models or model in self.models

    def applies_to_year(self, year: int) -> bool:
        return not self.years or year in self.years

    def to_passage(self, score: float) -> Passage:
        return Passage(
            doc_id=self.doc_id,
            title=self.title,
            text=self.text,
            uri=self.uri,
            score=score,
            section=self.section,
            kind=self.kind,
            models=list(self.models),
            model_years=list(self.years),
        )

    def kendra_metadata(self) -> dict[str, Any]:
        """The S3 `<object>.metadata.json` body for this passage when the corpus is seeded for Kendra.

        The index needs the custom attributes `section` (STRING) and `models`, `model_years`,
        `topics` (STRING_LIST); `_source_uri` and `_category` are Kendra's reserved fields.
        """
        return {
            "DocumentId": self.doc_id,
            "Title": self.title,
            "ContentType": "PLAIN_TEXT",
            "Attributes": {
                "_source_uri": self.uri,
                "_category": self.kind,
                "section": self.section,
                "models": list(self.models) or [KENDRA_ANY],
                "model_years": [str(year) for year in self.years] or [KENDRA_ANY],
                "topics": list(self.topics),
            },
        }


_lock = threading.Lock()
_cached: tuple[CorpusPassage, ...] | None = None


def corpus() -> tuple[CorpusPassage, ...]:
    """The parsed corpus, read once per process (files in name order, passages in file order)."""
    global _cached
    if _cached is None:
        with _lock:
            if _cached is None:
                _cached = _read(CORPUS_DIR)
    return _cached


def load_corpus() -> list[CorpusPassage]:
    return list(corpus())


_catalog_models: dict[str, str] | None = None


def canonical_model(name: str | None) -> str | None:
    """'cirrus', 'Aurora Cirrus', 'Borealis Plug-in Hybrid' -> the catalog model name; None if unknown."""
    global _catalog_models
    if not name:
        return None
    if _catalog_models is None:
        catalog = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
        _catalog_models = {model["name"].lower(): model["name"] for model in catalog["models"]}
    for word in name.lower().replace("-", " ").split():
        found = _catalog_models.get(word)
        if found is not None:
            return found
    return None


def body_nouns() -> dict[str, str]:
    """The noun of each model's body type ("pickup truck" -> "truck") -> the model, for the nouns only
    one model has: the catalog's own words for "my truck", "an suv"."""
    catalog = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for model in catalog["models"]:
        words = str(model.get("body") or "").lower().split()
        if words:
            found.setdefault(words[-1], []).append(model["name"])
    return {noun: models[0] for noun, models in found.items() if len(models) == 1}


def _read(directory: Path) -> tuple[CorpusPassage, ...]:
    passages: list[CorpusPassage] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        for raw in body["passages"]:
            passage = CorpusPassage.model_validate(raw)
            if passage.doc_id in seen:
                raise ValueError(f"duplicate doc_id {passage.doc_id!r} in {path.name}")
            seen.add(passage.doc_id)
            passages.append(passage)
    return tuple(passages)
