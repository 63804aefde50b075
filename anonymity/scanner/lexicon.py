"""Lexicons for the special categories of GDPR Art. 9(1), and HIV status apart.

Patterns run on the *folded* note (lower case, accents removed, same length as the
original so that spans stay valid), except the few abbreviations that only mean
something in capitals (``TJ`` for témoin de Jéhovah, ``AIDS``), which run on the
original text. Each category has hard negatives in the labelled set (``syndic``,
``manifestations cliniques``, ``empreinte dentaire``, ``iris normal``, ``trithérapie``
against Helicobacter, ``séropositif pour la toxoplasmose``...).
"""

from __future__ import annotations

import re
import unicodedata

CATEGORIES = (
    "sexual_orientation",
    "religion",
    "ethnic_origin",
    "political_opinion",
    "trade_union",
    "genetic",
    "biometric",
    "hiv",
)
# A negation in front of (or a negative result after) a mention cancels it for these:
# "pas de VIH", "sérologie VIH négative", "no genetic testing". For the others a negated
# mention still reveals something ("non pratiquant", "non syndiqué").
NEGATABLE = frozenset({"hiv", "genetic", "biometric"})

_FOLD_CACHE: dict[str, str] = {}


def _fold_char(char: str) -> str:
    folded = _FOLD_CACHE.get(char)
    if folded is None:
        lowered = char.lower()
        stripped = "".join(
            c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
        )
        folded = stripped if len(stripped) == 1 else (lowered if len(lowered) == 1 else char)
        _FOLD_CACHE[char] = folded
    return folded


def _fold_table() -> dict[int, str]:
    table = {code: _fold_char(chr(code)) for code in range(0xC0, 0x250)}
    table[0x2019] = "'"
    return {code: value for code, value in table.items() if value != chr(code)}


FOLD_TABLE = _fold_table()


def fold_text(text: str) -> str:
    """Lower case without accents, one character for one: spans map back unchanged."""
    if text.isascii():
        return text.lower()
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare character whose lower case is longer ("İ")
        return "".join(_fold_char(c) for c in text).replace("\u2019", "'")
    return lowered.translate(FOLD_TABLE)


ORIGINS = (
    r"maghrebine?s?|africaine?s?|nord[- ]africaine?s?|subsaharienne?s?|asiatiques?|"
    r"antillaise?s?|caribeenne?s?|arabes?|berberes?|kabyles?|turque?s?|kurdes?|roms?|"
    r"tziganes?|tsiganes?|gitane?s?|comorienne?s?|haitienne?s?|senegalaise?s?|"
    r"maliennes?|malien|ivoirienne?s?|congolaise?s?|cambodgienne?s?|chinoise?s?|"
    r"vietnamienne?s?|indienne?s?|pakistanaise?s?|tamoule?s?|armenienne?s?|"
    r"algerienne?s?|marocaine?s?|tunisienne?s?|portugaise?s?|polonaise?s?|roumaine?s?|"
    r"europeenne?s?|caucasienne?s?|juive?s?|ashkenaze?s?|sefarade?s?"
)

