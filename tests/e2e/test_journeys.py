"""What a person does in Egide, in a real browser: each journey is one user's task."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from compliance.choices import Role
from compliance.models import Organisation, User
from compliance.services.audit_trail import SystemActor
from controls.models import Applicability
from controls.services.catalogues import load_builtin_catalogues
from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.e2e


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in(page: Any, user: User, device: TOTPDevice | None = None) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    if device is not None:
        page.wait_for_url("**/accounts/two-factor/verify/**")
        page.fill("#id_token", current_token(device))
        page.click("main button[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def clinic(transactional_db: None) -> Organisation:
    load_builtin_catalogues(actor=SystemActor("tests"))
    return OrganisationFactory.create(name="Clinique Test", require_two_factor=True)


@pytest.fixture
def manager(clinic: Organisation) -> tuple[User, TOTPDevice]:
    user = MembershipFactory.create(organisation=clinic, role=Role.MANAGER).user
    device = TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)
    return user, device


def test_manager_logs_in_with_two_factor_and_edits_the_soa_inline(
    page: Any, clinic: Organisation, manager: tuple[User, TOTPDevice]
) -> None:
    user, device = manager
    log_in(page, user, device)

    page.goto(f"/o/{clinic.slug}/")
    assert page.locator("h1").first.inner_text() == "Clinique Test"
    assert_accessible(page, context="overview")

    page.goto(f"/o/{clinic.slug}/soa/?theme=organizational")
    row = page.locator("#req-a51")
    with page.expect_response(lambda response: "/requirements/" in response.url) as saved:
        row.locator("select[name$='-applicable']").select_option("yes")
    assert saved.value.ok
    with page.expect_response(lambda response: "/requirements/" in response.url) as saved:
        row.locator("select[name$='-status']").select_option("implemented")
    assert saved.value.ok
    row.locator(".save-state.ok").wait_for()
    assert_accessible(page, context="SoA")

    # An Annex A control keeps its status on its SoA line.
    line = Applicability.objects.get(organisation=clinic, requirement__ref_id="A.5.1")
    assert line.applicable is True
    assert line.status == "implemented"
    # What the browser saved survives a reload: the page shows the stored values.
    page.reload()
    assert page.locator("#req-a51 select[name$='-status']").input_value() == "implemented"


def test_a_wrong_second_factor_keeps_the_door_closed(
    page: Any, clinic: Organisation, manager: tuple[User, TOTPDevice]
) -> None:
    user, _device = manager
    log_in(page, user)
    page.wait_for_url("**/accounts/two-factor/verify/**")
    page.fill("#id_token", "000000")
    page.click("main button[type=submit]")

    assert "n'est pas valide" in page.locator("main").inner_text()
    page.goto(f"/o/{clinic.slug}/")
    assert "/accounts/two-factor/verify/" in page.url


def test_api_documentation_renders_under_the_content_security_policy(
    page: Any, transactional_db: None
) -> None:
    page.goto("/api/v1/docs/")

    page.locator(".swagger-ui .info .title").wait_for()
    assert "Egide" in page.locator(".swagger-ui .info .title").inner_text()
