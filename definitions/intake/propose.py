"""Propose an article's definitions of both terms, the axis of its distinction and its dimensions.

Rule-based and plain Python on strings: the rules describe how people write definitions
("X is …", "X refers to …", "Term: …", "We use the term X to describe …", "In X the …", "A is …,
whereas B is …"), never the shipped articles. Each proposal names the rule that found it and
carries a calibrated confidence (`calibrated`); only a confident top proposal is preselected.
The axis is read from a contrast the article draws, or not proposed at all.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from definitions.intake.parse import is_title_like


class Sentence(NamedTuple):
    start: int
    end: int
    paragraph: int


_ABBREVIATIONS = {
    "vs", "etc", "e.g", "i.e", "eg", "ie", "mr", "mrs", "ms", "dr", "prof", "st", "inc", "ltd",
    "jr", "sr", "no", "fig", "approx", "cf", "u.s", "vol", "ca",
}  # fmt: skip
_FINAL_ABBREVIATIONS = {"etc", "inc", "ltd", "approx"}
# Only the first mark of a run starts a match, so "?????" costs linear time, not quadratic.
_SENTENCE_BREAK = re.compile(r"(?<![.!?…])[.!?…]++[\"”\u2019)\]]*+(?=\s+\S)")


def split_sentences(body: str) -> list[Sentence]:
    """Return the sentences of the body as exact (start, end) ranges, paragraph by paragraph."""
    sentences = []
    for paragraph, m in enumerate(re.finditer(r"[^\n]+", body)):
        start, end = m.start(), m.end()
        cut = start
        for brk in _SENTENCE_BREAK.finditer(body, start, end):
            word = re.search(r"([\w.]+)$", body[max(cut, brk.start() - 12) : brk.start()])
            nxt = re.match(r"\s+(\S)", body[brk.end() : end])
            abbreviation = word.group(1).lower().rstrip(".") if word else ""
            # "etc." ends a sentence when a capital follows; "e.g." and "Dr." never do.
            if abbreviation in _ABBREVIATIONS and not (
                abbreviation in _FINAL_ABBREVIATIONS and nxt and nxt.group(1).isupper()
            ):
                continue
            if nxt and nxt.group(1).islower():
                continue
            sentences.append(_trimmed(body, cut, brk.end(), paragraph))
            cut = brk.end()
        sentences.append(_trimmed(body, cut, end, paragraph))
    return [s for s in sentences if s.end > s.start]


def _trimmed(body: str, start: int, end: int, paragraph: int) -> Sentence:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return Sentence(start, end, paragraph)


# ---------------------------------------------------------------------------------------------
# Terms
# ---------------------------------------------------------------------------------------------


def term_pattern(term: str, *, related: bool = False) -> re.Pattern[str]:
    """Return a case-insensitive pattern for a term, tolerant of singular and plural.

    "Social networking" does not match "social network(s)": a sentence defining the place does
    not define the activity. With `related`, it does (and "social networker"): what a text says
    about the place still speaks to the activity's dimensions. "Media" matches "medium"; words
    may be separated by any whitespace or a hyphen.
    """
    words = term.strip().split()
    if not words:
        return re.compile(r"(?!x)x")  # an empty term matches nothing
    parts = [re.escape(w) for w in words[:-1]]
    last = words[-1].lower() if words else ""
    if last.endswith("ing") and len(last) > 5:
        stem = re.escape(last[:-3])
        parts.append(rf"{stem}(?:ing|ings|s|er|ers)?" if related else rf"{stem}ings?")
    elif last.endswith("ia") and len(last) > 3:
        parts.append(rf"{re.escape(last[:-2])}(?:ia|ium|iums)")
    elif last.endswith("um") and len(last) > 4:
        parts.append(rf"{re.escape(last[:-2])}(?:um|a)")  # bacterium, bacteria
    elif last.endswith("y") and len(last) > 3:
        parts.append(rf"{re.escape(last[:-1])}(?:y|ies)")
    elif last.endswith("s") and len(last) > 3:
        parts.append(rf"{re.escape(last)}(?:es)?")
    else:
        parts.append(rf"{re.escape(last)}(?:s|es)?")
    return re.compile(r"[\s\-]+".join(parts), re.I)


class Mention(NamedTuple):
    start: int
    end: int


_URL_SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,20}://|www\.", re.I)
_URL_DOMAIN = re.compile(r"[\w-]\.(?:com|org|net|io|edu|gov|co|info)(?:\b|/)", re.I)


def _in_urls(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return the ranges of the web addresses (and paths) in text[start:end].

    Token by token, each test linear: a pasted page may hold one very long "word".
    """
    urls = []
    for token in re.finditer(r"\S+", text[start:end]):
        word = token.group()
        if _URL_SCHEME.search(word) or _URL_DOMAIN.search(word) or word.count("/") >= 2:
            urls.append((start + token.start(), start + token.end()))
    return urls


def find_mentions(text: str, pattern: re.Pattern[str], start: int = 0, end: int | None = None):
    """Return the mentions of a term in text[start:end], including run-in ones.

    Scraped text glues an image caption to the sentence ("group-of-people-talkingSocial
    networking"): a capitalised mention right after a lowercase letter still counts. A mention
    inside a web address ("example.com/social-networking-tips") does not.
    """
    end = len(text) if end is None else end
    found = []
    urls = None
    for m in pattern.finditer(text, start, end):
        before = text[m.start() - 1] if m.start() > 0 else " "
        after = text[m.end()] if m.end() < len(text) else " "
        left_ok = not before.isalnum() or (before.islower() and text[m.start()].isupper())
        right_ok = not after.isalnum() or (text[m.end() - 1].islower() and after.isupper())
        if not (left_ok and right_ok):
            continue
        if urls is None:
            urls = _in_urls(text, start, end)
        if any(a <= m.start() and m.end() <= b for a, b in urls):
            continue
        found.append(Mention(m.start(), m.end()))
    return found


