"""The intake reads an article in any common format: header lines, HTML, Markdown, line endings,
byte-order marks and encodings; and the usual layouts of blog comment threads."""

from __future__ import annotations

import codecs
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from definitions.intake.formats import UnreadableText, decode_article, detect_format
from definitions.intake.parse import parse_article

BODY = (
    "Weather is the state of the atmosphere at a given place and time.\n\n"
    "Climate is the average of the weather over thirty years or more."
)


# -- plain text with header lines --------------------------------------------------------------


def test_header_lines_are_read_as_metadata_and_left_out_of_the_body():
    text = (
        "Title: Weather versus climate\n"
        "Address: https://example.org/weather-climate\n"
        "Date: March 3, 2012\n"
        "Author: Jane Doe\n\n" + BODY
    )

    parsed = parse_article(text)

    assert parsed.title == "Weather versus climate"
    assert parsed.original_url == "https://example.org/weather-climate"
    assert parsed.date == (2012, 3, 3)
    assert parsed.author == "Jane Doe"
    assert parsed.body == BODY
    assert "Title: Weather versus climate" in parsed.debris_removed


@pytest.mark.parametrize(
    ("line", "date", "author"),
    [
        ("Posted on 3 March 2012 by Jane Doe", (2012, 3, 3), "Jane Doe"),
        ("Posted by Jane Doe on March 3, 2012", (2012, 3, 3), "Jane Doe"),
        ("By Jane Doe", (None, None, None), "Jane Doe"),
        ("Date: 2012-03-03", (2012, 3, 3), ""),
    ],
)
def test_bylines_and_posted_on_lines_give_the_date_and_the_author(line, date, author):
    parsed = parse_article(f"Weather versus climate\n\n{line}\n\n{BODY}")

    assert parsed.title == "Weather versus climate"
    assert parsed.date == date
    assert parsed.author == author
    assert parsed.body == BODY


def test_a_url_header_is_not_a_body_paragraph():
    parsed = parse_article(f"Title: Weather versus climate\nURL: www.example.org/wc\n\n{BODY}")

    assert parsed.original_url == "https://www.example.org/wc"
    assert "example.org" not in parsed.body


def test_a_sentence_starting_with_by_stays_in_the_body():
    text = (
        f"Weather versus climate\n\nBy 2050 the climate will have changed a great deal.\n\n{BODY}"
    )

    parsed = parse_article(text)

    assert parsed.body.startswith("By 2050 the climate")
    assert parsed.author == ""


def test_text_without_header_lines_is_read_as_before():
    parsed = parse_article(f"Weather versus climate\n\n{BODY}")

    assert (parsed.title, parsed.body, parsed.format) == ("Weather versus climate", BODY, "text")


# -- line endings, byte-order marks, encodings -------------------------------------------------


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_endings_read_like_lf(newline):
    text = f"Weather versus climate\n\n{BODY}".replace("\n", newline)

    parsed = parse_article(text)

    assert parsed.body == BODY
    assert parsed.text_chars == len(f"Weather versus climate\n\n{BODY}")


def test_a_utf8_byte_order_mark_is_accepted_and_dropped():
    assert decode_article(codecs.BOM_UTF8 + "Caf\u00e9\r\n".encode()) == "Caf\u00e9\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_decoded(encoding):
    data = "Caf\u00e9 society\r\nline two".encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data

    assert decode_article(data) == "Caf\u00e9 society\nline two"


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ("Caf\u00e9 society".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        ("Caf\u00e9 society".encode("latin-1"), "Latin-1 (ISO-8859-1)"),
        ("\u201cquoted\u201d".encode("cp1252"), "Windows-1252"),
        (codecs.BOM_UTF32_LE + "x".encode("utf-32-le"), "UTF-32"),
    ],
)
def test_other_encodings_are_refused_with_a_sentence_naming_them(data, named):
    with pytest.raises(UnreadableText) as refused:
        decode_article(data)

    assert named in str(refused.value)
    assert "UTF-8" in str(refused.value)


# -- Markdown ----------------------------------------------------------------------------------


def test_markdown_is_reduced_to_clean_text():
    text = (
        "# Weather versus climate\n\n"
        "**Weather** is the _state_ of the [atmosphere](https://example.org/air) at a given "
        "place and time.\n\n"
        "> Climate is the *average* of the weather over thirty years or more.\n\n"
        "- first point\n"
        "- second point\n"
    )

    parsed = parse_article(text)

    assert parsed.format == "markdown"
    assert parsed.title == "Weather versus climate"
    assert parsed.body == (
        "Weather is the state of the atmosphere at a given place and time.\n\n"
        "Climate is the average of the weather over thirty years or more.\n\n"
        "first point\n\nsecond point"
    )


