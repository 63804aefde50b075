"""Background jobs other than documents (anonymity assessments, register imports): the
pieces they share. A job model has ``status`` (queued → running → done | failed),
``progress``, ``step``, ``error``, ``created_at``, ``started_at`` and an ``is_finished``
property; its task claims the row, reports progress and records the outcome.

- ``background_job_claim``: the conditional UPDATE that makes a second delivery harmless;
- ``background_jobs_sweep``: beat's recovery of lost messages and dead workers;
- ``job_progress`` and ``job_progress_response``: the progress bar polled by htmx
  (components/_job_progress.html), reloading the page once the job is over.

The reports app keeps its own lease-and-heartbeat machinery (reports.services): its jobs
are re-queued, not failed, when a worker dies.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from celery import Task
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_htmx.http import HttpResponseClientRefresh

from compliance.queue import QueueUnavailable, enqueue

# Past a task's hard time limit Celery has killed its process: a job still "running" then
# belongs to a worker that is gone (killed for memory, machine lost).
STALL_MARGIN = datetime.timedelta(minutes=2)


def background_job_claim(model: Any, job_id: int) -> bool:
    """Take a queued background job (``status`` queued → running); ``False`` when another
    delivery has it or it is over. One UPDATE ... WHERE status = 'queued': the database
    serialises two workers that received the same message (acks_late redelivery, a
    duplicate publish, the sweep below) and exactly one of them sees a row updated."""
    return bool(
        model.objects.filter(pk=job_id, status="queued").update(
            status="running", started_at=timezone.now(), progress=0, step="", error=""
        )
    )


def background_jobs_sweep(
    model: Any,
    *,
    task: Task,
    fail: Callable[[int, str], None],
    stalled_error: str,
    lost_after: datetime.timedelta,
    stalled_after: datetime.timedelta,
) -> dict[str, list[int]]:
    """For a background-job model (``status`` queued/running, ``created_at``,
    ``started_at``): publish ``task`` again for the rows still queued after ``lost_after``
    (a Redis restart keeps no message; each task claims its row with
    ``background_job_claim``, so a second delivery is harmless), and ``fail`` the rows
    still running ``stalled_after`` their start (the task's hard time limit and a margin):
    their worker died without a word."""
    cutoff = timezone.now() - lost_after
    republished: list[int] = []
    for job_id in model.objects.filter(status="queued", created_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        try:
            enqueue(task, (job_id,))
        except QueueUnavailable:
            break  # still down: the next sweep tries again
        republished.append(job_id)
    stalled = list(
        model.objects.filter(
            status="running", started_at__lt=timezone.now() - stalled_after
        ).values_list("pk", flat=True)
    )
    for job_id in stalled:
        fail(job_id, stalled_error)
    return {"republished": republished, "failed": stalled}


def job_progress(queryset: QuerySet[Any], pk: int) -> Any:
    """What the polled progress bar shows, without the job's results (one query)."""
    return (
        queryset.filter(pk=pk)
        .only("id", "organisation_id", "status", "progress", "step", "error", "started_at")
        .first()
    )


def job_progress_response(request: HttpRequest, job: Any, context: dict[str, Any]) -> HttpResponse:
    """The progress bar alone, polled by htmx every 2 s; once the job is over, htmx is told
    to reload the page, which shows the result or the error."""
    if job.is_finished and request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRefresh()
    return render(request, "components/_job_progress.html", context)
