"""Placing each point with one term, with both or with the other; the agreement map."""

from __future__ import annotations

import re
import threading
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from definitions.models import Comparison, Dimension, Placement
from definitions.placements import PlacementRefused, delete_placements, place, recount_dimensions
from smsn import ratelimit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def point(slug: str = "audience") -> Dimension:
    return Dimension.objects.select_related("comparison").get(slug=slug)


def place_url(dimension: Dimension) -> str:
    return reverse("definitions:place", args=[dimension.pk])


def counts(dimension: Dimension) -> tuple[int, int, int]:
    dimension.refresh_from_db()
    return (dimension.placed_a, dimension.placed_both, dimension.placed_b)


def row_counts(dimension: Dimension) -> tuple[int, int, int]:
    rows = Placement.objects.counted().filter(dimension=dimension)
    return tuple(rows.filter(value=v).count() for v in ("a", "both", "b"))  # type: ignore[return-value]


def placement_block(html: str, dimension: Dimension) -> str:
    found = re.search(
        rf'<div class="placement" id="placement-{dimension.pk}">.*?</form>', html, re.S
    )
    assert found is not None, "no placement block"
    return found.group(0)


def pressed(block: str) -> list[str]:
    """Return the names on the pressed placement buttons of a block."""
    return [
        re.sub(r"<[^>]+>|✓", "", label).strip()
        for label in re.findall(r'aria-pressed="true">(.*?)</button>', block, re.S)
    ]


