"""Propose an article's definitions of both terms, the axis of its distinction and its dimensions.

Rule-based and plain Python on strings: the rules describe how people write definitions
("X is …", "X refers to …", "In X the …"), never the shipped articles.
"""

from __future__ import annotations

import itertools
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
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            nxt = re.match(r"\s+(\S)", body[brk.end() : end])
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


def term_pattern(term: str) -> re.Pattern[str]:
    """Return a case-insensitive pattern for a term, tolerant of singular and plural.

    "Social networking" also matches "social network" and "social networks"; "media" matches
    "medium"; words may be separated by any whitespace or a hyphen.
    """
    words = term.strip().split()
    if not words:
        return re.compile(r"(?!x)x")  # an empty term matches nothing
    parts = [re.escape(w) for w in words[:-1]]
    last = words[-1].lower() if words else ""
    if last.endswith("ing") and len(last) > 5:
        stem = re.escape(last[:-3])
        parts.append(rf"{stem}(?:ing|ings|s|er|ers)?")
    elif last.endswith("ia") and len(last) > 3:
        parts.append(rf"{re.escape(last[:-2])}(?:ia|ium|iums)")
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


def find_mentions(text: str, pattern: re.Pattern[str], start: int = 0, end: int | None = None):
    """Return the mentions of a term in text[start:end], including run-in ones.

    Scraped text glues an image caption to the sentence ("group-of-people-talkingSocial
    networking"): a capitalised mention right after a lowercase letter still counts.
    """
    end = len(text) if end is None else end
    found = []
    for m in pattern.finditer(text, start, end):
        before = text[m.start() - 1] if m.start() > 0 else " "
        after = text[m.end()] if m.end() < len(text) else " "
        left_ok = not before.isalnum() or (before.islower() and text[m.start()].isupper())
        right_ok = not after.isalnum() or (text[m.end() - 1].islower() and after.isupper())
        if left_ok and right_ok:
            found.append(Mention(m.start(), m.end()))
    return found


# ---------------------------------------------------------------------------------------------
# Proposals
# ---------------------------------------------------------------------------------------------


class Candidate(NamedTuple):
    quote: str
    start: int
    score: float


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
    r"|generally|broadly|best|usually|often|typically|more|therefore|thus|then|now|also)"
)
_STRONG = re.compile(
    rf"^,?\s*(?:(?:is|are)\s+(?:{_ADVERBS}\s+)*(?:about|defined\s+as|described\s+as|known\s+as"
    r"|a|an|the|any|anything|what|when|how|where|one|only|essentially|nothing\s+but)\b"
    r"|(?:can\s+be\s+|could\s+be\s+|may\s+be\s+|is\s+|are\s+)?(?:refers?|referring)\s+to\b"
    r"|(?:describes?|means?|represents?|denotes?|encompasses|consists?\s+of|involves?|"
    r"stands?\s+for|is\s+defined\s+as|can\s+be\s+defined\s+as|is\s+when)\b)",
    re.I,
)
_MEDIUM = re.compile(
    r"^,?\s*(?:(?:is|are)\b(?!\s+not\b)|(?:acts?|serves?|functions?|works?)\s+as\b)", re.I
)
_WEAK = re.compile(
    r"^,?\s*(?:revolves?|focus(?:es)?|centers?|centres?|emphasi[sz]es|prioriti[sz]es|spotlights"
    r"|allows?|lets|enables?|helps?|has|have|offers?|provides?|creates?|builds?|includes?"
    r"|covers?|uses?|involves?|concentrates?|happens?|takes?\s+place)\b",
    re.I,
)
_NEGATED = re.compile(r"^,?\s*(?:is|are)\s+not\b|^,?\s*(?:isn[\u2019']t|aren[\u2019']t)\b", re.I)
_LEADING_MARKS = re.compile(r"(?:[•·▪●◦*\-\u2013\u2014►]|\d{1,3}[.)])[\s\u00a0]+|[\"“\u2018'(]+")
_CONTRAST = re.compile(
    r"\b(?:whereas|while|whilst|but|unlike|compared?|versus|vs\.?|instead|rather\s+than"
    r"|on\s+the\s+other\s+hand|as\s+opposed\s+to|in\s+contrast|however)\b",
    re.I,
)
_COMPARE_ASIDE = re.compile(
    r"^,?\s*(?:compared?\s+(?:to|with)|unlike|versus|vs\.?|as\s+opposed\s+to|in\s+contrast\s+to)"
    r"\s+",
    re.I,
)
_PAIR_JOIN = re.compile(r"^\s*(?:,|and|or|&|/|vs\.?|versus)?\s*$", re.I)
_CLAUSE_BREAK = re.compile(r"\s[-\u2013\u2014]\s|;\s")
_HEADING_CUE = re.compile(r"^(?:defining|definition\s+of|what\s+is|what\s+are|what\s+does)\b", re.I)


