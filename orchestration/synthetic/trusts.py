"""Which real trusts to generate, in what order, and how big and diverse each one is.

Calibration, not copies: a trust's size and staff-group mix come from its June 2018 FTE (NHS
Digital), grown to 2021; its ethnic mix is anchored on the Census 2021 population of its ICB.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from orchestration.settings import REFERENCE_DATA_DIR
from orchestration.synthetic.calibration import staff_group_fte
from orchestration.synthetic.codes import CENSUS_TO_NHS, KNOWN_ETHNIC_CODES, STAFF_GROUPS

ETR_CSV = REFERENCE_DATA_DIR / "nhs-ods" / "etr.csv"
SUCCESSORS_CSV = REFERENCE_DATA_DIR / "geography-lookups" / "lookup_trust_trust.csv"
LSOA_ICB_CSV = REFERENCE_DATA_DIR / "geography-lookups" / "lookup_lsoa21_icb24.csv"
CENSUS_ETHNICITY_CSV = REFERENCE_DATA_DIR / "ons-census2021" / "ethnicity21_ltla21.csv"
CALIBRATION_MONTH_END = "2018-06-30"

# Trust types are not in the ODS file. Ambulance trusts are recognisable by name; the others are
# listed here (everything not listed is a general acute trust).
SPECIALIST = {"RBV", "REN", "RPY", "RP6", "RP4", "RBS", "RCU", "RQ3", "REP", "RBQ", "RGM", "RET",
              "RAN", "RRJ", "RL1", "RPC"}
MENTAL_HEALTH = {"G6V2S", "R1L", "RAT", "RDY", "RGD", "RHA", "RJ8", "RKL", "RLY", "RMY", "RNK",
                 "RNU", "RP1", "RP7", "RPG", "RQY", "RRE", "RT1", "RT2", "RT5", "RTQ", "RV3", "RV5",
                 "RV9", "RVN", "RW1", "RW4", "RW5", "RWK", "RWR", "RWV", "RWX", "RX2", "RX3", "RX4",
                 "RXA", "RXE", "RXG", "RXM", "RXT", "RXV", "RXX", "RXY", "RYG"}
COMMUNITY = {"R1A", "R1D", "RDR", "RY2", "RY3", "RY4", "RY5", "RY6", "RY7", "RY8", "RYV", "RYW",
             "RYX", "RYY"}
# Share of each type in the generation order (so a handful of trusts already mixes types).
TYPE_ORDER_WEIGHTS = {"acute": 0.5, "mental_health": 0.2, "community": 0.1, "ambulance": 0.1,
                      "specialist": 0.1}

# HCHS staff groups (2018 file) → ESR staff groups, as shares of the group's FTE.
HCHS_TO_ESR = {
    "HCHS doctors": {"Medical and Dental": 1.0},
    "Nurses & health visitors": {"Nursing and Midwifery Registered": 1.0},
    "Midwives": {"Nursing and Midwifery Registered": 1.0},
    "Ambulance staff": {"Allied Health Professionals": 0.6, "Additional Clinical Services": 0.4},
    "Scientific, therapeutic & technical staff": {
        "Allied Health Professionals": 0.55, "Healthcare Scientists": 0.2,
        "Additional Professional Scientific and Technical": 0.25},
    "Support to doctors, nurses & midwives": {"Additional Clinical Services": 1.0},
    "Support to ambulance staff": {"Additional Clinical Services": 0.5,
                                   "Administrative and Clerical": 0.5},
    "Support to ST&T staff": {"Additional Clinical Services": 0.7,
                              "Additional Professional Scientific and Technical": 0.3},
    "Central functions": {"Administrative and Clerical": 1.0},
    "Managers": {"Administrative and Clerical": 1.0},
    "Senior managers": {"Administrative and Clerical": 1.0},
    "Hotel, property & estates": {"Estates and Ancillary": 1.0},
}
STUDENT_SHARE = 0.003  # students on the payroll (apprentices, student nurses), not in the 2018 file
HEADCOUNT_PER_FTE = 1.17  # NHS trusts: ~1.2 heads per FTE
GROWTH_2018_TO_2021 = 1.10  # FTE growth June 2018 → April 2021


@dataclass(frozen=True)
class TrustProfile:
    code: str
    name: str
    kind: str  # acute, specialist, mental_health, community, ambulance
    region: str
    icb: str
    number: int  # stable 3-digit number (100..) used as the employee-number prefix
    headcount: int  # substantive headcount on 1 April of the first year
    staff_group_shares: tuple[float, ...]  # in codes.STAFF_GROUPS order
    catchment_ethnicity: tuple[float, ...]  # residents' shares in codes.KNOWN_ETHNIC_CODES order
    international_factor: float  # trust's non-UK share of clinical FTE relative to the nation's
    calibrated: bool  # False when the trust had no 2018 figures and got its type's typical profile


def trust_kind(code: str, name: str) -> str:
    if "AMBULANCE" in name.upper():
        return "ambulance"
    for kind, codes in (("specialist", SPECIALIST), ("mental_health", MENTAL_HEALTH),
                        ("community", COMMUNITY)):
        if code in codes:
            return kind
    return "acute"


@cache
def open_english_trusts() -> pd.DataFrame:
    """Open trusts with an English ICB (Welsh trusts in the ODS file have none)."""
    etr = pd.read_csv(ETR_CSV, header=None, dtype=str, keep_default_na=False)
    etr = etr[(etr[11] == "") & (etr[3] != "")]
    trusts = pd.DataFrame({"code": etr[0], "name": etr[1], "region": etr[2], "icb": etr[3]})
    trusts["kind"] = [trust_kind(c, n) for c, n in zip(trusts.code, trusts.name)]
    trusts = trusts.sort_values("code").reset_index(drop=True)
    trusts["number"] = 100 + trusts.index
    return trusts


def _esr_fte_by_trust() -> pd.DataFrame:
    """2018 FTE per trust code in ESR staff groups (rows: 2018 codes, columns: STAFF_GROUPS)."""
    fte = staff_group_fte()
    rows = []
    for hchs, split in HCHS_TO_ESR.items():
        part = fte[fte.staff_group == hchs]
        for esr_group, share in split.items():
            rows.append(pd.DataFrame({"org_code": part.org_code, "group": esr_group,
                                      "fte": part.fte * share}))
    long = pd.concat(rows)
    return long.pivot_table(index="org_code", columns="group", values="fte", aggfunc="sum",
                            fill_value=0.0).reindex(columns=list(STAFF_GROUPS), fill_value=0.0)


def _predecessor_shares(open_codes: set[str]) -> dict[str, dict[str, float]]:
    """For each open trust, closed trusts merged into it after the 2018 snapshot, with the share
    of each predecessor it inherited (a trust split between two successors counts half in each)."""
    links = pd.read_csv(SUCCESSORS_CSV, dtype=str)
    links = links[links.date > CALIBRATION_MONTH_END]
    successors = links.groupby("old_code").new_code.apply(list).to_dict()
    shares: dict[str, dict[str, float]] = {}
    for old, news in successors.items():
        if old in open_codes:
            continue
        for new in news:
            shares.setdefault(new, {})[old] = 1.0 / len(news)
    return shares


@cache
def _icb_catchment_ethnicity() -> dict[str, np.ndarray]:
    """Census 2021 residents by NHS code A..S for each ICB, from its LSOAs' local authorities."""
    lsoa = pd.read_csv(LSOA_ICB_CSV, usecols=["lsoa21_name", "icb24_code_nhs"], dtype=str)
    lsoa["la"] = lsoa.lsoa21_name.str.replace(r" \d{3}[A-Z]$", "", regex=True)
    census = pd.read_csv(CENSUS_ETHNICITY_CSV)
    census = census[census.ethnic_group.str.endswith(" (number)")]
    census = census.assign(
        la=census.ltla21_name.str.split(",").str[0],  # "Bristol, City of" → "Bristol"
        code=census.ethnic_group.str.replace(" (number)", "", regex=False).str.strip().map(CENSUS_TO_NHS),
    )
    by_la = census.pivot_table(index="la", columns="code", values="value", aggfunc="sum")
    by_la = by_la.reindex(columns=list(KNOWN_ETHNIC_CODES), fill_value=0.0)
    # An LA split across ICBs contributes in proportion to its LSOAs in each.
    counts = lsoa.groupby(["icb24_code_nhs", "la"]).size().rename("n").reset_index()
    counts["weight"] = counts.n / counts.groupby("la").n.transform("sum")
    counts = counts[counts.la.isin(by_la.index)]
    mixes = {}
    for icb, part in counts.groupby("icb24_code_nhs"):
        residents = (by_la.loc[part.la].to_numpy() * part.weight.to_numpy()[:, None]).sum(axis=0)
        mixes[icb] = residents / residents.sum()
    return mixes


