"""The internal signal for "this page cannot be had": an outcome and a one-line reason.

Inside the fetch package a problem is raised as `FetchProblem`; `Fetcher.fetch` turns it into a
`FetchResult`, so nothing outside the package ever sees it as an exception.
"""

from __future__ import annotations

from agent.models import Outcome

__all__ = ["FetchProblem"]


class FetchProblem(Exception):
    """A page problem with its outcome and a one-line human reason."""

    def __init__(self, outcome: Outcome, reason: str, *, status: int | None = None, final_url: str | None = None):
        self.outcome = outcome
        self.reason = reason
        self.status = status
        self.final_url = final_url
        super().__init__(f"{outcome.value}: {reason}")
