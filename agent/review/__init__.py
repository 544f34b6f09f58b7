"""Review mode for people: the draft queue's actions (service), the web pages and webhook (`serve`).

The CLI (`zyntro-enrich review ...`) and the web pages share agent.review.service, so a draft is
approved, rejected or edited the same way, with the same checks, whichever door a person uses.
"""
