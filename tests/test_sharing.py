"""What the web expects (issue 19): sitemap.xml, robots.txt, canonical links, Open Graph and
Twitter-card tags, a preview image per comparison, and schema.org structured data."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from PIL import Image

from definitions.models import Comparison, Definition, Source
from definitions.moderation import ModerationStatus

VOCABULARY = json.loads(
    (Path(__file__).parent / "data" / "schemaorg_subset.json").read_text(encoding="utf-8")
)
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def public_pages(comparison: Comparison) -> list[str]:
    """Every public HTML page of the site (the flagship's)."""
    source = comparison.published_sources()[0]
    return [
        "/",
        comparison.get_absolute_url(),
        source.get_absolute_url(),
        reverse("comments:thread", args=[comparison.slug]),
        reverse("comments:source_thread", args=[comparison.slug, source.slug]),
        reverse("privacy"),
    ]


def meta(html: str, attribute: str, name: str) -> str:
    found = re.findall(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert len(found) == 1, f"{name}: {found}"
    return unescape(found[0])


def canonical(html: str) -> str:
    found = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    assert len(found) == 1
    return unescape(found[0])


# --- sitemap.xml -----------------------------------------------------------------------------


def sitemap_locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    tree = ElementTree.fromstring(response.content)  # noqa: S314 (our own sitemap)
    return [loc.text or "" for loc in tree.findall("s:url/s:loc", SITEMAP_NS)]


def test_the_sitemap_lists_every_published_comparison_and_source_and_nothing_unpublished(
    client, seeded
):
    hidden = Source.objects.filter(comparison=seeded).first()
    hidden.is_published = False
    hidden.save()
    draft = Comparison.objects.create(slug="draft", term_a="x", term_b="y", is_published=False)

    locations = sitemap_locations(client)

    assert f"http://testserver{seeded.get_absolute_url()}" in locations
    for source in seeded.published_sources():
        assert f"http://testserver{source.get_absolute_url()}" in locations
    assert f"http://testserver{hidden.get_absolute_url()}" not in locations
    assert not [loc for loc in locations if draft.slug in loc]
    assert "http://testserver/" in locations


def test_the_sitemap_and_canonical_links_use_the_site_address_when_it_is_set(
    client, seeded, settings
):
    settings.SMSN_SITE_URL = "https://smsn.example"

    locations = sitemap_locations(client)
    html = client.get(seeded.get_absolute_url()).content.decode()

    assert f"https://smsn.example{seeded.get_absolute_url()}" in locations
    assert all(loc.startswith("https://smsn.example/") for loc in locations)
    assert canonical(html) == f"https://smsn.example{seeded.get_absolute_url()}"
    assert meta(html, "property", "og:image").startswith("https://smsn.example/compare/")


def test_the_sitemap_refuses_a_post(client, seeded):
    assert client.post("/sitemap.xml").status_code == 405


# --- robots.txt ------------------------------------------------------------------------------


def robots_rules(client) -> tuple[list[re.Pattern], str]:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    rules = []
    for line in text.splitlines():
        if line.startswith("Disallow: "):
            # As crawlers read it: a prefix, "*" standing for any characters.
            pattern = ".*".join(re.escape(p) for p in line.removeprefix("Disallow: ").split("*"))
            rules.append(re.compile(pattern))
    return rules, text


def is_disallowed(rules: list[re.Pattern], path: str) -> bool:
    return any(rule.match(path) for rule in rules)


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_every_post_only_address(
    client, seeded, make_comment, make_distinction
):
    rules, text = robots_rules(client)
    source = seeded.published_sources()[0]
    comment = make_comment()
    distinction = make_distinction()
    post_only = [
        reverse("admin:index"),
        reverse("admin:login"),
        reverse("definitions:vote", args=[distinction.pk]),
        reverse("definitions:add_distinction", args=[seeded.slug]),
        reverse("comments:post_on_comparison", args=[seeded.slug]),
        reverse("comments:post_on_source", args=[seeded.slug, source.slug]),
        reverse("comments:reply", args=[comment.pk]),
        reverse("comments:edit", args=[comment.pk]),
        reverse("comments:delete", args=[comment.pk]),
        reverse("comments:report", args=[comment.pk]),
    ]

    for path in post_only:
        assert is_disallowed(rules, path), path
    for path in public_pages(seeded):
        assert not is_disallowed(rules, path), path
    assert not is_disallowed(rules, comment.get_absolute_url())
    assert "Sitemap: http://testserver/sitemap.xml" in text


def test_robots_txt_follows_the_admin_wherever_it_lives(client, db, settings):
    settings.ADMIN_PATH = "back-office/"

    rules, _ = robots_rules(client)

    assert is_disallowed(rules, "/back-office/login/")


# --- canonical links and sharing tags --------------------------------------------------------


def test_every_public_page_has_an_absolute_canonical_link_and_sharing_tags(client, seeded):
    for path in public_pages(seeded):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        url = canonical(html)
        assert url.startswith("http://testserver/"), path
        assert meta(html, "property", "og:url") == url
        assert meta(html, "property", "og:title"), path
        assert meta(html, "property", "og:description") == meta(html, "name", "description")
        assert meta(html, "property", "og:image").startswith("http://testserver/"), path
        assert meta(html, "name", "twitter:card") == "summary_large_image"
        assert meta(html, "name", "twitter:image") == meta(html, "property", "og:image")


def test_the_comparison_page_is_shared_with_its_terms_and_its_own_preview_image(client, seeded):
    html = client.get(seeded.get_absolute_url()).content.decode()

    assert canonical(html) == f"http://testserver{seeded.get_absolute_url()}"
    assert meta(html, "property", "og:title") == seeded.title
    assert meta(html, "property", "og:description").startswith("How 5 sources define Social media")
    image = meta(html, "property", "og:image")
    assert image == f"http://testserver{seeded.card_url}"
    assert meta(html, "property", "og:image:alt") == seeded.title


def test_a_later_page_of_readers_distinctions_is_its_own_canonical_page(
    client, seeded, bulk_distinctions
):
    bulk_distinctions(25)

    html = client.get(seeded.get_absolute_url() + "?page=2").content.decode()

    assert canonical(html) == f"http://testserver{seeded.get_absolute_url()}?page=2"


def test_a_source_page_is_shared_with_its_comparisons_preview_image(client, seeded):
    source = seeded.published_sources()[0]

    html = client.get(source.get_absolute_url()).content.decode()

    assert canonical(html) == f"http://testserver{source.get_absolute_url()}"
    assert meta(html, "property", "og:title") == source.title
    assert meta(html, "property", "og:image") == f"http://testserver{seeded.card_url}"


# --- the preview image -----------------------------------------------------------------------


def test_the_preview_image_is_a_1200_by_630_png_kept_long_with_an_etag(client, seeded):
    response = client.get(seeded.card_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response["ETag"]
    again = client.get(seeded.card_url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_the_preview_image_shows_the_terms_and_changes_with_them(client, seeded):
    before = client.get(seeded.card_url)
    plain = client.get(reverse("definitions:comparison_card", args=[seeded.slug]))
    old_url = seeded.card_url
    seeded.term_b = "Social networks"
    seeded.save()

    after = client.get(seeded.card_url)
    stale = client.get(old_url)

    assert plain["Cache-Control"] == "public, max-age=86400"
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content
    # An old address answers with the current image, kept for a day only.
    assert stale.content == after.content
    assert stale["Cache-Control"] == "public, max-age=86400"
    # Dark text in the middle band, where the terms are; paper everywhere at the edges.
    image = Image.open(io.BytesIO(after.content)).convert("L")
    assert image.crop((90, 100, 1110, 450)).getextrema()[0] < 100
    assert image.crop((1150, 100, 1200, 450)).getextrema()[0] > 240


def test_the_preview_image_of_an_unknown_or_unpublished_comparison_is_a_404(client, seeded):
    Comparison.objects.create(slug="draft", term_a="x", term_b="y", is_published=False)

    assert client.get("/compare/nothing-here/preview.png").status_code == 404
    assert client.get("/compare/draft/preview.png").status_code == 404


def test_the_site_preview_image_is_served_for_pages_of_no_comparison(client, db):
    html = client.get(reverse("privacy")).content.decode()
    image_url = meta(html, "property", "og:image").removeprefix("http://testserver")

    response = client.get(image_url)

    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)


# --- structured data -------------------------------------------------------------------------


def structured_data(html: str) -> list[dict]:
    blocks = re.findall(
        r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html, re.S
    )
    assert html.count('type="application/ld+json"') == len(blocks)
    return [json.loads(block) for block in blocks]


def is_a(type_name: str, ancestor: str) -> bool:
    while type_name is not None:
        if type_name == ancestor:
            return True
        type_name = VOCABULARY["types"][type_name]
    return False


def check_node(node: dict, found: list[dict]) -> None:
    """Check a node against the schema.org subset: its type exists, and each property exists,
    is allowed on the type, and has a value of a type it allows."""
    if set(node) <= {"@id"}:
        return  # a reference to a node described elsewhere
    type_name = node["@type"]
    assert type_name in VOCABULARY["types"], f"unknown type {type_name}"
    found.append(node)
    for name, value in node.items():
        if name.startswith("@"):
            continue
        assert name in VOCABULARY["properties"], f"unknown property {name}"
        definition = VOCABULARY["properties"][name]
        assert any(is_a(type_name, d) for d in definition["domainIncludes"]), (
            f"{name} is not a property of {type_name}"
        )
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                if "@type" in item:
                    assert any(is_a(item["@type"], r) for r in definition["rangeIncludes"]), (
                        f"{name} cannot be a {item['@type']}"
                    )
                check_node(item, found)
            else:
                assert isinstance(item, str), f"{name}: {item!r}"
                assert item, f"{name} is empty"
                assert {"Text", "URL", "Date", "DateTime"} & set(definition["rangeIncludes"])


def checked_nodes(html: str) -> list[dict]:
    nodes: list[dict] = []
    for block in structured_data(html):
        assert block["@context"] == "https://schema.org"
        for node in block["@graph"]:
            check_node(node, nodes)
    return nodes


def test_the_comparison_pages_structured_data_is_valid_schema_org(client, seeded, make_comment):
    root = make_comment(body="Top-level comment")
    make_comment(body="A reply", parent=root)

    nodes = checked_nodes(client.get(seeded.get_absolute_url()).content.decode())

    types = {node["@type"] for node in nodes}
    assert {"DefinedTerm", "DefinedTermSet", "Article", "DiscussionForumPosting"} <= types
    assert "Comment" in types


def test_every_definition_is_a_defined_term_whose_set_cites_its_source(client, seeded):
    nodes = checked_nodes(client.get(seeded.get_absolute_url()).content.decode())

    terms = [n for n in nodes if n["@type"] == "DefinedTerm"]
    sets = {n["@id"]: n for n in nodes if n["@type"] == "DefinedTermSet"}
    definitions = Definition.objects.filter(
        source__comparison=seeded, source__is_published=True
    ).select_related("source")
    assert len(terms) == definitions.count()
    for definition in definitions:
        term = next(t for t in terms if t["description"] == definition.quote)
        assert term["name"] == seeded.term_label(definition.term)
        assert term["url"] == f"http://testserver{definition.get_absolute_url()}"
        cited = sets[term["inDefinedTermSet"]["@id"]]["citation"]
        assert cited["@type"] == "Article"
        assert cited["headline"] == definition.source.title


def test_comments_are_discussion_postings_and_only_published_ones(client, seeded, make_comment):
    root = make_comment(author_name="Ada", body="What I think")
    make_comment(author_name="Bo", body="My reply", parent=root)
    make_comment(body="Held back", status=ModerationStatus.PENDING)

    for path in (seeded.get_absolute_url(), reverse("comments:thread", args=[seeded.slug])):
        nodes = checked_nodes(client.get(path).content.decode())
        postings = [n for n in nodes if n["@type"] == "DiscussionForumPosting"]
        texts = [n["text"] for n in postings]
        assert "What I think" in texts
        assert "Held back" not in json.dumps(nodes)
        posting = postings[texts.index("What I think")]
        assert posting["author"] == {"@type": "Person", "name": "Ada"}
        assert posting["url"] == f"http://testserver{root.get_absolute_url()}"
        assert posting["datePublished"] == root.created.isoformat()
        assert [c["text"] for c in posting["comment"]] == ["My reply"]


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "<!--<script>",
        "</SCRIPT >",
        "a & b <b>bold</b> \u2028 \u2029",
    ],
)
def test_readers_text_cannot_break_out_of_the_structured_data(client, seeded, make_comment, text):
    make_comment(body=text)

    html = client.get(seeded.get_absolute_url()).content.decode()

    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert blocks
    for block in blocks:
        assert "<" not in block
        assert ">" not in block
    nodes = checked_nodes(html)
    assert text in [n.get("text") for n in nodes]