# ---------------------------------------------------------------------------------------------
# Proposals
# ---------------------------------------------------------------------------------------------

# Confidence levels a moderator reads, and the threshold under which nothing is preselected.
PRESELECT_THRESHOLD = 0.5
HIGH_CONFIDENCE = 0.8


def confidence_level(score: float) -> str:
    """Return "high", "medium" or "low" for a calibrated confidence between 0 and 1."""
    if score >= HIGH_CONFIDENCE:
        return "high"
    if score >= PRESELECT_THRESHOLD:
        return "medium"
    return "low"


class Candidate(NamedTuple):
    """One proposed defining sentence of a term.

    `score` is a calibrated confidence between 0 and 1 that the sentence is the one a moderator
    would quote (see `calibrated`); `rule` says in words which phrasing matched; `preselected`
    is True only for the top candidate of a term, and only when its confidence reaches
    PRESELECT_THRESHOLD.
    """

    quote: str
    start: int
    score: float
    rule: str = ""
    preselected: bool = False

    @property
    def level(self) -> str:
        return confidence_level(self.score)


class DimensionSpec(NamedTuple):
    slug: str
    name: str
    description: str


@dataclass
class Proposals:
    definitions_a: list[Candidate]
    definitions_b: list[Candidate]
    axis: tuple[str, str] | None
    dimensions: list[str]
    # What the text says on each proposed dimension, for term A and term B.
    stances: dict[str, tuple[str, str]] = field(default_factory=dict)


_ADVERBS = (
    r"(?:still|simply|just|basically|essentially|really|actually|all|primarily|mainly|mostly"
    r"|generally|broadly|best|usually|often|typically|more|therefore|thus|then|now|also|commonly"
    r"|normally|properly|technically|strictly|literally|fundamentally)"
)
# Between a term and its verb: "Climate, on the other hand, is", "Affect as a verb means".
_ASIDE = re.compile(
    r"^[\s,]*(?:(?:on\s+the\s+other\s+hand|in\s+contrast|by\s+contrast|by\s+definition"
    r"|however|meanwhile|for\s+its\s+part|in\s+turn|though|instead|then"
    r"|as\s+an?\s+(?:verb|noun|adjective|term|word|concept)|when\s+used\s+as\s+an?\s+\w+"
    r"|in\s+(?:general|short|simple\s+terms|other\s+words))\b[\s,]*)+",
    re.I,
)
# Closing marks around the term: “affect” is, **Social media** is, _X_ means.
_CLOSERS = re.compile(r"^(?:[”\"\u2019'*_)\]]+)")
_OPENERS = re.compile(r"(?:[“\"\u2018'*_(\[]+)$")


class Rule(NamedTuple):
    name: str
    pattern: re.Pattern[str]
    strength: float


