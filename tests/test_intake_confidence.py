"""Issue 17: the review shows how sure the intake is, and preselects only what it is sure of."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from definitions.intake.forms import DOES_NOT_DEFINE
from definitions.models import Comparison, Source
from tests.test_intake_admin import REVIEW, paste, review_form

pytestmark = pytest.mark.django_db

NEITHER = """Your Weekend Weather Forecast

The weekend weather is shaping up to be a mix of rain, clouds, and sunshine. If you have outdoor \
plans, keep an umbrella handy.

Friday's Weather: Mostly Cloudy with a Chance of Showers

Saturday will see showers likely, especially after 1 pm. Be prepared for wet weather if you need \
to be outside.
"""

BOTH = """Weather and Climate Are Not the Same

Weather is the state of the atmosphere at a particular time and place.

Climate is the average weather over a long period of time, usually thirty years or more.
"""


@pytest.fixture
def weather(db) -> Comparison:
    return Comparison.objects.create(slug="weather-vs-climate", term_a="Weather", term_b="Climate")


def test_each_proposal_shows_the_rule_that_found_it_and_its_confidence(superuser_client, weather):
    review = paste(superuser_client, weather, BOTH)
    html = review.content.decode()

    assert review.status_code == 200
    assert "Found by: “X is a …” sentence. Confidence: <strong>high</strong>" in html
    assert "chosen for you" in html
    assert 'aria-describedby="id_definition_a_0_found_by"' in html
    assert 'id="id_definition_a_0_found_by"' in html
    assert "No defining sentence found" not in html
    data = review_form(review)
    assert data["definition_a"] == [
        "Weather is the state of the atmosphere at a particular time and place."
    ]


def test_an_article_that_defines_neither_term_says_so_and_preselects_nothing(
    superuser_client, weather
):
    review = paste(superuser_client, weather, NEITHER)
    html = review.content.decode()

    assert review.status_code == 200
    assert "No defining sentence found for “Weather”" in html
    assert "No defining sentence found for “Climate”" in html
    assert "chosen for you" not in html
    assert "Confidence: <strong>low</strong>" in html
    data = review_form(review)
    assert "definition_a" not in data
    assert "definition_b" not in data
    assert "This source does not define “Weather”" in html


def test_saving_without_a_choice_asks_for_one_next_to_the_field_and_keeps_the_input(
    superuser_client, weather
):
    data = review_form(paste(superuser_client, weather, NEITHER))
    data["title"] = ["A forecast, edited"]
    data["text_a"], data["text_b"] = ["short"], ["long"]

    response = superuser_client.post(reverse(REVIEW), data)
    html = response.content.decode()

    assert response.status_code == 400
    assert "Choose the sentence that defines Weather, paste the quote below, or choose" in html
    assert re.search(r'<div class="flex-container errors">\s*<fieldset>', html)
    assert 'value="A forecast, edited"' in html
    assert Source.objects.count() == 0


def test_choosing_does_not_define_for_both_terms_saves_a_draft_without_definitions(
    superuser_client, weather
):
    data = review_form(paste(superuser_client, weather, NEITHER))
    data["definition_a"] = [DOES_NOT_DEFINE]
    data["definition_b"] = [DOES_NOT_DEFINE]
    data["text_a"], data["text_b"] = ["short"], ["long"]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 302
    source = Source.objects.get()
    assert not source.is_published
    assert not source.definitions.exists()


def test_a_pasted_quote_with_does_not_define_is_a_contradiction_named_next_to_the_field(
    superuser_client, weather
):
    data = review_form(paste(superuser_client, weather, BOTH))
    data["definition_b"] = [DOES_NOT_DEFINE]
    data["quote_b"] = ["Climate is the average weather over a long period of time"]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 400
    assert "You said this source does not define Climate but pasted a quote" in (
        response.content.decode()
    )


def test_an_explicit_choice_below_the_threshold_is_saved(superuser_client, weather):
    text = NEITHER + "\nClimate is what you expect; weather is what you get.\n"
    data = review_form(paste(superuser_client, weather, text))
    data["definition_a"] = ["Be prepared for wet weather if you need to be outside."]
    data["definition_b"] = data.get("definition_b") or [
        "Climate is what you expect; weather is what you get."
    ]
    data["text_a"], data["text_b"] = ["what you get"], ["what you expect"]

    response = superuser_client.post(reverse(REVIEW), data)

    assert response.status_code == 302
    source = Source.objects.get()
    assert source.definitions.get(term="a").quote.startswith("Be prepared for wet weather")
