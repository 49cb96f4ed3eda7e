"""What the bulk services of every app share (``network.services.bulk_upsert_people``,
``gatherings.services.bulk_register``, ...).

A bulk service takes a list of rows (dicts). Each row may carry ``"row"``, its
number as the caller knows it (a spreadsheet row); otherwise its position,
counted from 1. It checks every row with the same rules as the single-row
service, plans what it would do (``BulkPlan``: one ``RowOutcome`` per row,
every ``RowProblem`` by row and field), and either stops there (``plan_*``:
reads only, for a preview) or, when no row has a problem, writes everything in
one transaction with one query per kind of record per chunk (``bulk_*``).
Any problem refuses the whole call with ``RowProblems``: nothing is written.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .errors import ServiceError

CREATE, UPDATE, SKIP = "create", "update", "skip"


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str | None  # the service's field name ("email", "organisation", ...)
    message: str
    code: str = "invalid"

    @classmethod
    def of(cls, row, error: ServiceError):
        return cls(row, error.field, error.message, error.code)


class RowProblems(ServiceError):
    """Some rows of a bulk call do not fit: nothing was written. ``problems``
    lists every one of them, by row and field."""

    def __init__(self, problems):
        count = len(problems)
        super().__init__(
            ngettext("%(count)s problem found; nothing was saved.", "%(count)s problems found; nothing was saved.",
                     count) % {"count": count},
            code="problems",
        )
        self.problems = list(problems)


@dataclass(slots=True)
class RowOutcome:
    """What a bulk service does (or would do) with one row."""

    row: int
    action: str  # create | update | skip
    record: Any = None  # the model instance concerned (or the stand-in of one to create)
    changes: dict = field(default_factory=dict)  # the fields written: all of them for a create
    kept: dict = field(default_factory=dict)  # fields given but left as recorded: {field: recorded value}
    reason: str = ""  # for a skip: "unchanged", or why it may not be changed (e.g. "decided")


@dataclass
class BulkPlan:
    outcomes: list[RowOutcome] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    memberships: list = field(default_factory=list)  # (person, organisation id) added to the registry along the way
    writes: Any = field(default=None, repr=False)  # what the owning service will write (its own business)

    @property
    def ok(self):
        return not self.problems

    def count(self, action):
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    def problem(self, row, error: ServiceError):
        self.problems.append(RowProblem.of(row, error))

    def raise_problems(self):
        if self.problems:
            self.problems.sort(key=lambda problem: problem.row)
            raise RowProblems(self.problems)


def row_number(row: dict, index: int) -> int:
    return row.get("row") or index + 1


def conflict_error():
    """A unique constraint or a conditional update lost a race with another writer."""
    return ServiceError(
        _("Someone changed the same records at the same time. Nothing was saved; please try again."), code="conflict"
    )


def chunk_size() -> int:
    limit = connection.features.max_query_params or 5000
    return max(1, min(limit - 50, 5000))


def chunks(values, reserve=0):
    """Lists of at most as many values as the database takes in one query
    (SQLite: 999 parameters), minus ``reserve`` used by the rest of the query."""
    values = list(values)
    size = max(1, chunk_size() - reserve)
    for start in range(0, len(values), size):
        yield values[start:start + size]