@cache
def trust_profiles() -> tuple[TrustProfile, ...]:
    """Every open English trust, calibrated, in generation order."""
    trusts = open_english_trusts()
    esr_fte = _esr_fte_by_trust()
    clinical_non_uk = _clinical_non_uk_share()
    national_non_uk = float(np.nanmean(list(clinical_non_uk.values())))
    predecessors = _predecessor_shares(set(trusts.code))
    catchments = _icb_catchment_ethnicity()

    fte_rows, calibrated = {}, {}
    for code in trusts.code:
        fte = esr_fte.loc[code].to_numpy() if code in esr_fte.index else np.zeros(len(STAFF_GROUPS))
        for old, share in predecessors.get(code, {}).items():
            if old in esr_fte.index:
                fte = fte + share * esr_fte.loc[old].to_numpy()
        calibrated[code] = fte.sum() > 0
        fte_rows[code] = fte
    typical = _typical_fte_by_kind(trusts, fte_rows, calibrated)

    profiles = []
    for row in trusts.itertuples():
        fte = fte_rows[row.code] if calibrated[row.code] else typical[row.kind]
        shares = _with_students(fte / fte.sum(), row.kind)
        non_uk = clinical_non_uk.get(row.code, national_non_uk)
        profiles.append(TrustProfile(
            code=row.code, name=row.name, kind=row.kind, region=row.region, icb=row.icb,
            number=int(row.number),
            headcount=int(round(fte.sum() * HEADCOUNT_PER_FTE * GROWTH_2018_TO_2021)),
            staff_group_shares=tuple(float(s) for s in shares),
            catchment_ethnicity=tuple(float(s) for s in catchments[row.icb]),
            international_factor=float(np.clip(non_uk / national_non_uk, 0.5, 2.0)),
            calibrated=bool(calibrated[row.code]),
        ))
    return tuple(_generation_order(profiles))


