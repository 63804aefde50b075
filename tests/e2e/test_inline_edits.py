"""Inline edits in a real browser (htmx rows of the SoA and the audit checklist): what the
person sees when a save is refused, when the connection drops, and when they type on
while a save is on its way; and what ends up stored. Issue 4: "inline result and notes
saved as you go (no lost work on a dropped connection: a save that fails is retried and
shown)"."""

from __future__ import annotations

from typing import Any

import pytest

from audits.choices import CheckResult
from audits.models import Audit
from compliance.models import Organisation, User
from controls.models import Applicability, Requirement
from controls.services.statuses import requirement_status_update
from tests.e2e import test_tasks
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_journeys import log_in

# The clinic, its manager, its lead auditor and a flash audit, as in test_tasks.
clinic = test_tasks.clinic
manager = test_tasks.manager
lead = test_tasks.lead
flash_audit = test_tasks.flash_audit

pytestmark = pytest.mark.e2e

SAVED = "Enregistré"


def first_check(audit: Audit) -> Any:
    check = audit.checks.order_by("order", "pk").first()
    assert check is not None
    return check


class DropFirst:
    """A page.route handler: the first matching request fails as a dropped connection
    would, the following ones reach the server."""

    def __init__(self) -> None:
        self.seen = 0

    def __call__(self, route: Any) -> None:
        self.seen += 1
        if self.seen == 1:
            route.abort("internetdisconnected")
        else:
            route.continue_()


class Hold:
    """A page.route handler that keeps the first matching request waiting until the test
    releases it (a slow network), and lets the following ones through."""

    def __init__(self) -> None:
        self.held: list[Any] = []
        self.seen = 0

    def __call__(self, route: Any) -> None:
        self.seen += 1
        if self.seen == 1:
            self.held.append(route)
        else:
            route.continue_()


def test_an_soa_change_lost_on_the_network_is_retried_and_saved(
    page: Any, clinic: Organisation, manager: User
) -> None:
    log_in(page, manager)
    page.goto(f"/o/{clinic.slug}/soa/?theme=organizational")
    drop = DropFirst()
    page.route("**/requirements/*/", drop)
    row = page.locator("#req-a51")

    row.locator("select[name$='-status']").select_option("implemented")

    row.locator(".save-state.error", has_text="Connexion perdue, nouvel essai…").wait_for()
    assert "dirty" in (row.get_attribute("class") or "")
    page.locator("#req-a51 .save-state.ok", has_text=SAVED).wait_for()
    assert drop.seen == 2
    line = Applicability.objects.get(organisation=clinic, requirement__ref_id="A.5.1")
    assert line.status == "implemented"
    assert page.locator("#req-a51 select[name$='-status']").input_value() == "implemented"


def test_a_refused_soa_change_says_why_in_the_row_and_keeps_what_was_typed(
    page: Any, clinic: Organisation, manager: User
) -> None:
    log_in(page, manager)
    page.goto(f"/o/{clinic.slug}/soa/?theme=organizational")
    row = page.locator("#req-a51")

    with page.expect_response(lambda response: "/requirements/" in response.url) as refused:
        row.locator("select[name$='-applicable']").select_option("no")

    assert refused.value.status == 400
    state = page.locator("#req-a51 .save-state.error")
    assert "Une mesure exclue doit avoir une justification de son exclusion." in state.inner_text()
    assert page.locator("#req-a51 select[name$='-applicable']").input_value() == "no"
    reason = page.locator("#req-a51 textarea[name$='-exclusion_justification']")
    assert reason.get_attribute("aria-invalid") == "true"
    assert_accessible(page, context="SoA row refused")
    assert not Applicability.objects.filter(organisation=clinic, applicable=False).exists()

    # The justification is saved after a pause in the typing, without leaving the field.
    reason.click()
    with page.expect_response(lambda response: "/requirements/" in response.url) as saved:
        reason.type("Aucune politique de sécurité distincte : couverte par A.5.2.")
    assert saved.value.ok
    page.locator("#req-a51 .save-state.ok", has_text=SAVED).wait_for()
    line = Applicability.objects.get(organisation=clinic, requirement__ref_id="A.5.1")
    assert line.applicable is False
    assert line.exclusion_justification.startswith("Aucune politique")
    # The person is still in the field they were typing in.
    assert page.evaluate("() => document.activeElement.name").endswith("-exclusion_justification")


