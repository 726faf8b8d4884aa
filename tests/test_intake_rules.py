"""Issue 17: each phrasing rule of the intake, on made-up sentences (the rules are phrasings)."""

from __future__ import annotations

import pytest

from definitions.intake.propose import (
    PRESELECT_THRESHOLD,
    calibrated,
    confidence_level,
    propose,
    term_pattern,
)

SM, SN = "Social media", "Social networking"
FILLER = "People mix these words up all the time. "


def top(body: str, term_a: str, term_b: str, term: str = "a"):
    proposals = propose(body, term_a, term_b)
    ranked = proposals.definitions_a if term == "a" else proposals.definitions_b
    assert ranked, "no proposal at all"
    return ranked[0]


@pytest.mark.parametrize(
    ("body", "quote", "rule"),
    [
        (
            FILLER + "A gizmo is a small device that does one job well.",
            "A gizmo is a small device that does one job well.",
            "“X is a …” sentence",
        ),
        (
            FILLER + "Gizmo refers to any small device that does one job.",
            "Gizmo refers to any small device that does one job.",
            "“X refers to …” sentence",
        ),
        (
            FILLER + "Gizmo: a small device that does one job well",
            "Gizmo: a small device that does one job well",
            "“X: …” definition line",
        ),
        (
            FILLER + "We use the term “gizmo” to describe a small device that does one job.",
            "We use the term “gizmo” to describe a small device that does one job.",
            "“We use the term X to describe …” sentence",
        ),
        (
            "A widget is a large machine. A gizmo, on the other hand, is a small device.",
            "A gizmo, on the other hand, is a small device.",
            "“X is a …” sentence",
        ),
        (
            FILLER + "A gizmo can be called a one-job device.",
            "A gizmo can be called a one-job device.",
            "“X can be called …” sentence",
        ),
        (
            FILLER + "A small device that does one job well is called a gizmo.",
            "A small device that does one job well is called a gizmo.",
            "“… is called X” sentence",
        ),
        (
            FILLER + "**Gizmo** is a small device that does one job well.",
            "**Gizmo** is a small device that does one job well.",
            "“X is a …” sentence",
        ),
        (
            FILLER + "_Gizmo_ means a small device that does one job well.",
            "_Gizmo_ means a small device that does one job well.",
            "“X means …” sentence",
        ),
        (
            FILLER + "“Gizmo” is used as a name for small devices that do one job.",
            "“Gizmo” is used as a name for small devices that do one job.",
            "“X is used as …” sentence",
        ),
    ],
)
def test_each_phrasing_rule_finds_the_definition_and_names_itself(body, quote, rule):
    found = top(body, "Gizmo", "Widget")

    assert found.quote == quote
    assert found.rule == rule
    assert found.preselected
    assert body[found.start : found.start + len(found.quote)] == found.quote


def test_a_contrastive_sentence_defines_both_terms():
    body = (
        "They sound alike. Social media is a set of channels for publishing, whereas social "
        "networking is the activity of building relationships."
    )

    proposals = propose(body, SM, SN)

    assert proposals.definitions_a[0].quote == proposals.definitions_b[0].quote
    assert proposals.definitions_b[0].quote.startswith("Social media is a set of channels")
    assert proposals.definitions_b[0].rule.startswith("contrastive sentence")
    assert proposals.definitions_b[0].preselected
    assert proposals.axis == ("channels", "activity")


def test_a_contrastive_sentence_after_a_discourse_marker_defines_the_second_term():
    body = "In summary, affect is the action or influence, while effect is the result."

    assert top(body, "Affect", "Effect", "b").preselected


def test_social_networking_does_not_match_inside_a_web_address():
    body = (
        "Read more at https://example.com/social-networking-is-a-trap today. "
        "Social networking is the activity of building relationships online."
    )

    ranked = propose(body, SM, SN).definitions_b

    assert [c.quote for c in ranked] == [
        "Social networking is the activity of building relationships online."
    ]
    assert not term_pattern(SN).fullmatch("social network")
    assert term_pattern(SN, related=True).fullmatch("social network")


@pytest.mark.parametrize(
    "body",
    [
        "The weekend weather is shaping up to be a mix of rain and sun.",
        "Friday's Weather: Mostly Cloudy with a Chance of Showers",
        "Be prepared for wet weather if you need to be outside.",
        "Viruses are constructed differently from bacteria.",
        "Viruses are much smaller and must get inside a cell.",
    ],
)
def test_a_sentence_that_only_names_a_term_is_not_preselected(body):
    proposals = propose(body, "Weather", "Climate")
    proposals_v = propose(body, "Virus", "Bacteria")

    for ranked in (proposals.definitions_a, proposals_v.definitions_a):
        assert not any(c.preselected for c in ranked)
        assert all(c.level == "low" for c in ranked)


@pytest.mark.parametrize(
    ("body", "axis"),
    [
        ("Affect is used as a verb, while effect is used as a noun.", ("verb", "noun")),
        ("While affect describes an action, effect describes a result.", ("action", "result")),
        (
            "Affect as a verb means to influence while effect as a verb means to cause.",
            ("influence", "cause"),
        ),
        (
            "With affect the change is one-way. With effect the change is two-way, both ways.",
            ("one-way", "two-way"),
        ),
        ("Affect is about actions. Effect is about results.", ("actions", "results")),
        ("In short, effect vs affect: noun vs verb.", ("verb", "noun")),
        ("Affect versus effect — an action versus a result.", ("action", "result")),
    ],
)
def test_the_axis_comes_from_the_contrast_the_text_draws(body, axis):
    assert propose(body, "Affect", "Effect").axis == axis


@pytest.mark.parametrize(
    "body",
    [
        "Affect is said to be hard. Effect is easy to remember.",
        "Affect is the same thing as effect, some say. Effect is the same thing too.",
        "Affect is confusing. Effect is confusing as well.",
    ],
)
def test_no_axis_rather_than_a_random_word_after_is(body):
    assert propose(body, "Affect", "Effect").axis is None


def test_confidence_is_a_probability_with_levels_a_moderator_reads():
    assert 0 < calibrated(0.0, "rule") < calibrated(3.0, "rule") < calibrated(6.0, "rule") < 1
    assert calibrated(9.0, "") <= 0.3  # naming a term is not defining it
    assert confidence_level(0.9) == "high"
    assert confidence_level(PRESELECT_THRESHOLD) == "medium"
    assert confidence_level(0.2) == "low"


def test_only_the_top_proposal_is_ever_preselected():
    body = "A gizmo is a small device. A gizmo is a tool that does one job. A gizmo is a thing."

    ranked = propose(body, "Gizmo", "Widget").definitions_a

    assert [c.preselected for c in ranked] == [True, False, False]


@pytest.mark.parametrize(
    "body",
    [
        "Widget is a thing" + " " * 20_000 + ", while gizmo is a device.",
        "Gizmo is " + "x" * 20_000 + "/y",
        "x:" * 10_000 + " gizmo is a thing.",
        "Gizmo " + "a/" * 10_000 + " is a thing.",
    ],
)
def test_long_runs_of_spaces_or_one_very_long_word_are_read_in_linear_time(body):
    # Patterns that backtracked over such runs took minutes on 20,000 characters.
    proposals = propose(body, "Gizmo", "Widget")

    for candidate in proposals.definitions_a:
        assert body[candidate.start : candidate.start + len(candidate.quote)] == candidate.quote