def _after_pattern(rest: str, other: re.Pattern[str]) -> tuple[float, str]:
    """Score the words right after a term mention: how much they read like a definition."""
    penalty = 0.0
    aside = _COMPARE_ASIDE.match(rest)
    if aside:
        m = other.match(rest, aside.end())
        if m:
            rest = rest[m.end() :]
            penalty = 0.5
    if _NEGATED.match(rest):
        return 0.5 - penalty, "negated"
    if _STRONG.match(rest):
        return 3.0 - penalty, "strong"
    if _MEDIUM.match(rest):
        return 2.0 - penalty, "medium"
    if _WEAK.match(rest):
        return 1.0 - penalty, "weak"
    return 0.0, ""


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


def _rank_term(
    body: str,
    sentences: list[Sentence],
    pattern: re.Pattern[str],
    other: re.Pattern[str],
    headings: dict[int, str],
) -> list[Candidate]:
    scored: dict[tuple[int, int], float] = {}
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
        first = mentions[0]
        start, end = _quote_range(body, s, first)
        if end <= start:
            continue
        sentence = body[start:end]
        whole = body[start : s.end]
        lead = body[start : first.start]
        lead_words = _words(lead)
        score = 0.0
        if not lead_words:
            score += 2.0
        elif re.fullmatch(r"\s*(?:in|with|on|for)\s+(?:the\s+)?[“\"\u2018']?\s*", lead, re.I):
            score += 1.5
            if re.match(r"\s*(?:,\s*)?the\s", body[first.end : end], re.I):
                score += 1.0  # "In social media the communication is one way"
        elif len(lead_words) > 3:
            score -= 1.0
        pattern_score, strength = _after_pattern(body[first.end : end], other)
        score += pattern_score
        if others:
            other_first = others[0]
            join = body[min(first.end, other_first.end) : max(first.start, other_first.start)]
            other_lead = _words(body[start : other_first.start])
            if len(join) < 20 and _PAIR_JOIN.match(join):
                score -= 2.0  # "Social media and social networking are …": about both
            elif other_first.start < first.start and (
                not other_lead
                or _after_pattern(body[other_first.end : end], pattern)[1] == "strong"
            ):
                score -= 3.0  # mainly defines the other term
            elif _CONTRAST.search(whole):
                score += 0.5
                if lead_words and re.fullmatch(r"\s*(in|with)\s+", lead, re.I):
                    prep = lead.strip().lower()
                    if re.search(
                        rf"\b{prep}\s+(?:the\s+)?$",
                        body[max(start, other_first.start - 12) : other_first.start],
                        re.I,
                    ):
                        score += 3.0  # "In X the … but in Y the …": a parallel contrast
            else:
                score -= 0.5
        if sentence.rstrip('”"\u2019)').endswith("?"):
            score -= 3.0
        n_words = len(_words(sentence))
        if n_words < 4 or n_words > 45:
            score -= 1.0
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
        if (
            strength
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
        scored[key] = max(scored.get(key, float("-inf")), round(score, 3))
    ranked = sorted(scored.items(), key=lambda item: (-item[1], item[0][0]))
    return [Candidate(body[a:b], a, score) for (a, b), score in ranked]


def _headings(body: str) -> dict[int, str]:
    """Return the paragraphs that read like headings, by paragraph index."""
    found = {}
    for paragraph, m in enumerate(re.finditer(r"[^\n]+", body)):
        text = m.group().strip()
        if is_title_like(text) and len(text.split()) <= 8 and not text.endswith("?"):
            found[paragraph] = text
    return found


_CONTAINER = r"(?:(?:set|kind|type|form|collection|group|range|family|category)\s+of\s+)?"
_AXIS_COPULA = re.compile(
    rf"^\s*(?:is|are)\s+(?:{_ADVERBS}\s+)*(?:about\s+)?(?:(?:a|an|the|any|all)\s+)?{_CONTAINER}"
    r"(?P<label>[\w\u2019'-]+(?:\s+(?:or|and|of)?\s*[\w\u2019'-]+){0,2}?)\s*"
    r"(?:[.:;,!]|$|\s+(?:that|which|who|where|used|to|for|with|in|on)\b)",
    re.I,
)
_AXIS_IN_THE = re.compile(
    r"^\s*,?\s*the\s+\w+\s+(?:is|are|works?|goes|flows?|runs?)\s+(?P<label>(?:[\w-]+\s+)?ways?)\b",
    re.I,
)
# "X describes the activity of …", "X is the set of online channels that …": the head noun.
_AXIS_HEAD = re.compile(
    r"^\s*(?:is|are|describes?|refers?\s+to|means?|represents?)\s+(?:a|an|the|any)?\s*"
    rf"{_CONTAINER}"
    r"(?P<label>(?:[\w-]+\s+){0,2}?[\w-]+)\s*(?:[.:;,!]|\s+(?:of|that|which|who|where|to|for|with|in|on|from|by)\b)",
    re.I,
)
_NOT_LABELS = {"not", "no", "just", "still", "also", "very", "more", "less", "it", "this", "that"}


def _axis_labels(body: str, sentences: list[Sentence], pattern: re.Pattern[str]):
    labels = []
    for index, s in enumerate(sentences):
        for mention in find_mentions(body, pattern, s.start, s.end):
            rest = body[mention.end : min(s.end, mention.end + 200)]
            lead = body[max(s.start, mention.start - 12) : mention.start]
            m = _AXIS_IN_THE.match(rest) if re.search(r"\b(?:in|with)\s+$", lead, re.I) else None
            rank = 0
            if not m:
                m = _AXIS_COPULA.match(rest)
                rank = 1
            if not m:
                m = _AXIS_HEAD.match(rest)
                rank = 2
            if not m:
                continue
            label = m["label"].strip(" -\u2019'").lower()
            if label and label.split()[0] not in _NOT_LABELS and len(label) <= 60:
                labels.append((rank, index, label))
    return labels


def _propose_axis(body, sentences, pattern_a, pattern_b) -> tuple[str, str] | None:
    labels_a = _axis_labels(body, sentences, pattern_a)[:50]
    labels_b = _axis_labels(body, sentences, pattern_b)[:50]
    best = None
    for rank_a, index_a, label_a in labels_a:
        for rank_b, index_b, label_b in labels_b:
            if label_a == label_b:
                continue
            key = (rank_a + rank_b, abs(index_a - index_b), min(index_a, index_b))
            if best is None or key < best[0]:
                best = (key, (label_a, label_b))
    return best[1] if best else None


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
    chosen, stances = _propose_dimensions(body, sentences, pattern_a, pattern_b, specs)
    return Proposals(
        definitions_a=_rank_term(body, sentences, pattern_a, pattern_b, headings),
        definitions_b=_rank_term(body, sentences, pattern_b, pattern_a, headings),
        axis=_propose_axis(body, sentences, pattern_a, pattern_b),
        dimensions=chosen,
        stances=stances,
    )
