"""Sources in the admin: definitions, distinction and stances inline, and quotes that must exist."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from definitions.models import Comparison, Definition, Distinction, Source

pytestmark = pytest.mark.django_db

QUOTE_ERROR = "This quote is not in the source&#x27;s text"


class FormValues(HTMLParser):
    """Collect what a browser would submit from the admin's change form."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in {"submit", "button", "checkbox"}:
            self.data[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.data[a["name"]] = a.get("value") or "on"
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self.data.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_values(client, url: str) -> dict[str, str]:
    parser = FormValues("source_form")
    parser.feed(client.get(url).content.decode())
    return parser.data


def test_saving_a_definition_whose_quote_is_not_in_the_body_is_refused(superuser_client, seeded):
    source = Source.objects.first()
    url = reverse("admin:definitions_source_change", args=[source.pk])
    data = form_values(superuser_client, url)
    data["definitions-0-quote"] = "Words this article never says."
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert QUOTE_ERROR in response.content.decode()
    assert not Definition.objects.filter(quote="Words this article never says.").exists()


def test_changing_the_body_so_a_quote_disappears_is_refused(superuser_client, seeded):
    source = Source.objects.first()
    url = reverse("admin:definitions_source_change", args=[source.pk])
    data = form_values(superuser_client, url)
    quote = source.definitions.first().quote
    data["body"] = data["body"].replace(quote, "Something else entirely.")
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert QUOTE_ERROR in response.content.decode()
    source.refresh_from_db()
    assert quote in source.body


def test_moving_a_quote_in_the_body_updates_its_offset(superuser_client, seeded):
    source = Source.objects.first()
    url = reverse("admin:definitions_source_change", args=[source.pk])
    data = form_values(superuser_client, url)
    data["body"] = "A new first paragraph.\n\n" + data["body"]
    response = superuser_client.post(url, data)
    assert response.status_code == 302
    body = Source.objects.get(pk=source.pk).body
    for definition in source.definitions.all():
        assert body[definition.start : definition.end] == definition.quote


def _new_source(client, comparison: Comparison, *, body: str, quote_a: str, quote_b: str) -> dict:
    data = form_values(client, reverse("admin:definitions_source_add"))
    data.update(
        {
            "comparison": str(comparison.pk),
            "slug": "a-new-article",
            "title": "A new article",
            "body": body,
            "definitions-TOTAL_FORMS": "2",
            "definitions-0-term": "a",
            "definitions-0-quote": quote_a,
            "definitions-0-summary": "",
            "definitions-1-term": "b",
            "definitions-1-quote": quote_b,
            "definitions-1-summary": "",
            "distinction-TOTAL_FORMS": "1",
            "distinction-0-axis_a": "Broadcast",
            "distinction-0-axis_b": "Conversation",
            "distinction-0-text_a": "One to many.",
            "distinction-0-text_b": "Many to many.",
            "distinction-0-status": "published",
        }
    )
    return data


BODY = "Intro.\n\nSocial media is a channel.\n\nSocial networking is a practice."


def test_a_new_source_is_checked_against_the_body_sent_with_it(superuser_client, seeded):
    data = _new_source(
        superuser_client,
        seeded,
        body=BODY,
        quote_a="Social media is a channel.",
        quote_b="Social networking is a practice.",
    )
    response = superuser_client.post(reverse("admin:definitions_source_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    source = Source.objects.get(slug="a-new-article")
    a, b = source.definitions.order_by("term")
    assert source.body[a.start : a.end] == a.quote
    assert source.body[b.start : b.end] == b.quote
    assert source.distinction.comparison == seeded
    assert source.distinction.axis == "Broadcast vs Conversation"


def test_a_new_source_with_a_quote_missing_from_its_body_is_refused(superuser_client, seeded):
    data = _new_source(
        superuser_client,
        seeded,
        body=BODY,
        quote_a="Social media is a channel.",
        quote_b="Social networking is a party.",
    )
    response = superuser_client.post(reverse("admin:definitions_source_add"), data)
    assert response.status_code == 200
    assert QUOTE_ERROR in response.content.decode()
    assert not Source.objects.filter(slug="a-new-article").exists()
    assert not Distinction.objects.filter(axis_a="Broadcast").exists()


def test_the_sources_public_page_is_one_click_away(moderator_client, client, seeded):
    source = Source.objects.first()
    html = moderator_client.get(
        reverse("admin:definitions_source_change", args=[source.pk])
    ).content.decode()
    [view_on_site] = re.findall(r'<a href="([^"]+)" class="viewsitelink"', html)
    response = moderator_client.get(view_on_site)
    assert response.status_code == 302
    assert response["Location"].endswith(source.get_absolute_url())
    assert client.get(source.get_absolute_url()).status_code == 200


def test_moderator_sees_a_sources_definitions_distinction_and_stances(moderator_client, seeded):
    source = Source.objects.filter(stances__isnull=False).distinct().first()
    html = moderator_client.get(
        reverse("admin:definitions_source_change", args=[source.pk])
    ).content.decode()
    assert "Definitions" in html
    assert "Stances" in html
    for definition in source.definitions.all():
        assert definition.quote[:40].replace("'", "&#x27;") in html
    assert 'name="definitions-0-quote"' not in html