_COLON_RULE = "“X: …” definition line"
_RULES = [
    Rule(
        "“X is defined as …” sentence",
        re.compile(
            r"^(?:is|are|can\s+be|may\s+be|could\s+be)\s+(?:best\s+|broadly\s+|simply\s+)?"
            r"(?:defined|described|understood|explained|thought\s+of|seen|characteri[sz]ed)\s+as\b",
            re.I,
        ),
        3.2,
    ),
    Rule(
        "“X can be called …” sentence",
        re.compile(
            r"^(?:can|could|may|might)\s+(?:also\s+)?be\s+(?:called|termed|named|"
            r"considered|regarded\s+as|summed\s+up\s+as)\b|^(?:is|are)\s+(?:also\s+)?"
            r"(?:called|known\s+as|termed)\b",
            re.I,
        ),
        3.0,
    ),
    Rule(
        "“X refers to …” sentence",
        re.compile(
            r"^(?:(?:can\s+be|could\s+be|may\s+be|is|are)\s+)?(?:refers?|referring)\s+to\b", re.I
        ),
        3.2,
    ),
    Rule(
        "“X means …” sentence",
        re.compile(
            r"^(?:describes?|means?|represents?|denotes?|encompasses|consists?\s+of|"
            r"stands?\s+for|comprises?|signifies|is\s+when|are\s+when|has\s+to\s+do\s+with"
            r"|characteri[sz]es)\b",
            re.I,
        ),
        3.0,
    ),
    Rule(
        "“X is used as …” sentence",
        re.compile(rf"^(?:is|are)\s+(?:{_ADVERBS}\s+)*used\s+(?:as|to|for|when)\b", re.I),
        3.0,
    ),
    Rule(
        "“X is a …” sentence",
        re.compile(
            rf"^(?:is|are)\s+(?:{_ADVERBS}\s+)*(?!a\s+(?:lot|bit|little|few|great\s+deal)\b)"
            r"(?:about|a|an|the|any|anything|what|when|how"
            r"|where|one|only|nothing\s+but|made\s+up\s+of|composed\s+of|simply)\b",
            re.I,
        ),
        3.0,
    ),
    Rule(
        _COLON_RULE,
        re.compile(r"^:\s+(?=\S+\s+\S+\s+\S)", re.I),
        2.6,
    ),
    Rule(
        "comparison (“X is smaller than …”)",
        re.compile(
            rf"^(?:is|are)\s+(?:{_ADVERBS}\s+)*(?:much\s+|far\s+|a\s+lot\s+|even\s+)?"
            r"(?:\w+er|more\s+\w+|less\s+\w+)\s*(?:than|and|,|\.|$)",
            re.I,
        ),
        1.0,
    ),
    Rule(
        "“X is …” sentence",
        re.compile(
            rf"^(?:(?:is|are)\s+(?!not\b|{_ADVERBS}\s+\w+(?:ed|ing)\b|\w+(?:ed|ing)\b)"
            r"|(?:acts?|serves?|functions?|works?)\s+as\b)",
            re.I,
        ),
        2.0,
    ),
    Rule(
        "weak phrasing (“X focuses on …”, “X is changing …”)",
        re.compile(
            r"^(?:revolves?|focus(?:es)?|centers?|centres?|emphasi[sz]es|prioriti[sz]es"
            r"|spotlights|allows?|lets|enables?|helps?|has|have|offers?|provides?|creates?"
            r"|builds?|includes?|covers?|uses?|involves?|concentrates?|happens?|takes?\s+place"
            r"|(?:is|are)\s+(?:\w+\s+)?\w+(?:ed|ing))\b",
            re.I,
        ),
        1.0,
    ),
]
_NEGATED = re.compile(r"^(?:is|are)\s+not\b|^(?:isn[\u2019']t|aren[\u2019']t)\b", re.I)
_LEADING_MARKS = re.compile(r"(?:[•·▪●◦*\-\u2013\u2014►>#]|\d{1,3}[.)])[\s\u00a0]+|[\"“\u2018'(]+")
_CONTRAST = re.compile(
    r"\b(?:whereas|while|whilst|but|unlike|compared?|versus|vs\.?|instead|rather\s+than"
    r"|on\s+the\s+other\s+hand|as\s+opposed\s+to|in\s+contrast|however)\b",
    re.I,
)
# "…, while B is …": the second half of a sentence that defines both terms.
_CONTRAST_JOIN = re.compile(
    r"(?:[,;]\s*|\s+)(?:whereas|while|whilst|but|and|yet)\s+(?:the\s+)?(?:word\s+|term\s+)?[“\"\u2018'*_]*$",
    re.I,
)
_COMPARE_ASIDE = re.compile(
    r"^,?\s*(?:compared?\s+(?:to|with)|unlike|versus|vs\.?|as\s+opposed\s+to|in\s+contrast\s+to)"
    r"\s+",
    re.I,
)
_PAIR_JOIN = re.compile(r"^[\s”\"\u2019'*_]*(?:,|and|or|&|/|vs\.?|versus)?[\s“\"\u2018'*_]*$", re.I)
_CLAUSE_BREAK = re.compile(r"\s[-\u2013\u2014]\s|;\s")
_HEADING_CUE = re.compile(r"^(?:defining|definition\s+of|what\s+is|what\s+are|what\s+does)\b", re.I)
# Words before the term that still let the sentence be its definition.
_DISCOURSE = (
    r"(?:on\s+the\s+other\s+hand|by\s+definition|in\s+short|in\s+summary|in\s+essence"
    r"|in\s+brief|simply\s+put|put\s+simply|generally(?:\s+speaking)?|remember|in\s+contrast"
    r"|by\s+contrast|however|basically|in\s+simple\s+terms|in\s+other\s+words|that\s+is"
    r"|first|so|now|essentially|technically|strictly\s+speaking|in\s+a\s+nutshell|to\s+sum\s+up"
    r"|first\s+thing[\u2019']?s\s+first|meanwhile|conversely|similarly|also)"
)
_FREE_LEAD = re.compile(
    rf"^(?:[^.:]{{0,40}}:\s*)?(?:{_DISCOURSE}\s*[,:]\s*)*"
    r"(?:(?:this\s+means\s+that|the\s+(?:main|key|big|basic|simple)\s+difference\s+is\s+that"
    r"|the\s+difference\s+between\s+.{1,60}?\s+is\s+that|in\s+fact|simply)\s+)?"
    r"(?:(?:a|an|the)\s+)?[“\"\u2018'*_]*$",
    re.I,
)
_PREPOSITION_LEAD = re.compile(r"\s*(?:in|with|on|for)\s+(?:the\s+)?[“\"\u2018'*_]*\s*$", re.I)
_TERM_USE_LEAD = re.compile(
    r"\b(?:we|i|they|people|you|this\s+\w+|many|most|experts?|writers?)\s+(?:\w+\s+)?"
    r"(?:use|uses|used|apply|applies|reserve)\s+the\s+(?:term|word|phrase|expression|label)\s+"
    r"[“\"\u2018'*_]*$",
    re.I,
)
_TERM_USE_REST = re.compile(
    r"^[”\"\u2019'*_]*\s*,?\s*(?:to\s+(?:describe|mean|refer\s+to|denote|name|cover|talk\s+about)"
    r"|for|when\s+(?:we|they|you|people)\s+(?:mean|talk))\b",
    re.I,
)
_CALLED_LEAD = re.compile(
    r"\b(?:is|are|can\s+be|could\s+be|may\s+be)\s+(?:also\s+|then\s+|often\s+)?"
    r"(?:called|known\s+as|termed|referred\s+to\s+as)\s+(?:an?\s+|the\s+)?[“\"\u2018'*_]*$",
    re.I,
)


