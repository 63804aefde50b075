"""The clinic's tasks in a real browser (issue 9, "Tested as a person would use it"): one
test per task, each checking what the person sees and what got stored, and each page it
opens with axe-core. Data the task starts from is set up through the services; the task
itself goes through the browser only."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zlib
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.choices import CheckResult
from audits.models import Audit, AuditCheck, Finding
from audits.services import audit_create
from compliance.celery import app as celery_app
from compliance.choices import Nis2Classification, Role
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from controls.models import Theme
from controls.services.catalogues import load_builtin_catalogues
from evidence.models import Evidence
from incidents.models import Incident
from incidents.services import incident_create
from reports.models import ReportJob
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_journeys import log_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.reports.test_worker import start_worker  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def clinic(transactional_db: None) -> Organisation:
    load_builtin_catalogues(actor=SystemActor("tests"))
    return OrganisationFactory.create(
        name="Clinique des Tilleuls", nis2_classification=Nis2Classification.ESSENTIAL
    )


def member(clinic: Organisation, role: str, email: str) -> User:
    return MembershipFactory.create(organisation=clinic, role=role, user__email=email).user


@pytest.fixture
def manager(clinic: Organisation) -> User:
    return member(clinic, Role.MANAGER, "direction@tilleuls.example")


@pytest.fixture
def lead(clinic: Organisation) -> User:
    return member(clinic, Role.LEAD_AUDITOR, "auditrice@audit.example")


@pytest.fixture
def flash_audit(clinic: Organisation, lead: User) -> Audit:
    """A flash audit of one Annex A theme (the organisational controls), in the clinic."""
    themes = Theme.objects.filter(framework__code="iso27001-2022", code="organizational")
    assert themes.exists()
    return audit_create(
        actor=lead,
        organisation=clinic,
        title="Audit flash Annexe A",
        themes=list(themes),
        lead_auditor=lead,
    )


def fits_without_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth"
        )
    )


# --- 1. A flash-audit check ------------------------------------------------------------


def test_lead_auditor_records_a_check_with_the_keyboard_and_a_nonconformity_opens_a_finding(
    page: Any, clinic: Organisation, lead: User, flash_audit: Audit
) -> None:
    log_in(page, lead)
    # From the section tab to the audit, then its checklist, as the auditor would.
    page.goto(f"/o/{clinic.slug}/")
    page.locator("nav.tabs").get_by_role("link", name=_("Audits"), exact=True).click()
    page.get_by_role("link", name=flash_audit.title).first.click()
    page.wait_for_url(f"**/audits/{flash_audit.pk}/")
    assert_accessible(page, context="audit")
    page.get_by_role("link", name=_("Checklist"), exact=True).click()
    page.wait_for_url(f"**/audits/{flash_audit.pk}/checklist/")
    total = flash_audit.checks.count()
    progress = page.locator("#checklist-progress .progress-text")
    assert progress.inner_text() == f"0/{total}"
    assert_accessible(page, context="checklist")

    first = flash_audit.checks.order_by("order", "pk").first()
    assert first is not None
    row = page.locator(f"#check-{first.pk}")
    # Keyboard: j moves to the first check, 3 is the third result (major nonconformity).
    page.locator("h1").click()
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.id") == f"check-{first.pk}"
    page.keyboard.press("3")
    row.locator(".save-state.ok").wait_for()
    page.wait_for_function(
        "expected => document.querySelector('#checklist-progress .progress-text')"
        ".textContent === expected",
        arg=f"1/{total}",
    )
    assert page.evaluate("() => document.getElementById('progress-bar').value") == 1
    # n writes a note; leaving the field saves it.
    page.keyboard.press("n")
    page.keyboard.type("Pas de politique signée par la direction.")
    with page.expect_response(lambda response: "/save/" in response.url) as saved:
        page.keyboard.press("Tab")
    assert saved.value.ok

    first.refresh_from_db()
    assert first.result == CheckResult.NC_MAJEURE
    assert first.notes == "Pas de politique signée par la direction."
    finding = Finding.objects.get(organisation=clinic)
    assert finding.audit_check_id == first.pk

    # A reload shows what is stored: the result, the note, the progress and the finding.
    page.reload()
    row = page.locator(f"#check-{first.pk}")
    assert row.locator("input[value=non_conformite_majeure]").is_checked()
    assert row.locator("textarea").input_value() == "Pas de politique signée par la direction."
    assert progress.inner_text() == f"1/{total}"
    row.get_by_role("link", name=finding.reference).click()
    page.wait_for_url(f"**/findings/{finding.pk}/")
    assert finding.reference in page.locator("main").inner_text()
    assert_accessible(page, context="finding")


# --- 2. Evidence upload ----------------------------------------------------------------


def small_png() -> bytes:
    """A real 2x2 PNG (red pixels), built here so the test carries no binary file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (2).to_bytes(4, "big") + (2).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    pixels = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _row in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def test_contributor_uploads_evidence_sees_its_sha256_and_downloads_the_same_bytes(
    page: Any, clinic: Organisation
) -> None:
    contributor = member(clinic, Role.CONTRIBUTOR, "rssi@tilleuls.example")
    content = small_png()
    log_in(page, contributor)
    page.goto(f"/o/{clinic.slug}/evidence/new/")
    assert_accessible(page, context="new evidence")
    page.get_by_label(_("Title")).fill("Badge d'accès au local serveur")
    page.get_by_label(_("Files")).set_input_files(
        [{"name": "badge.png", "mimeType": "image/png", "buffer": content}]
    )
    page.get_by_role("button", name=_("Save the evidence")).click()
    page.wait_for_url(re.compile(r"/evidence/\d+/$"))

    digest = hashlib.sha256(content).hexdigest()
    assert page.locator("#revision-1 code.hash").inner_text() == digest
    assert_accessible(page, context="evidence detail")
    evidence = Evidence.objects.get(organisation=clinic)
    assert evidence.title == "Badge d'accès au local serveur"
    assert evidence.revisions.get().sha256 == digest

    with page.expect_download() as download:
        page.locator("#revision-1").get_by_role("link", name="badge.png").click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as downloaded:
        assert downloaded.read() == content


