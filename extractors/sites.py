"""Which hosts are platforms (labelled with their own name) and which are personal hosting."""

from __future__ import annotations

from extractors.html import registrable_domain
from extractors.urls import host_of, on_domain

__all__ = ["KNOWN_SITES", "PERSONAL_HOSTS", "is_personal_host", "is_platform", "platform_name"]

# Platforms whose pages are labelled with the platform's name (host or registrable domain -> label).
KNOWN_SITES = {
    "medium.com": "Medium",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "bsky.app": "Bluesky",
    "vimeo.com": "Vimeo",
    "youtube.com": "YouTube",
    "tiktok.com": "TikTok",
    "mastodon.social": "Mastodon",
    "reddit.com": "Reddit",
    "dev.to": "DEV Community",
    "substack.com": "Substack",
    "behance.net": "Behance",
    "dribbble.com": "Dribbble",
    "stackoverflow.com": "Stack Overflow",
    "gitlab.com": "GitLab",
    "bitbucket.org": "Bitbucket",
    "crunchbase.com": "Crunchbase",
    "wellfound.com": "Wellfound",
    "producthunt.com": "Product Hunt",
    "pinterest.com": "Pinterest",
    "threads.net": "Threads",
    "soundcloud.com": "SoundCloud",
    "flickr.com": "Flickr",
    "linktr.ee": "Linktree",
    "xing.com": "XING",
    "quora.com": "Quora",
    "twitch.tv": "Twitch",
    "kaggle.com": "Kaggle",
    "huggingface.co": "Hugging Face",
    "npmjs.com": "npm",
    "pypi.org": "PyPI",
    "researchgate.net": "ResearchGate",
    "orcid.org": "ORCID",
    "scholar.google.com": "Google Scholar",
    "wikipedia.org": "Wikipedia",
    "angel.co": "AngelList",
    "linkedin.com": "LinkedIn",
    "x.com": "Twitter",
    "twitter.com": "Twitter",
    "github.com": "GitHub",
    "plus.google.com": "Google+",
    "spotify.com": "Spotify",
    "t.me": "Telegram",
    "telegram.me": "Telegram",
    "bandcamp.com": "Bandcamp",
    "patreon.com": "Patreon",
    "goodreads.com": "Goodreads",
    "tumblr.com": "Tumblr",
    "deviantart.com": "DeviantArt",
    "artstation.com": "ArtStation",
    "unsplash.com": "Unsplash",
    "500px.com": "500px",
    "letterboxd.com": "Letterboxd",
    "last.fm": "Last.fm",
    "mixcloud.com": "Mixcloud",
    "discord.com": "Discord",
    "slideshare.net": "SlideShare",
    "speakerdeck.com": "Speaker Deck",
    "codepen.io": "CodePen",
    "hashnode.com": "Hashnode",
    "keybase.io": "Keybase",
    "angellist.com": "AngelList",
    "meetup.com": "Meetup",
    "snapchat.com": "Snapchat",
    "vk.com": "VK",
    "weibo.com": "Weibo",
    "ok.ru": "OK",
    "imdb.com": "IMDb",
}
# Hosting where a site belongs to one person (any path is a personal site).
PERSONAL_HOSTS = (
    "github.io",
    "gitlab.io",
    "wordpress.com",
    "blogspot.com",
    "netlify.app",
    "vercel.app",
    "pages.dev",
    "carrd.co",
    "about.me",
    "micro.blog",
    "neocities.org",
    "bearblog.dev",
    "write.as",
)


def platform_name(url: str) -> str:
    """The platform's name for a URL on a known platform, else ''."""
    host = host_of(url)
    return (
        KNOWN_SITES.get(host)
        or KNOWN_SITES.get(host.removeprefix("www."))
        or KNOWN_SITES.get(registrable_domain(host), "")
    )


def is_platform(url: str) -> bool:
    """True when the URL is on a known platform (social network, code host, ...)."""
    return bool(platform_name(url))


def is_personal_host(url: str) -> bool:
    """True when the URL is on personal hosting (github.io, wordpress.com, ...)."""
    return on_domain(host_of(url), PERSONAL_HOSTS) is not None
