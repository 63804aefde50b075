"""Drafts, the data-subject campaign, the breach register and the demo."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from compliance.models import AuditEvent, Organisation
from compliance.services.audit_trail import SystemActor
from incidents.models import DataSubjectCampaign, Incident
from incidents.services import campaign_save, notification_mark_sent
from tests.factories import MembershipFactory, OrganisationFactory
from tests.helpers import page_text

from .conftest import make_incident

pytestmark = pytest.mark.django_db


def base(org: Organisation) -> str:
    return f"/o/{org.slug}/incidents/"


class TestDrafts:
    def test_the_cnil_draft_has_the_art_33_3_fields_prefilled(
        self, owner_client: Client, essential_org: Organisation
    ) -> None:
        incident = make_incident(
            essential_org,
            personal_data_breach=True,
            data_categories="Comptes rendus opératoires",
            data_subjects_count=1200,
            contact_point="dpo@tilleuls.example",
        )
        n = incident.notifications.get()
        text = page_text(
            owner_client.get(f"{base(essential_org)}{incident.pk}/notifications/{n.pk}/draft/")
        )
        assert "Nature de la violation" in text
        assert "Comptes rendus opératoires" in text
        assert "dpo@tilleuls.example" in text
        assert "Motifs du retard" not in text  # not late

    def test_english_labels_and_edits_are_kept(
        self, owner_client: Client, ransomware: Incident
    ) -> None:
        n = ransomware.notifications.get(regime="nis2_early_warning")
        url = f"{base(ransomware.organisation)}{ransomware.pk}/notifications/{n.pk}/draft/"
        text = page_text(owner_client.get(url + "?lang=en"))
        assert "Suspected to be caused by unlawful or malicious acts" in text
        response = owner_client.post(
            url + "?lang=en",
            {"nature": "Rançongiciel LockBit", "suspected_malicious": "Oui", "cross_border": "Non"},
        )
        assert response.status_code == 302
        printed = page_text(owner_client.get(url + "print/?lang=fr"))
        assert "Rançongiciel LockBit" in printed
        assert "Causé, selon les soupçons" in printed
        assert AuditEvent.objects.filter(action="incidents.draft_save").count() == 1

    def test_user_text_is_escaped_in_the_printable_draft(
        self, owner_client: Client, essential_org: Organisation
    ) -> None:
        incident = make_incident(
            essential_org,
            health_establishment_serious=True,
            description="<script>alert(1)</script>",
        )
        n = incident.notifications.get()
        body = owner_client.get(
            f"{base(essential_org)}{incident.pk}/notifications/{n.pk}/draft/print/"
        ).content
        assert b"<script>alert(1)" not in body
        assert b"&lt;script&gt;" in body

    def test_a_viewer_cannot_save_a_draft(
        self, member_client: Client, ransomware: Incident
    ) -> None:
        n = ransomware.notifications.first()
        assert n is not None
        url = f"{base(ransomware.organisation)}{ransomware.pk}/notifications/{n.pk}/draft/"
        assert member_client.get(url).status_code == 200
        assert member_client.post(url, {"nature": "x"}).status_code == 403


class TestCampaign:
    def test_never_told_is_a_visible_number(
        self, owner_client: Client, ransomware: Incident
    ) -> None:
        org = ransomware.organisation
        response = owner_client.get(f"{base(org)}{ransomware.pk}/campaign/")
        assert "Madame, Monsieur" in page_text(response)  # letter pre-filled in French
        response = owner_client.post(
            f"{base(org)}{ransomware.pk}/campaign/",
            {
                "audience": "Patients 2026",
                "channel": "letter",
                "to_tell": "100",
                "told": "40",
                "unreachable": "5",
                "letter": "Madame, Monsieur, ...",
            },
        )
        assert response.status_code == 302
        text = page_text(owner_client.get(f"{base(org)}{ransomware.pk}/"))
        assert '<span class="never-told">60</span>' in text
        assert "60 personnes jamais informées" in page_text(owner_client.get(base(org)))

    def test_told_cannot_exceed_the_population(
        self, owner_client: Client, ransomware: Incident
    ) -> None:
        response = owner_client.post(
            f"{base(ransomware.organisation)}{ransomware.pk}/campaign/",
            {
                "audience": "P",
                "channel": "sms",
                "to_tell": "10",
                "told": "9",
                "unreachable": "2",
                "letter": "L",
            },
        )
        assert response.status_code == 200
        assert "ne peuvent pas dépasser" in page_text(response)
        assert not DataSubjectCampaign.objects.exists()

    def test_a_viewer_cannot_run_the_campaign(
        self, member_client: Client, ransomware: Incident
    ) -> None:
        assert (
            member_client.get(
                f"{base(ransomware.organisation)}{ransomware.pk}/campaign/"
            ).status_code
            == 403
        )


class TestRegister:
    @pytest.fixture
    def breaches(self, essential_org: Organisation) -> list[Incident]:
        notified = make_incident(
            essential_org,
            aware_at=timezone.now() - timedelta(days=10),
            title='=HYPERLINK("http://evil")',
            personal_data_breach=True,
            measures_taken="Mots de passe changés",
        )
        notification_mark_sent(
            actor=SystemActor("t"),
            notification=notified.notifications.get(),
            sent_at=timezone.now() - timedelta(days=9),
            reference="CNIL-42",
        )
        unnotified = make_incident(
            essential_org, title="Clé USB perdue", personal_data_breach=True, risk_unlikely=True
        )
        make_incident(essential_org, title="Panne sans données", health_establishment_serious=True)
        return [notified, unnotified]

    def test_every_breach_notified_or_not_is_listed(
        self, owner_client: Client, breaches: list[Incident]
    ) -> None:
        text = page_text(owner_client.get(f"{base(breaches[0].organisation)}breaches/"))
        assert "Clé USB perdue" in text and "CNIL-42" in text
        assert "Panne sans données" not in text

    def test_a_breach_still_within_72_hours_is_to_notify_not_late(
        self, owner_client: Client, essential_org: Organisation
    ) -> None:
        make_incident(essential_org, title="Fraîche", personal_data_breach=True)
        make_incident(
            essential_org,
            title="Ancienne",
            aware_at=timezone.now() - timedelta(days=5),
            personal_data_breach=True,
        )
        text = page_text(owner_client.get(f"{base(essential_org)}breaches/"))
        assert text.count("à notifier") == 1 and text.count("non notifiée") == 1

    def test_csv_export_neutralises_formulas(
        self, owner_client: Client, breaches: list[Incident]
    ) -> None:
        response = owner_client.get(f"{base(breaches[0].organisation)}breaches/export.csv")
        assert response["Content-Type"].startswith("text/csv")
        body = response.content.decode("utf-8-sig")
        assert "Mesures correctrices" in body.splitlines()[0]
        assert "'=HYPERLINK" in body and "CNIL-42" in body

    def test_xlsx_export(self, owner_client: Client, breaches: list[Incident]) -> None:
        response = owner_client.get(f"{base(breaches[0].organisation)}breaches/export.xlsx")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert titles == ['\'=HYPERLINK("http://evil")', "Clé USB perdue"]

    def test_another_organisation_sees_none_of_it(
        self, outsider_client: Client, breaches: list[Incident]
    ) -> None:
        org = breaches[0].organisation
        assert outsider_client.get(f"{base(org)}breaches/").status_code == 404
        assert outsider_client.get(f"{base(org)}breaches/export.csv").status_code == 404

    def test_an_unknown_format_is_a_404(
        self, owner_client: Client, breaches: list[Incident]
    ) -> None:
        assert (
            owner_client.get(f"{base(breaches[0].organisation)}breaches/export.pdf").status_code
            == 404
        )


def test_campaign_needs_a_breach(essential_org: Organisation) -> None:
    from django.core.exceptions import ValidationError

    incident = make_incident(essential_org, health_establishment_serious=True)
    with pytest.raises(ValidationError):
        campaign_save(
            actor=SystemActor("t"),
            incident=incident,
            audience="x",
            channel="sms",
            to_tell=1,
            letter="l",
        )


def test_the_demo_has_running_clocks_a_closed_breach_and_a_campaign_and_is_idempotent() -> None:
    from incidents import demo

    clinic = OrganisationFactory.create(slug="clinique-des-lilas", nis2_classification="essential")
    MembershipFactory.create(
        organisation=clinic, role="contributor", user__email="rssi@lilas.example"
    )
    actor = SystemActor("seed_demo")
    demo.seed(organisations={clinic.slug: clinic}, actor=actor)
    incidents = Incident.objects.filter(organisation=clinic)
    assert incidents.count() == 2
    ransomware = incidents.get(closed_at__isnull=True)
    assert ransomware.owner is not None
    assert ransomware.notifications.filter(sent_at__isnull=True, due_at__gt=timezone.now()).exists()
    assert 0 < ransomware.campaign.told < ransomware.campaign.to_tell
    assert incidents.filter(closed_at__isnull=False, personal_data_breach=True).count() == 1
    events = AuditEvent.objects.count()
    demo.seed(organisations={clinic.slug: clinic}, actor=actor)
    assert incidents.count() == 2
    assert AuditEvent.objects.count() == events


def test_the_prefilled_draft_is_all_french(
    owner_client: Client, essential_org: Organisation
) -> None:
    incident = make_incident(essential_org, personal_data_breach=True, data_subjects_count=1840)
    n = incident.notifications.get()
    text = page_text(
        owner_client.get(f"{base(essential_org)}{incident.pk}/notifications/{n.pk}/draft/")
    )
    assert re.search(r"Nombre approximatif de personnes concernées : 1\s840", text)
    assert "Categories of personal data" not in text
