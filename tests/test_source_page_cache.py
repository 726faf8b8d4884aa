"""Source pages are shared like the comparison page, and every change still shows at once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from definitions.models import Definition, Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["database cache", "redis cache"])
def shared_cache(request):
    """Run every test here on the tests' database cache and on production's Redis backend."""
    if request.param == "redis cache":
        request.getfixturevalue("redis_shared_cache")
    return request.param


def first_source() -> Source:
    source = Source.objects.published().order_by("position").first()
    assert source is not None
    return source


def page(client, source: Source) -> str:
    response = client.get(source.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_visitors_second_view_of_a_source_page_asks_the_database_nothing(
    client, seeded, shared_cache, django_assert_num_queries
):
    source = first_source()
    first = page(client, source)
    if shared_cache != "redis cache":
        pytest.skip("the tests' database cache is itself queries")
    with django_assert_num_queries(0):
        second = page(client, source)
    assert second.count(source.title) == first.count(source.title)
    assert 'class="definition definition-a"' in second


def test_every_view_gets_its_own_csrf_token_and_comment_ticket(client, seeded):
    source = first_source()
    tickets = set()
    for _ in range(2):
        html = page(client, source)
        tickets.add(re.search(r'name="ticket" value="([^"]+)"', html).group(1))
    assert len(tickets) == 2


def test_a_comment_by_somebody_else_shows_to_a_stranger_at_once(
    client, seeded, comment_form, returning_visitor
):
    source = first_source()
    assert "The source page cache works" not in page(client, source)
    author, _ = returning_visitor()
    url = reverse(
        "comments:post_on_source", kwargs={"comparison_slug": seeded.slug, "slug": source.slug}
    )
    response = author.post(url, comment_form(body="The source page cache works."))
    assert response.status_code == 302
    assert "The source page cache works." in page(client, source)


def test_the_visitors_own_comment_shows_as_theirs_and_nobody_elses(
    client, seeded, make_comment, returning_visitor
):
    source = first_source()
    page(client, source)  # cached for everyone first
    author, visitor_id = returning_visitor()
    comment = make_comment(source=source, visitor_id=visitor_id, body="Mine, and I may edit it.")
    edit = reverse("comments:edit", args=[comment.pk])
    own = page(author, source)
    assert "Mine, and I may edit it." in own
    assert f'href="{edit}"' in own
    strangers = page(client, source)
    assert "Mine, and I may edit it." in strangers
    assert f'href="{edit}"' not in strangers


def test_an_edited_definition_shows_on_the_source_page_at_once(client, seeded):
    source = first_source()
    page(client, source)
    definition = Definition.objects.filter(source=source).first()
    Definition.objects.filter(pk=definition.pk).delete()
    html = page(client, source)
    assert f'id="{definition.anchor}"' not in html


def test_an_unpublished_source_is_gone_at_once_even_when_it_was_cached(client, seeded):
    source = first_source()
    page(client, source)
    source.is_published = False
    source.save()
    assert client.get(source.get_absolute_url()).status_code == 404


def test_a_source_of_another_comparison_slug_is_not_served_from_the_cache(client, seeded):
    source = first_source()
    page(client, source)
    wrong = reverse(
        "definitions:source", kwargs={"comparison_slug": "no-such-comparison", "slug": source.slug}
    )
    assert client.get(wrong).status_code == 404
