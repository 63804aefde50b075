"""``manage.py verify_report JOB_ID``: is this document still what Egide issued?"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.models import ReportJob
from reports.services import report_verify


class Command(BaseCommand):
    help = (
        "Check a rendered document: the file's SHA-256 against the job, every manifest "
        "hash against the stored evidence, the attached manifest and the PAdES signature. "
        "Exits 1 on any mismatch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)

    def handle(self, *args: Any, job_id: int, **options: Any) -> None:
        job = ReportJob.objects.select_related("organisation").filter(pk=job_id).first()
        if job is None:
            raise CommandError(f"No document {job_id}.")
        result = report_verify(job)
        self.stdout.write(f"document {job.pk} ({job.kind}) of {job.organisation.slug}")
        self.stdout.write(f"  file sha256:   {result.file_sha256 or '-'}")
        self.stdout.write(f"  job sha256:    {job.sha256 or '-'}")
        self.stdout.write(f"  manifest items checked: {result.items_checked}")
        signature = result.signature
        if signature is None or not signature.present:
            self.stdout.write("  signature: none")
        else:
            self.stdout.write(
                f"  signature: {signature.signer}; intact={signature.intact} "
                f"trusted={signature.trusted} whole-file={signature.covers_whole_file}"
            )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"MISMATCH: {problem}")
            raise CommandError(f"{len(result.problems)} problem(s) found.", returncode=1)
        self.stdout.write(self.style.SUCCESS("OK: the document matches what was issued."))
