"""Rule-based text findings: keyword and regular-expression rules from a topic file, applied to fact texts.

A rule fires on a text when, after the rule's ``exclude`` expressions have been blanked out (so
电瓶车 does not count as 电瓶, 非禁渔期 not as 禁渔期), one of its keywords occurs or one of its
patterns matches. The rules are transparent by design: every finding on a page can be traced to
the keyword or pattern that produced it. ``evaluate`` measures precision and recall of the rules
on labelled snippets (the tests hold such a set).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

from analytics.topics.config import TextRule


@cache
def _compiled(rule: TextRule) -> tuple[tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]:
    return tuple(re.compile(p) for p in rule.patterns), tuple(re.compile(p) for p in rule.exclude)


def why(rule: TextRule, text: str) -> str | None:
    """The keyword or matched pattern text that makes ``rule`` fire on ``text``, else None."""
    patterns, exclude = _compiled(rule)
    for ex in exclude:
        text = ex.sub(lambda m: "□" * len(m.group(0)), text)
    for kw in rule.keywords:
        if kw in text:
            return kw
    for p in patterns:
        m = p.search(text)
        if m:
            return m.group(0)
    return None


def matches(rule: TextRule, text: str) -> bool:
    """Whether the rule fires on the text."""
    return why(rule, text) is not None


def find(rules: Iterable[TextRule], text: str) -> set[str]:
    """Ids of the rules that fire on a text."""
    return {r.id for r in rules if matches(r, text)}


@dataclass(frozen=True)
class RuleScore:
    """Confusion counts of one rule on a labelled set, with precision and recall."""

    rule: str
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


def evaluate(rules: Iterable[TextRule], labelled: Iterable[tuple[str, set[str]]]) -> dict[str, RuleScore]:
    """Per rule: true/false positives and negatives over ``(text, expected rule ids)`` pairs."""
    rules = tuple(rules)
    counts: Mapping[str, list[int]] = {r.id: [0, 0, 0, 0] for r in rules}
    for text, expected in labelled:
        got = find(rules, text)
        for r in rules:
            c = counts[r.id]
            hit, want = r.id in got, r.id in expected
            c[0 if hit and want else 1 if hit else 2 if want else 3] += 1
    return {k: RuleScore(k, *v) for k, v in counts.items()}
