"""Suggesting a role for each column from its name and a sample of its values.

The suggestion is only a starting point: the user confirms or corrects every role
before anything is measured. Names are compared without accents, case or separators.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd  # type: ignore[import-untyped]

from anonymity.choices import ColumnRole
from anonymity.scanner.identifiers import EMAIL_RE, PHONE_RE, nir_is_valid

SAMPLE_ROWS = 2000


def fold(text: str) -> str:
    """Lower case without accents (``Année`` -> ``annee``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _name_tokens(name: str) -> str:
    return "_" + re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_") + "_"


# Order matters: the first family whose pattern matches the folded name wins.
NAME_RULES: list[tuple[str, str]] = [
    (
        ColumnRole.FREE_TEXT,
        r"_(note|notes|commentaire|commentaires|comment|comments|observation|observations|"
        r"texte|text|free_text|texte_libre|compte_rendu|cr|motif|remarque|remarques)_",
    ),
    (
        ColumnRole.PERSISTENT_PSEUDONYM,
        r"_(pseudo|pseudonyme|pseudonym|patient_id|id_patient|code_patient|patient_code|"
        r"subject_id|hash|token|id_pseudo|num_anonyme|code_anonyme|patient_key|id)_",
    ),
    (
        ColumnRole.DIRECT_IDENTIFIER,
        r"_(nom|prenom|nom_naissance|nom_usage|name|first_name|last_name|surname|firstname|"
        r"lastname|nir|nss|insee|num_secu|numero_secu|secu|securite_sociale|ssn|ins|"
        r"telephone|tel|phone|mobile|portable|email|mail|courriel|e_mail|ipp|nip|ipe|"
        r"adresse|address|rue|street|rpps|adeli|date_naissance|date_de_naissance|ddn|"
        r"birth_date|date_of_birth|dob|birthdate)_",
    ),
    (
        ColumnRole.QUASI_IDENTIFIER,
        r"_(annee_naissance|annee_de_naissance|year_of_birth|birth_year|yob|age|age_ans|"
        r"tranche_age|sexe|sex|gender|genre|code_postal|cp|postcode|postal_code|zip|zipcode|"
        r"commune|ville|city|departement|dept|dep|region|csp|pcs|profession|"
        r"categorie_socio_professionnelle|categorie_socioprofessionnelle|occupation|"
        r"nationalite|nationality|date_\w+|\w+_date|date|mois|month|annee|year|"
        r"etablissement|service|situation_familiale|marital_status)_",
    ),
    (
        ColumnRole.SENSITIVE,
        r"_(diagnostic|diagnostics|diagnosis|diag|dp|das|cim|cim10|cim_10|icd|icd10|"
        r"pathologie|pathology|prescription|prescriptions|traitement|treatment|"
        r"medicament|medicaments|drug|drugs|atc|resultat|resultats|result|results|"
        r"allergie|allergies|antecedent|antecedents|acte|actes|ccam|ghm|arret_travail|"
        r"sick_leave|vaccin|vaccination)_",
    ),
]

YEAR_RE = re.compile(r"^(18|19|20)\d\d$")
POSTCODE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4})")


def _share(values: pd.Series, pattern: re.Pattern[str]) -> float:
    if values.empty:
        return 0.0
    return float(values.str.fullmatch(pattern).mean())


def suggest_role(name: str, values: pd.Series) -> tuple[str, str]:
    """(role, why) for one column."""
    tokens = _name_tokens(name)
    sample = values[values != ""].head(SAMPLE_ROWS).astype(str)
    if not sample.empty:
        if _share(sample, EMAIL_RE) > 0.5:
            return ColumnRole.DIRECT_IDENTIFIER, "values are e-mail addresses"
        digits = sample.str.replace(r"\s", "", regex=True)
        if digits.map(nir_is_valid).mean() > 0.5:
            return ColumnRole.DIRECT_IDENTIFIER, "values are NIR with a valid key"
        if _share(sample, PHONE_RE) > 0.5:
            return ColumnRole.DIRECT_IDENTIFIER, "values are phone numbers"
    for role, pattern in NAME_RULES:
        if re.search(pattern, tokens):
            if role == ColumnRole.PERSISTENT_PSEUDONYM and not sample.empty:
                if sample.nunique() == len(sample):
                    return role, "column name; each code appears once in the sample"
                return role, "column name; codes recur across rows"
            if (
                role == ColumnRole.QUASI_IDENTIFIER
                and re.search(r"naissance|birth", tokens)
                and _share(sample, DATE_RE) > 0.5
            ):
                return ColumnRole.DIRECT_IDENTIFIER, "full date of birth"
            return role, "column name"
    if not sample.empty:
        mean_length = float(sample.str.len().mean())
        if mean_length > 40 and float(sample.str.contains(" ").mean()) > 0.8:
            return ColumnRole.FREE_TEXT, "long sentences"
        if _share(sample, YEAR_RE) > 0.9 or _share(sample, POSTCODE_RE) > 0.9:
            return ColumnRole.QUASI_IDENTIFIER, "years or postcodes"
        if _share(sample, DATE_RE) > 0.9:
            return ColumnRole.QUASI_IDENTIFIER, "dates"
        distinct = sample.nunique()
        if (
            0.05 * len(sample) < distinct < len(sample)
            and float(sample.str.fullmatch(r"[A-Za-z0-9_-]{6,64}").mean()) > 0.9
        ):
            return ColumnRole.PERSISTENT_PSEUDONYM, "codes that recur across rows"
    return ColumnRole.IGNORE, "no rule matched"


def suggest_roles(frame: pd.DataFrame) -> dict[str, dict[str, str]]:
    return {
        name: dict(zip(("role", "why"), suggest_role(name, frame[name]), strict=True))
        for name in frame.columns
    }