# --- 3. Evidence pack --------------------------------------------------------------------


@pytest.fixture
def document_worker(request: pytest.FixtureRequest, settings: Any, tmp_path: Any) -> Iterator[str]:
    """Who renders the PDF: the request itself without a broker (the embedded default), a
    real Celery worker with Redis and PostgreSQL (CI), so the page's polling is what shows
    the job finishing. SQLite in memory cannot be shared with a worker: with Redis but
    SQLite, the task runs in the request."""
    if celery_app.conf.task_always_eager:
        yield "eager"
    elif connection.vendor != "postgresql":
        celery_app.conf.task_always_eager = True
        try:
            yield "eager"
        finally:
            celery_app.conf.task_always_eager = False
    else:
        settings.MEDIA_ROOT = tmp_path / "media"  # where the worker (EGIDE_VAR_DIR) writes
        request.getfixturevalue("start_worker")()
        yield "worker"


def test_manager_generates_the_evidence_pack_of_an_audit_and_downloads_the_pdf(
    page: Any, clinic: Organisation, manager: User, flash_audit: Audit, document_worker: str
) -> None:
    from pypdf import PdfReader

    log_in(page, manager)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/status/") else None)
    page.goto(f"/o/{clinic.slug}/reports/")
    assert_accessible(page, context="documents")
    form = page.locator("form.report-request").filter(has=page.locator("select[name=param_audit]"))
    form.locator("select[name=param_audit]").select_option(str(flash_audit.pk))
    form.get_by_role("button").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))

    # Without a broker the job runs in the request; with one, the page polls until done.
    page.get_by_role("link", name=_("Download the PDF")).wait_for(timeout=120_000)
    job = ReportJob.objects.get(organisation=clinic)
    assert job.status == "done"
    if document_worker == "worker":  # the page followed the job until the worker finished
        assert polls, "the document page never asked for the job's progress"
    assert page.locator("[data-field=status_label]").inner_text() == job.get_status_display()
    assert job.sha256 in page.locator("main").inner_text()
    assert_accessible(page, context="document ready")

    with page.expect_download() as download:
        page.get_by_role("link", name=_("Download the PDF")).click()
    path = download.value.path()
    assert path is not None
    with open(path, "rb") as downloaded:
        pdf = downloaded.read()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == job.sha256
    text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages[:3])
    assert "Clinique des Tilleuls" in text


