"""A realistic mix against a running Egide (see bench/load/run.py, which starts it all).

Two kinds of users share the run:
- ``ClinicStaff`` browse the clinic in a browser session: dashboard, SoA, plan, register,
  evidence list, and now and then ask for a PDF (the SoA) that a Celery worker renders;
- ``HostIntegration`` is an HDS host's system on the REST API with a Bearer key: lists of
  100 items, an evidence upload, and the bare constant endpoint (the stack's ceiling).

Environment: LOAD_ORG (slug), LOAD_EMAIL / LOAD_PASSWORD (a member with every permission),
LOAD_API_KEY (read+write key of the same organisation).
"""

from __future__ import annotations

import os
import re
import uuid

from locust import HttpUser, between, task

ORG = os.environ.get("LOAD_ORG", "clinique-des-lilas")
EMAIL = os.environ.get("LOAD_EMAIL", "direction@lilas.example")
PASSWORD = os.environ.get("LOAD_PASSWORD", "egide-demo-2026")
API_KEY = os.environ.get("LOAD_API_KEY", "")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class ClinicStaff(HttpUser):
    weight = 1
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login page")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/accounts/login/",
            {
                "username": EMAIL,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token[1] if token else "",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login refused: {response.status_code}")

    @task(4)
    def dashboard(self) -> None:
        self.client.get(f"/o/{ORG}/", name="dashboard")

    @task(3)
    def soa_page(self) -> None:
        self.client.get(f"/o/{ORG}/soa/", name="SoA page")

    @task(2)
    def remediation_plan(self) -> None:
        self.client.get(f"/o/{ORG}/plan/", name="remediation plan")

    @task(1)
    def register(self) -> None:
        self.client.get(f"/o/{ORG}/register/", name="processing register")

    @task(1)
    def evidence_list(self) -> None:
        self.client.get(f"/o/{ORG}/evidence/", name="evidence list")


class HostIntegration(HttpUser):
    weight = 1
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {API_KEY}"

    @task(4)
    def soa_list(self) -> None:
        self.client.get("/api/v1/soa/?page_size=100", name="API soa (100)")

    @task(3)
    def evidence_list(self) -> None:
        self.client.get("/api/v1/evidence/?page_size=100", name="API evidence (100)")

    @task(3)
    def findings(self) -> None:
        self.client.get("/api/v1/findings/?page_size=100", name="API findings (100)")

    @task(2)
    def actions(self) -> None:
        self.client.get("/api/v1/remediation-actions/?page_size=100", name="API actions (100)")

    @task(2)
    def processing(self) -> None:
        self.client.get("/api/v1/processing-activities/?page_size=100", name="API register (100)")

    @task(4)
    def ceiling(self) -> None:
        self.client.get("/api/v1/bench/ceiling/", name="API ceiling (constant)")

    @task(1)
    def upload_evidence(self) -> None:
        body = f"Relevé de contrôle {uuid.uuid4()}\n".encode() * 200  # ~10 kB, unique
        self.client.post(
            "/api/v1/evidence/",
            data={"title": "Relevé de charge"},
            files={"files": ("releve.txt", body, "text/plain")},
            name="API evidence upload",
        )

    @task(1)
    def request_report(self) -> None:
        # The remediation plan needs no parameter (the demo has no issued SoA version).
        self.client.post(
            "/api/v1/reports/",
            json={"kind": "remediation_plan", "language": "fr"},
            name="API report request",
        )