def test_a_change_after_the_session_ended_says_so_and_never_shows_the_login_page_in_the_row(
    page: Any,
    clinic: Organisation,
    manager: User,
) -> None:
    log_in(page, manager)
    page.goto(f"/o/{clinic.slug}/soa/?theme=organizational")
    page.context.clear_cookies(name="sessionid")  # logged out elsewhere, or expired
    row = page.locator("#req-a51")

    with page.expect_response(lambda response: "/accounts/login/" in response.url):
        row.locator("select[name$='-status']").select_option("implemented")

    state = row.locator(".save-state.error")
    state.wait_for()
    assert state.inner_text() == "Non enregistré : rechargez la page et recommencez."
    assert row.locator("input[type=password]").count() == 0
    assert row.locator("select[name$='-status']").input_value() == "implemented"
    assert not Applicability.objects.filter(organisation=clinic, status="implemented").exists()


def test_a_status_offered_by_nis2_is_confirmed_in_its_row(
    page: Any, clinic: Organisation, manager: User
) -> None:
    # NIS2 21.2.b (incident handling) implemented: A.5.24 is offered "partial".
    requirement_status_update(
        actor=manager,
        organisation=clinic,
        requirement=Requirement.objects.get(framework__code="nis2", ref_id="21.2.b"),
        status="implemented",
    )
    log_in(page, manager)
    page.goto(f"/o/{clinic.slug}/soa/?theme=organizational")
    row = page.locator("#req-a524")
    assert "Dérivé de nis2 21.2.b" in row.locator(".suggestion").inner_text()

    with page.expect_response(lambda response: "/suggestion/" in response.url) as decided:
        row.get_by_role("button", name="Confirmer").click()

    assert decided.value.ok
    page.locator("#req-a524 .save-state.ok", has_text="A.5.24 : état suggéré confirmé.").wait_for()
    assert page.locator("#req-a524 .suggestion").count() == 0
    assert page.locator("#req-a524 select[name$='-status']").input_value() == "partial"
    assert page.url.endswith("/soa/?theme=organizational")  # no page load
    line = Applicability.objects.get(organisation=clinic, requirement__ref_id="A.5.24")
    assert line.status == "partial"


def test_a_check_lost_on_the_network_is_retried_and_counted(
    page: Any, clinic: Organisation, lead: User, flash_audit: Audit
) -> None:
    log_in(page, lead)
    page.goto(f"/o/{clinic.slug}/audits/{flash_audit.pk}/checklist/")
    total = flash_audit.checks.count()
    check = first_check(flash_audit)
    drop = DropFirst()
    page.route("**/save/", drop)

    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("2")  # conforme

    row = page.locator(f"#check-{check.pk}")
    row.locator(".save-state.error", has_text="Connexion perdue, nouvel essai…").wait_for()
    assert page.locator("#checklist-progress .progress-text").inner_text() == f"0/{total}"
    page.locator(f"#check-{check.pk} .save-state.ok", has_text=SAVED).wait_for()
    assert page.locator("#checklist-progress .progress-text").inner_text() == f"1/{total}"
    assert drop.seen == 2
    check.refresh_from_db()
    assert check.result == CheckResult.CONFORME
    # The keyboard still works on the row that came back from the server.
    assert page.evaluate("() => document.activeElement.id") == f"check-{check.pk}"
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.id") != f"check-{check.pk}"


def test_a_note_typed_while_a_save_is_on_its_way_is_not_lost(
    page: Any, clinic: Organisation, lead: User, flash_audit: Audit
) -> None:
    log_in(page, lead)
    page.goto(f"/o/{clinic.slug}/audits/{flash_audit.pk}/checklist/")
    check = first_check(flash_audit)
    slow = Hold()
    page.route("**/save/", slow)
    notes = page.locator(f"#check-{check.pk} textarea")

    notes.click()
    notes.type("Politique signée")
    page.wait_for_timeout(1500)  # the typing pause: the save leaves, and waits
    assert slow.seen == 1
    notes.type(", mais non diffusée")  # typed while that save is on its way

    # The first save comes back; what was typed since is kept and saved in turn.
    with page.expect_response(
        lambda response: "/save/" in response.url and "diffus" in (response.request.post_data or "")
    ) as second:
        slow.held[0].continue_()
    assert second.value.ok

    page.locator(f"#check-{check.pk} .save-state.ok", has_text=SAVED).wait_for()
    notes = page.locator(f"#check-{check.pk} textarea")
    assert notes.input_value() == "Politique signée, mais non diffusée"
    assert page.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    check.refresh_from_db()
    assert check.notes == "Politique signée, mais non diffusée"