def _clinical_non_uk_share() -> dict[str, float]:
    """Non-UK share of doctors' and nurses' FTE (known nationality) per 2018 trust code."""
    fte = staff_group_fte()
    clinical = fte[fte.staff_group.isin(["HCHS doctors", "Nurses & health visitors", "Midwives"])]
    sums = clinical.groupby("org_code")[["fte_known", "fte_non_uk"]].sum()
    sums = sums[sums.fte_known > 50]
    return (sums.fte_non_uk / sums.fte_known).to_dict()


def _typical_fte_by_kind(trusts, fte_rows, calibrated) -> dict[str, np.ndarray]:
    """Median-sized staff-group FTE of each trust type, for trusts without 2018 figures."""
    typical = {}
    for kind, part in trusts.groupby("kind"):
        sized = [fte_rows[c] for c in part.code if calibrated[c]]
        totals = np.array([f.sum() for f in sized])
        mix = np.mean([f / f.sum() for f in sized], axis=0)
        typical[kind] = mix * float(np.median(totals))
    return typical


def _with_students(shares: np.ndarray, kind: str) -> np.ndarray:
    if kind == "ambulance":
        return shares
    students = STAFF_GROUPS.index("Students")
    shares = shares * (1 - STUDENT_SHARE)
    shares[students] += STUDENT_SHARE
    return shares


def _stable_key(code: str) -> str:
    return hashlib.sha256(f"nhs-edi-trust-order:{code}".encode()).hexdigest()


def _generation_order(profiles: list[TrustProfile]) -> list[TrustProfile]:
    """A mid-size general acute trust first, then types interleaved by TYPE_ORDER_WEIGHTS.

    The order depends only on the reference data (never on the seed), so trust k is the same
    trust whatever N is asked for.
    """
    by_kind = {k: sorted((p for p in profiles if p.kind == k), key=lambda p: _stable_key(p.code))
               for k in TYPE_ORDER_WEIGHTS}
    acute = by_kind["acute"]
    median = float(np.median([p.headcount for p in acute if p.calibrated]))
    first = min((p for p in acute if p.calibrated), key=lambda p: (abs(p.headcount - median), p.code))
    acute.remove(first)
    acute.insert(0, first)
    order, taken = [first], {k: 0 for k in TYPE_ORDER_WEIGHTS}
    taken["acute"] = 1
    while len(order) < len(profiles):
        step = len(order) + 1
        open_kinds = [k for k in TYPE_ORDER_WEIGHTS if taken[k] < len(by_kind[k])]
        kind = max(open_kinds, key=lambda k: TYPE_ORDER_WEIGHTS[k] * step - taken[k])
        order.append(by_kind[kind][taken[kind]])
        taken[kind] += 1
    return order


def select_trusts(count: int) -> list[TrustProfile]:
    """The first `count` trusts of the generation order."""
    profiles = trust_profiles()
    if not 1 <= count <= len(profiles):
        raise ValueError(f"trusts must be between 1 and {len(profiles)} (open English trusts)")
    return list(profiles[:count])
