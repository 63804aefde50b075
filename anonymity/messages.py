"""Human sentences for the reason codes and generalisations stored in a result.

Results store codes and numbers only; the sentence is built when shown, in the reader's
language (the command line prints English).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

CATEGORY_LABELS = {
    "sexual_orientation": gettext_lazy("sexual orientation, sex life or gender identity"),
    "religion": gettext_lazy("religious or philosophical beliefs"),
    "ethnic_origin": gettext_lazy("racial or ethnic origin"),
    "political_opinion": gettext_lazy("political opinions"),
    "trade_union": gettext_lazy("trade-union membership"),
    "genetic": gettext_lazy("genetic data"),
    "biometric": gettext_lazy("biometric data"),
    "hiv": gettext_lazy("HIV status"),
}
IDENTIFIER_LABELS = {
    "nir": gettext_lazy("NIR (social-security number)"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("e-mail address"),
    "person_name": gettext_lazy("person's name"),
    "birth_date": gettext_lazy("date of birth"),
    "address": gettext_lazy("address"),
    "ipp": gettext_lazy("patient record number (IPP)"),
}
GENERALISATION_LABELS = {
    "drop": gettext_lazy("drop the column (or re-key it per extract)"),
    "year_band_5": gettext_lazy("generalise the year to 5-year bands"),
    "age_band_5": gettext_lazy("generalise the age to 5-year bands"),
    "birth_date_to_band": gettext_lazy("keep only the 5-year band of the year of birth"),
    "postcode_to_departement": gettext_lazy("truncate the postcode to the département"),
    "date_to_month": gettext_lazy("keep only the month of the date"),
}


def _labels(codes: list[str], table: dict[str, Any]) -> str:
    return ", ".join(str(table.get(code, code)) for code in codes)


def reason_text(reason: dict[str, Any]) -> str:
    code, p = reason["code"], reason.get("params", {})
    if code == "direct_identifiers":
        return _(
            "Direct identifiers leave with the extract (%(columns)s): every record can be "
            "singled out. Fix: drop these columns."
        ) % {"columns": ", ".join(p["columns"])}
    if code == "direct_identifiers_link":
        return _(
            "Direct identifiers (%(columns)s) link these records to any other source that "
            "holds them. Fix: drop these columns."
        ) % {"columns": ", ".join(p["columns"])}
    if code == "k_below_threshold":
        return _(
            "k-anonymity is %(k)s, below the threshold of %(threshold)s: %(below)s records "
            "sit in classes smaller than %(threshold)s and %(unique)s are unique on the "
            "quasi-identifiers. Fix: generalise the quasi-identifiers (5-year bands for the "
            "year of birth, département instead of postcode, month instead of date)."
        ) % {
            "k": p["k"],
            "threshold": p["threshold"],
            "below": p["records_below_k"],
            "unique": p["unique_records"],
        }
    if code == "persistent_pseudonym":
        return _(
            "The pseudonym %(column)s is persistent: %(recurring)s codes recur, linking "
            "%(linked)s records, so the care path can be rebuilt. Fix: drop the pseudonym "
            "or re-key it for each extract."
        ) % {"column": p["column"], "recurring": p["recurring"], "linked": p["linked_records"]}
    if code == "l_below_2":
        return ngettext(
            "%(column)s has l-diversity %(l)s: in %(classes)s class (%(records)s records) "
            "every record has the same value, which can be inferred from the "
            "quasi-identifiers. Fix: generalise the quasi-identifiers or the attribute.",
            "%(column)s has l-diversity %(l)s: in %(classes)s classes (%(records)s records) "
            "every record has the same value, which can be inferred from the "
            "quasi-identifiers. Fix: generalise the quasi-identifiers or the attribute.",
            p["classes_below_2"],
        ) % {
            "column": p["column"],
            "l": p["l"],
            "classes": p["classes_below_2"],
            "records": p["records_below_2"],
        }
    if code == "free_text_categories":
        return _(
            "The free text %(column)s reveals special categories of data (GDPR Art. 9(1)) "
            "in %(notes)s notes: %(categories)s. Fix: drop the column or redact it."
        ) % {
            "column": p["column"],
            "notes": p["notes"],
            "categories": _labels(p["categories"], CATEGORY_LABELS),
        }
    if code == "free_text_identifiers":
        return _(
            "The free text %(column)s contains direct identifiers in %(notes)s notes: "
            "%(identifiers)s. Fix: drop the column or redact it."
        ) % {
            "column": p["column"],
            "notes": p["notes"],
            "identifiers": _labels(p["identifiers"], IDENTIFIER_LABELS),
        }
    return code


def generalisation_text(step: dict[str, str]) -> str:
    return f"{step['column']}: {GENERALISATION_LABELS.get(step['kind'], step['kind'])}"