_RAW: dict[str, list[str]] = {
    "hiv": [
        r"\bvih\s?[12]?\b",
        r"\bhiv\b",
        r"\bsida\b",
        r"\bpvvih\b",
        r"\bplwh\b",
        (
            r"\bsero-?po(?:s|sitif|sitive|sitifs|sitives|sitivite)?\b(?! (?:pour|a|au|aux|a la|"
            r"toxo|cmv|vhb|vhc|ebv|hepatite|rubeole|syphilis|lyme|covid|hbs))"
        ),
        r"\btritherapie\b(?! (?:anti-?)?(?:helicobacter|h\.? ?pylori|hp|anti-?hp))",
        r"\bantiretrovira(?:l|ux|le|les)\b",
        r"\barv\b",
        r"\bantiretroviral\b",
        r"\bart (?:for|against) hiv\b",
    ],
    "sexual_orientation": [
        r"\bhomosexu(?:el|elle|els|elles|alite|al|ality)\b",
        r"\bgays?\b",
        r"\blesbiennes?\b|\blesbians?\b",
        r"\bbisexu(?:el|elle|els|elles|alite|al|ality)\b",
        r"\bhsh\b|\bmsm\b",
        r"\borientation sexuelle\b|\bsexual orientation\b",
        r"\btransgenres?\b|\btransgender\b|\btransidentit(?:e|aire)s?\b",
        r"\btranssexu\w+\b",
        r"\bdysphorie de genre\b|\bgender dysphoria\b",
        r"\bidentite de genre\b|\bgender identity\b",
        r"\b(?:femme|homme|personne|fille|garcon|woman|man) trans\b",
        r"\bnon[- ]binaires?\b|\bnon[- ]binary\b|\bqueer\b",
        r"\bpansexu\w+\b|\basexu(?:el|elle|al)\b",
        r"\bvie sexuelle\b|\bsex life\b",
        r"\bpartenaires? sexuel\w*\b|\bsexual partners?\b",
        r"\brapports? sexuels?\b|\brelations? sexuelles?\b|\bsexual intercourse\b",
        r"\bsame[- ]sex\b|\bmeme sexe\b",
        r"\bcoming[- ]out\b",
        r"\bchangement de sexe\b|\bgender transition\b|\btransition de genre\b",
    ],
    "religion": [
        r"\bmusulmane?s?\b|\bmuslims?\b|\bislam\w*\b",
        r"\bchretien(?:ne)?s?\b|\bchristians?\b",
        r"\bcatholiques?\b|\bcatholics?\b|\bprotestante?s?\b|\bevangeli\w+\b",
        r"\bjui(?:f|ve|fs|ves)\b|\bjudaisme\b|\bjudaism\b",
        r"\bjewish\b(?! (?:ancestry|descent|origin|heritage))",
        r"\bbouddhis\w+\b|\bbuddhis\w+\b|\bhindou\w*\b|\bhindus?\b|\bhinduism\b|\bsikhs?\b",
        r"\btemoins? de jehovah\b|\bjehovah'?s witness\w*\b",
        r"\bramadan\b|\bjeune religieux\b|\bcareme\b|\bshabbat\b|\bsabbat\b",
        r"\bcasher\b|\bkasher\b|\bcacher\b|\bhalal\b|\bkosher\b",
        r"\bpratiquante?s?\b(?! (?:le|la|les|du|de|des|un|une|l'|d'|regulierement|un sport))",
        r"\bathees?\b|\batheists?\b|\bagnostiques?\b|\bagnostics?\b",
        r"\breligi\w+\b",
        r"\bcroyante?s?\b|\bfoi\b|\bfaith\b",
        r"\bmosquee\b",
        r"\bsynagogue\b",
        r"\bmosque\b",
        r"\bimam\b",
        r"\brabbin\b",
        r"\brabbi\b",
        r"\baumonier\b",
        r"\bchaplain\b",
        r"\bporte le voile\b|\bvoilee\b|\bkippa\b",
    ],
    "ethnic_origin": [
        r"\borigines? ethniques?\b|\bethni(?:e|es|que|ques|cite)\b|\bethnic(?:ity|ally)?\b",
        rf"\bd'origines? (?:{ORIGINS})\b",
        r"\bmaghrebine?s?\b",
        r"\brace (?:noire|blanche|jaune)\b",
        r"\bcaucasien(?:ne)?s?\b|\bcaucasians?\b",
        r"\bmetis(?:se|ses)?\b",
        r"\bcommunaute (?:rom|gitane|tzigane|tsigane)\b",
        r"\bgens du voyage\b",
        r"\btziganes?\b",
        r"\btsiganes?\b",
        r"\bhispanics?\b|\blatinos?\b|\blatinas?\b",
        r"\bblack (?:african|british|caribbean|american)\b|\bafrican[- ]american\b",
        (
            r"\bof (?:african|asian|arab|south asian|caribbean|north african|roma|indian|"
            r"pakistani) (?:origin|descent|heritage)\b"
        ),
        r"\bsouth asian\b",
        r"\bashkenaz\w*\b|\bsefarad\w*\b|\bjewish (?:ancestry|descent|origin|heritage)\b",
    ],
    "political_opinion": [
        r"\bopinions? politiques?\b|\bpolitical (?:views?|opinions?|party|activist|beliefs?)\b",
        r"\bparti politique\b|\bpartis politiques\b",
        (
            r"\bmilit(?:e|ant|ante|ants|antes) (?:politique|au|a la|chez|pour|dans un parti|"
            r"ecologiste|communiste|socialiste|d'extreme)\w*"
        ),
        r"\bengagee? politiquement\b|\bpolitically active\b",
        r"\bcommunistes?\b|\bsocialistes?\b|\banarchistes?\b|\btrotskiste?s?\b",
        r"\bextreme[- ](?:droite|gauche)\b|\bfar[- ](?:right|left)\b",
        r"\brassemblement national\b|\bfront national\b|\bfrance insoumise\b|\binsoumise?s?\b",
        r"\bles republicains\b|\bgilets? jaunes?\b",
        r"\bvote (?:rn|lfi|fn|pour le|a gauche|a droite|ecolo)\w*\b",
        r"\bvotes? (?:labour|tory|conservative|republican|democrat)\b",
        r"\bsympathisante? (?:rn|lfi|fn|ecologiste|socialiste|communiste|d'extreme)\w*",
        r"\belue? (?:municipale?|regionale?|local|locale|au conseil)\b",
        r"\b(?:labour|conservative|republican|democratic|green) party\b",
    ],
    "trade_union": [
        r"\bsyndica(?:t|ts|l|le|ux|les|liste|listes)\b",
        r"\bsyndiquee?s?\b",
        r"\bcgt\b|\bcfdt\b|\bforce ouvriere\b|\bcfe[- ]cgc\b|\bunsa\b|\bcftc\b|\bfsu\b",
        r"\bsud (?:sante|rail|education|solidaires|ptt)\b",
        r"\b(?:delegue|deleguee|adherente?|militante?) (?:fo|cgt|cfdt|sud|unsa)\b",
        r"\btrade unions?\b",
        r"\blabou?r unions?\b",
        r"\bunion (?:member|membership|representative|rep|steward)\b",
        r"\bshop steward\b|\bunioni[sz]ed\b",
    ],
    "genetic": [
        r"\bgenetiques?\b|\bgenetic(?:s|ally)?\b",
        r"\bmutations? (?:brca|du gene|germinale|constitutionnelle|heterozygote|homozygote)\w*",
        r"\bbrca ?[12]?\b",
        r"\bcaryotypes?\b|\bkaryotypes?\b",
        r"\bsequencage\b|\bsequencing\b|\bgenotyp\w+\b|\bexomes?\b|\bgenomes?\b|\bgenomi\w+\b",
        r"\bhla[- ]?b27\b",
        r"\b(?:test|analyse|prelevement|empreinte) (?:d'|de l')?adn\b",
        r"\bdna (?:test|analysis|sample)\w*\b",
        r"\bheterozygote?s?\b|\bhomozygote?s?\b|\bheterozygous\b|\bhomozygous\b",
        r"\bporteu(?:r|se) saine?\b|\bsyndrome de lynch\b|\blynch syndrome\b",
        r"\bmutation du gene \w+\b",
    ],
    "biometric": [
        r"\bempreintes? (?:digitales?|palmaires?|vocales?|faciales?)\b",
        r"\breconnaissance (?:faciale|vocale|de l'iris|du visage|biometrique)\b",
        r"\bbiometri\w+\b",
        r"\b(?:scan|scanner|lecture|lecteur) (?:de l'|de l |d'|d )?(?:iris|retine|empreintes?)\b",
        r"\bfingerprints?\b|\bfacial recognition\b|\bface recognition\b|\bface id\b",
        r"\biris (?:scan|recognition)\b|\bretina(?:l)? scan\b|\bvoice ?prints?\b|\bpalm vein\b",
    ],
}

