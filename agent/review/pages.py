"""The review pages (being built: agent.review.pages)."""


def routes() -> list:
    return []
