"""Sign-in, sessions and CSRF (being built: agent.review.auth)."""


def middleware(state: object) -> list:
    return []
