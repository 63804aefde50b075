"""Every page below the main navigation says where it sits: a breadcrumb trail, labelled
for screen readers, back to the page the main menu opens (issue 9: "breadcrumbs").

Read from the templates, so a page added later is held to it the day it exists. Pages the
main menu (or a section's own tab bar) opens, the sign-in pages and the error pages are
the exceptions, each listed with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TRAIL = re.compile(
    r"\{% block breadcrumbs %\}\s*"
    r"<nav class=\"breadcrumbs\" aria-label=\"\{% translate 'Breadcrumbs' %\}\">"
)
SECTION_TABS = "_subnav.html"  # a section's own tab bar (risks) places its pages
TOP_LEVEL = {
    # opened from the main menu (templates/base.html) or the header
    "templates/compliance/organisation_home.html",
    "templates/compliance/organisation_list.html",
    "templates/compliance/organisation_settings.html",
    "templates/compliance/member_list.html",
    "templates/compliance/api_key_list.html",
    "templates/compliance/audit_trail.html",
    "templates/compliance/search.html",
    "templates/controls/framework_list.html",
    "templates/controls/soa.html",
    "templates/controls/soa_missing.html",  # the SoA menu entry before a framework is chosen
    "evidence/templates/evidence/list.html",
    "incidents/templates/incidents/incident_list.html",
    "reports/templates/reports/report_list.html",
    "audits/templates/audits/audit_list.html",
    "audits/templates/audits/plan.html",
    "audits/templates/audits/portfolio.html",
    "privacy/templates/privacy/register_list.html",
    "anonymity/templates/anonymity/assessment_list.html",
    # before or outside an organisation: sign-in, two-factor, invitations, errors
    "templates/registration/login.html",
    "templates/registration/two_factor_setup.html",
    "templates/registration/two_factor_verify.html",
    "templates/registration/invitation_accept.html",
    "templates/registration/locked_out.html",
    "templates/403.html",
    "templates/404.html",
    "templates/503.html",
}


def pages() -> list[str]:
    found = []
    for template in sorted(ROOT.glob("**/templates/**/*.html")):
        relative = template.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "var/")):
            continue
        if '{% extends "base.html" %}' in template.read_text():
            found.append(relative)
    return found


def test_the_exceptions_are_real_pages() -> None:
    assert set(pages()) >= TOP_LEVEL, TOP_LEVEL - set(pages())


@pytest.mark.parametrize("template", [p for p in pages() if p not in TOP_LEVEL])
def test_a_page_below_the_menu_has_a_labelled_breadcrumb_trail(template: str) -> None:
    text = (ROOT / template).read_text()
    assert TRAIL.search(text) or SECTION_TABS in text, (
        f'{template}: no breadcrumb trail (a <nav class="breadcrumbs" aria-label=...> in '
        "{% block breadcrumbs %}) and no section tab bar"
    )