def _match_rule(rest: str, other: re.Pattern[str]) -> tuple[float, str]:
    """Score the words right after a term mention: how much they read like a definition."""
    penalty = 0.0
    closers = _CLOSERS.match(rest)
    if closers:
        rest = rest[closers.end() :]
    aside = _COMPARE_ASIDE.match(rest)
    if aside:
        m = other.match(rest, aside.end())
        if m:
            rest = rest[m.end() :]
            penalty = 0.5
    if not rest.startswith(":"):
        aside_words = _ASIDE.match(rest)
        rest = rest[aside_words.end() :] if aside_words else rest.lstrip(" ,")
    if _NEGATED.match(rest):
        return 0.5 - penalty, ""
    for rule in _RULES:
        if rule.pattern.match(rest):
            return rule.strength - penalty, rule.name
    return 0.0, ""


_WHITESPACE_RUN = re.compile(r"\s{2,}")


def _flat(text: str) -> str:
    """Return text with each run of whitespace as one space, so no pattern backtracks over it."""
    return _WHITESPACE_RUN.sub(" ", text)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w\u2019'-]+", text)


def _quote_range(body: str, s: Sentence, first: Mention) -> tuple[int, int]:
    """Return the exact range to quote for a sentence: without bullets or run-in debris."""
    start, end = s.start, s.end
    while True:
        while start < first.start and body[start].isspace():
            start += 1
        m = _LEADING_MARKS.match(body, start, end)
        if not m or m.end() > first.start:
            break
        start = m.end()
    # Keep the opening mark of a quoted term: “affect” is …
    if (
        start == first.start
        and start > s.start
        and body[start - 1] in "“\"\u2018'"
        and body[first.end : first.end + 1] in ("”", '"', "\u2019", "'")
    ):
        start -= 1
    prefix = body[start : first.start]
    if prefix and not any(c.isspace() for c in prefix) and prefix[-1].islower():
        start = first.start  # "group-of-people-talkingSocial networking refers …"
    # A long run-on sentence: quote the clause that holds the definition.
    if len(_words(body[start:end])) > 30:
        for brk in _CLAUSE_BREAK.finditer(body, first.end, end):
            if len(_words(body[start : brk.start()])) >= 4:
                end = brk.start()
                break
    while end > start and (body[end - 1].isspace() or body[end - 1] in ":,;-\u2013\u2014"):
        end -= 1
    return start, end


_RUN_IN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+(?=[A-Z][a-z])")


def _clean_sentence(text: str) -> str:
    """Return a sentence without its bullet or an image name glued to its start."""
    while m := _LEADING_MARKS.match(text):
        text = text[m.end() :].lstrip()
    if m := _RUN_IN_SLUG.match(text):
        text = text[m.end() :]
    return text.strip()


# Calibration: a raw score (the sum of the phrasing rule's strength and the bonuses and
# penalties below) becomes the probability that a moderator would quote the sentence, by a
# logistic curve fitted on the development articles of tests/data/intake_eval and the seeds
# (every proposed sentence labelled right or wrong; see docs in tests/test_intake_evaluation.py).
# A sentence no phrasing rule matched is capped: naming a term is not defining it.
_CALIBRATION_SLOPE = 1.14
_CALIBRATION_MIDPOINT = 3.32
_NO_RULE_CAP = 0.3


def calibrated(raw: float, rule: str) -> float:
    """Return the calibrated confidence (0 to 1) for a raw score and the rule that matched."""
    value = 1.0 / (1.0 + math.exp(-_CALIBRATION_SLOPE * (raw - _CALIBRATION_MIDPOINT)))
    if not rule:
        value = min(value, _NO_RULE_CAP)
    return round(value, 3)


class _Scored(NamedTuple):
    raw: float
    rule: str


def _score_mention(
    body: str,
    s: Sentence,
    start: int,
    end: int,
    first: Mention,
    others: list[Mention],
    pattern: re.Pattern[str],
    other: re.Pattern[str],
) -> _Scored:
    whole = _flat(body[start : s.end])
    lead = _flat(body[start : first.start])
    lead_words = _words(lead)
    rest = _flat(body[first.end : end])
    raw, rule = _match_rule(rest, other)
    if _TERM_USE_LEAD.search(lead) and _TERM_USE_REST.match(rest):
        return _Scored(5.0, "“We use the term X to describe …” sentence")
    if not rule and _CALLED_LEAD.search(lead) and len(_words(rest)) <= 3:
        raw, rule = 2.8, "“… is called X” sentence"
        lead_words = []
    if rule == _COLON_RULE and lead_words and not _FREE_LEAD.match(lead):
        raw, rule = 0.0, ""  # "Friday's weather: cloudy" is a heading, not a definition line
    score = raw
    if not lead_words or _FREE_LEAD.match(lead):
        score += 2.0
    elif _PREPOSITION_LEAD.fullmatch(lead):
        score += 1.5
        if re.match(r"\s*(?:,\s*)?the\s", rest, re.I):
            score += 1.0  # "In social media the communication is one way"
            rule = rule or "“In X the …” sentence"
    elif len(lead_words) > 3:
        score -= 1.0
    if others:
        other_first = others[0]
        join = _flat(body[min(first.end, other_first.end) : max(first.start, other_first.start)])
        if len(join) < 20 and _PAIR_JOIN.match(join):
            score -= 2.0  # "Social media and social networking are …": about both
        elif other_first.start < first.start:
            other_lead = _flat(body[start : other_first.start])
            other_raw, _ = _match_rule(_flat(body[other_first.end : first.start]), pattern)
            between = lead
            if rule and _CONTRAST_JOIN.search(between) and other_raw >= 1.0:
                # "A is X, whereas B is Y": a sentence that defines both terms, the second as
                # much as the first (its long lead-in is the first term's definition), though
                # a sentence given to the term alone still comes first.
                score += 0.5
                rule = f"contrastive sentence ({rule[:-9]} for both terms)"
                if not _words(other_lead) or _FREE_LEAD.match(other_lead):
                    score += 2.0
            elif not _words(other_lead) or _FREE_LEAD.match(other_lead) or other_raw >= 3.0:
                score -= 3.0  # mainly defines the other term
            elif _CONTRAST.search(whole):
                score += 0.5
            else:
                score -= 0.5
        elif _CONTRAST.search(whole):
            score += 0.5
            if lead_words and re.fullmatch(r"\s*(in|with)\s+", lead, re.I):
                prep = lead.strip().lower()
                if re.search(
                    rf"\b{prep}\s+(?:the\s+)?$",
                    _flat(body[max(start, other_first.start - 12) : other_first.start]),
                    re.I,
                ):
                    score += 3.0  # "In X the … but in Y the …": a parallel contrast
        else:
            score -= 0.5
    if body[start:end].rstrip('”"\u2019)').endswith("?"):
        score -= 3.0
    n_words = len(_words(body[start:end]))
    if n_words < 4 or n_words > 45:
        score -= 1.0
    return _Scored(score, rule)


