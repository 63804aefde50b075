"""Redis stopped: pages and API reads still answer 200; a report request answers 503 with
Retry-After; when Redis returns, a new request is accepted and the job completes on the
running worker, nothing restarted.

``python -m bench.faults.redis_down`` (or ``make faults`` for every script).
"""

from __future__ import annotations

import json
import sys
import time

from bench.faults._topology import ORG, Checks, Topology, log, private_postgres

PAGES = [f"/o/{ORG}/", f"/o/{ORG}/soa/", f"/o/{ORG}/evidence/"]
API_READS = ["/api/v1/soa/?page_size=100", "/api/v1/evidence/", "/api/v1/reports/"]


def reads(topology: Topology, checks: Checks, when: str) -> None:
    for path in PAGES + API_READS:
        started = time.monotonic()
        status, _headers, _body = topology.get(path, api=path.startswith("/api/"))
        elapsed = (time.monotonic() - started) * 1000
        checks.expect(
            status == 200, f"{when}: GET {path} answers 200", f"{status}, {elapsed:.0f} ms"
        )


def wait_done(topology: Topology, job_id: int, seconds: float) -> tuple[str, float]:
    started = time.monotonic()
    status = "?"
    while time.monotonic() - started < seconds:
        code, _h, body = topology.get(f"/api/v1/reports/{job_id}/")
        if code == 200:
            status = json.loads(body)["status"]
            if status in ("done", "failed"):
                break
        time.sleep(0.5)
    return status, time.monotonic() - started


def main() -> int:
    checks = Checks()
    log("== redis_down: Redis stopped under a running gunicorn and Celery worker")
    with private_postgres():
        topology = Topology("redis")
        try:
            topology.start_redis()
            topology.prepare()
            topology.start_gunicorn()
            topology.start_worker("w1")
            reads(topology, checks, "Redis up")
            code, _h, body = topology.post_json("/api/v1/reports/", {"kind": "soa"})
            checks.expect(
                code == 202, "Redis up: report request accepted", f"{code} {body[:200]!r}"
            )
            if code == 202:
                status, seconds = wait_done(topology, json.loads(body)["id"], 120)
                checks.expect(status == "done", "Redis up: job done", f"{status}, {seconds:.1f} s")

            log("stopping Redis")
            topology.stop_redis()
            reads(topology, checks, "Redis down")
            started = time.monotonic()
            code, headers, body = topology.post_json(
                "/api/v1/reports/", {"kind": "soa"}, timeout=45
            )
            elapsed = time.monotonic() - started
            retry_after = headers.get("Retry-After", "")
            got = f"{code or 'no answer'} in {elapsed:.1f} s, Retry-After {retry_after or 'absent'}"
            if not (code == 503 and retry_after):
                log(f"  EXPECTED 503, GOT {got}")
            checks.expect(
                code == 503 and bool(retry_after),
                "Redis down: report request answers 503 with Retry-After",
                got,
            )
            orphans = topology.sql("SELECT count(*) FROM reports_reportjob WHERE status = 'queued'")
            log(f"  jobs left 'queued' by the request made while Redis was down: {orphans}")

            log("starting Redis again (same port; gunicorn and the worker keep running)")
            topology.start_redis()
            time.sleep(2)
            reads(topology, checks, "Redis back")
            code, _h, body = topology.post_json("/api/v1/reports/", {"kind": "soa"})
            checks.expect(code == 202, "Redis back: report request accepted", str(code))
            if code == 202:
                status, seconds = wait_done(topology, json.loads(body)["id"], 180)
                checks.expect(
                    status == "done",
                    "Redis back: job done on the same worker, nothing restarted",
                    f"{status}, {seconds:.1f} s",
                )
            time.sleep(5)
            stuck = topology.sql(
                "SELECT string_agg(id || ':' || status, ' ' ORDER BY id) FROM reports_reportjob"
            )
            log(f"  every job now (id:status): {stuck}")
            checks.expect(
                all(w.poll() is None for w in topology.workers),
                "the worker process is the one started before the outage",
            )
        finally:
            topology.close()
    return checks.exit_code("redis_down")


if __name__ == "__main__":
    sys.exit(main())