def page(client: Client, comparison: Comparison) -> str:
    response = client.get(comparison.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# Placing without JavaScript: post, redirect to the row, the notice in the row.


def test_a_placement_without_javascript_redirects_back_to_the_points_row(visitor_client, seeded):
    audience = point()
    response = visitor_client.post(place_url(audience), {"value": "a"})
    assert response.status_code == 302
    assert response["Location"] == f"{seeded.get_absolute_url()}#dimension-audience"
    assert counts(audience) == (1, 0, 0)


def test_the_row_after_the_redirect_shows_the_notice_the_count_and_the_pressed_term(
    visitor_client, seeded
):
    audience = point()
    html = visitor_client.post(place_url(audience), {"value": "b"}, follow=True).content.decode()
    row = html.split('id="dimension-audience"', 1)[1].split("</tr>", 1)[0]
    assert pressed(placement_block(row, audience)) == ["Social networking"]
    assert "Your placement: Social networking. Press it again to withdraw it." in row
    assert (
        '<p class="notice placement-notice" role="status">Audience scale: Your placement: '
        "Social networking. Readers now: 0 Social media, 0 both / no difference, "
        "1 Social networking.</p>"
    ) in row
    assert "(1 reader;" in row
    # The notice is the row's own: it does not show at the top of the readers' section too.
    assert html.count("Readers now:") == 1


def test_the_buttons_name_the_comparisons_own_terms(client, seeded):
    Comparison.objects.filter(pk=seeded.pk).update(term_a="Blogging", term_b="Microblogging")
    block = placement_block(page(client, seeded), point())
    labels = [
        re.sub(r"<[^>]+>", "", b).strip()
        for b in re.findall(r'class="place-button.*?>(.*?)</button>', block)
    ]
    assert labels == ["Blogging", "Both / no difference", "Microblogging"]


def test_placing_the_same_way_twice_keeps_one_placement(visitor_client, seeded):
    audience = point()
    visitor_client.post(place_url(audience), {"value": "both"})
    visitor_client.post(place_url(audience), {"value": "both"})
    assert Placement.objects.count() == 1
    assert counts(audience) == (0, 1, 0)


def test_pressing_the_pressed_term_again_withdraws_the_placement(visitor_client, seeded):
    audience = point()
    visitor_client.post(place_url(audience), {"value": "a"})
    html = visitor_client.post(
        place_url(audience), {"value": "withdraw"}, follow=True
    ).content.decode()
    assert not Placement.objects.exists()
    assert counts(audience) == (0, 0, 0)
    assert "Audience scale: Your placement is withdrawn." in html
    assert pressed(placement_block(html, audience)) == []


def test_changing_a_placement_moves_it_from_one_count_to_the_other(visitor_client, seeded):
    audience = point()
    visitor_client.post(place_url(audience), {"value": "a"})
    visitor_client.post(place_url(audience), {"value": "b"})
    assert counts(audience) == (0, 0, 1)
    assert Placement.objects.get().value == "b"


def test_placements_from_different_visitors_add_up_and_show_in_the_bar(
    seeded, returning_visitor, client
):
    audience = point()
    for value in ("a", "a", "a", "both", "b"):
        visitor, _ = returning_visitor()
        visitor.post(place_url(audience), {"value": value})
    assert counts(audience) == (3, 1, 1)
    block = placement_block(page(client, seeded), audience)
    assert "3 Social media" in block
    assert "1 both / no difference" in block
    assert "1 Social networking" in block
    assert "Most readers (60% of 5 readers) say it belongs to social media." in block
    svg = re.search(r'<svg class="placement-bar mini-bar".*?</svg>', block, re.S).group(0)
    assert 'role="img"' in svg
    assert "aria-label=\"Readers' placements: 3 Social media, 1 both / no difference, " in svg
    assert '<rect class="bar-a" x="0.00" y="0" width="60.00"' in svg
    assert '<rect class="bar-both" x="60.00" y="0" width="20.00"' in svg
    assert '<rect class="bar-b" x="80.00" y="0" width="20.00"' in svg


def test_a_placement_gives_the_visitor_the_same_cookie_as_a_vote(visitor_client, seeded):
    from django.conf import settings

    response = visitor_client.post(place_url(point()), {"value": "a"})
    cookie = response.cookies[settings.SMSN_VISITOR_COOKIE]
    assert cookie["httponly"]
    assert str(Placement.objects.get().visitor_id) in cookie.value


def test_the_raw_ip_address_is_never_stored_with_a_placement(seeded):
    Client(REMOTE_ADDR="203.0.113.7").post(place_url(point()), {"value": "a"})
    placement = Placement.objects.get()
    assert "203.0.113.7" not in placement.ip_hash
    assert len(placement.ip_hash) == 64


# In place, with htmx.


def test_a_placement_with_htmx_returns_the_block_with_new_counts_and_pressed_state(
    visitor_client, seeded
):
    audience = point()
    response = visitor_client.post(place_url(audience), {"value": "both"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith(f'<div class="placement" id="placement-{audience.pk}">')
    assert pressed(html) == ["Both / no difference"]
    assert f'id="place-{audience.pk}-both" name="value" value="withdraw"' in html
    assert f'id="place-{audience.pk}-a" name="value" value="a" aria-pressed="false"' in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "0 Social media · 1 both / no difference · 0 Social networking" in text
    assert (
        '<div id="live-notice" data-hx-swap-oob="innerHTML">Audience scale: Your placement: '
        in html
    )
    assert "both / no difference. Readers now: 0 Social media, 1 both / no difference" in html


# Refusals: bad input, gone, too many, no token.


@pytest.mark.parametrize("value", ["c", "A", "", "0", "\x00", "a; DROP TABLE", "both" * 1000])
def test_a_placement_that_is_not_a_both_b_or_withdraw_is_refused(visitor_client, seeded, value):
    response = visitor_client.post(place_url(point()), {"value": value})
    assert response.status_code == 400
    assert "A placement is a, both, b or withdraw. Nothing was changed." in (
        response.content.decode()
    )
    assert not Placement.objects.exists()


def test_a_refused_placement_without_javascript_links_back_to_its_point(visitor_client, seeded):
    response = visitor_client.post(
        place_url(point()),
        {"value": "x"},
        HTTP_REFERER=f"http://testserver{seeded.get_absolute_url()}",
    )
    html = response.content.decode()
    assert (
        f'class="back-link" href="http://testserver{seeded.get_absolute_url()}#dimension-audience">'
        "Back to the point</a>"
    ) in html


def test_a_placement_refused_with_htmx_is_one_sentence_to_show_in_place(visitor_client, seeded):
    response = visitor_client.post(place_url(point()), {"value": "x"}, headers=HTMX)
    assert response.status_code == 400
    assert "data-refusal" in response.content.decode()
    assert "<html" not in response.content.decode()


def test_a_placement_of_an_unknown_point_is_not_found(visitor_client, seeded):
    response = visitor_client.post(reverse("definitions:place", args=[999999]), {"value": "a"})
    assert response.status_code == 404
    assert "This point cannot be placed" in response.content.decode()


def test_a_point_of_an_unpublished_comparison_cannot_be_placed(visitor_client, seeded):
    Comparison.objects.filter(pk=seeded.pk).update(is_published=False)
    assert visitor_client.post(place_url(point()), {"value": "a"}).status_code == 404
    assert not Placement.objects.exists()


def test_placing_needs_a_post_and_the_csrf_token(seeded):
    assert Client().get(place_url(point())).status_code == 405
    client = Client(enforce_csrf_checks=True)
    assert client.post(place_url(point()), {"value": "a"}).status_code == 403
    assert not Placement.objects.exists()


def test_more_than_thirty_placements_a_minute_from_one_network_get_429_and_change_nothing(
    seeded, monkeypatch
):
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    audience = point()
    client = Client(REMOTE_ADDR="198.51.100.23")
    for n in range(30):
        value = ("a", "b")[n % 2]
        assert client.post(place_url(audience), {"value": value}).status_code == 302
    response = client.post(place_url(audience), {"value": "both"})
    assert response.status_code == 429
    assert "Too many placements from your network in the last minute" in (response.content.decode())
    assert response["Retry-After"] == "60"
    assert counts(audience) == (0, 0, 1)
    # Another network is not affected.
    assert (
        Client(REMOTE_ADDR="198.51.100.24").post(place_url(audience), {"value": "a"}).status_code
        == 302
    )


# The rules, through place() itself.


def test_place_keeps_counts_equal_to_the_placement_rows(seeded):
    audience = point()
    visitors = [uuid.uuid4() for _ in range(6)]
    for visitor, value in zip(visitors, ["a", "a", "b", "both", "b", "a"], strict=True):
        place(dimension=audience, visitor=visitor, value=value)
    place(dimension=audience.pk, visitor=visitors[0], value="b")
    place(dimension=audience, visitor=visitors[1], value="")
    assert counts(audience) == row_counts(audience) == (1, 1, 3)


def test_sending_the_same_placement_twice_changes_nothing_the_second_time(seeded):
    audience, visitor = point(), uuid.uuid4()
    first = place(dimension=audience, visitor=visitor, value="a")
    again = place(dimension=audience, visitor=visitor, value="a")
    assert (first.changed, again.changed) == (True, False)
    assert counts(audience) == (1, 0, 0)


def test_a_placement_a_moderator_voided_is_not_counted_and_cannot_be_revived(seeded):
    audience, visitor = point(), uuid.uuid4()
    place(dimension=audience, visitor=visitor, value="a")
    Placement.objects.filter(visitor_id=visitor).update(is_void=True)
    recount_dimensions([audience.pk])
    place(dimension=audience, visitor=visitor, value="")
    place(dimension=audience, visitor=visitor, value="b")
    assert counts(audience) == (0, 0, 0)
    assert Placement.objects.get(visitor_id=visitor).is_void


def test_place_refuses_values_other_than_a_both_b_or_withdraw(seeded):
    with pytest.raises(ValueError, match="'a', 'both', 'b' or ''"):
        place(dimension=point(), visitor=uuid.uuid4(), value="c")


def test_place_refuses_a_point_that_is_gone(seeded):
    with pytest.raises(PlacementRefused):
        place(dimension=999999, visitor=uuid.uuid4(), value="a")


def test_deleting_placements_recounts_their_points(seeded):
    audience = point()
    for value in ("a", "b", "b"):
        place(dimension=audience, visitor=uuid.uuid4(), value=value)
    assert delete_placements(queryset=Placement.objects.filter(value="b")) == 2
    assert counts(audience) == (1, 0, 0)


def test_recounting_takes_the_same_queries_for_one_point_and_for_all(seeded):
    every = list(Dimension.objects.values_list("pk", flat=True))
    for pk in every:
        place(dimension=pk, visitor=uuid.uuid4(), value="both")
    Dimension.objects.update(placed_both=0)
    with CaptureQueriesContext(connection) as one:
        recount_dimensions(every[:1])
    with CaptureQueriesContext(connection) as all_of_them:
        assert recount_dimensions(every) == len(every)
    assert len(one) == len(all_of_them)
    assert set(Dimension.objects.values_list("placed_both", flat=True)) == {1}


# The shared page: the visitor's own placement is theirs alone; every placement shows at once.


@pytest.fixture(params=["database cache", "redis cache"])
def shared_cache(request):
    if request.param == "redis cache":
        request.getfixturevalue("redis_shared_cache")


def test_a_placement_shows_in_the_next_page_view_of_the_visitor_and_of_a_stranger(
    client, seeded, returning_visitor, shared_cache
):
    audience = point()
    assert "(0 readers;" in placement_block(page(client, seeded), audience)
    visitor, _ = returning_visitor()
    page(visitor, seeded)
    visitor.post(place_url(audience), {"value": "a"}, headers=HTMX)
    mine = placement_block(page(visitor, seeded), audience)
    assert pressed(mine) == ["Social media"]
    assert "(1 reader;" in mine
    theirs = placement_block(page(client, seeded), audience)
    assert pressed(theirs) == []
    assert "(1 reader;" in theirs


def test_a_returning_visitor_gets_the_shared_page_with_their_placements_in_one_query(
    client, seeded, returning_visitor, shared_cache, django_assert_max_num_queries
):
    audience, privacy = point(), point("privacy")
    visitor, visitor_id = returning_visitor()
    place(dimension=audience, visitor=visitor_id, value="both")
    place(dimension=privacy, visitor=visitor_id, value="b")
    page(client, seeded)
    # One read of the page's version (a query with the tests' database cache) and one query
    # for whether the page is theirs, their votes and their placements.
    with django_assert_max_num_queries(2):
        html = page(visitor, seeded)
    assert pressed(placement_block(html, audience)) == ["Both / no difference"]
    assert pressed(placement_block(html, privacy)) == ["Social networking"]
    # The same page, rendered for this visitor alone, reads the same.
    rendered = visitor.get(seeded.get_absolute_url() + "?from=feed").content.decode()
    for dimension in (audience, privacy):
        assert normalised(placement_block(rendered, dimension)) == normalised(
            placement_block(html, dimension)
        )


def normalised(html: str) -> str:
    """Return HTML without its per-request token and the whitespace between tags."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r">\s+<", "><", html)


def test_the_page_takes_the_same_queries_for_one_placement_and_for_one_on_every_point(
    seeded, returning_visitor
):
    visitor, visitor_id = returning_visitor()
    points = list(Dimension.objects.all())
    Placement.objects.bulk_create(
        Placement(dimension=p, visitor_id=uuid.uuid4(), value="both")
        for p in points
        for _ in range(30)
    )
    place(dimension=points[0], visitor=visitor_id, value="a")
    # A query string the page ignores: the page is rendered for this visitor alone.
    url = seeded.get_absolute_url() + "?from=feed"
    visitor.get(url)
    with CaptureQueriesContext(connection) as one:
        visitor.get(url)
    for dimension in points[1:]:
        place(dimension=dimension, visitor=visitor_id, value="b")
    with CaptureQueriesContext(connection) as every:
        html = visitor.get(url).content.decode()
    assert len(one) == len(every)
    shown = seeded.key_differences(seeded.published_sources())
    assert [pressed(placement_block(html, d)) for d in shown] == [
        ["Social media" if d.pk == points[0].pk else "Social networking"] for d in shown
    ]


# The agreement map.


def map_rows(html: str) -> dict[str, str]:
    section = html.split('id="agreement-map"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<li class="map-row">(.*?)</li>', section, re.S)
    return {
        re.findall(r'class="map-point"[^>]*>(.*?)</a>', row)[0]: re.sub(
            r"\s+", " ", re.sub(r"<[^>]+>", " ", row)
        ).strip()
        for row in rows
    }


def test_the_agreement_map_lists_every_point_with_the_sources_and_the_readers_verdict(
    client, seeded
):
    for value in ("a", "a", "b"):
        place(dimension=point("audience"), visitor=uuid.uuid4(), value=value)
    for value in ("both", "both", "a"):
        place(dimension=point("privacy"), visitor=uuid.uuid4(), value=value)
    place(dimension=point("purpose"), visitor=uuid.uuid4(), value="a")
    place(dimension=point("purpose"), visitor=uuid.uuid4(), value="b")
    html = page(client, seeded)
    rows = map_rows(html)
    shown = [d.name for d in seeded.key_differences(seeded.published_sources())]
    assert list(rows) == shown
    assert rows["Audience scale"].endswith("Readers see a difference: mostly social media (3)")
    assert rows["Privacy"].endswith("Readers see no difference (3)")
    assert rows["Purpose"].endswith("Readers are split (2)")
    assert rows["Focus"].endswith("No readers yet")
    kinds = {d.name: d.agreement.kind for d in seeded.key_differences(seeded.published_sources())}
    said = {"agree": "Sources agree", "differ": "Sources differ", "single": "One source only"}
    for name, kind in kinds.items():
        assert said.get(kind, "Not compared yet") in rows[name], name
    # Each point links to its row.
    assert 'class="map-point" href="#dimension-audience"' in html


def test_the_numbers_table_gives_every_points_counts_and_shares(client, seeded):
    for value in ("a", "both", "b", "b"):
        place(dimension=point("audience"), visitor=uuid.uuid4(), value=value)
    html = page(client, seeded)
    table = html.split('class="numbers-table"', 1)[1].split("</table>", 1)[0]
    row = re.search(r"<tr><th scope=\"row\">Audience scale</th>(.*?)</tr>", table).group(1)
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", row)]
    assert cells == ["1 (25%)", "1 (25%)", "2 (50%)", "4"]


# PostgreSQL: concurrent placements keep exact counts.


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): row locks are what is tested")


def run_at_once(jobs: list[tuple[uuid.UUID, str]], dimension: Dimension) -> list[BaseException]:
    """Place each (visitor, value) from its own thread and connection, all at the same time."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def job(visitor: uuid.UUID, value: str) -> None:
        try:
            barrier.wait(timeout=30)
            place(dimension=dimension.pk, visitor=visitor, value=value, ip_hash="h")
        except BaseException as exc:  # reported by the caller's assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job, args=args) for args in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_readers_placing_at_once_leave_one_row_each_and_exact_counts(seeded):
    needs_postgresql()
    audience = point()
    readers = [uuid.uuid4() for _ in range(20)]
    values = ["a", "both", "b", "a"]
    assert run_at_once([(r, values[n % 4]) for n, r in enumerate(readers)], audience) == []
    rows = Placement.objects.filter(dimension=audience)
    assert sorted(rows.values_list("visitor_id", flat=True)) == sorted(readers)
    assert counts(audience) == row_counts(audience) == (10, 5, 5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_reader_placing_from_twenty_connections_at_once_has_one_placement(seeded):
    needs_postgresql()
    audience, reader = point(), uuid.uuid4()
    assert run_at_once([(reader, "b")] * 20, audience) == []
    assert Placement.objects.filter(dimension=audience).count() == 1
    assert counts(audience) == (0, 0, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readers_changing_their_placements_at_once_keep_exact_counts(seeded):
    needs_postgresql()
    audience = point()
    readers = [uuid.uuid4() for _ in range(12)]
    for reader in readers:
        place(dimension=audience, visitor=reader, value="a")
    jobs = [(r, ("b", "both", "")[n % 3]) for n, r in enumerate(readers)]
    assert run_at_once(jobs, audience) == []
    assert counts(audience) == row_counts(audience) == (0, 4, 4)