# --- 4. Incident and its clocks -----------------------------------------------------------


def test_manager_declares_a_breach_and_sees_the_three_clocks_count_down(
    page: Any, clinic: Organisation, manager: User
) -> None:
    late = incident_create(
        actor=manager,
        organisation=clinic,
        title="Vol d'ordinateur portable",
        aware_at=timezone.now() - datetime.timedelta(days=4),
        personal_data_breach=True,
    )
    log_in(page, manager)
    page.goto(f"/o/{clinic.slug}/incidents/new/")
    assert_accessible(page, context="declare an incident")
    aware = (timezone.now() - datetime.timedelta(hours=3)).astimezone(PARIS)
    page.get_by_label(_("title")).first.fill("Rançongiciel sur le serveur de radiologie")
    page.get_by_label(_("became aware at")).fill(aware.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(_("significant incident (NIS2 Art. 23(3))")).check()
    page.get_by_label(_("personal data breach (GDPR Art. 4(12))")).check()
    page.get_by_role("button", name=_("Declare")).click()
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))

    incident = Incident.objects.exclude(pk=late.pk).get(organisation=clinic)
    assert incident.nis2_significant and incident.personal_data_breach
    assert abs(incident.aware_at - aware.replace(second=0, microsecond=0)) < datetime.timedelta(
        minutes=1
    )
    due = {n.regime: n.due_at for n in incident.notifications.all()}
    start = incident.aware_at
    assert due["nis2_early_warning"] - start == datetime.timedelta(hours=24)
    assert due["nis2_notification"] - start == datetime.timedelta(hours=72)
    assert due["gdpr_authority"] - start == datetime.timedelta(hours=72)

    cards = page.locator(".clock-card")
    for regime in (
        _("NIS2 early warning"),
        _("NIS2 incident notification"),
        _("GDPR notification to the CNIL"),
    ):
        card = cards.filter(has=page.get_by_role("heading", name=regime, exact=True))
        assert card.count() == 1, regime
        assert "overdue" not in (card.locator(".clock").get_attribute("class") or "")
    # About 21 hours left on the early warning (24 h from three hours ago).
    early = cards.filter(has=page.get_by_role("heading", name=_("NIS2 early warning"), exact=True))
    text = early.locator(".clock-text").inner_text()
    assert re.search(r"\b(20|21) h\b", text), text
    # The countdown script keeps the clock moving.
    page.wait_for_function(
        "([selector, before]) => document.querySelector(selector).textContent !== before",
        arg=[
            ".clock-card .clock[data-due] .clock-text",
            page.locator(".clock-card .clock[data-due] .clock-text").first.inner_text(),
        ],
        timeout=5_000,
    )
    assert_accessible(page, context="incident with clocks")

    # The breach declared four days ago is past its 72 hours: overdue, in red.
    page.goto(f"/o/{clinic.slug}/incidents/{late.pk}/")
    overdue = page.locator(".clock-card .clock.overdue").first
    overdue.wait_for()
    red = page.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--danger').trim()"
    )
    color = overdue.evaluate("el => getComputedStyle(el).color")
    probe = page.evaluate(
        "c => { const s = document.createElement('span'); s.style.color = c;"
        " document.body.appendChild(s); const v = getComputedStyle(s).color; s.remove();"
        " return v; }",
        red,
    )
    assert color == probe, (color, red)
    assert_accessible(page, context="overdue incident")


