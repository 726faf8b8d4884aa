"""Classifying examples: "Is YouTube social media, social networking, or both?"

One answer per visitor, changeable, exact counts; after answering, what each source implies
(with its quote, verbatim from the article) and how readers answered.
"""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from definitions.examples import AnswerRefused, answer_example, set_answers_void
from definitions.models import Example, ExampleAnswer, ExampleImplication, Source
from smsn import ratelimit

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def example(slug: str = "youtube") -> Example:
    return Example.objects.select_related("comparison").get(slug=slug)


def answer_url(found: Example) -> str:
    return reverse("definitions:answer", args=[found.pk])


# The seed data


def test_at_least_eight_examples_the_articles_name_are_shipped(seeded):
    names = set(Example.objects.filter(comparison=seeded).values_list("name", flat=True))
    assert len(names) >= 8
    assert {"Facebook", "Twitter", "LinkedIn", "YouTube", "Flickr", "MySpace"} <= names


def test_every_implication_quote_is_in_its_article_at_its_stored_place(seeded):
    implications = ExampleImplication.objects.select_related("source", "example")
    assert implications.count() >= 15
    for i in implications:
        assert i.source.body[i.start : i.end] == i.quote, i
        assert i.source.comparison_id == i.example.comparison_id


def test_every_implication_quote_names_its_example(seeded):
    for i in ExampleImplication.objects.select_related("example"):
        assert i.example.name.lower() in i.quote.lower(), i


def test_loading_the_seed_twice_keeps_one_row_each_and_readers_answers(seeded):
    from django.core.management import call_command

    answer_example(example_id=example().pk, visitor_id=uuid.uuid4(), ip_hash="h", value="both")
    before = (Example.objects.count(), ExampleImplication.objects.count())
    call_command("loadsources", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Example.objects.count(), ExampleImplication.objects.count()) == before
    assert example().answers_both == 1


def test_a_quote_not_in_the_article_is_refused_with_a_sentence(seeded):
    source = Source.objects.get(slug="verb-or-tool")
    wrong = ExampleImplication(example=example(), source=source, verdict="a", quote="Not there.")
    with pytest.raises(ValidationError, match="not in the source's text"):
        wrong.full_clean()


def test_a_quote_at_the_wrong_offset_is_moved_to_where_it_is(seeded):
    source = Source.objects.get(slug="verb-or-tool")
    quote = "The best known ones are sites like Facebook, LinkedIn, Youtube and Flickr."
    found = ExampleImplication(example=example(), source=source, verdict="a", quote=quote)
    found.clean()
    assert source.body[found.start : found.end] == quote


# The page


def test_the_example_page_asks_the_question_in_the_comparisons_words(client, seeded):
    html = client.get(example().get_absolute_url()).content.decode()
    assert 'Is <em class="example-name">YouTube</em>' in html
    assert 'social media</span>, <span class="term-b">social networking</span>, or both?' in html
    assert "Answer first" in html
    # Nothing of what sources or readers say before answering.
    assert "What the sources imply" not in html


def test_answering_without_javascript_redirects_to_the_result(visitor_client, seeded):
    found = example()
    response = visitor_client.post(answer_url(found), {"value": "b"})
    assert response.status_code == 302
    assert response["Location"] == f"{found.get_absolute_url()}#answer"
    html = visitor_client.get(response["Location"]).content.decode()
    assert "Your answer: social networking." in html
    assert re.search(r'value="b" aria-pressed="true">', html)
    assert "What the sources imply" in html
    assert "How readers answered" in html
    assert "1 reader answered: social media 0, both 0, social networking 1, neither 0." in html


def test_after_answering_each_source_says_what_it_implies_with_its_quote(visitor_client, seeded):
    found = example("facebook")
    html = visitor_client.post(answer_url(found), {"value": "a"}, follow=True).content.decode()
    assert 'implies <strong class="verdict">social networking</strong>' in html
    # Source 4 calls Facebook both social media and a core social networking platform.
    assert 'implies <strong class="verdict">both</strong>' in html
    assert "When we speak of social networking sites, we speak of Facebook or mySpace." in html
    source = Source.objects.get(slug="channel-or-place")
    assert f'href="{source.get_absolute_url()}#:~:text=' in html


