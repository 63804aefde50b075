"""French by default, English on request, and compiled catalogues that match their sources."""

from __future__ import annotations

import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.helpers import page_text

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
# The project catalogue plus one per feature app (each app keeps its own, see `make messages`).
APP_LOCALE_DIRS = sorted(Path(settings.BASE_DIR).glob("*/locale"))
CATALOGUES = [
    path / language / "LC_MESSAGES" / "django.po"
    for path in [LOCALE_DIR, *[d for d in APP_LOCALE_DIRS if d != LOCALE_DIR]]
    for language in ("fr", "en")
]


def test_pages_are_in_french_by_default(client: Client, db: None) -> None:
    page = page_text(client.get(reverse("login")))

    assert '<html lang="fr">' in page
    assert "Se connecter" in page


def test_switching_to_english(client: Client, db: None) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302

    page = page_text(client.get(response["Location"]))

    assert '<html lang="en">' in page
    assert "Log in to Egide" in page
    assert "Se connecter" not in page


def test_switching_back_to_french(client: Client, db: None) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    page = page_text(client.get(reverse("login")))

    assert '<html lang="fr">' in page


def test_logged_in_pages_are_french_too(owner_client: Client, org_a: Any) -> None:
    page = page_text(owner_client.get(reverse("member_list", args=[org_a.slug])))

    assert '<html lang="fr">' in page
    assert "Responsable" in page  # the manager role's label


def test_api_errors_follow_the_language(client: Client, db: None) -> None:
    bad_key = {"Authorization": "Bearer egide_0badc0de_" + "y" * 43}

    french = client.get("/api/v1/organisation/", headers=bad_key).json()["detail"]
    english = client.get(
        "/api/v1/organisation/", headers={**bad_key, "Accept-Language": "en"}
    ).json()["detail"]

    assert french == "Clé d'API invalide, expirée ou révoquée."
    assert english == "Invalid, expired or revoked API key."


# --- The catalogues ------------------------------------------------------------------


def parse_po(path: Path) -> list[dict[str, Any]]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), fuzzy."""
    entries: list[dict[str, Any]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        entry: dict[str, Any] = {"fuzzy": False, "msgctxt": None, "msgid_plural": None}
        strings: dict[str, str] = {}
        key = ""
        for line in lines:
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                strings[key] += unquote(line)
            else:
                key, _, rest = line.partition(" ")
                strings[key] = unquote(rest)
        entry["msgctxt"] = strings.get("msgctxt")
        entry["msgid"] = strings["msgid"]
        entry["msgid_plural"] = strings.get("msgid_plural")
        if entry["msgid_plural"] is None:
            entry["msgstr"] = [strings.get("msgstr", "")]
        else:
            entry["msgstr"] = [
                strings[k] for k in sorted(k for k in strings if k.startswith("msgstr["))
            ]
        entries.append(entry)
    return entries


def unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(
        r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text[1:-1]
    )


def translatable(path: Path) -> list[dict[str, Any]]:
    return [e for e in parse_po(path) if e["msgid"]]  # the header has an empty msgid


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: str(po.relative_to(settings.BASE_DIR)))
def test_compiled_catalogue_matches_its_source(po: Path) -> None:
    if po.parent.parent.parent != LOCALE_DIR and not po.exists():
        pytest.skip(f"{po} not written yet: this app has no translatable strings")
    mo = po.with_suffix(".mo")
    assert po.exists() and mo.exists(), f"{po} or {mo} is missing: run `make messages`"
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]

    stale = []
    for entry in translatable(po):
        if entry["fuzzy"] or not any(entry["msgstr"]):
            continue
        msgid = entry["msgid"]
        if entry["msgctxt"] is not None:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if entry["msgid_plural"] is None:
            compiled = [catalog.get(msgid)]
        else:
            compiled = [catalog.get((msgid, n)) for n in range(len(entry["msgstr"]))]
        if compiled != entry["msgstr"]:
            stale.append(entry["msgid"])

    assert not stale, (
        f"{mo} does not match {po.name} for {stale[:5]}: run `make messages` "
        "(compilemessages) and commit the .mo file"
    )


@pytest.mark.parametrize(
    "po",
    [po for po in CATALOGUES if po.parent.parent.name == "fr"],
    ids=lambda po: str(po.relative_to(settings.BASE_DIR)),
)
def test_every_french_message_is_translated(po: Path) -> None:
    if po.parent.parent.parent != LOCALE_DIR and not po.exists():
        pytest.skip(f"{po} not written yet: this app has no translatable strings")
    assert po.exists(), f"{po} is missing: run `make messages`"

    missing = [e["msgid"] for e in translatable(po) if e["fuzzy"] or not all(e["msgstr"])]

    assert not missing, f"French translations missing or fuzzy: {missing}"
