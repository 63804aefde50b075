"""Direct identifiers in free text: rules (regular expressions and checks).

The NIR (French social-security number) is 13 digits plus a 2-digit control key equal to
97 minus the 13-digit number modulo 97; for Corsica the département "2A" / "2B" counts
as 19 / 18. A 15-character candidate whose key does not check is not reported.
"""

from __future__ import annotations

import re

NIR_RE = re.compile(
    r"(?<![\dA-Za-z])([12378]) ?(\d{2}) ?(\d{2}) ?(\d{2}|2[AaBb]) ?(\d{3}) ?(\d{3}) ?(\d{2})"
    r"(?![\dA-Za-z])"
)
# The lookbehind starts a match only where a run of local-part characters starts: without
# it a long run with no "@" (a 1 MB line of letters) was rescanned from every position,
# quadratic time (minutes for one note).
EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
PHONE_RE = re.compile(
    r"(?<![\d+])(?:"
    r"(?:\+|00)33 ?\(?0?\)? ?[1-9](?:[ .-]?\d{2}){4}"  # +33 6 12 34 56 78
    r"|0[1-9](?:[ .-]?\d{2}){4}"  # 06 12 34 56 78
    r"|(?:\+|00)44 ?\(?0?\)? ?\d{2,4}[ -]?\d{3,4}[ -]?\d{3,4}"  # +44 20 7946 0958
    r"|\+1[ -]?\(?\d{3}\)?[ -]?\d{3}[ -]?\d{4}"  # +1 (555) 123-4567
    r"|\(\d{3}\) ?\d{3}-\d{4}"  # (555) 123-4567
    r")(?!\d)"
)
MONTHS = (
    r"janvier|fevrier|février|mars|avril|mai|juin|juillet|aout|août|septembre|octobre|"
    r"novembre|decembre|décembre|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}"
    rf"|\d{{1,2}}(?:er)? (?:{MONTHS})\.? (?:19|20)\d{{2}}"
    rf"|(?:{MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? (?:19|20)\d{{2}}"
    r"|(?:19|20)\d{2}-\d{2}-\d{2})"
)
BIRTH_DATE_RE = re.compile(
    r"\b(?:n[ée]e?(?: ?\(e\))?|date de naissance|ddn|dob|d\.o\.b\.|date of birth|born)"
    r"\s*(?:le|:|on|en date du)?\s*:?\s*"
    rf"(?P<date>{DATE})",
    re.IGNORECASE,
)
IPP_RE = re.compile(
    r"\b(?:IPP|NIP|IPE|MRN|n° ?(?:de )?dossier|num[ée]ro de dossier|n° ?patient|"
    r"patient (?:id|number|no\.?)|hospital number)"
    r"\s*(?:n°|no\.?|#)?\s*:?\s*(?P<code>[A-Z]{0,3}-?\d{5,12})\b",
    re.IGNORECASE,
)
STREET_TYPES = (
    r"rue|avenue|av\.|boulevard|bd|bvd|chemin|all[ée]e|impasse|place|route|quai|cours|"
    r"square|rond-point|lieu-dit|r[ée]sidence|faubourg|passage|villa|hameau"
)
ADDRESS_RE = re.compile(
    rf"\b\d{{1,4}}(?: ?(?:bis|ter))?,? (?:{STREET_TYPES}) "
    r"(?:(?:de |du |des |d'|de la |de l'|la |le |les )?[A-Za-zÀ-ÿ'-]+)"
    r"(?: (?:de |du |des |d'|de la |la |le )?[A-ZÀ-Ý][A-Za-zÀ-ÿ'-]+){0,4}"
    r"|\b\d{1,5} [A-Z][a-z]+(?: [A-Z][a-z]+)? (?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|"
    r"Drive|Close|Way|Square|Place)\b"
    r"|\b(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])\d{3} [A-ZÀ-Ý][a-zà-ÿ]+(?:[ -][A-ZÀ-Ý]?[a-zà-ÿ]+)*"
    r"(?: [Cc]edex(?: \d+)?)?\b",
)


def nir_is_valid(candidate: str) -> bool:
    """True for a 15-character NIR (spaces removed) whose control key checks."""
    value = candidate.replace(" ", "").upper()
    if len(value) != 15 or value[0] not in "123478":
        return False
    body, key = value[:13], value[13:]
    if not key.isdigit():
        return False
    department = body[5:7]
    if department == "2A":
        body = body[:5] + "19" + body[7:]
    elif department == "2B":
        body = body[:5] + "18" + body[7:]
    if not body.isdigit():
        return False
    return 97 - int(body) % 97 == int(key)


def nir_key(body13: str) -> str:
    """The control key of a 13-character NIR body (used by the demo and the tests)."""
    body = body13.upper()
    corsica = {"2A": "19", "2B": "18"}.get(body[5:7])
    if corsica:
        body = body[:5] + corsica + body[7:]
    return f"{97 - int(body) % 97:02d}"


def find_identifiers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every direct identifier found by rule."""
    found: list[tuple[int, int, str]] = []
    for match in NIR_RE.finditer(text):
        if nir_is_valid(match.group(0)):
            found.append((match.start(), match.end(), "nir"))
    for match in EMAIL_RE.finditer(text):
        found.append((match.start(), match.end(), "email"))
    for match in PHONE_RE.finditer(text):
        found.append((match.start(), match.end(), "phone"))
    for match in BIRTH_DATE_RE.finditer(text):
        found.append((match.start("date"), match.end("date"), "birth_date"))
    for match in IPP_RE.finditer(text):
        found.append((match.start("code"), match.end("code"), "ipp"))
    for match in ADDRESS_RE.finditer(text):
        found.append((match.start(), match.end(), "address"))
    return found