# -- HTML --------------------------------------------------------------------------------------

PAGE = """<!doctype html>
<html><head>
<title>Weather vs climate | The Weather Blog</title>
<meta property="og:title" content="Weather versus climate">
<meta property="article:published_time" content="2012-03-03T10:00:00+00:00">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="https://example.org/weather-climate">
<style>p { color: red }</style>
</head><body>
<header><nav><a href="/">Home</a> <a href="/blog">Blog</a></nav></header>
<div class="sidebar">Popular posts</div>
<main><article>
<h1>Weather versus climate</h1>
<p>Weather is the state of the atmosphere at a given place and time.</p>
<h2>And climate?</h2>
<p>Climate is the <strong>average</strong> of the weather over thirty years or more.</p>
<div class="sharedaddy">Share this: <a href="#">Twitter</a> <a href="#">Facebook</a></div>
</article></main>
<aside>About the author</aside>
<form><input name="q"><button>Search</button></form>
<footer>Copyright 2012</footer>
<script>document.write("tracking")</script>
</body></html>"""


def test_html_main_text_is_extracted_with_headings_and_paragraphs_as_paragraphs():
    parsed = parse_article(PAGE)

    assert parsed.format == "html"
    assert parsed.body == (
        "Weather is the state of the atmosphere at a given place and time.\n\n"
        "And climate?\n\n"
        "Climate is the average of the weather over thirty years or more."
    )


def test_html_metadata_comes_from_the_title_and_meta_tags():
    parsed = parse_article(PAGE)

    assert parsed.title == "Weather versus climate"
    assert parsed.date == (2012, 3, 3)
    assert parsed.author == "Jane Doe"
    assert parsed.original_url == "https://example.org/weather-climate"


def test_html_without_article_keeps_the_densest_text_and_drops_menus():
    page = (
        "<body><div><a href='/'>Home</a> | <a href='/a'>About</a> | <a href='/c'>Contact</a></div>"
        "<div><h1>Weather versus climate</h1>"
        "<p>Weather is the state of the atmosphere at a given place and time.</p>"
        "<p>Climate is the average of the weather over <a href='/y'>thirty years</a> or more.</p>"
        "</div></body>"
    )

    parsed = parse_article(page)

    assert parsed.title == "Weather versus climate"
    assert "Home" not in parsed.body
    assert parsed.body.endswith("over thirty years or more.")


def test_one_line_html_becomes_several_paragraphs_not_one_sentence():
    page = "<p>Weather is today.</p><p>Climate is the long run.</p><p>They differ.</p>"

    parsed = parse_article(f"Weather versus climate\n\n{page}", "html")

    assert parsed.body.split("\n\n") == [
        "Weather is today.",
        "Climate is the long run.",
        "They differ.",
    ]


def test_html_comments_are_one_row_each_with_author_and_date():
    page = PAGE.replace(
        "</article></main>",
        """</article>
<section id="comments"><h2>2 thoughts on “Weather versus climate”</h2>
<ol class="comment-list">
<li class="comment" id="comment-1"><article><footer class="comment-meta">
<b class="fn">Ann Lee</b> <span class="says">says:</span>
<time datetime="2012-03-04">March 4, 2012 at 4:15 pm</time></footer>
<div class="comment-content"><p>Nicely put.</p></div>
<div class="reply"><a class="comment-reply-link" href="#">Reply</a></div></article></li>
<li class="comment" id="comment-2"><article><footer class="comment-meta">
<b class="fn">Bob Roe</b> <span class="says">says:</span>
<time>March 5, 2012 at 9:00 am</time></footer>
<div class="comment-content"><p>I disagree.</p><p>Climate is weather.</p></div></article></li>
</ol></section></main>""",
    )

    parsed = parse_article(page)

    assert [(c.author, c.date, c.body) for c in parsed.comments] == [
        ("Ann Lee", (2012, 3, 4), "Nicely put."),
        ("Bob Roe", (2012, 3, 5), "I disagree.\n\nClimate is weather."),
    ]
    assert "Nicely put" not in parsed.body


def test_an_html_comment_and_a_stray_angle_bracket_are_handled_like_a_browser():
    page = (
        "<article><p>Weather is < climate, <!-- a <p>hidden</p> note --> and shorter.</p></article>"
    )

    parsed = parse_article(f"Weather versus climate\n\n{page}", "html")

    assert parsed.body == "Weather is < climate, and shorter."


