"""Is a request's User-Agent a bot? Page views by crawlers, link unfurlers and monitors are not
counted in analytics.

A closed list of substrings (case-insensitive) that name automated clients: the generic words
crawlers put in their names (``bot``, ``crawler``, ``spider``), the link-preview fetchers of chat
and social apps (Slack, LinkedIn, Facebook, WhatsApp, …), headless browsers, HTTP libraries and
uptime monitors. A missing or empty User-Agent counts as a bot (browsers always send one).
Browsers that mention none of these are people.
"""

from __future__ import annotations

import re

__all__ = ["is_bot"]

_MARKERS = (
    "bot", "crawl", "spider", "slurp", "scrape", "preview", "unfurl", "fetcher", "facebookexternalhit",
    "facebookcatalog", "linkedinbot", "embedly", "whatsapp", "telegram", "skypeuripreview", "discord",
    "headlesschrome", "phantomjs", "puppeteer", "playwright", "selenium", "lighthouse", "pagespeed",
    "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client",
    "java/", "okhttp", "node-fetch", "axios/", "libwww-perl", "httpclient", "monitor", "pingdom",
    "uptime", "statuscake", "site24x7", "datadog", "newrelic", "googleother", "google-inspectiontool",
    "mediapartners-google", "adsbot", "apis-google", "feedfetcher", "bingpreview", "yahoo! slurp",
    "ia_archiver", "archive.org", "petalsearch", "yandex", "baiduspider", "sogou", "gptbot", "ccbot",
    "claudebot", "anthropic-ai", "perplexity", "bytespider", "applebot", "amazonbot",
)  # fmt: skip
_PATTERN = re.compile("|".join(re.escape(m) for m in _MARKERS), re.IGNORECASE)
MAX_LENGTH = 1024


def is_bot(user_agent: str | None) -> bool:
    """True for a missing User-Agent or one naming an automated client (the first ``MAX_LENGTH``
    characters are looked at)."""
    if not user_agent or not user_agent.strip():
        return True
    return _PATTERN.search(user_agent[:MAX_LENGTH]) is not None