def test_answering_with_htmx_swaps_the_result_in_place(visitor_client, seeded):
    response = visitor_client.post(answer_url(example()), {"value": "a"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="answer-section" id="answer">')
    assert "<html" not in html
    assert "Your answer: social media." in html
    assert "What the sources imply" in html


def test_the_readers_bar_is_an_svg_with_a_text_equivalent_and_a_table(visitor_client, seeded):
    found = example()
    for value in ("a", "a", "both"):
        answer_example(example_id=found.pk, visitor_id=uuid.uuid4(), ip_hash="h", value=value)
    html = visitor_client.post(answer_url(found), {"value": "a"}, follow=True).content.decode()
    assert re.search(r'<svg class="tally-bar"[^>]*role="img" aria-labelledby="tally-caption"', html)
    assert '<rect class="tally-a" x="0.00" y="0" width="75.00"' in html
    assert '<rect class="tally-both" x="75.00" y="0" width="25.00"' in html
    assert "4 readers answered: social media 3, both 1, social networking 0, neither 0." in html
    assert re.search(r"Social media</th><td>3</td><td>75%</td>", html)


def test_changing_the_answer_moves_the_count_and_keeps_one_row(seeded):
    found, visitor = example(), uuid.uuid4()
    answer_example(example_id=found.pk, visitor_id=visitor, ip_hash="h", value="a")
    answer_example(example_id=found.pk, visitor_id=visitor, ip_hash="h", value="b")
    found.refresh_from_db()
    assert (found.answers_a, found.answers_b) == (0, 1)
    assert ExampleAnswer.objects.get(visitor_id=visitor).value == "b"


def test_sending_the_same_answer_twice_counts_it_once(visitor_client, seeded):
    found = example()
    visitor_client.post(answer_url(found), {"value": "both"})
    html = visitor_client.post(answer_url(found), {"value": "both"}, follow=True).content.decode()
    found.refresh_from_db()
    assert found.answers_both == 1
    assert ExampleAnswer.objects.count() == 1
    assert "Your answer stays: both. Nothing was counted twice." in html


@pytest.mark.parametrize("value", ["", "c", "A", "1", "\x00", "both; DROP TABLE", "a" * 5000])
def test_an_answer_not_understood_is_refused_with_a_sentence_and_changes_nothing(
    visitor_client, seeded, value
):
    response = visitor_client.post(answer_url(example()), {"value": value})
    assert response.status_code == 400
    assert "An answer is one of the four buttons" in response.content.decode()
    assert ExampleAnswer.objects.count() == 0


def test_an_unpublished_example_cannot_be_answered_or_seen(visitor_client, seeded):
    found = example()
    Example.objects.filter(pk=found.pk).update(is_published=False)
    response = visitor_client.post(answer_url(found), {"value": "a"})
    assert response.status_code == 404
    assert "not published" in response.content.decode()
    assert visitor_client.get(found.get_absolute_url()).status_code == 404
    with pytest.raises(AnswerRefused):
        answer_example(example_id=found.pk, visitor_id=uuid.uuid4(), ip_hash="h", value="a")


def test_too_many_answers_from_one_network_are_refused_with_the_wait(
    visitor_client, seeded, settings
):
    settings.SMSN_RATE_LIMITS = {**settings.SMSN_RATE_LIMITS, "answer": [(2, 60)]}
    found = example()
    for value in ("a", "b"):
        assert visitor_client.post(answer_url(found), {"value": value}).status_code == 302
    response = visitor_client.post(answer_url(found), {"value": "both"})
    assert response.status_code == 429
    assert "Too many answers from your network" in response.content.decode()
    assert ExampleAnswer.objects.get().value == "b"
    assert ratelimit.limits("answer") == [(2, 60)]


def test_a_voided_answer_is_not_counted_and_stays_void(seeded):
    found, visitor = example(), uuid.uuid4()
    answer_example(example_id=found.pk, visitor_id=visitor, ip_hash="h", value="a")
    set_answers_void(queryset=ExampleAnswer.objects.all(), is_void=True)
    found.refresh_from_db()
    assert found.answers_a == 0
    answer_example(example_id=found.pk, visitor_id=visitor, ip_hash="h", value="b")
    found.refresh_from_db()
    assert (found.answers_a, found.answers_b) == (0, 0)


# The index, the comparison page, open data and the feed


def test_the_index_lists_every_example_with_its_question_and_the_visitors_answer(
    visitor_client, seeded
):
    visitor_client.post(answer_url(example()), {"value": "both"})
    html = visitor_client.get(reverse("definitions:examples", args=[seeded.slug])).content.decode()
    for found in Example.objects.all():
        assert f'href="{found.get_absolute_url()}"' in html
    assert "Is LinkedIn social media, social networking, or both?" in html
    assert "1 answer; you answered both" in html


def test_the_index_takes_the_same_queries_for_few_and_many_examples(
    returning_visitor, seeded, django_assert_max_num_queries
):
    client, _ = returning_visitor()
    url = reverse("definitions:examples", args=[seeded.slug])
    client.get(url)
    with django_assert_max_num_queries(6) as few:
        client.get(url)
    for n in range(30):
        Example.objects.create(comparison=seeded, name=f"Site {n}", slug=f"site-{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_comparison_page_asks_about_the_first_example_and_links_the_others(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()
    first = Example.objects.filter(comparison=seeded).first()
    assert 'id="examples-heading">Is it social media, social networking, or both?' in html
    assert f'action="{answer_url(first)}"' in html
    assert f'href="{example("linkedin").get_absolute_url()}">LinkedIn</a>' in html


def test_answering_from_the_comparison_page_leads_to_the_example_page(visitor_client, seeded):
    first = Example.objects.filter(comparison=seeded).first()
    response = visitor_client.post(answer_url(first), {"value": "b"})
    assert response["Location"] == f"{first.get_absolute_url()}#answer"


def test_open_data_lists_examples_with_implications_and_counts(client, seeded):
    answer_example(example_id=example().pk, visitor_id=uuid.uuid4(), ip_hash="h", value="a")
    data = client.get(reverse("definitions:comparison_json", args=[seeded.slug])).json()
    youtube = next(e for e in data["examples"] if e["slug"] == "youtube")
    assert youtube["question"] == "Is YouTube social media, social networking, or both?"
    assert youtube["answers"] == {"a": 1, "both": 0, "b": 0, "neither": 0}
    said = {(i["source"], i["verdict"]) for i in youtube["implications"]}
    assert ("content-or-relationships", "a") in said
    for i in youtube["implications"]:
        body = Source.objects.get(slug=i["source"]).body
        assert body[i["start"] : i["end"]] == i["quote"]
    assert "visitor_id" not in str(data)


def test_new_examples_appear_in_the_atom_feed(client, seeded):
    url = reverse("definitions:examples_feed", args=[seeded.slug])
    response = client.get(url)
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Is YouTube social media, social networking, or both?" in response.content.decode()


# The admin


def test_moderators_edit_examples_with_inline_implications(seeded):
    assert Example in site._registry
    assert ExampleAnswer in site._registry
    inlines = [inline.model for inline in site._registry[Example].inlines]
    assert inlines == [ExampleImplication]


def test_the_admin_refuses_an_implication_whose_quote_is_not_in_the_article(
    superuser_client, seeded
):
    found = example()
    source = Source.objects.get(slug="verb-or-tool")
    url = reverse("admin:definitions_example_change", args=[found.pk])
    implications = list(found.implications.all())
    data = {
        "comparison": seeded.pk,
        "name": found.name,
        "slug": found.slug,
        "position": found.position,
        "is_published": "on",
        "implications-TOTAL_FORMS": len(implications) + 1,
        "implications-INITIAL_FORMS": len(implications),
        "implications-MIN_NUM_FORMS": 0,
        "implications-MAX_NUM_FORMS": 1000,
    }
    for n, i in enumerate(implications):
        data.update(
            {
                f"implications-{n}-id": i.pk,
                f"implications-{n}-example": found.pk,
                f"implications-{n}-source": i.source_id,
                f"implications-{n}-verdict": i.verdict,
                f"implications-{n}-quote": i.quote,
                f"implications-{n}-start": i.start,
            }
        )
    n = len(implications)
    data.update(
        {
            f"implications-{n}-example": found.pk,
            f"implications-{n}-source": source.pk,
            f"implications-{n}-verdict": "neither",
            f"implications-{n}-quote": "YouTube is a kind of television.",
            f"implications-{n}-start": 0,
        }
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "This quote is not in the source" in response.content.decode()
    assert found.implications.count() == n


def test_the_answer_admin_voids_answers_and_the_counts_follow(superuser_client, seeded):
    found = example()
    answer_example(example_id=found.pk, visitor_id=uuid.uuid4(), ip_hash="h", value="a")
    answer = ExampleAnswer.objects.get()
    response = superuser_client.post(
        reverse("admin:definitions_exampleanswer_changelist"),
        {"action": "void_answers", "_selected_action": [answer.pk]},
    )
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.answers_a == 0
    assert ExampleAnswer.objects.get().is_void


# Concurrency (PostgreSQL)


def needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): row locks are what is tested")


def run_at_once(jobs: list[tuple[uuid.UUID, str]], found: Example) -> list[BaseException]:
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def answer(visitor: uuid.UUID, value: str) -> None:
        try:
            barrier.wait(timeout=30)
            answer_example(example_id=found.pk, visitor_id=visitor, ip_hash="h", value=value)
        except BaseException as exc:  # reported by the caller's assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_readers_answering_at_once_leave_counts_equal_to_the_rows(seeded):
    needs_postgresql()
    found = example()
    readers = [uuid.uuid4() for _ in range(20)]
    values = ["a", "both", "b", "neither"]
    assert run_at_once([(r, values[n % 4]) for n, r in enumerate(readers)], found) == []
    found.refresh_from_db()
    rows = ExampleAnswer.objects.filter(example=found)
    assert rows.count() == 20
    for value in values:
        assert found.count_of(value) == rows.filter(value=value).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_reader_answering_from_twenty_connections_at_once_has_one_answer(seeded):
    needs_postgresql()
    found, reader = example(), uuid.uuid4()
    assert run_at_once([(reader, "b")] * 20, found) == []
    found.refresh_from_db()
    assert ExampleAnswer.objects.filter(example=found).count() == 1
    assert (found.answers_b, found.answer_total) == (1, 1)


def test_a_moderator_may_add_and_edit_examples_in_the_admin(moderator_client, seeded):
    assert moderator_client.get(reverse("admin:definitions_example_add")).status_code == 200
    change = reverse("admin:definitions_example_change", args=[example().pk])
    assert moderator_client.get(change).status_code == 200
    answers = reverse("admin:definitions_exampleanswer_changelist")
    assert moderator_client.get(answers).status_code == 200


def test_removing_everything_from_a_visitor_voids_their_answers_and_undo_counts_them_again(
    moderator, seeded
):
    from comments.moderation import VisitorFootprint, remove_visitor_content, undo_removal

    found, visitor = example(), uuid.uuid4()
    answer_example(example_id=found.pk, visitor_id=visitor, ip_hash="h", value="b")
    answer_example(example_id=found.pk, visitor_id=uuid.uuid4(), ip_hash="g", value="b")
    footprint = VisitorFootprint(frozenset({visitor}), frozenset())
    assert footprint.counts().answers == 1
    removal = remove_visitor_content(footprint=footprint, user=moderator)
    assert removal.answers == 1
    found.refresh_from_db()
    assert found.answers_b == 1
    assert ExampleAnswer.objects.get(visitor_id=visitor).is_void
    put_back = undo_removal(removal=removal.record, user=moderator)
    assert put_back.answers == 1
    found.refresh_from_db()
    assert found.answers_b == 2
    assert not ExampleAnswer.objects.get(visitor_id=visitor).is_void


def test_the_benchmarks_answer_script_posts_what_the_site_counts(seeded, returning_visitor):
    from benchmarks.run import answer_lua, exact_answer_counts

    script = answer_lua(n_visitors=3)
    ids = [int(i) for i in re.search(r"local ids = \{([\d,]+)\}", script)[1].split(",")]
    assert sorted(ids) == sorted(Example.objects.values_list("pk", flat=True))
    assert "'/examples/' .. id .. '/answer/'" in script
    client, _ = returning_visitor()
    path = reverse("definitions:answer", args=[ids[0]])
    assert path == f"/examples/{ids[0]}/answer/"
    assert client.post(path, {"value": "neither"}, headers=HTMX).status_code == 200
    assert exact_answer_counts() == 0
    Example.objects.filter(pk=ids[0]).update(answers_a=5)
    assert exact_answer_counts() == 1


def test_the_quote_in_context_link_names_the_quote_as_a_text_fragment():
    from definitions.models import text_fragment

    assert text_fragment("Facebook or mySpace.") == ":~:text=Facebook%20or%20mySpace."
    across = "core social networking platforms include:\n\n\u2013 Facebook"
    assert text_fragment(across) == (
        ":~:text=core%20social%20networking,include%3A%20%E2%80%93%20Facebook"
    )
    long = "one two three four five six seven eight nine ten"
    assert text_fragment(long) == ":~:text=one%20two%20three%20four,seven%20eight%20nine%20ten"