def _rank_term(
    body: str,
    sentences: list[Sentence],
    pattern: re.Pattern[str],
    other: re.Pattern[str],
    headings: dict[int, str],
) -> list[Candidate]:
    scored: dict[tuple[int, int], _Scored] = {}
    total = max(len(sentences), 1)
    for index, s in enumerate(sentences):
        mentions = find_mentions(body, pattern, s.start, s.end)
        others = find_mentions(body, other, s.start, s.end)
        # A mention inside a mention of the other, longer term is the other term.
        mentions = [
            m
            for m in mentions
            if not any(o.start <= m.start and m.end <= o.end and o != m for o in others)
        ]
        others = [
            o for o in others if not any(m.start <= o.start and o.end <= m.end for m in mentions)
        ]
        if not mentions:
            continue
        start, end = _quote_range(body, s, mentions[0])
        if end <= start:
            continue
        # Each mention may be the defined one ("… while B is …"); the best reading counts.
        best = max(
            (
                _score_mention(body, s, start, end, m, others, pattern, other)
                for m in mentions[:4]
                if m.start < end
            ),
            key=lambda x: x.raw,
            default=None,
        )
        if best is None:
            continue
        score, rule = best
        heading = headings.get(s.paragraph - 1)
        if (
            heading is not None
            and index > 0
            and sentences[index - 1].paragraph != s.paragraph
            and pattern.search(heading)
            and not other.search(heading)
        ):
            score += 2.0 if _HEADING_CUE.match(heading) else 1.0
        score -= 0.5 * index / total
        # A sentence that continues with "It …" or "This …" carries on the definition.
        n_words = len(_words(body[start:end]))
        if (
            rule
            and index + 1 < len(sentences)
            and sentences[index + 1].paragraph == s.paragraph
            and end == s.end
            and re.match(r"(?:It|This|That|They|These|Such)\b", body[sentences[index + 1].start :])
            and n_words + len(_words(body[sentences[index + 1].start : sentences[index + 1].end]))
            <= 60
        ):
            end = sentences[index + 1].end
            score += 0.25
        key = (start, end)
        if key not in scored or scored[key].raw < score:
            scored[key] = _Scored(round(score, 3), rule)
    ranked = sorted(scored.items(), key=lambda item: (-item[1].raw, item[0][0]))
    candidates = [
        Candidate(body[a:b], a, calibrated(raw, rule), rule or "names the term only")
        for (a, b), (raw, rule) in ranked
    ]
    if candidates and candidates[0].score >= PRESELECT_THRESHOLD:
        candidates[0] = candidates[0]._replace(preselected=True)
    return candidates


def _headings(body: str) -> dict[int, str]:
    """Return the paragraphs that read like headings, by paragraph index."""
    found = {}
    for paragraph, m in enumerate(re.finditer(r"[^\n]+", body)):
        text = m.group().strip()
        if is_title_like(text) and len(text.split()) <= 8 and not text.endswith("?"):
            found[paragraph] = text
    return found


# ---------------------------------------------------------------------------------------------
# The axis: two short labels for the contrast the article itself draws, or none
# ---------------------------------------------------------------------------------------------

