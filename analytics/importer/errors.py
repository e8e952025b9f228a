"""Errors of the import chain."""

from __future__ import annotations

from analytics import store
from analytics.casenumber import Problem

StoreError = store.StoreError  # re-exported for the import page

# Status of a row in the import report.
ACCEPTED, CORRECTED, REJECTED = "accepted", "corrected", "rejected"


class ImportRefused(Exception):
    """A file that cannot be read or imported as a whole; carries a bilingual Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


__all__ = ["ACCEPTED", "CORRECTED", "REJECTED", "ImportRefused", "Problem", "StoreError"]
