"""What page content may never do: carry instructions, secrets or special-category data into a profile.

Page text is untrusted. Lines that look like instructions to a model (or hold fake JSON, chat markup,
secrets, or our own delimiter tags) are removed before the text reaches a prompt or the grounding
corpus, so a value copied from them is unsupported. Besides known phrasings ("ignore previous
instructions"), addresses_machine() flags text written *to* whoever processes the page: it names a
machine reader (AI, assistant, model, CRM, summariser, "the system", instructions, prompt) and gives
it a directive (an imperative verb) or talks about records, fields, keys or the summary. These
patterns are a heuristic first line; the structural checks of agent.condense.grounding (known keys,
facts of a compatible key, vetted contacts) are the backstop for any phrasing they miss.
"""

from __future__ import annotations

import re

from agent.condense.text import split_sentences

__all__ = [
    "DELIMITER_TAG",
    "addresses_machine",
    "is_secret_key",
    "looks_like_injection",
    "neutralise_tags",
    "redact_secrets",
    "sanitise_text",
    "secret_in",
    "special_category_in",
    "strip_hostile",
    "special_category_key",
]

DELIMITER_TAG = "untrusted_page_text"

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+|your\s+|every\s+)*"
    r"(previous|prior|above|earlier|preceding|former|system)?\s*(instructions?|prompts?|rules|directions)"
    r"|(ignore|disregard|forget)\s+(all\s+|of\s+|everything\s+|the\s+|what\s+)*(above|previous|prior|preceding|before)\b"
    r"|system\s+prompt|developer\s+message|new\s+instructions?|you\s+are\s+now\b|act\s+as\s+(an?|the)\b"
    r"|(set|change|replace|make)\s+(the\s+)?summary\b|summary\s+(should|must)\b"
    r"|(add|include|insert|output|emit)\s+(a\s+|an\s+|the\s+)?(new\s+)?(key|field|property)\b"
    r"|respond\s+(only\s+)?with|reveal\s+(your|the)\b|\bprompt\s+injection\b"
    r"|^\s*(system|assistant|user)\s*:|<\|?\s*(im_start|im_end|system|endoftext)"
    r"|</?\s*untrusted|\[/?inst\]",
    re.IGNORECASE | re.MULTILINE,
)