# How far after a term the axis rules read: a label is a few words, not a page.
_AXIS_REACH = 300
_CONTAINER = r"(?:(?:set|kind|type|form|collection|group|range|family|category)\s+of\s+)?"
# The verb that links a term to what the article says it is, in a sentence that contrasts both.
_AXIS_VERB = re.compile(
    rf"^[”\"\u2019'*_)]*[\s,]*(?:{_ASIDE.pattern[1:]})?(?:(?:is|are)\s+(?:{_ADVERBS}\s+)*"
    r"(?:(?:used|seen|known|defined|described)\s+as\s+|(?:all\s+)?about\s+|concerned\s+with\s+)?"
    r"|(?:means?|describes?|refers?\s+to|denotes?|has\s+to\s+do\s+with|characteri[sz]es"
    r"|focus(?:es)?\s+on|deals?\s+with)\s+)",
    re.I,
)
_AXIS_LABEL_END = re.compile(
    r"[,;:.!?()\u2013\u2014\"“”]|\s(?:or|and|but|that|which|who|whose|where|when|of|in|on|at|for"
    r"|to|with|from|by|than|as|while|whereas|used|describing|referring|because|so|over|during)\s",
    re.I,
)
_AXIS_DETERMINERS = re.compile(
    rf"^(?:(?:a|an|the|any|just|only|one|simply|more|rather|{_ADVERBS})\s+|to\s+)*{_CONTAINER}",
    re.I,
)
# Words that are never the two ends of a distinction.
_NOT_AXIS_WORDS = {
    "not", "no", "same", "thing", "things", "said", "easy", "hard", "different", "similar",
    "important", "confusing", "confused", "often", "also", "very", "it", "this", "that", "term",
    "word", "words", "used", "something", "lot", "bit", "way", "case", "true", "key", "part",
    "difference", "what", "how", "when", "where", "why", "who",
}  # fmt: skip
_CONTRAST_WORDS = r"(?:whereas|while|whilst|but|and|yet|however)"
_AXIS_JOIN = re.compile(
    rf"(?:[,;]\s*|\s+){_CONTRAST_WORDS}?\s*(?:the\s+)?(?:word\s+|term\s+)?[“\"\u2018'*_]*$", re.I
)
_WHILE_FIRST = re.compile(rf"^(?:{_CONTRAST_WORDS}|whereas)\s+(?:the\s+)?[“\"\u2018'*_]*$", re.I)
_COMPOUND = re.compile(r"\b([a-z]+)-([a-z]+)\b", re.I)
_AXIS_IN_THE = re.compile(
    r"^\s*,?\s*the\s+\w+\s+(?:is|are|works?|goes|flows?|runs?)\s+(?P<label>(?:[\w-]+\s+)?ways?)\b",
    re.I,
)
_AXIS_ABOUT = re.compile(
    rf"^[”\"\u2019'*_)]*\s*(?:is|are)\s+(?:{_ADVERBS}\s+)*about\s+(?P<label>[^.;:,!?]+)", re.I
)


def _axis_label(text: str) -> str:
    """Return the two or three words that name what a term is, from the words after its verb."""
    text = _AXIS_DETERMINERS.sub("", text.strip(), count=1)
    end = _AXIS_LABEL_END.search(text + " ")
    label = text[: end.start()] if end else text
    words = re.findall(r"[\w\u2019'-]+", label.lower())[:3]
    if not words or any(w in _NOT_AXIS_WORDS for w in words[:1]) or len(" ".join(words)) > 40:
        return ""
    return " ".join(words)


def _valid_axis(label_a: str, label_b: str, terms: list[re.Pattern[str]]) -> bool:
    if not label_a or not label_b or label_a == label_b:
        return False
    words_a, words_b = label_a.split(), label_b.split()
    shorter, longer = sorted((words_a, words_b), key=len)
    if longer[-len(shorter) :] == shorter:
        return False  # "condition" and "atmospheric condition" are one thing
    n = min(4, len(shorter[0]), len(longer[0]))
    if len(longer) == 1 and longer[0][:n] == shorter[0][:n]:
        return False  # "act" and "activity"
    return not any(t.search(label) for t in terms for label in (label_a, label_b))


def _contrast_axis(body: str, s: Sentence, pattern_a, pattern_b) -> tuple[str, str] | None:
    """Read "A is X, whereas B is Y" (or "While A is X, B is Y") in one sentence."""
    found = sorted(
        [(m, "a") for m in find_mentions(body, pattern_a, s.start, s.end)]
        + [(m, "b") for m in find_mentions(body, pattern_b, s.start, s.end)]
    )
    for (first, term1), (second, term2) in itertools.pairwise(found):
        if term1 == term2:
            continue
        if second.start - first.end > _AXIS_REACH:
            continue
        middle = _flat(body[first.end : second.start])
        after = _flat(body[second.end : min(s.end, second.end + _AXIS_REACH)])
        verb1 = _AXIS_VERB.match(middle)
        verb2 = _AXIS_VERB.match(after)
        if not verb1 or not verb2:
            continue
        joined = _AXIS_JOIN.search(middle, verb1.end())
        # Only the last words before the first term matter ("While A …", "…, whereas A …").
        lead_start = max(s.start, first.start - 80)
        lead = _flat(body[lead_start : first.start])
        if not joined and not (
            lead_start == s.start
            and _WHILE_FIRST.search(_LEADING_MARKS.sub("", lead).strip() + " ")
        ):
            continue
        contrasted = re.search(_CONTRAST_WORDS, middle[joined.start() :], re.I) if joined else None
        if (
            joined
            and not contrasted
            and ";" not in middle[joined.start() :]
            and not re.search(rf"\b(?:{_CONTRAST_WORDS})\s+[“\"\u2018'*_]*$", lead, re.I)
        ):
            continue
        x = _axis_label(middle[verb1.end() : joined.start() if joined else len(middle)])
        y = _axis_label(after[verb2.end() :])
        labels = {term1: x, term2: y}
        if _valid_axis(labels["a"], labels["b"], [pattern_a, pattern_b]):
            return labels["a"], labels["b"]
    return None


