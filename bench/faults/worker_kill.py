"""A Celery worker SIGKILLed mid-render: its job goes to the next worker (the restarted
one re-queues jobs whose lease expired when it starts; beat does it every minute) and
completes; the file served is complete (its SHA-256 is the job's), and while the job
runs the download answers 404, never a partial PDF (polled every 100 ms all along).

The real-process version of tests/reports/test_worker.py (which drives the services
from the test process): here gunicorn serves the download and the workers are
``celery worker`` processes started as in production.

``python -m bench.faults.worker_kill``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections import Counter

from bench.faults._topology import Checks, Topology, log, private_postgres

LEASE_SECONDS = 8


def main() -> int:
    checks = Checks()
    log("== worker_kill: a Celery worker SIGKILLed mid-render")
    with private_postgres():
        topology = Topology("worker", EGIDE_REPORT_LEASE_SECONDS=str(LEASE_SECONDS))
        try:
            topology.start_redis()
            topology.prepare()
            topology.start_gunicorn()
            first = topology.start_worker("first")
            time.sleep(3)  # let it connect to the broker
            code, _h, body = topology.post_json(
                "/api/v1/reports/", {"kind": "soa", "language": "en"}
            )
            if not checks.expect(code == 202, "report requested", str(code)):
                return checks.exit_code("worker_kill")
            job_id = json.loads(body)["id"]

            downloads: list[tuple[int, str, str]] = []  # (status, sha256 of body, header)
            stop = threading.Event()

            def poll_download() -> None:
                while not stop.is_set():
                    status, headers, data = topology.get(f"/api/v1/reports/{job_id}/file/")
                    downloads.append(
                        (
                            status,
                            hashlib.sha256(data).hexdigest() if status == 200 else "",
                            headers.get("X-Content-SHA256", ""),
                        )
                    )
                    time.sleep(0.1)

            poller = threading.Thread(target=poll_download)
            poller.start()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                state = topology.sql(
                    f"SELECT status || ' ' || progress FROM reports_reportjob WHERE id = {job_id}"  # noqa: S608
                )
                if state.startswith("running") and int(state.split()[1]) >= 10:
                    break
                time.sleep(0.02)
            log(f"job {job_id} is '{state}': SIGKILL to worker pid {first.pid}")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            killed_at = time.monotonic()
            row = topology.sql(
                f"SELECT status, file = '' FROM reports_reportjob WHERE id = {job_id}"  # noqa: S608
            ).split("|")
            checks.expect(
                row == ["running", "t"], "after the kill: job still 'running', no file", str(row)
            )

            time.sleep(LEASE_SECONDS + 1)
            log("starting a second worker (it re-queues jobs whose lease expired)")
            topology.start_worker("second")
            status = "?"
            while time.monotonic() - killed_at < 180:
                query = f"SELECT status FROM reports_reportjob WHERE id = {job_id}"  # noqa: S608
                status = topology.sql(query)
                if status in ("done", "failed"):
                    break
                time.sleep(0.2)
            done_after = time.monotonic() - killed_at
            time.sleep(1)  # a few downloads of the finished file
            stop.set()
            poller.join(timeout=15)

            checks.expect(
                status == "done", "the second worker completed the job", f"{done_after:.1f} s"
            )
            sha, attempts, name = topology.sql(
                f"SELECT sha256, attempts, file FROM reports_reportjob WHERE id = {job_id}"  # noqa: S608
            ).split("|")
            log(f"  job {job_id}: attempts {attempts}, sha256 {sha[:16]}..., file {name}")
            statuses = Counter(status for status, _s, _h in downloads)
            log(f"  {len(downloads)} downloads polled during the run: {dict(statuses)}")
            served = [(s, header) for code, s, header in downloads if code == 200]
            checks.expect(bool(served), "the finished file was served", str(len(served)))
            checks.expect(
                all(s == sha and header == sha for s, header in served),
                "every file served is complete (SHA-256 = the job's)",
            )
            checks.expect(
                set(statuses) <= {200, 404}, "before it was done: 404, never another answer"
            )
            first_200 = next((i for i, d in enumerate(downloads) if d[0] == 200), len(downloads))
            checks.expect(
                all(d[0] == 200 for d in downloads[first_200:]), "once served, always served"
            )
            partial = [p for p in topology.media.rglob(".partial-*")]
            log(f"  temporary '.partial-*' files left by the killed worker: {len(partial)}")
        finally:
            topology.close()
    return checks.exit_code("worker_kill")


if __name__ == "__main__":
    sys.exit(main())
