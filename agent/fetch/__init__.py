"""Fetching pages: httpx for complete pages, headless Chromium for pages that need JavaScript.

The public surface is `Fetcher` (one per run); `BrowserPool` lets several fetchers share one
browser (tests do), and `find_chromium` says which browser would be used.
"""

from agent.fetch.browser import BrowserPool, find_chromium
from agent.fetch.fetcher import Fetcher
from agent.fetch.safety import Resolver

__all__ = ["BrowserPool", "Fetcher", "Resolver", "find_chromium"]
