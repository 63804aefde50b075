"""The assessment runs in a worker: the page answers at once with a progress bar that
htmx refreshes, the task fills the results, a failure says why (in the reader's
language) and the extract is deleted whatever happens."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anonymity import services
from anonymity.engine import assess
from anonymity.engine.run import assess_file
from anonymity.models import AnonymityAssessment, task_time_limit
from anonymity.selectors import passing_assessment_exists
from anonymity.tasks import assess_task
from anonymity.uploads import store_upload, upload_dir
from compliance.jobs import STALL_MARGIN
from compliance.models import AuditEvent, Organisation, User
from compliance.queue import QueueUnavailable
from tests.anonymity.test_pages_and_api import ANON_CSV, PSEUDO_CSV, bearer, upload
from tests.helpers import logged_in, page_text

ROLES = ["persistent_pseudonym", "quasi_identifier", "quasi_identifier", "quasi_identifier",
         "sensitive"]  # fmt: skip
HTMX = {"HX-Request": "true"}


def submit(client: Client, organisation: Organisation, data: bytes = PSEUDO_CSV) -> Any:
    """Upload the extract and confirm the suggested roles, as the user does."""
    new = client.post(
        reverse("anonymity_new", args=[organisation.slug]), {"file": upload(data=data)}
    )
    assert new.status_code == 302, page_text(new)
    form = {f"role_{i}": role for i, role in enumerate(ROLES)}
    return client.post(new["Location"], {**form, "k_threshold": "5"})


def uploads_waiting() -> list[Path]:
    return list(upload_dir().glob("*.upload"))


def queued(organisation: Organisation, actor: User, data: bytes = PSEUDO_CSV) -> Any:
    roles = (
        dict(zip(["patient_id", "annee_naissance", "sexe", "code_postal", "diagnostic"], ROLES,
                 strict=True))
        if data is PSEUDO_CSV
        else {"tranche": "quasi_identifier", "diagnostic": "sensitive"}
    )  # fmt: skip
    return services.assessment_request(
        actor=actor,
        organisation=organisation,
        upload=store_upload(upload(data=data)),
        roles=roles,
        in_worker=False,
    )


def test_confirming_the_roles_answers_at_once_with_a_progress_bar(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as pending_work:
        response = submit(owner_client, org_a)

    assessment = AnonymityAssessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("anonymity_detail", args=[org_a.slug, assessment.pk])
    assert len(pending_work) == 1  # the task is published once the request commits
    assert assessment.status == "queued" and assessment.verdict == ""
    page = page_text(owner_client.get(response["Location"]))
    assert '<progress max="100" value="0"' in page
    assert "0 %</progress>" in page  # the text alternative
    progress_url = reverse("anonymity_progress", args=[org_a.slug, assessment.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 2s"' in page
    assert "En attente" in page
    assert "Pseudonymisé" not in page and "Verser comme preuve" not in page
    assert "annee_naissance" in page  # the roles already show
    assert len(uploads_waiting()) == 1  # the extract waits for the worker
    assert AuditEvent.objects.filter(action="anonymity.requested").count() == 1


def test_the_task_fills_the_results_and_the_poll_reloads_the_page(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as pending_work:
        submit(owner_client, org_a)
    assessment = AnonymityAssessment.objects.get()
    progress_url = reverse("anonymity_progress", args=[org_a.slug, assessment.pk])
    assert "HX-Refresh" not in owner_client.get(progress_url, headers=HTMX)

    pending_work[0]()  # the worker (tests run tasks in-process)

    assessment.refresh_from_db()
    assert (assessment.status, assessment.progress, assessment.verdict) == (
        "done",
        100,
        "pseudonymised",
    )
    assert assessment.started_at is not None and assessment.finished_at is not None
    assert owner_client.get(progress_url, headers=HTMX)["HX-Refresh"] == "true"
    detail = reverse("anonymity_detail", args=[org_a.slug, assessment.pk])
    page = page_text(owner_client.get(detail))
    assert "Pseudonymisé" in page and "Le pseudonyme patient_id est persistant" in page
    assert "<progress" not in page
    assert not uploads_waiting()
    assert AuditEvent.objects.filter(action="anonymity.assessed").count() == 1


def test_a_file_that_breaks_past_the_sample_fails_with_the_readers_message(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    # The roles page reads the first 2,000 rows; the bad line comes after them.
    rows = "".join(f"P{i};{1950 + i % 9};F;75001;D{i % 5}\n" for i in range(2500))
    broken = (
        "patient_id;annee_naissance;sexe;code_postal;diagnostic\n" + rows + 'P9;"1950;F;75001;D1\n'
    ).encode()  # fmt: skip (a quote never closed)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(owner_client, org_a, broken)

    assessment = AnonymityAssessment.objects.get()
    assert assessment.status == "failed" and assessment.verdict == ""
    page = page_text(owner_client.get(response["Location"]))
    assert 'role="alert">The CSV file is malformed' in page
    assert "<progress" not in page and "hx-get" not in page
    assert not uploads_waiting()  # deleted even though it failed
    assert AuditEvent.objects.filter(action="anonymity.failed").count() == 1
    listed = page_text(owner_client.get(reverse("anonymity_list", args=[org_a.slug])))
    assert "Échouée" in listed


def test_a_failure_reads_in_french_and_in_english(
    owner_client: Client,
    org_a: Organisation,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def out_of_memory(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise MemoryError

    monkeypatch.setattr(services, "assess_file", out_of_memory)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(owner_client, org_a)

    assert "Pas assez de mémoire pour évaluer ce fichier." in page_text(
        owner_client.get(response["Location"])
    )
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Not enough memory to assess this file." in page_text(
        owner_client.get(response["Location"])
    )
    assert not uploads_waiting()


def test_another_organisations_assessment_is_a_404(
    outsider_client: Client, owner: User, org_a: Organisation, org_b: Organisation
) -> None:
    assessment = queued(org_a, owner)
    for slug in (org_a.slug, org_b.slug):
        for name in ("anonymity_detail", "anonymity_progress"):
            url = reverse(name, args=[slug, assessment.pk])
            assert outsider_client.get(url, headers=HTMX).status_code == 404, url


def test_the_polling_fragment_runs_a_fixed_number_of_queries(
    owner_client: Client, owner: User, org_a: Organisation, django_assert_num_queries: Any
) -> None:
    assessment = queued(org_a, owner)
    AnonymityAssessment.objects.filter(pk=assessment.pk).update(
        status="running", progress=40, step="classes", started_at=timezone.now()
    )
    url = reverse("anonymity_progress", args=[org_a.slug, assessment.pk])
    owner_client.get(url, headers=HTMX)  # the session settles its last organisation

    # 1 session, 2 user, 3-4 the user's second-factor devices (TOTP, static), 5 does any
    # membership require a second factor, 6 the membership with its organisation (all
    # middleware and organisation_view), 7 the assessment's progress (no results loaded).
    with django_assert_num_queries(7):
        response = owner_client.get(url, headers=HTMX)

    text = page_text(response)
    assert '<progress max="100" value="40"' in text
    assert "Calcul des classes d'équivalence" in text
    assert f'hx-get="{url}"' in text


def test_progress_is_reported_while_reading_computing_and_scanning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "extract.csv"
    notes = ["RAS.", "Patient séropositif VIH.", "Vu avec Mme Perrin."]
    source.write_text(
        "annee;sexe;cp;diagnostic;note\n"
        + "".join(f"{1950 + i % 40};{'FM'[i % 2]};{69001 + i % 9};D{i % 3};{notes[i % 3]}\n"
                  for i in range(95)),
        encoding="utf-8",
    )  # fmt: skip
    roles = {"annee": "quasi_identifier", "sexe": "quasi_identifier", "cp": "quasi_identifier",
             "diagnostic": "sensitive", "note": "free_text"}  # fmt: skip
    whole = assess_file(source, roles)
    monkeypatch.setattr(assess, "SCAN_BATCH_NOTES", 10)
    reports: list[tuple[int, str]] = []

    batched = assess_file(source, roles, progress=lambda p, step: reports.append((p, step)))

    steps = [step for _percent, step in reports]
    assert steps[0] == "reading" and steps[-1] == "rerun"
    assert {"reading", "classes", "free_text", "rerun"} <= set(steps)
    assert steps.count("free_text") >= 10  # 95 notes in batches of 10
    percents = [percent for percent, _step in reports]
    assert percents == sorted(percents) and percents[-1] < 100
    assert batched["free_text"] == whole["free_text"]  # batches change no result


def test_a_second_delivery_of_the_task_does_nothing(owner: User, org_a: Organisation) -> None:
    assessment = queued(org_a, owner)

    assert assess_task(assessment.pk) == "done"
    assert assess_task(assessment.pk) == "not-claimed"

    assert AuditEvent.objects.filter(action="anonymity.assessed").count() == 1


def test_an_assessment_whose_worker_died_shows_as_stopped(
    owner_client: Client, owner: User, org_a: Organisation
) -> None:
    assessment = queued(org_a, owner)
    AnonymityAssessment.objects.filter(pk=assessment.pk).update(
        status="running", progress=60, started_at=timezone.now() - datetime.timedelta(hours=3)
    )

    detail = reverse("anonymity_detail", args=[org_a.slug, assessment.pk])
    page = page_text(owner_client.get(detail))
    assert "s'est arrêtée sans finir" in page
    assert "<progress" not in page
    progress = owner_client.get(
        reverse("anonymity_progress", args=[org_a.slug, assessment.pk]), headers=HTMX
    )
    assert progress["HX-Refresh"] == "true"
    assert "Arrêtée" in page_text(owner_client.get(reverse("anonymity_list", args=[org_a.slug])))


def test_only_a_finished_assessment_lifts_an_anonymity_claim(
    owner: User, org_a: Organisation, make_processing: Callable[..., Any]
) -> None:
    processing = make_processing(claims_anonymised=True)

    def request() -> AnonymityAssessment:
        return services.assessment_request(
            actor=owner,
            organisation=org_a,
            upload=store_upload(upload(data=ANON_CSV)),
            roles={"tranche": "quasi_identifier", "diagnostic": "sensitive"},
            processing=processing,
            in_worker=False,
        )

    first = request()
    assert not passing_assessment_exists(processing)  # queued: says nothing yet
    services.assessment_run(first.pk)
    assert passing_assessment_exists(processing)
    request()
    assert passing_assessment_exists(processing)  # a new one queued withdraws nothing


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(task: Any, args: tuple[Any, ...] = (), **options: Any) -> None:
        raise QueueUnavailable(task.name)

    monkeypatch.setattr(services, "enqueue", refuse)


def test_with_the_queue_down_the_api_answers_503_and_the_extract_is_deleted(
    transactional_db: None, client: Client, org_a: Organisation, broker_down: None
) -> None:
    # No test transaction around the request: the task is published when the request's
    # own transaction commits, as in production.
    response = client.post(
        "/api/v1/anonymity-assessments/",
        {"file": upload(), "quasi_identifiers": "sexe", "sensitive": "diagnostic"},
        headers=bearer(org_a),
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assessment = AnonymityAssessment.objects.get()
    assert assessment.status == "failed"
    assert "file d'attente" in services.assessment_error_text(assessment)
    assert not uploads_waiting()


def test_with_the_queue_down_the_page_answers_503(
    transactional_db: None, owner: User, org_a: Organisation, broker_down: None
) -> None:
    response = submit(logged_in(owner), org_a)

    assert response.status_code == 503
    assert AnonymityAssessment.objects.get().status == "failed"
    assert not uploads_waiting()


def test_the_sweep_completes_lost_assessments_and_fails_those_of_dead_workers(
    owner_client: Client, owner: User, org_a: Organisation
) -> None:
    lost = queued(org_a, owner)  # its message went with a Redis restart
    AnonymityAssessment.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    fresh = queued(org_a, owner)  # its message is on its way: left alone
    dead, slow = queued(org_a, owner), queued(org_a, owner)
    limit = datetime.timedelta(seconds=task_time_limit()) + STALL_MARGIN
    AnonymityAssessment.objects.filter(pk=dead.pk).update(
        status="running", started_at=timezone.now() - limit - datetime.timedelta(seconds=5)
    )
    AnonymityAssessment.objects.filter(pk=slow.pk).update(  # still within its time limit
        status="running", started_at=timezone.now() - limit + datetime.timedelta(seconds=30)
    )

    result = services.assessments_sweep()

    assert result == {"republished": [lost.pk], "failed": [dead.pk]}
    statuses = dict(AnonymityAssessment.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "done", fresh.pk: "queued", dead.pk: "failed", slow.pk: "running"}
    page = page_text(owner_client.get(reverse("anonymity_detail", args=[org_a.slug, dead.pk])))
    assert "s'est arrêtée sans finir" in page
    assert services.assessments_sweep() == {"republished": [], "failed": []}
