"""Ages as MANIFEST.csv columns and DICOM headers write them, in bands: which column holds ages (in English, German,
French, Spanish, Italian or Portuguese) and which band a value falls in ('045Y', '45 years', '6 Monate', '>89').
convert.group_values groups films by them. Pure functions.
"""

from __future__ import annotations

import re
import unicodedata

from train.manifest import NOT_GIVEN

AGE_BANDS = ((0, 18, "0-17"), (18, 40, "18-39"), (40, 60, "40-59"), (60, 80, "60-79"), (80, 200, "80+"))
NOT_AN_AGE = "(not an age)"  # a value given that reads as no age: its own group, never taken for a blank
_UNITS = {"h": 8766, "hr": 8766, "hour": 8766, "d": 365.25, "day": 365.25, "w": 52.18, "wk": 52.18, "week": 52.18,
          "m": 12, "mo": 12, "mth": 12, "month": 12, "m/o": 12, "y": 1, "yr": 1, "year": 1, "": 1,
          "yo": 1, "y/o": 1, "y.o": 1,  # '45yo', '45 y/o', '45 y.o.': how clinical notes write an age
          # German, French, Spanish, Italian, Portuguese ('45 Jahre', '6 Monate', '45 ans', '45 años', '10 jours'),
          # accents stripped; not 'j', which is Jahre in German but jours (days) in French
          "jahr": 1, "jahre": 1, "jahren": 1, "an": 1, "ano": 1, "anni": 1, "anno": 1,
          "monat": 12, "monate": 12, "monaten": 12, "mon": 12, "mois": 12, "mes": 12, "mese": 12, "mesi": 12,
          "woche": 52.18, "wochen": 52.18, "semaine": 52.18, "semana": 52.18, "settimana": 52.18, "settimane": 52.18,
          "tag": 365.25, "tage": 365.25, "tagen": 365.25, "jour": 365.25, "dia": 365.25, "giorno": 365.25,
          "giorni": 365.25}
_AGE = re.compile(r"(?:(?P<above>>=?|≥|(?:over|above)\s+)|(?P<below><=?|≤|(?:under|below)\s+))?\s*p?"
                  r"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>(?:[^\W\d_]|[/.])*?)(?P<s>s?)\.?\s*(?:old|alt)?\s*(?P<plus>\+)?",
                  re.IGNORECASE)


def _plain(text: str) -> str:
    """``text`` casefolded, its accents stripped: 'Âge' -> 'age', 'años' -> 'anos'."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch))


def _unit(m: re.Match) -> str | None:
    """The unit of an _AGE match as _UNITS spells it ('years' -> 'year', 'mois' -> 'mois'), or None."""
    unit = _plain(m.group("unit"))
    return unit if unit in _UNITS else unit + m.group("s") if unit + m.group("s") in _UNITS else None


_RANGE = re.compile(r"(\d{1,3})\s*(?:-|–|—|to)\s*(\d{1,3})\s*(?:y|yrs?|years?)?", re.IGNORECASE)


def age_band(value: str) -> str:
    """'045Y', '45', '6M' (DICOM AS, or a number of years), '45 years', '6 months', 'P45Y', '45yo', '45 y/o'
    -> a band; '>89', '>79', 'over 79' and '90+' (how de-identified exports write the oldest) -> '80+', the
    band that holds every such age; '<1', '<18', 'under 16' -> '0-17'; a range of years within one band ('40-49',
    '18-39', '60 to 69': a column already in bands) -> that band; a blank: MISSING; anything else (and '>17',
    '<40' or '30-49', which span bands): NOT_AN_AGE."""
    text = unicodedata.normalize("NFC", str(value)).strip()  # '45 años' written decomposed too
    if not text:
        return NOT_GIVEN
    if r := _RANGE.fullmatch(text):  # '18-39', '40–49', '60 to 69' (a column given in bands): the band that holds it
        lo, hi = int(r.group(1)), int(r.group(2))
        return next((name for start, end, name in AGE_BANDS if start <= lo <= hi < end), NOT_AN_AGE)
    m = _AGE.fullmatch(text)
    if not m or (unit := _unit(m)) is None:
        return NOT_AN_AGE
    years = float(m.group("n").replace(",", ".")) / _UNITS[unit]
    if (below := m.group("below")) is not None:  # '<1', '<18', 'under 16': in 0-17 when wholly below 18
        inclusive = below.startswith(("<=", "≤"))
        first = AGE_BANDS[0]
        return first[2] if (years < first[1] if inclusive else years <= first[1]) else NOT_AN_AGE
    above = m.group("above") or ""
    if above and not above.startswith((">=", "≥")) and years == int(years):
        years += 1  # '>79' and 'over 79' in whole years are 80 or more
    band = next(((lo, hi, name) for lo, hi, name in AGE_BANDS if lo <= years < hi), None)
    if band is None or ((above or m.group("plus")) and band[1] != AGE_BANDS[-1][1]):
        return NOT_AN_AGE  # over 200 years, or "over 17": somewhere in 18-39, 40-59, ...
    return band[2]


def column_key(column: str) -> str:
    """A column's name as it is compared: 'Patient Age', 'patient_age' and 'PatientAge' are one name (and 'Età'
    written decomposed, as a Mac may write it, is 'Età')."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFC", column).casefold())


# As written, accents kept: 'eta' is an English column too (estimated time of arrival), 'età' only Italian's age;
# 'age' is also French 'Âge' written without its accent.
_AGE_NAMES = ("age", "patientage", "âge", "alter", "patientenalter", "edad", "età", "idade")


def is_age_column(column: str) -> bool:
    """'age', 'Patient Age', 'patient_age', 'Age (years)', 'age_yrs', and in German, French, Spanish, Italian
    or Portuguese 'Alter', 'Patientenalter', 'Âge', 'Edad', 'Età', 'Idade', 'Alter (Jahre)', 'Alter in Jahren',
    'Edad en años', 'Idade em anos': read as ages in years (or as written)."""
    key = column_key(column)
    return re.sub(r"(?:in|en|em)?(?:years|yrs|jahren?|ans|años|anos|anni)$", "", key) in _AGE_NAMES
