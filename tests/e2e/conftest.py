"""Browser tests: Playwright drives Debian's Chromium against a live Egide server.

The browser is ``/usr/bin/chromium`` (apt-get install chromium; `.ci/run` installs it):
nothing is downloaded. Without it the tests are skipped on a developer machine and fail in
CI (``CI`` set), so a missing browser never passes silently there.

Every page a journey opens can be checked with axe-core (``assert_accessible``), vendored in
tests/e2e/vendor/ (MPL 2.0, see its licence file): WCAG 2.1 A and AA rules, and a serious
or critical violation fails the test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs /usr/bin/chromium: apt-get install chromium")
        pytest.skip("no /usr/bin/chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A French-speaking tablet-or-laptop-sized tab on the live server."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="fr-FR",
        timezone_id="Europe/Paris",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    # A script or style the Content-Security-Policy blocks would fail silently for the
    # user: any such refusal fails the test that caused it.
    refused: list[str] = []
    tab.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    context.close()
    assert not refused, "blocked by the Content-Security-Policy:\n" + "\n".join(refused)


def assert_accessible(page: Any, *, context: str = "") -> None:
    """Run axe-core on the current page; fail on any serious or critical WCAG 2.1 AA
    violation, listing the rule and the first offending elements."""
    # Evaluated through the DevTools protocol, not as a <script> tag: the page's CSP
    # (no inline script) stays on for everything the page itself runs.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(node["target"][0] for node in v["nodes"][:3])
        for v in serious
    ]
    assert not serious, f"accessibility violations on {context or page.url}:\n" + "\n".join(details)
