"""Headers every response carries, and the templates that keep the CSP true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

BASE = Path(settings.BASE_DIR)
# Every HTML template the project serves: the shared ones and each app's own (PDF
# templates are rendered by WeasyPrint, not served, and may style inline).
HTML_TEMPLATES = [
    path
    for path in [*BASE.glob("templates/**/*.html"), *BASE.glob("*/templates/**/*.html")]
    if "/pdf/" not in str(path) and ".venv" not in path.parts
]


def test_pages_carry_a_policy_without_inline_scripts(owner_client: Client, org_a: object) -> None:
    response = owner_client.get(f"/o/{org_a.slug}/")  # type: ignore[attr-defined]

    policy = response["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in directives["style-src-elem"]


def test_api_and_login_answers_carry_the_policy_too(client: Client, db: None) -> None:
    for url in ("/accounts/login/", "/api/v1/organisation/", "/api/v1/docs/"):
        assert "script-src 'self'" in client.get(url)["Content-Security-Policy"], url


def test_other_security_headers(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_api_docs_start_without_an_inline_script(client: Client, db: None) -> None:
    page = client.get("/api/v1/docs/").content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)


@pytest.mark.parametrize("template", HTML_TEMPLATES, ids=lambda p: str(p.relative_to(BASE)))
def test_no_template_holds_an_inline_script(template: Path) -> None:
    """The policy refuses inline scripts, so one in a template would silently not run:
    scripts live in static/js/ and are loaded with src=."""
    source = template.read_text(encoding="utf-8")

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", source), "inline event handler (on...=)"
    assert "javascript:" not in source.lower(), "javascript: URL"
