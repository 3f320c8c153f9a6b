"""Special-category data (GDPR art. 9) and Danish CPR numbers in imported values.

Three checks, all pure functions:

- :func:`scan_free_text` for free-text columns (notes, comments, "Interesse",
  "Beskrivelse" ...): Danish and English keywords for health (incl. allergies and
  pregnancy), religion, ethnicity, politics, trade-union membership and sexuality,
  plus CPR numbers.  Returns the kinds found; the caller must then drop the value.
- :func:`looks_like_cpr` for every other value: a CPR number written as
  ``ddmmyy-xxxx`` with a valid date.  Undashed ten-digit runs count only in free text
  (with a valid date and either the modulus-11 check or a word like "CPR" nearby)
  or in a column whose header says CPR, since phone and account numbers look alike.
- :func:`header_kind` for column headers that *name* a category ("CPR-nr",
  "Helbred", "Religion", "Fagforening" ...): such columns are never imported.

The scanner errs on the side of flagging: a false positive costs the user a look at
one row; a false negative stores health data in a sales register.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["scan_free_text", "looks_like_cpr", "header_kind", "is_valid_cpr_date"]

# --- CPR -------------------------------------------------------------------------------

_CPR_RE = re.compile(r"(?<![\d+])(\d{2})(\d{2})(\d{2})([-\s]?)(\d{4})(?![\d])")
_CPR_WORD_RE = re.compile(
    r"(?<!\w)(cpr|cpr[-.\s]?nr|cpr[-.\s]?nummer|personnummer|personnr|pers\.?\s?nr|"
    r"fødselsnummer|civil registration)(?!\w)",
    re.IGNORECASE,
)
_CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def is_valid_cpr_date(dd: int, mm: int, yy: int, seq: str) -> bool:
    """Does ``ddmmyy`` with serial ``seq`` give a real birth date (CPR century rule)?"""
    d7 = int(seq[0])
    if d7 <= 3:
        year = 1900 + yy
    elif d7 in (4, 9):
        year = 2000 + yy if yy <= 36 else 1900 + yy
    else:
        year = 2000 + yy if yy <= 57 else 1800 + yy
    try:
        date(year, mm, dd)
    except ValueError:
        return False
    return True


def _mod11(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, _CPR_WEIGHTS, strict=True)) % 11 == 0


def _cpr_matches(text: str, *, loose: bool, context: bool) -> bool:
    for m in _CPR_RE.finditer(text):
        dd, mm, yy, sep, seq = m.groups()
        if not is_valid_cpr_date(int(dd), int(mm), int(yy), seq):
            continue
        if sep == "-":
            return True
        if loose and (context or _mod11(dd + mm + yy + seq)):
            return True
    return False


def looks_like_cpr(text: str, *, cpr_column: bool = False) -> bool:
    """True if ``text`` holds a CPR number.

    Outside free text only the dashed form counts, unless ``cpr_column`` says the
    column header names CPR (then any ten digits with a valid date count).
    """
    if not text or len(text) < 10 or _CPR_RE.search(text) is None:  # most values: one C call
        return False
    return _cpr_matches(text, loose=cpr_column, context=cpr_column)


def _free_text_cpr(text: str) -> bool:
    if len(text) < 10:
        return False
    return _cpr_matches(text, loose=True, context=bool(_CPR_WORD_RE.search(text)))


# --- keywords --------------------------------------------------------------------------
# Each entry is a regex fragment matched as a whole word (case-insensitive).  "\w*" lets
# Danish compounds through ("nøddeallergi", "sukkersyge", "sygemeldt").

_KEYWORDS: dict[str, list[str]] = {
    "health": [
        # Danish
        r"syg", r"syge", r"sygdom\w*", r"\w*sygdom\w*", r"sygemeld\w*", r"sygeorlov",
        r"sygehus\w*", r"sukkersyge", r"helbred\w*", r"diagnose\w*", r"diabet\w*",
        r"\w*allergi\w*", r"allergisk\w*", r"astma\w*", r"kræft\w*", r"cancer\w*",
        r"hjerte\w+", r"blodtryk\w*", r"gravid\w*", r"handicap\w*", r"kørestol\w*",
        r"depression\w*", r"depressiv\w*", r"angst\w*", r"adhd", r"autis\w*",
        r"medicin(en|ering)?", r"epilep\w*", r"sclerose", r"gigt\w*", r"migræne\w*",
        r"opereret", r"indlagt", r"hospital\w*", r"psykisk\w*",
        r"psykiat\w*", r"psykolog\w*", r"cøliaki", r"gluten\w*", r"laktose\w*",
        r"intolerant", r"demens", r"udbrændt", r"kemo\w*",
        r"fysioterap\w*", r"genetisk\w*", r"arvelig\w*",
        r"blind", r"døv", r"hørehæmmet", r"svagtseende", r"misbrug\w*", r"alkoholiker",
        # English
        r"health (condition|issue|problem)s?", r"illness\w*", r"sick\w*", r"disease\w*", r"diagnos\w*",
        r"diabetic", r"allerg\w*", r"asthma\w*", r"pregnan\w*", r"disabled",
        r"disabilit\w*", r"wheelchair", r"medication\w*", r"surgery",
        r"therapy", r"hiv", r"dementia", r"celiac", r"coeliac", r"lactose", r"epilepsy",
        r"mental health", r"anxiety", r"autism", r"chemotherapy", r"genetic\w*",
        r"deaf", r"addiction",
    ],
    "religion": [
        r"religi\w*", r"troende", r"muslim\w*", r"islam\w*", r"jøde\w*", r"jødisk\w*",
        r"kristen", r"kristne", r"katolik\w*", r"katolsk\w*", r"protestant\w*",
        r"hindu\w*", r"buddhis\w*", r"ateist\w*", r"moské\w*", r"moske\w*",
        r"synagoge\w*", r"folkekirke\w*", r"frikirke\w*", r"jehova\w*", r"halal",
        r"kosher", r"ramadan", r"jewish", r"jew", r"catholic\w*", r"atheis\w*",
        r"mosque\w*", r"church member\w*", r"sikh\w*", r"scientolog\w*",
        r"mormon\w*", r"trosretning", r"trossamfund\w*",
    ],
    "ethnicity": [
        r"etnisk\w*", r"etnicitet\w*", r"race", r"racial\w*", r"ethnic\w*",
        r"hudfarve", r"herkomst", r"afstamning", r"indvandrer\w*", r"flygtning\w*",
        r"skin colou?r", r"immigrant\w*", r"refugee\w*", r"romani", r"sigøjner\w*",
        r"grønlænder\w*", r"inuit",
    ],
    "politics": [
        r"politisk\w*", r"political\w*", r"partimedlem\w*", r"medlem af partiet",
        r"socialdemokrat\w*", r"dansk folkeparti", r"enhedslisten", r"liberal alliance",
        r"radikale venstre", r"det konservative folkeparti", r"moderaterne",
        r"danmarksdemokrat\w*", r"nye borgerlige", r"socialistisk folkeparti",
        r"venstremand", r"vælger\w* på", r"stemmer på", r"votes? for",
        r"party member\w*", r"democrat\w*", r"republican\w*", r"labour party",
        r"conservative party", r"politician",
    ],
    "union": [
        r"3f", r"fagforening\w*", r"\w*fagforbund\w*", r"fagligt medlem\w*",
        r"tillidsrepræsentant\w*", r"tillidsmand", r"dansk metal", r"krifa",
        r"det faglige hus", r"djøf", r"dansk sygeplejeråd", r"lærerforening\w*",
        r"trade union\w*", r"union member\w*", r"labor union\w*", r"labour union\w*",
        r"shop steward", r"unionised", r"unionized",
    ],
    "sexuality": [
        r"homoseksuel\w*", r"heteroseksuel\w*", r"biseksuel\w*", r"lesbisk\w*",
        r"bøsse\w*", r"transkønnet\w*", r"seksuel\w*", r"seksualitet\w*", r"lgbt\w*",
        r"gay", r"lesbian\w*", r"bisexual\w*", r"homosexual\w*", r"transgender\w*",
        r"sexual\w*", r"sexuality", r"queer", r"sex life", r"sexliv",
    ],
}

# Upper-case acronyms that are ordinary words (or nothing) in lower case.
_ACRONYMS: dict[str, list[str]] = {
    "union": [r"HK", r"FOA", r"BUPL", r"LO", r"FTF", r"NNF", r"IDA"],
    "health": [r"AIDS", r"HIV", r"ADHD", r"OCD", r"PTSD", r"KOL"],
    "politics": [r"DF", r"SF", r"RV", r"KF", r"LA"],
}


def _leading_letters(text: str) -> str:
    """The letters `text` starts with (possibly none)."""
    m = re.match(r"[^\W\d_]*", text)
    assert m is not None  # `*` also matches the empty string, so the match never fails
    return m.group(0)


def _compile(words: list[str], flags: int) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", flags)


# The keyword tables are compiled into fast lookups: exact words and word prefixes are
# checked per word of the (lower-cased) text with dict look-ups; compound stems with a
# substring test; only phrases and other patterns go through one combined regex.
_LITERAL = re.compile(r"^[^\W\d_]+$|^\d+[^\W\d_]*$")
_EXACT: dict[str, str] = {}
_PREFIX: dict[int, dict[str, tuple[str, int]]] = {}  # length -> {prefix: (kind, min extra chars)}
_SUBSTRING: list[tuple[str, str]] = []
_RESIDUAL: list[str] = []
_RESIDUAL_KIND: dict[str, str] = {}
for _kind, _words in _KEYWORDS.items():
    for _w in _words:
        if _LITERAL.match(_w):
            _EXACT.setdefault(_w, _kind)
        elif _w.endswith((r"\w*", r"\w+")) and _LITERAL.match(_w[:-3]):
            _PREFIX.setdefault(len(_w) - 3, {})[_w[:-3]] = (_kind, 1 if _w.endswith("+") else 0)
        elif _w.startswith(r"\w*") and _w.endswith(r"\w*") and _LITERAL.match(_w[3:-3]):
            _SUBSTRING.append((_w[3:-3], _kind))
        else:
            _group = f"k{len(_RESIDUAL)}"
            _RESIDUAL.append(f"(?P<{_group}>{_w})")
            _RESIDUAL_KIND[_group] = _kind
_RESIDUAL_RE = re.compile(r"(?<!\w)(?:" + "|".join(_RESIDUAL) + r")(?!\w)") if _RESIDUAL else None
# a word of the text must start with one of these for the residual regex to be worth running
_RESIDUAL_STARTS: tuple[str, ...] = tuple(
    sorted({_leading_letters(w[w.index(">") + 1 :])[:4] for w in _RESIDUAL})
)
assert all(len(p) >= 3 for p in _RESIDUAL_STARTS), _RESIDUAL_STARTS
# Per word of a text: one dict look-up on its first 4 letters (every exact word of 4+
# letters and every prefix has at least 4) finds the few keywords it could be.
_HEAD = 4
_SHORT_EXACT: dict[str, str] = {w: k for w, k in _EXACT.items() if len(w) < _HEAD}
_BY_HEAD: dict[str, list[tuple[str, str, int, bool]]] = {}
for _w, _k in _EXACT.items():
    if len(_w) >= _HEAD:
        _BY_HEAD.setdefault(_w[:_HEAD], []).append((_w, _k, 0, True))
for _length, _table in _PREFIX.items():
    assert _length >= _HEAD, _length
    for _p, (_k, _extra) in _table.items():
        _BY_HEAD.setdefault(_p[:_HEAD], []).append((_p, _k, _extra, False))
_UPPER_PAIR = re.compile(r"[A-ZÆØÅ]{2}")
_WORD_RE = re.compile(r"\w+")

_ACRONYM_RES: list[tuple[str, re.Pattern[str]]] = [
    (kind, _compile(words, 0)) for kind, words in _ACRONYMS.items()
]
# A bare political-party acronym is only political near a word about membership/voting.
_POLITICS_CONTEXT = re.compile(r"(?<!\w)(medlem\w*|stemme\w*|vælger\w*|parti\w*|member|votes?)(?!\w)", re.I)


def _keyword_kinds(text: str) -> set[str]:
    low = text.lower()
    kinds: set[str] = set()
    residual = False
    for word in set(_WORD_RE.findall(low)):
        if len(word) < _HEAD:
            kind = _SHORT_EXACT.get(word)
            if kind:
                kinds.add(kind)
            if word.startswith(_RESIDUAL_STARTS):
                residual = True
            continue
        hits = _BY_HEAD.get(word[:_HEAD])
        if hits:
            for stem, kind, extra, exact in hits:
                if exact:
                    if word == stem:
                        kinds.add(kind)
                elif word.startswith(stem) and len(word) - len(stem) >= extra:
                    kinds.add(kind)
        if not residual and word.startswith(_RESIDUAL_STARTS):
            residual = True
    for stem, kind in _SUBSTRING:
        if stem in low:
            kinds.add(kind)
    if _RESIDUAL_RE is not None and residual:
        for m in _RESIDUAL_RE.finditer(low):
            kinds.add(_RESIDUAL_KIND[m.lastgroup or ""])
    return kinds


def scan_free_text(text: str) -> list[str]:
    """The kinds of special-category data found in a free-text value (sorted, may be empty)."""
    if not text:
        return []
    kinds = _keyword_kinds(text)
    for kind, rx in _ACRONYM_RES if _UPPER_PAIR.search(text) else ():
        if kind in kinds or not rx.search(text):
            continue
        if kind == "politics" and not _POLITICS_CONTEXT.search(text):
            continue
        kinds.add(kind)
    if _free_text_cpr(text):
        kinds.add("cpr")
    return sorted(kinds)


# --- headers ---------------------------------------------------------------------------

_HEADER_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("cpr", re.compile(
        r"^(cpr\w*|cpr[-.\s]?(nr|nummer)\.?|person\s?(nr|nummer)\.?|personnummer|"
        r"fødselsnummer|government id( number)?|social security( number)?|ssn|"
        r"national id( number)?|civil registration( number)?)$", re.I)),
    ("health", re.compile(
        r"^(helbred\w*|sygdom\w*|allergi\w*|allerg(y|ies)|diagnose\w*|medicin\w*|"
        r"health\w*|medical\w*|handicap\w*|disabilit\w*|diet(ary)?( needs| requirements)?|"
        r"kost(hensyn|behov)?)$", re.I)),
    ("religion", re.compile(r"^(religion|religiøs\w*|tro|trosretning|faith|religious\w*)$", re.I)),
    ("ethnicity", re.compile(r"^(etnicitet|etnisk\w*|race|ethnicity|ethnic\w*|herkomst)$", re.I)),
    ("politics", re.compile(r"^(parti|partitilhør\w*|politisk\w*|political\w*|party)$", re.I)),
    ("union", re.compile(r"^(fagforening\w*|fagforbund|union|trade union|union member\w*)$", re.I)),
    ("sexuality", re.compile(
        r"^(seksualitet|seksuel orientering|sexuality|sexual orientation)$", re.I)),
]


def header_kind(header: str) -> str | None:
    """The special category a column *header* names, or ``None``."""
    h = " ".join(header.replace("_", " ").split()).strip(" :*")
    for kind, rx in _HEADER_KINDS:
        if rx.match(h):
            return kind
    return None
