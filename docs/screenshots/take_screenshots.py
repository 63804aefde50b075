"""Regenerate the README screenshots against a running `make run` server.

    .venv/bin/python docs/screenshots/take_screenshots.py [http://127.0.0.1:8000 [OUTPUT_DIR]]

Pages: dashboard (home.png), members, SoA, evidence detail, incident with its clocks,
heat map, register, checklist and remediation plan (lead auditor). The demo accounts are
the ones `make run` prints (seed_demo). Any page that does not answer 200 stops the script.

Uses Debian's Chromium (apt-get install chromium) through Playwright; no browser download.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
HERE = Path(__file__).parent
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")

    broken: list[str] = []  # a broken page must not end up in the README unnoticed

    def note_errors(response):
        if response.request.is_navigation_request() and response.status >= 400:
            broken.append(f"{response.url} answered {response.status}")

    page.on("response", note_errors)
    page.goto(f"{BASE_URL}/accounts/login/")
    page.fill("#id_username", "direction@lilas.example")
    page.fill("#id_password", "egide-demo-2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{BASE_URL}/o/clinique-des-lilas/")
    page.screenshot(path=str(OUT / "home.png"), full_page=True)
    # Evidence: one item with its file, SHA-256 and integrity (issue 3).
    page.goto(f"{BASE_URL}/o/clinique-des-lilas/evidence/")
    page.locator("main table tbody tr a[href*='/evidence/']").first.click()
    page.wait_for_load_state()
    page.screenshot(path=str(OUT / "evidence.png"))
    page.goto(f"{BASE_URL}/o/clinique-des-lilas/members/")
    page.screenshot(path=str(OUT / "members.png"), full_page=True)
    page.goto(f"{BASE_URL}/o/clinique-des-lilas/soa/?theme=organizational")
    page.screenshot(path=str(OUT / "soa.png"))
    # Incidents: the demo ransomware attack, its clocks counting down (issue 8).
    page.goto(f"{BASE_URL}/o/clinique-des-lilas/incidents/")
    page.click("text=Rançongiciel")
    page.wait_for_timeout(1200)  # let the countdown script tick once
    page.screenshot(path=str(OUT / "incident.png"))
    # Risks: the clinic's heat map, current and target residual levels (issue 11).
    page.goto(f"{BASE_URL}/o/clinique-des-lilas/risks/heatmap/")
    page.screenshot(path=str(OUT / "heatmap.png"))
    # Register: the clinic's processing register and the flagged observatory (issue 6).
    page.goto(f"{BASE_URL}/o/clinique-des-lilas/register/")
    page.screenshot(path=str(OUT / "register.png"), full_page=True)
    page.click("text=Observatoire de l'éditeur")
    page.wait_for_load_state()
    page.screenshot(path=str(OUT / "register_flagged.png"))
    # Audits: the lead auditor's checklist during fieldwork, and the clinic's plan (issue 4).
    auditor = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    auditor.on("response", note_errors)
    auditor.goto(f"{BASE_URL}/accounts/login/")
    auditor.fill("#id_username", "auditrice@audit.example")
    auditor.fill("#id_password", "egide-demo-2026")
    auditor.click("main button[type=submit]")
    auditor.wait_for_load_state()
    auditor.goto(f"{BASE_URL}/audits/portfolio/")
    auditor.click("text=Liste de contrôle >> nth=0")  # the HDS audit in fieldwork
    auditor.wait_for_load_state()
    auditor.keyboard.press("j")  # keyboard navigation: the focused check is outlined
    auditor.keyboard.press("j")
    auditor.screenshot(path=str(OUT / "checklist.png"))
    auditor.goto(f"{BASE_URL}/o/clinique-des-lilas/plan/")
    auditor.screenshot(path=str(OUT / "plan.png"))
    browser.close()
if broken:
    sys.exit("\n".join(broken))