def _clause_after(body: str, mention: Mention, s: Sentence) -> str:
    rest = _flat(body[mention.end : min(s.end, mention.end + _AXIS_REACH)])
    cut = re.search(rf"[;]|,\s*{_CONTRAST_WORDS}\b|\s{_CONTRAST_WORDS}\s", rest, re.I)
    return rest[: cut.start()] if cut else rest


_VERSUS = r"\s*(?:vs\.?|versus|v\.)\s*"
_VERSUS_LABELS = re.compile(
    rf"^[”\"\u2019'*_)]*\s*(?:[:\u2013\u2014-]|\s(?:is|are|means?)\s)\s*(?:(?:the|an?)\s+)?"
    rf"(?P<x>[\w-]+(?:\s[\w-]+)?){_VERSUS}(?:(?:the|an?)\s+)?(?P<y>[\w-]+(?:\s[\w-]+)?)\b",
    re.I,
)


def _versus_axis(body, sentences, pattern_a, pattern_b) -> tuple[str, str] | None:
    """Read "A vs B: one-way vs two-way" (the labels in the order the terms were named)."""
    for s in sentences:
        mentions = {
            "a": find_mentions(body, pattern_a, s.start, s.end),
            "b": find_mentions(body, pattern_b, s.start, s.end),
        }
        for term, other_term in (("a", "b"), ("b", "a")):
            seconds = mentions[other_term]
            starts = [m.start for m in seconds]
            for first in mentions[term]:
                # The other term within a few characters: "A vs B", "A versus B".
                at = bisect.bisect_left(starts, first.end)
                second = seconds[at] if at < len(seconds) else None
                if second is None or second.start - first.end > 16:
                    continue
                if not re.fullmatch(
                    rf"[”\"\u2019'*_]*{_VERSUS}[“\"\u2018'*_]*", body[first.end : second.start]
                ):
                    continue
                m = _VERSUS_LABELS.match(_flat(body[second.end : min(s.end, second.end + 120)]))
                if m:
                    x, y = m["x"].lower(), m["y"].lower()
                    labels = (x, y) if term == "a" else (y, x)
                    if _valid_axis(*labels, [pattern_a, pattern_b]):
                        return labels
    return None


def _compound_axis(body, sentences, pattern_a, pattern_b) -> tuple[str, str] | None:
    """Read paired compounds said of each term: "one-way" … "two-way", "short-" … "long-term"."""
    said: dict[str, dict[str, str]] = {"a": {}, "b": {}}
    for s in sentences:
        for term, pattern in (("a", pattern_a), ("b", pattern_b)):
            for mention in find_mentions(body, pattern, s.start, s.end):
                for m in _COMPOUND.finditer(_clause_after(body, mention, s)):
                    said[term].setdefault(m.group(2).lower(), m.group(0).lower())
    for tail, label_a in said["a"].items():
        label_b = said["b"].get(tail)
        if label_b and label_a != label_b:
            return label_a, label_b
    return None


def _parallel_axis(body, sentences, pattern_a, pattern_b, phrase) -> tuple[str, str] | None:
    """Read "A is about X" … "B is about Y" (or "In A the flow is one way"), nearest pair first."""
    found: dict[str, list[tuple[int, str]]] = {"a": [], "b": []}
    for index, s in enumerate(sentences):
        for term, pattern in (("a", pattern_a), ("b", pattern_b)):
            for mention in find_mentions(body, pattern, s.start, s.end):
                lead = _flat(body[max(s.start, mention.start - 12) : mention.start])
                m = phrase(_flat(body[mention.end : min(s.end, mention.end + _AXIS_REACH)]), lead)
                if m and (label := _axis_label(m["label"]) if phrase is _about else m["label"]):
                    found[term].append((index, label.strip().lower()))
    pairs = [
        (abs(ia - ib), la, lb)
        for ia, la in found["a"]
        for ib, lb in found["b"]
        if _valid_axis(la, lb, [pattern_a, pattern_b])
    ]
    return min(pairs)[1:] if pairs else None


def _about(rest: str, lead: str) -> re.Match[str] | None:
    return _AXIS_ABOUT.match(rest)


def _in_the(rest: str, lead: str) -> re.Match[str] | None:
    return _AXIS_IN_THE.match(rest) if re.search(r"\b(?:in|with)\s+$", lead, re.I) else None


def _propose_axis(
    body, sentences, pattern_a, pattern_b, definitions: tuple[list[Candidate], list[Candidate]]
) -> tuple[str, str] | None:
    """Propose the axis from the contrast the article draws, or None rather than a guess.

    In order: one sentence contrasting both terms ("A is X, whereas B is Y"); "A vs B: X vs Y";
    paired compounds
    said of each ("one-way" and "two-way"); parallel sentences ("In A the flow is one way",
    "A is about X" … "B is about Y"); last, what the two preselected definitions say each
    term is ("Viruses are particles …", "Bacteria are organisms …").
    """
    for s in sentences:
        if axis := _contrast_axis(body, s, pattern_a, pattern_b):
            return axis
    return (
        _versus_axis(body, sentences, pattern_a, pattern_b)
        or _compound_axis(body, sentences, pattern_a, pattern_b)
        or _parallel_axis(body, sentences, pattern_a, pattern_b, _in_the)
        or _parallel_axis(body, sentences, pattern_a, pattern_b, _about)
        or _definitions_axis(body, definitions, pattern_a, pattern_b)
    )


