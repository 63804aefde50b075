"""The register import runs in a worker: the page answers at once with a progress bar,
then shows what was imported, or every row error with nothing imported (as before it was
a job), in the language of whoever imported; the file is deleted either way."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compliance.jobs import STALL_MARGIN
from compliance.models import AuditEvent, Organisation, User
from compliance.queue import QueueUnavailable
from privacy import imports, interop
from privacy.models import ProcessingActivity, RegisterImport, import_time_limit
from privacy.tasks import register_import_task
from tests.helpers import logged_in, page_text
from tests.privacy.test_interop import GOOD_AND_BAD_CSV

GOOD_CSV = b"Reference;Name\nT-9;Accueil\nT-10;Paie\n"
HTMX = {"HX-Request": "true"}


def post_file(client: Client, organisation: Organisation, data: bytes = GOOD_CSV) -> Any:
    upload = SimpleUploadedFile("registre.csv", data, "text/csv")
    return client.post(reverse("register_import", args=[organisation.slug]), {"file": upload})


def stored_files() -> list[str]:
    _dirs, files = (
        default_storage.listdir("register-imports")
        if default_storage.exists("register-imports")
        else ([], [])
    )
    return files + [
        name
        for directory in _dirs
        for name in default_storage.listdir(f"register-imports/{directory}")[1]
    ]


def queued(organisation: Organisation, actor: User, data: bytes = GOOD_CSV) -> RegisterImport:
    return imports.register_import_request(
        actor=actor,
        organisation=organisation,
        upload=SimpleUploadedFile("registre.csv", data, "text/csv"),
        language="fr",
    )


def test_uploading_answers_at_once_with_a_progress_bar(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as pending_work:
        response = post_file(owner_client, org_a)

    job = RegisterImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("register_import_detail", args=[org_a.slug, job.pk])
    assert len(pending_work) == 1  # the task is published once the request commits
    assert job.status == "queued" and not ProcessingActivity.objects.exists()
    page = page_text(owner_client.get(response["Location"]))
    assert '<progress max="100" value="0"' in page and "0 %</progress>" in page
    progress_url = reverse("register_import_progress", args=[org_a.slug, job.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 2s"' in page
    assert "En attente" in page and "registre.csv" in page
    assert len(stored_files()) == 1  # the file waits for the worker
    assert AuditEvent.objects.filter(action="privacy.register_import_requested").count() == 1


def test_the_task_imports_and_the_page_shows_what_it_did(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as pending_work:
        response = post_file(owner_client, org_a)
    job = RegisterImport.objects.get()
    progress_url = reverse("register_import_progress", args=[org_a.slug, job.pk])
    assert "HX-Refresh" not in owner_client.get(progress_url, headers=HTMX)

    pending_work[0]()  # the worker (tests run tasks in-process)

    job.refresh_from_db()
    assert (job.status, job.progress, job.created_count, job.updated_count) == ("done", 100, 2, 0)
    assert owner_client.get(progress_url, headers=HTMX)["HX-Refresh"] == "true"
    page = page_text(owner_client.get(response["Location"]))
    assert "Import terminé : 2 traitement(s) ajouté(s), 0 mis à jour." in page
    assert "<progress" not in page
    assert set(ProcessingActivity.objects.values_list("reference", flat=True)) == {"T-9", "T-10"}
    assert not stored_files()
    event = AuditEvent.objects.get(action="privacy.register_import")
    assert event.changes["created"] == 2 and event.object_id == str(job.pk)


def test_row_errors_import_nothing_and_are_listed_with_line_and_column(
    owner_client: Client, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(owner_client, org_a, GOOD_AND_BAD_CSV.encode())

    page = page_text(owner_client.get(response["Location"]))
    assert "Rien n'a été importé." in page
    assert "<td>4</td><td>Notre rôle</td><td>Valeur inconnue « Chef ».</td>" in page
    assert "<td>6</td><td>Référence</td><td>Référence déjà utilisée à la ligne 2.</td>" in page
    assert 'name="file"' in page  # the form to import the fixed file
    assert not ProcessingActivity.objects.exists()
    job = RegisterImport.objects.get()
    assert job.status == "failed" and len(job.row_errors) == 5
    assert not stored_files()
    failed = AuditEvent.objects.get(action="privacy.register_import_failed")
    assert failed.changes["row_errors"] == 5 and "Chef" not in str(failed.changes)


def test_row_errors_are_in_the_language_of_whoever_imported(
    owner: User, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    client = logged_in(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, org_a, GOOD_AND_BAD_CSV.encode())

    page = page_text(client.get(response["Location"]))
    assert "Nothing was imported." in page
    assert "<td>4</td><td>Our role</td><td>Unknown value “Chef”.</td>" in page


def test_another_organisations_import_is_a_404(
    outsider_client: Client, owner: User, org_a: Organisation, org_b: Organisation
) -> None:
    job = queued(org_a, owner)
    for slug in (org_a.slug, org_b.slug):
        for name in ("register_import_detail", "register_import_progress"):
            url = reverse(name, args=[slug, job.pk])
            assert outsider_client.get(url, headers=HTMX).status_code == 404, url


def test_the_polling_fragment_runs_a_fixed_number_of_queries(
    owner_client: Client, owner: User, org_a: Organisation, django_assert_num_queries: Any
) -> None:
    job = queued(org_a, owner, GOOD_AND_BAD_CSV.encode())
    RegisterImport.objects.filter(pk=job.pk).update(
        status="running", progress=63, step="writing", started_at=timezone.now()
    )
    url = reverse("register_import_progress", args=[org_a.slug, job.pk])
    owner_client.get(url, headers=HTMX)  # the session settles its last organisation

    # 1 session, 2 user, 3-4 the user's second-factor devices (TOTP, static), 5 does any
    # membership require a second factor, 6 the membership with its organisation (all
    # middleware and organisation_view), 7 the import's progress (not its row errors).
    with django_assert_num_queries(7):
        response = owner_client.get(url, headers=HTMX)

    text = page_text(response)
    assert '<progress max="100" value="63"' in text and "Écriture du registre" in text


def test_a_second_delivery_of_the_task_does_nothing(owner: User, org_a: Organisation) -> None:
    job = queued(org_a, owner)

    assert register_import_task(job.pk) == "done"
    assert register_import_task(job.pk) == "not-claimed"

    assert ProcessingActivity.objects.count() == 2
    assert AuditEvent.objects.filter(action="privacy.register_import").count() == 1


def test_progress_is_reported_while_checking_and_writing(
    owner: User, org_a: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = queued(org_a, owner)
    monkeypatch.setattr(interop, "PROGRESS_EVERY_ROWS", 1)
    seen: list[tuple[int, str]] = []
    write = imports.ProgressWriter._write

    def spy(self: imports.ProgressWriter) -> None:
        seen.append(self.value)
        write(self)

    monkeypatch.setattr(imports.ProgressWriter, "_write", spy)

    imports.register_import_run(job.pk)

    steps = [step for _percent, step in seen]
    assert steps[0] == "reading" and {"checking", "writing"} <= set(steps)
    percents = [percent for percent, _step in seen]
    assert percents == sorted(percents) and percents[-1] == 99


def test_in_a_worker_progress_is_written_from_its_own_connection(
    transactional_db: None, owner: User, org_a: Organisation
) -> None:
    # In a worker the lines are written inside one transaction: the progress must reach
    # the page from outside it, through the writer's thread.
    job = queued(org_a, owner)
    RegisterImport.objects.filter(pk=job.pk).update(status="running")
    with imports.ProgressWriter(job.pk, threaded=True, interval=0.05) as progress:
        progress(42, "writing")
        deadline = time.monotonic() + 5
        while RegisterImport.objects.get(pk=job.pk).progress != 42:
            assert time.monotonic() < deadline, "the thread never wrote the progress"
            time.sleep(0.05)
    assert RegisterImport.objects.get(pk=job.pk).step == "writing"


def test_an_import_whose_worker_died_shows_as_stopped(
    owner_client: Client, owner: User, org_a: Organisation
) -> None:
    job = queued(org_a, owner)
    RegisterImport.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now() - datetime.timedelta(hours=3)
    )

    page = page_text(owner_client.get(reverse("register_import_detail", args=[org_a.slug, job.pk])))
    assert "s'est arrêté sans finir" in page and "<progress" not in page
    assert 'name="file"' in page  # import it again from here


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(task: Any, args: tuple[Any, ...] = (), **options: Any) -> None:
        raise QueueUnavailable(task.name)

    monkeypatch.setattr(imports, "enqueue", refuse)


def test_with_the_queue_down_the_page_answers_503_and_the_file_is_deleted(
    transactional_db: None, owner: User, org_a: Organisation, broker_down: None
) -> None:
    response = post_file(logged_in(owner), org_a)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    job = RegisterImport.objects.get()
    assert job.status == "failed" and "file d'attente" in imports.import_error_text(job)
    assert not stored_files() and not ProcessingActivity.objects.exists()


def test_the_sweep_completes_lost_imports_and_fails_those_of_dead_workers(
    owner_client: Client, owner: User, org_a: Organisation
) -> None:
    lost = queued(org_a, owner)  # its message went with a Redis restart
    RegisterImport.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    fresh = queued(org_a, owner)  # its message is on its way: left alone
    dead, slow = queued(org_a, owner), queued(org_a, owner)
    limit = datetime.timedelta(seconds=import_time_limit()) + STALL_MARGIN
    RegisterImport.objects.filter(pk=dead.pk).update(
        status="running", started_at=timezone.now() - limit - datetime.timedelta(seconds=5)
    )
    RegisterImport.objects.filter(pk=slow.pk).update(  # still within its time limit
        status="running", started_at=timezone.now() - limit + datetime.timedelta(seconds=30)
    )

    result = imports.register_imports_sweep()

    assert result == {"republished": [lost.pk], "failed": [dead.pk]}
    statuses = dict(RegisterImport.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "done", fresh.pk: "queued", dead.pk: "failed", slow.pk: "running"}
    page = page_text(
        owner_client.get(reverse("register_import_detail", args=[org_a.slug, dead.pk]))
    )
    assert "s'est arrêté sans finir" in page
    assert imports.register_imports_sweep() == {"republished": [], "failed": []}