def test_a_script_in_html_is_never_text():
    parsed = parse_article(PAGE)

    assert "tracking" not in parsed.body
    assert "color" not in parsed.body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PAGE, "html"),
        ("<p>one</p><p>two</p><p>three</p>", "html"),
        ("# Title\n\nSome **bold** text.", "markdown"),
        ("A title\n\nWeather is 5 < 6 and > 4.", "text"),
    ],
)
def test_the_format_is_detected(text, expected):
    assert detect_format(text) == expected


def test_the_format_can_be_chosen_instead_of_detected():
    text = "Weather versus climate\n\n**Weather** is the state of the air."

    assert "**Weather**" in parse_article(text, "text").body
    assert parse_article(text, "markdown").body == "Weather is the state of the air."


# -- comment layouts ---------------------------------------------------------------------------

ARTICLE = f"Weather versus climate\n\n{BODY}\n\n"


def test_wordpress_comments_are_split_by_their_name_and_date_lines():
    thread = (
        "2 thoughts on “Weather versus climate”\n\n"
        "Jane Roe\n"
        "March 3, 2012 at 4:15 pm\n"
        "Great article, thanks.\n"
        "Reply\n"
        "John Smith\n"
        "March 4, 2012 at 9:00 am\n"
        "I disagree with the second part.\n"
        "It is wrong.\n"
        "Reply\n\n"
        "Leave a Reply\n"
    )

    parsed = parse_article(ARTICLE + thread)

    assert [(c.author, c.date, c.body) for c in parsed.comments] == [
        ("Jane Roe", (2012, 3, 3), "Great article, thanks."),
        ("John Smith", (2012, 3, 4), "I disagree with the second part.\n\nIt is wrong."),
    ]
    assert parsed.body == BODY


def test_blogger_comments_are_split_at_each_name_said():
    thread = (
        "2 comments:\n\n"
        "Anonymous said...\n"
        "Great article, thanks.\n"
        "March 3, 2012 at 4:15 PM\n\n"
        "John Smith said...\n"
        "I disagree.\n"
        "March 4, 2012 at 9:00 AM\n\n"
        "Post a Comment\n"
    )

    parsed = parse_article(ARTICLE + thread)

    assert [(c.author, c.date, c.body) for c in parsed.comments] == [
        ("Anonymous", (2012, 3, 3), "Great article, thanks."),
        ("John Smith", (2012, 3, 4), "I disagree."),
    ]


def test_numbered_comments_read_their_author_and_date_from_the_first_line():
    thread = (
        "Comments\n\n"
        "1. Jane Roe \u2014 March 3, 2012\n"
        "Great article, thanks.\n"
        "2. John Smith - 4 March 2012\n"
        "I disagree.\n"
        "Still, thanks.\n"
    )

    parsed = parse_article(ARTICLE + thread)

    assert [(c.author, c.date, c.body) for c in parsed.comments] == [
        ("Jane Roe", (2012, 3, 3), "Great article, thanks."),
        ("John Smith", (2012, 3, 4), "I disagree.\n\nStill, thanks."),
    ]


# -- hostile input -----------------------------------------------------------------------------

UNCLOSED = {
    "links": "[a](" * 40_000,
    "brackets": "[" * 160_000,
    "images": "![a](" * 30_000,
    "strong": "**a " * 40_000,
    "struck": "~~a " * 40_000,
    "tags": "<p" * 80_000,
    "end tags": "</" * 80_000,
    "attributes": '<a href="' * 20_000,
    "comments": "<!--" * 40_000,
    "declarations": "<!" * 80_000,
    "nested": "<div>" * 20_000 + "text",
}


@pytest.mark.parametrize("name", sorted(UNCLOSED))
@pytest.mark.parametrize("article_format", ["auto", "text", "html", "markdown"])
def test_unclosed_markup_is_read_in_linear_time(name, article_format):
    # Quadratic patterns took minutes on these; linear ones take well under a second. The bound
    # is wide for busy machines: it catches a quadratic pattern, it does not measure speed.
    started = time.perf_counter()

    parse_article("# A title here\n\n" + UNCLOSED[name], article_format)

    assert time.perf_counter() - started < 10


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=400),
    fmt=st.sampled_from(["auto", "text", "html", "markdown"]),
)
def test_any_text_in_any_format_is_read_without_error(text, fmt):
    parsed = parse_article(text, fmt)

    assert "\r" not in parsed.body
    assert parsed.text_chars >= 0
