"""Reading a scraped article: its title, date, body and comments, and the proposed definitions.

The raw seed articles (tests/data/seeds) are read exactly as scraped; the curated data shipped in
definitions/seed/ is the answer key.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from definitions.intake.parse import parse_article
from definitions.intake.propose import propose, split_sentences
from definitions.seeding import SEED_DIR

CURATED = json.loads(
    (Path(SEED_DIR) / "social-media-vs-social-networking.json").read_text(encoding="utf-8")
)
SOURCES = {s["seed_key"]: s for s in CURATED["sources"]}
TERM_A, TERM_B = CURATED["comparison"]["term_a"], CURATED["comparison"]["term_b"]


def same_definition(proposed: str, curated: str, body: str) -> bool:
    """Count a hit when the quotes overlap substantially: one holds the other, or most of it."""
    if proposed in curated or curated in proposed:
        return True
    a, b = body.find(proposed), body.find(curated)
    if a < 0 or b < 0:
        return False
    overlap = min(a + len(proposed), b + len(curated)) - max(a, b)
    return overlap >= 0.5 * min(len(proposed), len(curated))


@pytest.mark.parametrize("seed_key", sorted(SOURCES))
def test_each_seed_article_splits_into_its_curated_title_date_and_body(seed_key, raw_seed_articles):
    parsed = parse_article(raw_seed_articles[seed_key])
    curated = SOURCES[seed_key]

    assert parsed.title == curated["title"]
    assert parsed.date == tuple(curated["date"])
    assert parsed.body == curated["body"]


def test_a_date_that_lost_its_month_stays_partial(raw_seed_articles):
    parsed = parse_article(raw_seed_articles["001_f697a7a22d3e1cbe"])

    assert parsed.date == (2010, None, 15)  # "15 2010"


def test_a_full_date_above_the_title_is_read(raw_seed_articles):
    parsed = parse_article(raw_seed_articles["004_cbda983d538a1470"])

    assert parsed.date == (2012, 11, 24)  # "Saturday, November 24, 2012"


def test_reader_comments_are_split_with_their_authors(raw_seed_articles):
    threads = {key: parse_article(text).comments for key, text in raw_seed_articles.items()}

    assert [c.author for c in threads["000_294884e524495e2e"]] == ["", "Sire", "tajmo", ""]
    assert [c.author for c in threads["001_f697a7a22d3e1cbe"]] == ["", "Josh", "Peter", "", ""]
    assert [c.kind for c in threads["001_f697a7a22d3e1cbe"]].count("pingback") == 1
    assert threads["001_f697a7a22d3e1cbe"][3].kind == "pingback"
    for key in ("002_f4fcdf3f14d76fee", "003_cc7be3f4173797eb", "004_cbda983d538a1470"):
        assert threads[key] == []


@pytest.mark.parametrize("seed_key", ["000_294884e524495e2e", "001_f697a7a22d3e1cbe"])
def test_comment_texts_match_the_curated_ones(seed_key, raw_seed_articles):
    comments = parse_article(raw_seed_articles[seed_key]).comments

    assert [c.body for c in comments] == [row[1] for row in SOURCES[seed_key]["comments"]]


def test_page_furniture_is_left_out_and_listed(raw_seed_articles):
    parsed = parse_article(raw_seed_articles["001_f697a7a22d3e1cbe"])

    for debris in ("Social Share", "back Blog", "15 2010", "Posted in Social Media | 5 comments"):
        assert debris in parsed.debris_removed
        assert debris not in parsed.body
    assert "Says:" not in parsed.body
    assert "Josh says" not in parsed.body


def test_top_proposals_are_the_curated_definitions_for_at_least_9_of_10(raw_seed_articles, capsys):
    hits, misses, slowest = 0, [], 0.0
    for key, curated in SOURCES.items():
        started = time.perf_counter()
        parsed = parse_article(raw_seed_articles[key])
        proposals = propose(parsed.body, TERM_A, TERM_B, CURATED["dimensions"])
        slowest = max(slowest, time.perf_counter() - started)
        for term, candidates in (("a", proposals.definitions_a), ("b", proposals.definitions_b)):
            top = candidates[0].quote if candidates else ""
            if top and same_definition(top, curated["definitions"][term][0], parsed.body):
                hits += 1
            else:
                misses.append(f"{key}/{term}: {top[:60]!r}")
    with capsys.disabled():  # the figure issue 9 asks for, shown even without -s
        print(  # noqa: T201
            f"\nextraction: {hits}/10 top proposals match the curated definitions "
            f"(slowest article {slowest * 1000:.0f} ms){'; missed ' if misses else ''}"
            + "; ".join(misses)
        )

    assert hits >= 9


def test_every_proposed_quote_is_exactly_the_body_text_at_its_offset(
    raw_seed_articles, new_article_text
):
    for text in [*raw_seed_articles.values(), new_article_text]:
        parsed = parse_article(text)
        proposals = propose(parsed.body, TERM_A, TERM_B, CURATED["dimensions"])
        for candidate in proposals.definitions_a + proposals.definitions_b:
            assert parsed.body[candidate.start : candidate.start + len(candidate.quote)] == (
                candidate.quote
            )


def test_a_quote_starts_at_the_term_when_an_image_name_runs_into_it():
    body = (
        "Some opening words about the web.\n\n"
        "photo-of-a-busy-cafeSocial networking refers to people meeting through shared "
        "interests online."
    )

    top = propose(body, TERM_A, TERM_B).definitions_b[0]

    assert top.quote.startswith("Social networking refers to people")
    assert body[top.start : top.start + len(top.quote)] == top.quote


def test_bullets_are_not_part_of_the_quote():
    body = (
        "Here is the short version:\n\n"
        "• Social media is about content.\n\n"
        "• Social networking is about people."
    )

    proposals = propose(body, TERM_A, TERM_B)

    assert proposals.definitions_a[0].quote == "Social media is about content."
    assert proposals.definitions_b[0].quote == "Social networking is about people."
    assert proposals.axis == ("content", "people")


def test_plural_and_singular_forms_of_a_term_count():
    body = "We all catch colds. Viruses are tiny agents that copy themselves inside cells."

    top = propose(body, "Virus", "Bacterium").definitions_a[0]

    assert top.quote == "Viruses are tiny agents that copy themselves inside cells."


def test_a_sentence_about_social_networks_does_not_define_social_networking():
    # Issue 17: the place ("social networks") is not the activity ("social networking").
    body = (
        "Social networks are places where friends keep in touch. "
        "Social networking is the act of keeping in touch with friends online."
    )

    ranked = propose(body, TERM_A, TERM_B).definitions_b

    assert [c.quote for c in ranked] == [
        "Social networking is the act of keeping in touch with friends online."
    ]


def test_a_sentence_that_defines_the_other_term_is_not_proposed_first():
    body = (
        "Social networking is the act of building relationships, unlike social media. "
        "Social media describes the channels that publish content to an audience."
    )

    proposals = propose(body, TERM_A, TERM_B)

    assert proposals.definitions_a[0].quote.startswith("Social media describes the channels")
    assert proposals.definitions_b[0].quote.startswith("Social networking is the act")


def test_a_question_is_not_proposed_as_a_definition():
    body = "What is social media, really? Social media is a set of publishing channels."

    top = propose(body, TERM_A, TERM_B).definitions_a[0]

    assert top.quote == "Social media is a set of publishing channels."


def test_sentences_keep_exact_offsets_and_abbreviations_do_not_end_them():
    body = "Social media vs. Social networking is a debate. It goes on, e.g. Here.\n\nNext one!"

    sentences = [body[s.start : s.end] for s in split_sentences(body)]

    assert sentences[0] == "Social media vs. Social networking is a debate."
    assert sentences[-1] == "Next one!"


def test_dimensions_are_proposed_from_what_the_text_says_about_both_terms(raw_seed_articles):
    parsed = parse_article(raw_seed_articles["003_cc7be3f4173797eb"])

    proposals = propose(parsed.body, TERM_A, TERM_B, CURATED["dimensions"])

    assert {"privacy", "algorithms", "commerce"} <= set(proposals.dimensions)
    says_a, says_b = proposals.stances["algorithms"]
    assert "algorithms" in says_a
    assert says_b.startswith("Social network feeds")


def test_the_new_article_is_split_and_its_definitions_proposed(new_article_text):
    parsed = parse_article(new_article_text)
    proposals = propose(parsed.body, TERM_A, TERM_B, CURATED["dimensions"])

    assert parsed.title == "Stop Mixing Up Social Media and Social Networking"
    assert parsed.date == (2015, 3, 3)
    assert [(c.author, c.kind) for c in parsed.comments] == [
        ("Maria Lopez", "comment"),
        ("", "pingback"),
    ]
    assert "Tags:" not in parsed.body
    assert "Leave a Reply" not in parsed.body
    assert proposals.definitions_a[0].quote.startswith("Social media is the set of online")
    assert proposals.definitions_b[0].quote.startswith("Social networking describes the activity")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"aS .?!\n\t•\u2013-1)[]“”\u2019'\u00a0:",
                *("Social media", "social networks", " is ", " refers to ", "In ", " says:"),
                "\n  1. ",
            ]
        ),
        max_size=120,
    ).map("".join)
)
def test_any_text_is_read_without_error_and_quotes_stay_exact(text):
    parsed = parse_article(text)
    proposals = propose(parsed.body, TERM_A, TERM_B, CURATED["dimensions"])

    for candidate in proposals.definitions_a + proposals.definitions_b:
        assert candidate.quote
        assert parsed.body[candidate.start : candidate.start + len(candidate.quote)] == (
            candidate.quote
        )