def _definitions_axis(body, definitions, pattern_a, pattern_b) -> tuple[str, str] | None:
    """Read what each term is from its confident "X is (a) …" definitions, best first."""
    labels = []
    for candidates, pattern in zip(definitions, (pattern_a, pattern_b), strict=True):
        label = ""
        for candidate in candidates:
            if candidate.score < PRESELECT_THRESHOLD or label:
                break
            if not re.search(r"“X (?:is|means) ", candidate.rule):
                continue
            end = candidate.start + len(candidate.quote)
            for mention in find_mentions(body, pattern, candidate.start, end):
                tail = _flat(body[mention.end : min(end, mention.end + _AXIS_REACH)])
                if verb := _AXIS_VERB.match(tail):
                    label = _axis_label(tail[verb.end() :])
                    break
        labels.append(label)
    label_a, label_b = labels
    return (label_a, label_b) if _valid_axis(label_a, label_b, [pattern_a, pattern_b]) else None


_STOPWORDS = {
    "a", "an", "and", "are", "as", "at", "be", "both", "by", "can", "do", "does", "each", "for",
    "from", "how", "in", "into", "is", "it", "its", "many", "more", "most", "much", "of", "on",
    "one", "or", "other", "people", "something", "than", "that", "the", "their", "them", "they",
    "thing", "this", "to", "two", "use", "uses", "used", "very", "what", "when", "which", "who",
    "why", "with", "way", "ways",
}  # fmt: skip


def _stem(word: str) -> str:
    """Return a crude stem, enough to match "privacy" with "private" and "feeds" with "feed"."""
    word = word.lower().strip("\u2019'")
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ers", "es", "ed", "ly", "er", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                break
            word = word[: -len(suffix)]
            break
    return word[:6]


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[A-Za-z]+", text.lower())
    found = {_stem(w) for w in words if w not in _STOPWORDS and len(w) > 2}
    # "one way" and "one-way" are the same keyword.
    found.update(f"{a}-{b}" for a, b in itertools.pairwise(words))
    return found


def _dimension_keywords(dimension: DimensionSpec) -> set[str]:
    text = f"{dimension.slug} {dimension.name} {dimension.description}"
    keywords = {
        _stem(w)
        for w in re.findall(r"[A-Za-z]+", text.lower())
        if w not in _STOPWORDS and len(w) > 2
    }
    keywords.update(w.lower() for w in re.findall(r"[A-Za-z]+-[A-Za-z]+", text))
    return keywords


def _as_dimension(value: Any) -> DimensionSpec:
    if isinstance(value, DimensionSpec):
        return value
    if isinstance(value, (tuple, list)):
        return DimensionSpec(*value[:3])
    return DimensionSpec(value.slug, value.name, value.description)


def _propose_dimensions(body, sentences, pattern_a, pattern_b, dimensions):
    """Return the dimensions whose words the text uses about both terms, with its sentences.

    A sentence speaks about a term when it names it, or (more weakly) when its paragraph does.
    """
    chosen: list[str] = []
    stances: dict[str, tuple[str, str]] = {}
    paragraph_terms: dict[int, set[str]] = {}
    facts = []
    for s in sentences:
        terms = set()
        if find_mentions(body, pattern_a, s.start, s.end):
            terms.add("a")
        if find_mentions(body, pattern_b, s.start, s.end):
            terms.add("b")
        paragraph_terms.setdefault(s.paragraph, set()).update(terms)
        facts.append((s, terms, _tokens(body[s.start : s.end])))
    for dimension in dimensions:
        keywords = _dimension_keywords(dimension)
        weight = {"a": 0.0, "b": 0.0}
        best: dict[str, tuple[bool, float, int, str]] = {}
        for s, terms, tokens in facts:
            hits = len(keywords & tokens)
            if not hits:
                continue
            for term in ("a", "b"):
                if term in terms:
                    w = hits * (1.0 if len(terms) == 1 else 0.75)
                elif term in paragraph_terms[s.paragraph]:
                    w = hits * 0.5
                else:
                    continue
                weight[term] += w
                # Prefer a sentence that names the term; fall back on its paragraph.
                key = (term in terms, w, -s.start)
                if key > best.get(term, (False, 0.0, 0, ""))[:3]:
                    best[term] = (*key, _clean_sentence(body[s.start : s.end]))
        if weight["a"] >= 1 and weight["b"] >= 1 and weight["a"] + weight["b"] >= 2.5:
            chosen.append(dimension.slug)
            stances[dimension.slug] = (best["a"][3][:300], best["b"][3][:300])
    return chosen, stances


def propose(body: str, term_a: str, term_b: str, dimensions: Iterable[Any] = ()) -> Proposals:
    """Propose each term's defining sentences (ranked), the axis and the dimensions spoken to.

    `dimensions` are (slug, name, description) tuples or objects with those attributes.
    """
    sentences = split_sentences(body)
    pattern_a, pattern_b = term_pattern(term_a), term_pattern(term_b)
    headings = _headings(body)
    specs: Sequence[DimensionSpec] = [_as_dimension(d) for d in dimensions]
    chosen, stances = _propose_dimensions(
        body,
        sentences,
        term_pattern(term_a, related=True),
        term_pattern(term_b, related=True),
        specs,
    )
    definitions_a = _rank_term(body, sentences, pattern_a, pattern_b, headings)
    definitions_b = _rank_term(body, sentences, pattern_b, pattern_a, headings)
    return Proposals(
        definitions_a=definitions_a,
        definitions_b=definitions_b,
        axis=_propose_axis(body, sentences, pattern_a, pattern_b, (definitions_a, definitions_b)),
        dimensions=chosen,
        stances=stances,
    )
