"""Disk full while storing evidence: MEDIA_ROOT on a 2 MB tmpfs (or, where mounting is
not permitted, a storage that raises ENOSPC), a 3 MB evidence file uploaded through the
API. Expected: a clear error (not a 500), no half-written file under MEDIA_ROOT, no
Evidence or EvidenceRevision row.

``python -m bench.faults.disk_full`` (needs root for ``mount -t tmpfs``).
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from bench.faults._topology import Checks, Topology, log, private_postgres

SPACE = "2m"
UPLOAD_BYTES = 3 * 1024 * 1024


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def main() -> int:
    checks = Checks()
    log("== disk_full: evidence upload when MEDIA_ROOT is full")
    with private_postgres():
        topology = Topology("disk")
        topology.media.mkdir(parents=True)
        mounted = (
            subprocess.run(  # noqa: S603
                ["mount", "-t", "tmpfs", "-o", f"size={SPACE}", "tmpfs", str(topology.media)],  # noqa: S607
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )
        if mounted:
            log(f"MEDIA_ROOT on a {SPACE} tmpfs: {topology.media}")
        else:
            log("mount not permitted: ENOSPC simulated by bench.faults.enospc.FullDiskStorage")
            topology.env["DJANGO_SETTINGS_MODULE"] = "bench.faults.enospc_settings"
        try:
            topology.start_redis()
            topology.prepare()
            topology.start_gunicorn()
            before_files = files_under(topology.media)
            count_sql = (
                "SELECT (SELECT count(*) FROM evidence_evidence) || ' ' || "
                "(SELECT count(*) FROM evidence_evidencerevision)"
            )
            before_rows = topology.sql(count_sql)
            data = (b"ligne de journal de sauvegarde " * 40 + b"\n") * (UPLOAD_BYTES // 1241 + 1)
            body, content_type = multipart({"title": "Journal trop grand"}, "journal.txt", data)
            status, _headers, answer = topology.request(
                "POST",
                "/api/v1/evidence/",
                body=body,
                headers={"Content-Type": content_type},
                timeout=60,
            )
            log(f"  upload of {len(data)} bytes answered {status}: {answer[:300]!r}")
            after_files = files_under(topology.media)
            after_rows = topology.sql(count_sql)
            new_files = sorted(after_files - before_files)
            for name in new_files:
                size = (topology.media / name).stat().st_size
                log(f"  left under MEDIA_ROOT: {name} ({size} bytes)")
            checks.expect(
                status in (400, 413, 503, 507),
                "a clear error status (400/413/503/507, not 500)",
                str(status),
            )
            checks.expect(not new_files, "no half-written file under MEDIA_ROOT", str(new_files))
            checks.expect(
                before_rows == after_rows,
                "no Evidence / EvidenceRevision row added",
                f"{before_rows} -> {after_rows}",
            )
            status, _h, _b = topology.get("/api/v1/evidence/")
            checks.expect(status == 200, "the API still answers after the failed upload")
        finally:
            topology.close()
            if mounted:
                subprocess.run(["umount", str(topology.media)], check=False)  # noqa: S603,S607
    return checks.exit_code("disk_full")


if __name__ == "__main__":
    sys.exit(main())
