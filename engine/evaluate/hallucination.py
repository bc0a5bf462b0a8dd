"""Hallucinated facts: a fact in an answer that is neither in its reference nor anywhere in the
training data. A wrong-but-known fact ("30 days" when the reference says 12, but 30 days is the
expense deadline elsewhere) is a mix-up; a fact the model could not have learned from the data
(a "$750 allowance" nobody ever wrote) is invented, and is counted separately.

    index = FactIndex.from_texts(training_responses)
    index.invented(answer, reference) -> list[Fact]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from engine.evaluate.judge import POLARITY_KINDS, Fact, compare_facts, extract_facts, same_value


@dataclass
class FactIndex:
    by_slot: dict[str, list[Fact]] = field(default_factory=dict)
    texts_lower: list[str] = field(default_factory=list)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "FactIndex":
        index = cls()
        for text in texts:
            index.add(text)
        return index

    def add(self, text: str) -> None:
        self.texts_lower.append((text or "").lower())
        for f in extract_facts(text):
            known = self.by_slot.setdefault(f.slot, [])
            if not any(same_value(f, k) for k in known):
                known.append(f)

    def __len__(self) -> int:
        return sum(len(v) for v in self.by_slot.values())

    def knows(self, fact: Fact) -> bool:
        if any(same_value(fact, k) for k in self.by_slot.get(fact.slot, ())):
            return True
        if fact.kind == "policy":
            return any(fact.value in t for t in self.texts_lower)
        return False

    def invented(self, answer: str, reference: str, question: str | None = None) -> list[Fact]:
        """Facts of `answer` found neither in `reference` (nor the `question`) nor in the indexed
        training texts."""
        _missing, contradictions, added = compare_facts(answer, reference, question)
        out: list[Fact] = []
        for f in [a for a, _r in contradictions] + added:
            if f.kind in POLARITY_KINDS or any(same_value(f, o) for o in out):
                continue
            if not self.knows(f):
                out.append(f)
        return out