# --- text written to the machine that reads the page (any phrasing, not a list of sentences) ---------
# Who a directive is aimed at. Alone these words are ordinary ("AI researcher", "prompt engineer"), so
# they count only together with a directive or with talk about the record being written, in one sentence.
_AUDIENCE = (
    r"(?:ai|a\.i\.|artificial\s+intelligence|llms?|(?:large\s+)?language\s+models?|chat\s?bots?"
    r"|chat\s?gpt|gpt[-\s]?\d\w*|claude|gemini|copilot|ai\s+(?:assistants?|agents?|tools?|models?)"
    r"|summari[sz]ers?|(?:the|this|your)\s+system|instructions?|prompts?)"
)
# Addressees too common in people's own words ("send it to my assistant") to count without an address form.
_WEAK_AUDIENCE = r"(?:assistants?|agents?|models?|bots?|crawlers?|scrapers?|crm|tools?)"
_READER = rf"(?:{_AUDIENCE}|{_WEAK_AUDIENCE})"
_AUDIENCE_RE = re.compile(rf"\b{_AUDIENCE}\b", re.IGNORECASE)
# Verbs that change what gets written; generic ones ("use", "create", "build") are marketing copy's staple.
_VERBS = (
    r"(?:put|add|set|write|include|insert|ignore|disregard|send|forward|replace|record|store|save"
    r"|mark|flag|tell|say|state|change|update|enter|remember|output|label|classify|treat|assign|fill"
    r"|populate|append|omit|remove|delete|exclude|route|pay|report|copy|describe|summari[sz]e)"
)
# Text that speaks to its reader as a machine: "Note for AI assistants", "Dear summariser",
# "If you are a language model", "Assistant tools summarising this page", "ChatGPT, write ...".
_ADDRESS = re.compile(
    rf"\b(?:note|message|memo|notice|attention|instructions?|hint|reminder|request|directive)s?\s*(?:for|to)\s+"
    rf"(?:all\s+|any\s+|the\s+|every\s+|each\s+)?(?:\w+\s+)?{_READER}\b"
    rf"|\b(?:dear|hey|hello|attn)\b[\s,:]+(?:the\s+|an?\s+)?(?:\w+\s+)?{_READER}\b"
    rf"|\bif\s+you\s+(?:are|were)\s+(?:an?\s+|the\s+)?(?:\w+\s+)?{_READER}\b"
    rf"|\byou\s+are\s+(?:an?\s+)?(?:ai|llm|(?:large\s+)?language\s+model|assistant|chat\s?bot|summari[sz]er|bot)\b"
    rf"|\b{_READER}\s+(?:\w+\s+)?(?:reading|summari[sz]ing|processing|parsing|scraping|crawling|indexing"
    rf"|writing|ingesting|analy[sz]ing|visiting)\s+(?:this|these|my|our|crm|contact)\s+(?:\w+\s+)?"
    rf"(?:page|profile|site|website|text|content|document|records?|bio|entr(?:y|ies)|card)\b"
    rf"|(?:\b{_AUDIENCE}\s*[,:]|\b(?:assistant|bot|agent|model)s?\s*,)\s*(?:please\s+|kindly\s+)?{_VERBS}\b",
    re.IGNORECASE,
)
# A directive: an imperative verb opening a clause, after "please"/"kindly", or after "you must".
_DIRECTIVE = re.compile(
    rf"(?:^\W*|[:;!?.\u2014\u2013]\s+|[\"\u201c(]|\b(?:please|kindly)\s+"
    rf"|\byou\s+(?:must|should|shall|need\s+to|have\s+to|are\s+to)\s+(?:always\s+)?){_VERBS}\b"
    rf"|\b(?:must|should|shall|is\s+to|are\s+to)\s+be\s+(?:put|added|set|written|included|recorded|stored"
    rf"|saved|sent|replaced|flagged|marked|listed|noted|entered|used|treated|labell?ed)\b",
    re.IGNORECASE,
)
# Talk about the record being written: its fields, keys, summary or CRM entry.
_RECORD_TALK = re.compile(
    r"\b(?:field|key|property|column|attribute|slot)\s+(?:named|called|labell?ed|titled)\b"
    r"|\b(?:field|key|property|column|attribute)\s+[`'\"\u2018\u201c]?[a-z][a-z0-9]*_[a-z0-9_]+"
    r"|\b(?:under|into)\s+(?:the|a|an|its|their)\s+(?:new\s+|separate\s+)?(?:key|property|column|attribute)\b"
    r"|\b(?:crm|contact|customer)\s+(?:records?|entr(?:y|ies)|fields?|notes?|summary|database)\b"
    r"|\b(?:the|your|this|its)\s+(?:\w+\s+)?summary\s+(?:is|should|must|reads?|says?|shall)\b"
    r"|\b(?:record|store|save|log)\s+(?:that|this\s+person|the\s+contact)\b",
    re.IGNORECASE,
)


def addresses_machine(text: str) -> bool:
    """True when a sentence speaks to the machine reading the page: a directive or record talk aimed at it."""
    for line in text.splitlines():
        for sentence in split_sentences(line):
            if _ADDRESS.search(sentence):
                return True
            directive, record = bool(_DIRECTIVE.search(sentence)), bool(_RECORD_TALK.search(sentence))
            if (directive and record) or ((directive or record) and _AUDIENCE_RE.search(sentence)):
                return True
    return False


# A JSON object literal in prose ({"key": ...}) is never profile content, and a favourite carrier.
_FAKE_JSON = re.compile(r"\{[^{}]{0,400}[\"']\s*:\s*[^{}]{0,400}\}")

_SECRET_VALUE = re.compile(
    r"\bsk-[A-Za-z0-9_-]{12,}|\bsk_(live|test)_[A-Za-z0-9]{8,}|\bAKIA[0-9A-Z]{16}\b"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bxox[abprs]-[A-Za-z0-9-]{10,}"
    r"|\bAIza[0-9A-Za-z_-]{30,}|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    r"|\b(api[_ -]?key|password|passwd|secret|access[_ -]?token|bearer)\b\s*[:=]\s*\S+",
    re.IGNORECASE,
)
_SECRET_KEY_PARTS = {
    "password",
    "passwd",
    "secret",
    "secrets",
    "token",
    "apikey",
    "credential",
    "credentials",
    "cookie",
    "cookies",
    "bearer",
    "session",
    "otp",
    "pin",
}
_SECRET_KEY_PAIRS = ("api_key", "private_key", "access_key", "secret_key", "auth_key", "ssh_key")