# --- 5. Dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_the_running_clocks_and_open_findings_each_linking_to_its_list(
    page: Any, clinic: Organisation, manager: User, lead: User, flash_audit: Audit
) -> None:
    from audits.services import check_record

    checks = list(flash_audit.checks.order_by("order", "pk")[:3])
    for check, result in zip(
        checks,
        (CheckResult.NC_MAJEURE, CheckResult.NC_MINEURE, CheckResult.OBSERVATION),
        strict=True,
    ):
        check_record(actor=lead, check=check, result=result)
    incident_create(
        actor=manager,
        organisation=clinic,
        title="Rançongiciel sur le serveur de radiologie",
        aware_at=timezone.now() - datetime.timedelta(hours=3),
        personal_data_breach=True,
        nis2_significant=True,
    )
    open_findings = Finding.objects.filter(organisation=clinic).count()
    assert open_findings == 3

    log_in(page, manager)
    page.goto(f"/o/{clinic.slug}/")
    assert_accessible(page, context="dashboard")
    clocks = page.locator("section[aria-labelledby=h-clocks]")
    assert "Rançongiciel sur le serveur de radiologie" in clocks.inner_text()
    findings = page.locator("section[aria-labelledby=h-findings]")
    assert findings.locator("h2 .badge").inner_text() == str(open_findings)

    # Each severity's figure leads to the findings list filtered on it, with as many rows.
    figures = [
        (link.get_attribute("href"), int(link.locator(".figure").inner_text()))
        for link in findings.locator(".figure-list a").all()
    ]
    assert sum(count for _href, count in figures) == open_findings
    for href, count in figures:
        page.goto(href)
        assert page.locator("main table tbody tr").count() == count, href
    page.goto(f"/o/{clinic.slug}/")
    page.locator("section[aria-labelledby=h-findings] h2 a").click()
    page.wait_for_url("**/findings/?status=open")
    assert page.locator("main table tbody tr").count() == open_findings
    assert_accessible(page, context="open findings")

    page.goto(f"/o/{clinic.slug}/")
    page.locator("section[aria-labelledby=h-clocks] h2 a").click()
    page.wait_for_url("**/incidents/")
    assert "Rançongiciel sur le serveur de radiologie" in page.locator("main").inner_text()
    assert_accessible(page, context="incident list")


# --- 6. Tablet width ----------------------------------------------------------------------


def test_the_nav_and_the_checklist_fit_a_tablet_without_horizontal_scrolling(
    page: Any, clinic: Organisation, lead: User, flash_audit: Audit
) -> None:
    page.set_viewport_size({"width": 820, "height": 1180})
    log_in(page, lead)
    for url in (
        f"/o/{clinic.slug}/",
        f"/o/{clinic.slug}/audits/{flash_audit.pk}/checklist/",
    ):
        page.goto(url)
        assert page.locator("nav.tabs").first.is_visible()
        assert fits_without_horizontal_scroll(page), url
        assert_accessible(page, context=f"{url} on a tablet")
    assert AuditCheck.objects.filter(audit=flash_audit).exists()


def test_every_section_tab_is_visible_on_a_tablet_without_scrolling_the_nav(
    page: Any, clinic: Organisation, manager: User
) -> None:
    page.set_viewport_size({"width": 820, "height": 1180})
    log_in(page, manager)
    page.goto(f"/o/{clinic.slug}/")
    nav = page.locator("nav.tabs").first
    assert nav.locator("a").count() >= 8  # a manager sees every section
    assert nav.evaluate("el => el.scrollWidth <= el.clientWidth"), "the nav scrolls sideways"
