"""Helpers for the browser tests: screenshots, the axe-core audit, and reading vote widgets."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect

from definitions.models import Distinction, Vote

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_RESULTS = ARTIFACTS / "axe"
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def element_screenshot(locator, name: str) -> Path:
    """Save a screenshot of one part of a page to test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    locator.screenshot(path=str(path))
    return path


def run_axe(page, name: str) -> dict:
    """Run axe-core on the page, save the full result as JSON and return it.

    The script is evaluated through the DevTools protocol, which the site's Content Security
    Policy does not govern, so the audit runs against the page exactly as it is served.
    """
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    # Started here and awaited below with a timeout, so an audit that cannot finish fails the
    # test instead of hanging the run.
    page.evaluate(
        """() => {
            window.axeResult = null;
            axe.run(document, {
                runOnly: {type: "tag", values: [
                    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"
                ]},
            }).then((result) => { window.axeResult = result; });
        }"""
    )
    result = page.wait_for_function("() => window.axeResult", timeout=60_000).json_value()
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    kinds = ("passes", "violations", "incomplete")
    checked = {rule["id"] for kind in kinds for rule in result[kind]}
    # An audit that checked neither contrast nor names checked nothing a visitor would notice.
    assert {"color-contrast", "link-name"} <= checked, f"axe checked only {sorted(checked)}"
    return result


def serious_violations(result: dict) -> list[str]:
    """Return one readable line per serious or critical axe violation and element."""
    lines = []
    for violation in result["violations"]:
        if violation["impact"] in {"serious", "critical"}:
            for node in violation["nodes"]:
                lines.append(
                    f"{violation['id']} ({violation['impact']}): {violation['help']} "
                    f"at {node['target']}: {node.get('failureSummary', '')}"
                )
    return lines


def first_source_distinction() -> Distinction:
    """Return the distinction drawn by the first source in the sources table."""
    distinction = (
        Distinction.objects.from_sources()
        .select_related("source")
        .order_by("source__position", "source__id")
        .first()
    )
    assert distinction is not None
    return distinction


def expect_vote_state(page, distinction: Distinction, *, up: int, down: int, mine: int) -> None:
    """Assert what the vote widget shows: both counts and which button is pressed."""
    widget = page.locator(f"#vote-{distinction.pk}")
    up_button = widget.locator(f"#vote-{distinction.pk}-up")
    down_button = widget.locator(f"#vote-{distinction.pk}-down")
    expect(up_button.locator(".vote-count")).to_have_text(str(up))
    expect(down_button.locator(".vote-count")).to_have_text(str(down))
    expect(up_button).to_have_attribute("aria-pressed", "true" if mine == 1 else "false")
    expect(down_button).to_have_attribute("aria-pressed", "true" if mine == -1 else "false")


def stored_votes(distinction: Distinction) -> list[int]:
    """Return the values of the vote rows stored for the distinction."""
    return list(Vote.objects.filter(distinction=distinction).values_list("value", flat=True))
