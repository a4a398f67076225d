"""Ethnic origin: who is in each trust's workforce, and how ESR displays it.

The workforce mix starts from the catchment's Census 2021 mix and is tilted per staff group,
because the NHS workforce is more diverse than the population it serves (doctors and nurses
markedly so, through international recruitment), while boards are less diverse.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from orchestration.synthetic.codes import (
    ETHNIC_FAMILY, ETHNIC_SUBCODES, KNOWN_ETHNIC_CODES, STAFF_GROUPS, SUBCODE_SHARE,
    SUBCODE_WEIGHTS, WHITE_CODES, ethnicity_labels,
)
from orchestration.synthetic.trusts import TrustProfile

FAMILIES = ("white_british", "white_other", "mixed", "asian", "black", "other")
# Representation of each family in a staff group relative to the catchment population.
STAFF_GROUP_UPLIFT = {
    "Additional Clinical Services": (1, 1.3, 0.9, 1.0, 1.6, 1.4),
    "Additional Professional Scientific and Technical": (1, 1.2, 0.9, 2.2, 1.4, 1.6),
    "Administrative and Clerical": (1, 0.7, 0.8, 0.8, 0.8, 0.7),
    "Allied Health Professionals": (1, 1.3, 0.9, 1.1, 0.9, 1.1),
    "Estates and Ancillary": (1, 1.8, 0.9, 0.7, 1.6, 1.4),
    "Healthcare Scientists": (1, 1.4, 0.9, 1.8, 1.2, 1.4),
    "Medical and Dental": (1, 1.8, 1.2, 4.5, 2.2, 3.6),
    "Nursing and Midwifery Registered": (1, 1.8, 0.9, 2.0, 2.7, 2.7),
    "Students": (1, 1.1, 1.1, 1.1, 1.1, 1.1),
}
# Recent joiners are more diverse than the stock (international recruitment), which is what
# moves the BME share up year on year (24 % → 29 % nationally, 2022 → 2024).
JOINER_UPLIFT = {"Medical and Dental": 3.0, "Nursing and Midwifery Registered": 3.0}
JOINER_UPLIFT_OTHER = 1.8
AMBULANCE_UPLIFT = 0.5  # ambulance workforces are much less diverse than their catchments
BOARD_UPLIFT = 0.75  # board and VSM: BME 16.5 % / 12.7 % against ~26 % of staff (2024)
INTERNATIONAL_GROUPS = {"Medical and Dental", "Nursing and Midwifery Registered"}

# Share of staff whose ethnicity is unknown, and how it is recorded (Z, 99 or blank).
UNKNOWN_SHARE = {"Medical and Dental": 0.07}
UNKNOWN_SHARE_OTHER = 0.04
UNKNOWN_FORMS = (("Z", 0.6), ("99", 0.2), ("", 0.2))
# How often each display form appears: "code label", code only, label only.
DISPLAY_FORMS = (0.45, 0.35, 0.20)

_FAMILY_INDEX = np.array([FAMILIES.index(ETHNIC_FAMILY[c]) for c in KNOWN_ETHNIC_CODES])


def workforce_mix(trust: TrustProfile, group: str, joiner: bool = False, board: bool = False) -> np.ndarray:
    """Probabilities over the national codes A..S for a staff group of a trust."""
    catchment = np.asarray(trust.catchment_ethnicity)
    tilt = np.asarray(STAFF_GROUP_UPLIFT[group], dtype=float)[_FAMILY_INDEX]
    minority = np.array([c != "A" for c in KNOWN_ETHNIC_CODES])
    if group in INTERNATIONAL_GROUPS:
        tilt = np.where(minority, tilt * np.sqrt(trust.international_factor), tilt)
    if joiner:
        tilt = np.where(minority, tilt * JOINER_UPLIFT.get(group, JOINER_UPLIFT_OTHER), tilt)
    if trust.kind == "ambulance":
        tilt = np.where(minority, tilt * AMBULANCE_UPLIFT, tilt)
    if board:
        bme = np.array([c not in WHITE_CODES for c in KNOWN_ETHNIC_CODES])
        tilt = np.where(bme, BOARD_UPLIFT, 1.0)
    weights = catchment * tilt
    return weights / weights.sum()


def draw_national_codes(rng: np.random.Generator, trust: TrustProfile, groups: np.ndarray,
                        joiner: np.ndarray) -> np.ndarray:
    """A national code (A..S, Z, 99 or "" for blank) for each person, by staff group and joiner flag."""
    codes = np.empty(len(groups), dtype=object)
    for g, group in enumerate(STAFF_GROUPS):
        for is_joiner in (False, True):
            who = np.flatnonzero((groups == g) & (joiner == is_joiner))
            if who.size:
                mix = workforce_mix(trust, group, joiner=is_joiner)
                codes[who] = np.array(KNOWN_ETHNIC_CODES, dtype=object)[rng.choice(len(mix), who.size, p=mix)]
            unknown = who[rng.random(who.size) < UNKNOWN_SHARE.get(group, UNKNOWN_SHARE_OTHER)]
            codes[unknown] = draw_unknown(rng, unknown.size)
    return codes


def draw_unknown(rng: np.random.Generator, n: int) -> np.ndarray:
    forms = np.array([f for f, _ in UNKNOWN_FORMS], dtype=object)
    return forms[rng.choice(len(forms), n, p=[w for _, w in UNKNOWN_FORMS])]


def draw_board_codes(rng: np.random.Generator, trust: TrustProfile, n: int) -> np.ndarray:
    mix = workforce_mix(trust, "Administrative and Clerical", board=True)
    return np.array(KNOWN_ETHNIC_CODES, dtype=object)[rng.choice(len(mix), n, p=mix)]


@cache
def _subcode_choices(family: str) -> tuple[np.ndarray, np.ndarray]:
    codes = list(ETHNIC_SUBCODES[family])
    weights = np.array([SUBCODE_WEIGHTS.get(c, 3) for c in codes], dtype=float)
    return np.array(codes, dtype=object), weights / weights.sum()


def local_codes(rng: np.random.Generator, national: np.ndarray) -> np.ndarray:
    """Replace some national codes by an ESR local sub-code of the same family."""
    local = national.copy()
    for family, share in SUBCODE_SHARE.items():
        who = np.flatnonzero(national == family)
        who = who[rng.random(who.size) < share]
        codes, weights = _subcode_choices(family)
        local[who] = codes[rng.choice(len(codes), who.size, p=weights)]
    return local


_labels = cache(ethnicity_labels)


def display(rng: np.random.Generator, codes: np.ndarray) -> np.ndarray:
    """Show each code as ESR reports do: code, label, or "code label" (blank stays blank)."""
    labels = _labels()
    label = np.array([labels.get(c, "") for c in codes], dtype=object)
    both = np.array([f"{c} {labels[c]}" if c else "" for c in codes], dtype=object)
    form = rng.choice(3, len(codes), p=DISPLAY_FORMS)
    return np.where(form == 0, both, np.where(form == 1, codes, label))


def is_bme(codes: np.ndarray) -> np.ndarray:
    """WRES BME (national codes D..S)."""
    bme = [c for c in KNOWN_ETHNIC_CODES if c not in WHITE_CODES]
    return np.isin(codes, bme)
