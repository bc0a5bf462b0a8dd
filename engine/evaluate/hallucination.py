"""Hallucinated facts: a fact in an answer that is neither in its reference nor anywhere in the
training data. A wrong-but-known fact ("30 days" when the reference says 12, but 30 days is the
expense deadline elsewhere) is a mix-up; a fact the model could not have learned from the data
(a "$750 allowance" nobody ever wrote) is invented, and is counted separately.

    index = FactIndex.from_texts(training_responses)
    index.invented(answer, reference, question=None) -> list[Fact]

The answer's facts come from the judge (engine/evaluate/judge.py): the values it pairs with a
different reference value and the values and named schemes it finds in no approved text.
"""

from __future__ import annotations

from typing import Iterable

from engine.evaluate.judge import Fact, Knowledge, judge_answer


class FactIndex:
    """What the training answers state (a judge.Knowledge over them)."""

    def __init__(self) -> None:
        self.knowledge = Knowledge()

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> "FactIndex":
        index = cls()
        for text in texts:
            index.add(text)
        return index

    def add(self, text: str) -> None:
        self.knowledge.add(text)

    def __len__(self) -> int:
        return len(self.knowledge)

    def knows(self, fact: Fact) -> bool:
        if fact.kind == "policy":
            return self.knowledge.mentions(str(fact.value))
        return self.knowledge.knows(fact)

    def invented(self, answer: str, reference: str, question: str | None = None) -> list[Fact]:
        """Facts of `answer` found neither in `reference` (nor the `question`) nor in the indexed
        training texts."""
        v = judge_answer(answer, reference, question=question)
        out: list[Fact] = []
        for f in v.contradicting_facts + v.added_facts:
            if any(o.start == f.start and o.end == f.end for o in out):
                continue
            if not self.knows(f):
                out.append(f)
        out.sort(key=lambda f: f.start)
        return out
