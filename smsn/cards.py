"""Preview images ("cards") that chat apps and social sites show when a page is shared.

A card is a 1200 by 630 PNG, the size Open Graph and Twitter's large summary card expect, drawn with
Pillow in the site's colours: two terms in their own colours with a quiet "vs" between them, or
the site's name and tagline. Fonts: Debian's DejaVu Serif when installed (fonts-dejavu-core),
else the font Pillow ships (`ImageFont.load_default(size=…)`), so a card is drawn on any machine.

Drawing one takes tens of milliseconds, so callers keep the bytes in the shared cache under
`card_key()`, which changes with the text and with `DESIGN` (the look).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable
from functools import cache as memoize
from pathlib import Path

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from PIL import Image, ImageDraw, ImageFont

from smsn.pagecache import UNAVAILABLE

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes, so every cached card and every ETag changes with it.
DESIGN = 1
# How long the shared cache keeps a drawn card (its key changes with its text and design).
CARD_TIMEOUT = 7 * 24 * 3600

PAPER = "#fbfaf7"
INK = "#1d1f21"
INK_SOFT = "#4a4f55"
RULE = "#dcd8cf"
TERM_A = "#1f5f7a"
TERM_B = "#8a3b12"

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
MARGIN = 90
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@memoize
def _font_path(name: str) -> str | None:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return str(folder / name)
    return None


@memoize
def font(size: int, *, bold: bool = False, italic: bool = False) -> Font:
    """Return DejaVu Serif in this size and style if installed, else Pillow's own font."""
    style = ("Bold" if bold else "") + ("Italic" if italic else "")
    path = _font_path(f"DejaVuSerif{'-' + style if style else ''}.ttf")
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(path, size)


def _width(draw: ImageDraw.ImageDraw, text: str, face: Font) -> float:
    left, _, right, _ = draw.textbbox((0, 0), text, font=face)
    return right - left


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: Font, width: float) -> list[str]:
    """Return `text` in lines no wider than `width` (a word longer than that is cut)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if _width(draw, candidate, face) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while _width(draw, word, face) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and _width(draw, word[:cut] + "…", face) > width:
                cut -= 1
            lines.append(word[:cut] + "…")
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def _fit(draw: ImageDraw.ImageDraw, text: str, width: float, sizes: list[int]) -> int:
    """Return the largest of `sizes` at which `text` fits in two lines (else the smallest)."""
    for size in sizes:
        if len(_wrap(draw, text, font(size, bold=True), width)) <= 2:
            return size
    return sizes[-1]


def _lines(draw: ImageDraw.ImageDraw, text: str, face: Font, width: float) -> list[str]:
    """Return `text` in at most two lines, the second cut short with "…" if need be."""
    lines = _wrap(draw, text, face, width)
    if len(lines) <= 2:
        return lines
    return [lines[0], lines[1].rstrip("…") + "…"]


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    # A calm frame: a rule along the top and the foot, the site's name above it.
    draw.rectangle((0, 0, WIDTH, 14), fill=TERM_A)
    draw.line((MARGIN, HEIGHT - 96, WIDTH - MARGIN, HEIGHT - 96), fill=RULE, width=2)
    draw.text(
        (MARGIN, HEIGHT - 70),
        "smsn · how sources tell two terms apart",
        font=font(30),
        fill=INK_SOFT,
    )
    return image, draw


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def comparison_card(term_a: str, term_b: str) -> bytes:
    """Return the PNG card of a comparison: term A, "vs", term B, each on its own line(s)."""
    image, draw = _canvas()
    width = WIDTH - 2 * MARGIN
    sizes = [92, 84, 76, 68, 60, 54, 48]
    # Both terms in the same size: the smaller of the two sizes that fit.
    size = min(_fit(draw, term_a, width, sizes), _fit(draw, term_b, width, sizes))
    face = font(size, bold=True)
    lines_a = _lines(draw, term_a, face, width)
    lines_b = _lines(draw, term_b, face, width)
    vs = font(44, italic=True)
    line_height = int(size * 1.18)
    block = line_height * (len(lines_a) + len(lines_b)) + 76
    y = max(40, (HEIGHT - 110 - block) // 2 + 10)
    for line in lines_a:
        draw.text((MARGIN, y), line, font=face, fill=TERM_A)
        y += line_height
    draw.text((MARGIN, y + 8), "vs", font=vs, fill=INK_SOFT)
    y += 76
    for line in lines_b:
        draw.text((MARGIN, y), line, font=face, fill=TERM_B)
        y += line_height
    return _png(image)


def site_card() -> bytes:
    """Return the PNG card of the site itself, for pages that are not one comparison's."""
    image, draw = _canvas()
    draw.text((MARGIN, 150), "smsn", font=font(120, bold=True), fill=INK)
    lines = _wrap(draw, "Compare how sources define two easily-confused terms", font(52), 1000)
    y = 320
    for line in lines:
        draw.text((MARGIN, y), line, font=font(52), fill=INK_SOFT)
        y += 66
    return _png(image)


def card_digest(*texts: str) -> str:
    """Return a short digest naming the card of these texts in this design (ETag, cache key)."""
    joined = "\x1f".join([str(DESIGN), *texts])
    return hashlib.sha256(joined.encode()).hexdigest()[:20]


def card_response(request: HttpRequest, digest: str, draw: Callable[[], bytes]) -> HttpResponse:
    """Answer with the card named `digest`, drawn by `draw()` unless the shared cache has it.

    The ETag is the digest, so a browser or proxy holding it gets a 304. Pages link the card
    with `?v=<digest>`: that address never shows another image, so it may be kept a year; any
    other address of it (an old `v`, none) a day, so a new card shows when the terms change.
    """
    etag = f'"{digest}"'
    response: HttpResponse
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        key = f"card:{digest}"
        try:
            png = cache.get(key)
        except UNAVAILABLE:
            png = None
        if not isinstance(png, bytes):
            png = draw()
            with contextlib.suppress(*UNAVAILABLE):
                cache.set(key, png, CARD_TIMEOUT)
        response = HttpResponse(png, content_type="image/png")
    response["ETag"] = etag
    if request.GET.get("v") == digest:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "public, max-age=86400"
    return response