CATEGORY_PATTERNS: dict[str, re.Pattern[str]] = {
    category: re.compile("|".join(f"(?:{p})" for p in patterns))
    for category, patterns in _RAW.items()
}
# Patterns that only mean something in capitals, run on the original text.
CASED_PATTERNS: dict[str, re.Pattern[str]] = {
    "hiv": re.compile(r"\bAIDS\b"),
    "religion": re.compile(r"\bTJ\b"),
    "trade_union": re.compile(r"\b(?:FO|SUD)\b(?= (?:[Ss]ant[ée]|[Rr]ail|syndicat|\())"),
}

NEGATION_BEFORE = re.compile(
    r"(?:\bpas d'|\bpas de |\bpas d |\baucune? |\bsans |\babsence d'|\babsence de |\bni |"
    r"\bjamais |\bexclu\w* |\bno |\bnot |\bnever |\bwithout |\bdenies |\bnegative for |"
    r"\bnegatif pour |\bnegative pour |\bpas fait de |\bpas realise de |\bnon realise\w* )"
    r"(?:[\w'-]+ ){0,3}$"
)
NEGATION_AFTER = re.compile(
    r"^\W{0,3}(?:[\w'-]+[\s,/]+){0,3}?\W{0,3}\s*(?:negati\w+|neg\b|absente?\b|exclue?\b|"
    r"non (?:realise|fait)\w*|non detect\w+|negative\b|not detected)"
)


def _negated(folded: str, start: int, end: int) -> bool:
    sentence_start = max(folded.rfind(mark, 0, start) for mark in ".;!?\n") + 1
    before = folded[max(sentence_start, start - 60) : start]
    if NEGATION_BEFORE.search(before):
        return True
    after = folded[end : end + 40]
    return bool(NEGATION_AFTER.match(after))


def find_categories(text: str, folded: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, category) of every special-category mention that is not negated."""
    folded = fold_text(text) if folded is None else folded
    found: list[tuple[int, int, str]] = []
    for category, pattern in CATEGORY_PATTERNS.items():
        for match in pattern.finditer(folded):
            if category in NEGATABLE and _negated(folded, match.start(), match.end()):
                continue
            found.append((match.start(), match.end(), category))
    for category, pattern in CASED_PATTERNS.items():
        for match in pattern.finditer(text):
            if category in NEGATABLE and _negated(folded, match.start(), match.end()):
                continue
            found.append((match.start(), match.end(), category))
    return found
