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

from .judge import POLARITY_KINDS, Fact, compare_facts, extract_facts


@dataclass
class FactIndex:
    keys: set[tuple[str, str]] = field(default_factory=set)  # (slot, value)
    numbers: set[str] = field(default_factory=set)  # every number value seen, whatever its kind
    policies: set[str] = field(default_factory=set)  # lower-cased policy / form names
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
            self.keys.add((f.slot, f.value))
            if f.kind in ("number", "percent", "amount"):
                self.numbers.add(f.value)
            if f.kind == "policy":
                self.policies.add(f.value.lower())

    def __len__(self) -> int:
        return len(self.keys)

    def knows(self, fact: Fact) -> bool:
        if (fact.slot, fact.value) in self.keys:
            return True
        if fact.kind == "number" and fact.value in self.numbers:
            return True
        if fact.kind == "policy":
            v = fact.value.lower()
            return v in self.policies or any(v in t for t in self.texts_lower)
        return False

    def invented(self, answer: str, reference: str) -> list[Fact]:
        """Facts of `answer` found neither in `reference` nor in the indexed training texts."""
        _missing, contradictions, added = compare_facts(answer, reference)
        candidates = [a for a, _r in contradictions] + added
        out, seen = [], set()
        for f in candidates:
            if f.kind in POLARITY_KINDS or (f.slot, f.value) in seen:
                continue
            seen.add((f.slot, f.value))
            if not self.knows(f):
                out.append(f)
        return out
