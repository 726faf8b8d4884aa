"""Privacy: no raw IP addresses, a keyed monthly hash, erasure after retention, the privacy page."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Report
from definitions.models import Distinction, Vote
from smsn.visitors import hash_ip

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.GenericIPAddressField)
    ]


def _rows_mentioning(text: str) -> list[str]:
    """Return "model.field" for every stored text column of every model that contains `text`."""
    found = []
    for model in apps.get_models():
        for name in _text_fields(model):
            if model._default_manager.filter(**{f"{name}__contains": text}).exists():
                found.append(f"{model._meta.label}.{name}")
    return found


def _cache_entries_mentioning(text: str) -> list[str]:
    """Return the keys of database-cache entries whose key or value contains `text`."""
    if "smsn_cache" not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM smsn_cache")
        rows = cursor.fetchall()
    return [
        key
        for key, value in rows
        if text in key or text.encode() in base64.b64decode(value.encode())
    ]


def _visit_and_post_everything(client: Client, comparison, comment_form, distinction_form) -> None:
    """Use every public form the site has, checking each one was accepted."""
    source = comparison.sources.first()
    assert client.get(comparison.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("comments:post_on_comparison", kwargs={"slug": comparison.slug}),
        comment_form(author_email="ada@example.org", author_url="https://ada.example/"),
    )
    assert response.status_code == 302
    mine = Comment.objects.latest("pk")
    response = client.post(
        reverse(
            "comments:post_on_source",
            kwargs={"comparison_slug": comparison.slug, "slug": source.slug},
        ),
        comment_form(body="On this source: the quote is careful about the difference."),
    )
    assert response.status_code == 302
    other = Comment.objects.create(
        comparison=comparison, author_name="Bo", body="Someone else's comment to answer."
    )
    response = client.post(
        reverse("comments:post_on_comparison", kwargs={"slug": comparison.slug}),
        comment_form(body="A reply with its own words.", parent=str(other.pk)),
    )
    assert response.status_code == 302
    response = client.post(reverse("comments:edit", kwargs={"pk": mine.pk}), {"body": "Edited."})
    assert response.status_code == 302
    response = client.post(reverse("comments:report", kwargs={"pk": other.pk}), {"reason": "rude"})
    assert response.status_code == 302
    distinction = Distinction.objects.from_sources().published().first()
    response = client.post(reverse("definitions:vote", kwargs={"pk": distinction.pk}), {"value": 1})
    assert response.status_code == 302
    response = client.post(
        reverse("definitions:add_distinction", kwargs={"slug": comparison.slug}),
        distinction_form(),
    )
    assert response.status_code == 302
    response = client.post(reverse("admin:login"), {"username": "nobody", "password": "guess"})
    assert response.status_code == 200
    assert Comment.objects.filter(visitor_id__isnull=False).count() == 3
    assert Report.objects.count() == 1
    assert Vote.objects.count() == 1
    assert Distinction.objects.from_readers().count() == 1


def test_no_raw_ip_address_is_stored_anywhere(seeded, comment_form, distinction_form):
    client = Client(REMOTE_ADDR=IP)
    _visit_and_post_everything(client, seeded, comment_form, distinction_form)
    assert _rows_mentioning(IP) == []
    assert _cache_entries_mentioning(IP) == []
    # What is stored instead is the keyed hash of the address.
    assert Comment.objects.filter(ip_hash=hash_ip(IP)).count() == 3


def test_no_raw_ip_address_is_stored_behind_a_proxy_either(
    seeded, comment_form, distinction_form, settings
):
    settings.SMSN_TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{IP}, 10.0.0.1")
    _visit_and_post_everything(client, seeded, comment_form, distinction_form)
    assert _rows_mentioning(IP) == []
    assert _cache_entries_mentioning(IP) == []
    assert Vote.objects.get().ip_hash == hash_ip("10.0.0.1")


def test_the_email_given_with_a_comment_appears_on_no_public_page(seeded, comment_form):
    client = Client()
    url = reverse("comments:post_on_comparison", kwargs={"slug": seeded.slug})
    client.post(url, comment_form(author_email="hidden-address@example.org"))
    comment = Comment.objects.get(author_email="hidden-address@example.org")
    public = [
        seeded.get_absolute_url(),
        reverse("comments:thread", kwargs={"slug": seeded.slug}),
        reverse("comments:comparison_feed", kwargs={"slug": seeded.slug}),
        reverse("definitions:comparison_json", kwargs={"slug": seeded.slug}),
    ]
    for page in public:
        for reader in (client, Client()):
            response = reader.get(page)
            assert response.status_code == 200, page
            assert b"hidden-address" not in response.content, page
    assert comment.body in Client().get(public[1]).content.decode()


def test_ip_hash_is_the_same_within_a_month():
    first = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    last = datetime(2026, 3, 31, 23, 59, tzinfo=UTC)
    assert hash_ip(IP, first) == hash_ip(IP, last)


def test_ip_hash_changes_from_one_month_to_the_next():
    march = datetime(2026, 3, 31, 23, 59, tzinfo=UTC)
    april = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert hash_ip(IP, march) != hash_ip(IP, april)
    assert hash_ip(IP, datetime(2025, 3, 15, tzinfo=UTC)) != hash_ip(IP, march)


def test_ip_hash_depends_on_the_secret_key(settings):
    when = datetime(2026, 3, 15, tzinfo=UTC)
    before = hash_ip(IP, when)
    settings.IP_HASH_KEY = "another-secret-key-" + "x" * 40
    assert hash_ip(IP, when) != before


def test_ip_hash_is_a_fixed_length_digest_not_the_address():
    digest = hash_ip(IP)
    assert IP not in digest
    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")


def _purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purgevisitordata", *args, stdout=out)
    return out.getvalue()


def _days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def test_purge_erases_ids_hashes_and_emails_of_old_comments(make_comment, settings):
    settings.SMSN_RETENTION_DAYS = 90
    old = make_comment(author_email="old@example.org", created=_days_ago(91))
    recent = make_comment(author_email="new@example.org", created=_days_ago(89))
    recent_before = (recent.visitor_id, recent.ip_hash, recent.author_email)
    _purge()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.visitor_id, old.ip_hash, old.author_email) == (None, "", "")
    assert (recent.visitor_id, recent.ip_hash, recent.author_email) == recent_before
    # The comment itself stays as it was published.
    assert old.body.startswith("A comment")
    assert old.author_name == "Reader"
    assert old.is_public


def test_purge_erases_ids_and_hashes_of_old_reader_distinctions(make_distinction):
    old = make_distinction(created=_days_ago(200))
    recent = make_distinction(created=_days_ago(1))
    _purge()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.visitor_id, old.ip_hash) == (None, "")
    assert recent.visitor_id is not None
    assert recent.ip_hash
    assert old.is_public


def test_purge_unlinks_old_votes_but_keeps_them_counted(make_distinction, make_vote):
    distinction = make_distinction()
    old_votes = [make_vote(distinction) for _ in range(3)]
    recent = make_vote(distinction, value=Vote.Value.DOWN)
    Vote.objects.filter(pk__in=[v.pk for v in old_votes]).update(updated=_days_ago(120))
    old_ids = {v.visitor_id for v in old_votes}
    _purge()
    purged = list(Vote.objects.filter(pk__in=[v.pk for v in old_votes]))
    assert len(purged) == 3
    assert all(v.ip_hash == "" for v in purged)
    new_ids = {v.visitor_id for v in purged}
    assert len(new_ids) == 3
    assert new_ids.isdisjoint(old_ids)
    # Still old: a later purge does not treat them as fresh activity.
    assert all(v.updated < _days_ago(100) for v in purged)
    recent.refresh_from_db()
    assert recent.ip_hash
    distinction.recount()
    assert (distinction.upvotes, distinction.downvotes) == (3, 1)


def test_a_visitor_no_longer_owns_a_vote_after_its_retention(make_distinction, make_vote):
    distinction = make_distinction()
    visitor_id = uuid.uuid4()
    vote = make_vote(distinction, visitor_id=visitor_id)
    Vote.objects.filter(pk=vote.pk).update(updated=_days_ago(365))
    _purge()
    assert not Vote.objects.filter(visitor_id=visitor_id).exists()
    assert Vote.objects.counted().filter(distinction=distinction).count() == 1


def test_purge_anonymises_old_reports_and_keeps_their_reasons(make_comment):
    comment = make_comment()
    visitor_ids = [uuid.uuid4(), uuid.uuid4()]
    Report.objects.create(
        comment=comment, visitor_id=visitor_ids[0], ip_hash="a" * 64, reason="spam",
        created=_days_ago(100),
    )  # fmt: skip
    recent = Report.objects.create(
        comment=comment, visitor_id=visitor_ids[1], ip_hash="b" * 64, reason="rude"
    )
    _purge()
    old = Report.objects.get(reason="spam")
    assert old.visitor_id not in visitor_ids
    assert old.ip_hash == ""
    recent.refresh_from_db()
    assert (recent.visitor_id, recent.ip_hash) == (visitor_ids[1], "b" * 64)
    comment.refresh_from_db()
    assert comment.reports.count() == 2


def test_purge_keeps_the_number_of_days_it_is_given(make_comment):
    comment = make_comment(created=_days_ago(10))
    _purge("--days", "30")
    comment.refresh_from_db()
    assert comment.visitor_id is not None
    output = _purge("--days", "7")
    comment.refresh_from_db()
    assert comment.visitor_id is None
    assert "older than 7 days: 1 comments" in output


def test_purge_uses_the_retention_setting_by_default(make_comment, settings):
    settings.SMSN_RETENTION_DAYS = 5
    comment = make_comment(created=_days_ago(6))
    assert "older than 5 days" in _purge()
    comment.refresh_from_db()
    assert comment.ip_hash == ""


def test_purge_twice_is_harmless(make_comment):
    make_comment(created=_days_ago(400), author_email="x@example.org")
    _purge()
    assert "0 comments" in _purge()
    assert not Comment.objects.exclude(author_email="").exists()


def test_purge_refuses_a_negative_number_of_days():
    with pytest.raises(CommandError, match="0 or more"):
        _purge("--days", "-1")


def test_privacy_page_states_what_is_kept_and_the_real_retention_period(client, settings):
    settings.SMSN_RETENTION_DAYS = 45
    response = client.get(reverse("privacy"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "erases them after 45 days" in html
    assert "After 45 days" in html
    for kept in ("random visitor id", "keyed hash of your IP address", "email address"):
        assert kept in html
    assert "different hash every month" in html


def test_every_page_links_to_the_privacy_page(client, seeded):
    for url in ("/", seeded.sources.first().get_absolute_url(), "/no-such-page/"):
        assert f'href="{reverse("privacy")}"' in client.get(url).content.decode(), url


def test_purge_unlinks_old_answers_to_examples_but_keeps_them_counted(seeded):
    from definitions.examples import answer_example
    from definitions.models import Example, ExampleAnswer

    found = Example.objects.get(slug="youtube")
    visitor = uuid.uuid4()
    answer_example(example_id=found.pk, visitor_id=visitor, ip_hash="abc", value="b")
    ExampleAnswer.objects.update(updated=_days_ago(120))
    assert "1 answers to examples" in _purge()
    purged = ExampleAnswer.objects.get()
    assert purged.visitor_id != visitor
    assert purged.ip_hash == ""
    found.refresh_from_db()
    assert found.answers_b == 1


def test_privacy_page_says_answers_to_examples_are_kept_with_the_visitor_id(client):
    html = client.get(reverse("privacy")).content.decode()
    assert "next to what you post, vote, place, answer or report" in html
    assert "your answer to an example" in html