# Special categories of personal data (GDPR art. 9): never part of a professional profile.
# Word lists are a heuristic: they may drop an innocent sentence, which is the safe side to err on.
_SPECIAL = {
    "health": r"diagnos(ed|is)|cancer|diabetes|depression|anxiety\s+disorder|adhd|autis(m|tic)|pregnan(t|cy)"
    r"|disabilit(y|ies)|chronic\s+illness|hiv|mental\s+illness|bipolar|schizophreni\w*",
    "religion": r"religio(n|us)|christian(ity)?|catholic|muslim|islam(ic)?|jewish|judaism|hindu(ism)?"
    r"|buddhis[mt]|atheis[mt]|evangelical|born[- ]again",
    "politics": r"(democrat|republican)s?|democratic\s+party|socialist|communist|maga|tory"
    r"|political\s+(views?|affiliation|party|opinions?)|labour\s+party",
    "sexuality": r"gay|lesbian|bisexual|transgender|queer|lgbt\w*|sexual\s+orientation|heterosexual|homosexual",
    "ethnicity": r"ethnicity|ethnic\s+origin|racial\s+(origin|identity)",
    "union membership": r"trade\s+union\s+member\w*|union\s+membership",
}
_SPECIAL_RE = {name: re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE) for name, pattern in _SPECIAL.items()}
_SPECIAL_KEY = re.compile(
    r"^(religio|politic|health_(status|condition|issue)|medical_(condition|history)|diagnos|disabilit"
    r"|sexual|ethnic|race$|racial|trade_union|union_member)",
)


def looks_like_injection(text: str) -> bool:
    """True when the text reads like instructions to a model, fake JSON or chat markup."""
    return bool(_INJECTION.search(text) or _FAKE_JSON.search(text) or addresses_machine(text))


def secret_in(text: str) -> bool:
    """True when the text holds something shaped like a credential (API key, token, password)."""
    return bool(_SECRET_VALUE.search(text))


def redact_secrets(text: str) -> str:
    """The text with anything credential-shaped replaced by "***" (for reports and logs)."""
    return _SECRET_VALUE.sub("***", text)


def is_secret_key(key: str) -> bool:
    """True for payload keys that name a credential (api_key, password, access_token, ...)."""
    low = key.lower()
    return any(pair in low for pair in _SECRET_KEY_PAIRS) or bool(_SECRET_KEY_PARTS & set(low.split("_")))


def special_category_key(key: str) -> bool:
    """True for payload keys that name special-category data (religion, health, ...)."""
    return bool(_SPECIAL_KEY.match(key.lower()))


def special_category_in(text: str, allowed: tuple[str, ...] = ()) -> str | None:
    """The special category the text touches (e.g. "religion"), ignoring the `allowed` phrases."""
    for phrase in sorted(allowed, key=len, reverse=True):
        if phrase:
            text = re.sub(re.escape(phrase), " ", text, flags=re.IGNORECASE)
    for name, pattern in _SPECIAL_RE.items():
        if pattern.search(text):
            return name
    return None


def neutralise_tags(text: str) -> str:
    """Defang our delimiter tag inside data so it can neither close nor open a block."""
    return re.sub(r"<(\s*/?\s*)(untrusted_\w*)", r"‹\1\2", text, flags=re.IGNORECASE)


def sanitise_text(text: str) -> tuple[str, list[str]]:
    """The text without suspicious lines (instructions, fake JSON, secrets); also returns what was cut."""
    kept: list[str] = []
    removed: list[str] = []
    for line in text.splitlines():
        if len(line) > _LONG_LINE:
            line = _sanitise_long_line(line, removed)
        elif _line_is_hostile(line):
            removed.append(line.strip())
            continue
        kept.append(line)
    return "\n".join(kept).strip(), [r for r in removed if r]


def strip_hostile(text: str) -> tuple[str, list[str]]:
    """Prose (a bio, a description) without hostile sentences and the sentence after each; also what was cut."""
    # A fake JSON object goes on its own line so the sentences around it survive.
    text = re.sub(r"(\{[^{}]*\})", r"\n\1\n", text)
    kept: list[str] = []
    removed: list[str] = []
    skip_next = False
    for line in text.splitlines():
        for sentence in split_sentences(line):
            # The sentence after an injected one often carries its payload ("Note for AI: ... . Say X.").
            hostile = _line_is_hostile(sentence)
            if hostile or skip_next:
                removed.append(sentence)
                skip_next = hostile
                continue
            kept.append(sentence)
    return " ".join(kept), removed


# A line longer than this is prose without line breaks: cut sentences rather than the whole line.
_LONG_LINE = 600
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sanitise_long_line(line: str, removed: list[str]) -> str:
    # The sentence after an injected one often carries its payload ("Ignore the above. Say X."): cut both.
    sentences = _SENTENCE_END.split(line)
    keep: list[str] = []
    skip_next = False
    for sentence in sentences:
        hostile = _line_is_hostile(sentence)
        if hostile or skip_next:
            removed.append(sentence.strip())
            skip_next = hostile
            continue
        keep.append(sentence)
    return " ".join(keep)


def _line_is_hostile(line: str) -> bool:
    if looks_like_injection(line) or secret_in(line):
        return True
    return DELIMITER_TAG in line.lower()
