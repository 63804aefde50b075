"""PDF documents benchmark (called by `make bench`):

- an evidence pack of an audit of the full ISO 27001 Annex A (93 checks) with 1,000
  evidence revisions and 200 findings (with their actions), rendered in a child process
  pinned to one core: wall time per phase (data, template, layout, PDF writing) and peak
  RSS (``ru_maxrss``), median of ``BENCH_REPORT_RUNS`` runs;
- two child processes rendering two packs at the same time, against one alone;
- ``BENCH_REPORT_PROFILE=1``: the top functions under cProfile.

Children share a throwaway SQLite file (EGIDE_VAR_DIR in a temporary directory).
Run alone: ``.venv/bin/python -m bench.reports``.
"""

from __future__ import annotations

import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REVISIONS = int(os.environ.get("BENCH_REPORT_REVISIONS", "1000"))
FINDINGS = int(os.environ.get("BENCH_REPORT_FINDINGS", "200"))
RUNS = int(os.environ.get("BENCH_REPORT_RUNS", "3"))
PROFILE = os.environ.get("BENCH_REPORT_PROFILE", "") == "1"
ROOT = Path(__file__).resolve().parent.parent


def _child_env(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "EGIDE_VAR_DIR": str(directory),
            "DJANGO_SETTINGS_MODULE": "compliance.settings",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def _child(*args: str, env: dict[str, str], core: int | None = 0) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bench.reports", *args]
    if core is not None and hasattr(os, "sched_setaffinity"):
        command = ["taskset", "-c", str(core), *command]
    return subprocess.Popen(  # noqa: S603 - fixed argv
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )


def _result(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, _ = process.communicate(timeout=900)
    if process.returncode:
        raise RuntimeError(f"bench child failed ({process.returncode})")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def bench_reports() -> None:
    with tempfile.TemporaryDirectory(prefix="egide-bench-reports-") as name:
        directory = Path(name)
        env = _child_env(directory)
        started = time.perf_counter()
        prepared = _result(_child("prepare", env=env, core=None))
        print(
            f"reports: prepared an audit of {prepared['checks']} checks, "
            f"{prepared['revisions']} evidence revisions, {prepared['findings']} findings, "
            f"{prepared['actions']} actions in {time.perf_counter() - started:.0f} s"
        )
        jobs = prepared["jobs"]
        runs = [_result(_child("render", str(jobs[0]), env=env)) for _ in range(RUNS)]
        phases = {
            key: statistics.median(run[key] for run in runs)
            for key in ("data", "template", "layout", "write", "total", "cpu", "peak_mb")
        }
        print(
            f"evidence pack ({runs[0]['pages']} pages, {runs[0]['size'] / 1e6:.1f} MB): "
            f"median {phases['total']:.1f} s wall, {phases['cpu']:.1f} s CPU, on one core "
            f"over {RUNS} runs "
            f"(data {phases['data']:.2f} s, template {phases['template']:.2f} s, "
            f"layout {phases['layout']:.1f} s, PDF {phases['write']:.1f} s), "
            f"peak RSS {phases['peak_mb']:.0f} MB"
        )
        started = time.perf_counter()
        pair = [_child("render", str(job), env=env, core=index) for index, job in enumerate(jobs)]
        results = [_result(process) for process in pair]
        wall = time.perf_counter() - started
        each = ", ".join(
            f"{result['total']:.1f} s wall / {result['cpu']:.1f} s CPU" for result in results
        )
        print(
            f"two packs in parallel (two workers, one core each): {wall:.1f} s wall "
            f"({each} each) "
            f"vs {phases['total']:.1f} s for one (load average {os.getloadavg()[0]:.1f})"
        )
        if PROFILE:
            profile = _child("profile", str(jobs[0]), env=env)
            out, _ = profile.communicate(timeout=900)
            print(out)


# --- Children -------------------------------------------------------------------------


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
    import django

    django.setup()


def child_prepare() -> None:
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_catalogues", verbosity=0)
    from compliance.services.audit_trail import SystemActor
    from compliance.services.organisations import organisation_create

    actor = SystemActor("bench")
    jobs = []
    counts: dict[str, int] = {}
    for index in range(2):
        organisation = organisation_create(
            actor=actor,
            name=f"Clinique Bench {index}",
            slug=f"clinique-bench-{index}",
            kind="health_establishment",
        )
        audit, counts = make_pack_data(organisation, actor, revisions=REVISIONS, findings=FINDINGS)
        # Queued only (the bench renders in its own children).
        from django.test.utils import override_settings

        from reports.services import report_request

        with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://"):
            from unittest import mock

            with mock.patch("reports.services._enqueue"):
                job = report_request(
                    actor=actor,
                    organisation=organisation,
                    kind="evidence_pack",
                    parameters={"audit": audit.pk},
                )
        jobs.append(job.pk)
    print(json.dumps({"jobs": jobs, **counts}))


def make_pack_data(
    organisation: Any, actor: Any, *, revisions: int, findings: int
) -> tuple[Any, dict[str, int]]:
    """An audit of the full Annex A with ``revisions`` evidence revisions linked to its
    checks and ``findings`` findings (one or two actions each, some overdue), and an
    issued SoA. Rows are written in bulk: the bench measures rendering, not the forms."""
    import hashlib

    from django.utils import timezone

    from audits.choices import CheckResult, FindingSeverity, Priority
    from audits.models import AuditCheck, Finding, RemediationAction
    from audits.services.audits import audit_create
    from controls.models import Framework, SoaVersion
    from controls.services.soa import lines_sha256, soa_current_lines
    from evidence.models import Evidence, EvidenceRevision

    iso = Framework.objects.get(code="iso27001-2022")
    audit = audit_create(
        actor=actor,
        organisation=organisation,
        title="Audit flash ISO 27001 — annexe A complète",
        frameworks=[iso],
        planned_start=datetime.date(2026, 11, 2),
        planned_end=datetime.date(2026, 11, 3),
        objectives="Vérifier la mise en œuvre des 93 mesures de l'annexe A.",
    )
    checks = list(AuditCheck.objects.filter(audit=audit).select_related("requirement"))
    results = [
        CheckResult.CONFORME,
        CheckResult.CONFORME,
        CheckResult.NC_MINEURE,
        CheckResult.OBSERVATION,
        CheckResult.PISTE_DE_PROGRES,
        CheckResult.NC_MAJEURE,
    ]
    for index, check in enumerate(checks):
        check.result = results[index % len(results)]
        check.notes = (
            f"Entretien avec le RSSI et revue documentaire ({index}). "
            "Procédure présentée, enregistrements échantillonnés sur trois mois."
        )
    AuditCheck.objects.bulk_update(checks, ["result", "notes"])

    items = Evidence.objects.bulk_create(
        Evidence(
            organisation=organisation,
            title=f"Preuve {index:04d} — procédure et enregistrements",
            collected_on=datetime.date(2026, 10, 1),
        )
        for index in range(revisions // 4 or 1)
    )
    rows = []
    for index in range(revisions):
        item = items[index % len(items)]
        digest = hashlib.sha256(f"{organisation.pk}-{index}".encode()).hexdigest()
        rows.append(
            EvidenceRevision(
                evidence=item,
                number=index // len(items) + 1,
                original_name=f"politique-securite-{index:04d}.pdf",
                size=50_000 + index * 37,
                sha256=digest,
                media_type="application/pdf",
                storage_name=f"evidence/{digest[:2]}/{digest}",
                uploaded_by_label="bench",
                collected_on=datetime.date(2026, 10, 1) + datetime.timedelta(days=index % 30),
            )
        )
    EvidenceRevision.objects.bulk_create(rows)
    through = AuditCheck.evidence.through
    through.objects.bulk_create(
        through(auditcheck_id=check.pk, evidence_id=items[(i * 3 + k) % len(items)].pk)
        for i, check in enumerate(checks)
        for k in range(3)
    )
    # Every item must be reachable from the audit: the rest through the findings.
    severities = [
        FindingSeverity.MAJOR,
        FindingSeverity.MINOR,
        FindingSeverity.MINOR,
        FindingSeverity.OBSERVATION,
        FindingSeverity.OPPORTUNITY,
    ]
    created = Finding.objects.bulk_create(
        Finding(
            organisation=organisation,
            number=index + 1,
            audit=audit,
            audit_check=checks[index] if index < len(checks) else None,
            requirement=checks[index % len(checks)].requirement,
            title=f"Écart {index + 1:03d} : revue des droits d'accès non documentée",
            description="Les revues trimestrielles ne sont pas tracées pour deux applications.",
            severity=severities[index % len(severities)],
            root_cause="Absence de responsable désigné pour la revue.",
        )
        for index in range(findings)
    )
    finding_through = Finding.evidence.through
    finding_through.objects.bulk_create(
        finding_through(finding_id=finding.pk, evidence_id=items[i % len(items)].pk)
        for i, finding in enumerate(created)
    )
    today = timezone.localdate()
    actions = RemediationAction.objects.bulk_create(
        RemediationAction(
            organisation=organisation,
            finding=finding,
            title=f"Mettre en place la revue trimestrielle ({i}-{k})",
            due_date=today + datetime.timedelta(days=(i * 7) % 240 - 60),
            priority=[Priority.HIGH, Priority.MEDIUM, Priority.LOW][i % 3],
            status=["open", "in_progress", "done"][(i + k) % 3],
        )
        for i, finding in enumerate(created)
        for k in range(1 + i % 2)
    )
    lines = soa_current_lines(iso, _rows(organisation))
    for line in lines:
        line["applicable"] = True
        line["inclusion_justification"] = "Retenue par l'appréciation des risques."
    SoaVersion(
        organisation=organisation,
        framework=iso,
        number=1,
        issued_by_label="bench",
        lines=lines,
        sha256=lines_sha256(lines),
    ).save()
    return audit, {
        "checks": len(checks),
        "revisions": revisions,
        "findings": len(created),
        "actions": len(actions),
    }


def _rows(organisation: Any) -> Any:
    from controls.models import Applicability, ControlStatus
    from controls.selectors import ScopedRows

    return ScopedRows(
        Applicability.objects.filter(organisation=organisation),
        ControlStatus.objects.filter(organisation=organisation),
    )


def child_render(job_id: int) -> None:
    """Render one pack the way the worker does, timing each phase."""
    _setup()
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from reports import registry
    from reports.models import ReportJob
    from reports.rendering import PdfAttachment, html_to_pdf
    from reports.services import manifest_for

    job = ReportJob.objects.select_related("organisation").get(pk=job_id)
    document = registry.get_document(job.kind)
    assert document is not None
    cpu_started = time.process_time()
    started = time.perf_counter()
    with translation.override(job.language):
        built = document.build(
            registry.BuildRequest(
                organisation=job.organisation, parameters=job.parameters, language=job.language
            )
        )
        data_done = time.perf_counter()
        manifest = manifest_for(job, built, timezone.now())
        html = render_to_string(
            built.template,
            {
                **built.context,
                "job": job,
                "organisation": job.organisation,
                "language": job.language,
                "title": built.title,
                "subtitle": built.subtitle,
                "generated_at": timezone.now(),
            },
        )
    template_done = time.perf_counter()
    if os.environ.get("BENCH_REPORT_DUMP_HTML"):
        Path(os.environ["BENCH_REPORT_DUMP_HTML"]).write_text(html)
    marks: dict[str, float] = {}
    rendered = html_to_pdf(
        html,
        attachments=[PdfAttachment("manifest.json", json.dumps(manifest).encode())],
        on_layout_done=lambda pages: marks.setdefault("layout", time.perf_counter()),
    )
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "data": data_done - started,
                "template": template_done - data_done,
                "layout": marks["layout"] - template_done,
                "write": finished - marks["layout"],
                "total": finished - started,
                "cpu": cpu,
                "peak_mb": peak_kb / 1024,
                "pages": rendered.pages,
                "size": len(rendered.pdf),
            }
        )
    )


def child_profile(job_id: int) -> None:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    output = io.StringIO()
    sys_stdout = sys.stdout
    sys.stdout = output
    profiler.enable()
    try:
        child_render(job_id)
    finally:
        profiler.disable()
        sys.stdout = sys_stdout
    stats = io.StringIO()
    pstats.Stats(profiler, stream=stats).sort_stats("tottime").print_stats(25)
    print("\n".join(stats.getvalue().splitlines()[:60]))


def main() -> None:
    if len(sys.argv) > 1:
        command, *args = sys.argv[1:]
        if command == "prepare":
            return child_prepare()
        if command == "render":
            return child_render(int(args[0]))
        if command == "profile":
            return child_profile(int(args[0]))
        raise SystemExit(f"unknown command {command}")
    bench_reports()
    return None


if __name__ == "__main__":
    main()
