"""Code lists the trust systems use, shared by the generators (and mirrored in the contracts).

Where source-systems.md marks a list as unverified, the values here are plausible inventions;
they are kept in this one module so they can be changed in one place.
"""

from __future__ import annotations

# --- Ethnicity: NHS Data Dictionary ETHNIC CATEGORY (2001 codes) --------------------------------

NATIONAL_ETHNICITY = {
    "A": "White - British",
    "B": "White - Irish",
    "C": "White - Any other White background",
    "D": "Mixed - White and Black Caribbean",
    "E": "Mixed - White and Black African",
    "F": "Mixed - White and Asian",
    "G": "Mixed - Any other mixed background",
    "H": "Asian or Asian British - Indian",
    "J": "Asian or Asian British - Pakistani",
    "K": "Asian or Asian British - Bangladeshi",
    "L": "Asian or Asian British - Any other Asian background",
    "M": "Black or Black British - Caribbean",
    "N": "Black or Black British - African",
    "P": "Black or Black British - Any other Black background",
    "R": "Other Ethnic Groups - Chinese",
    "S": "Other Ethnic Groups - Any other ethnic group",
}
ETHNICITY_UNKNOWN = {"Z": "Not stated", "99": "Not known"}
KNOWN_ETHNIC_CODES = tuple(NATIONAL_ETHNICITY)  # A..S in a fixed order
WHITE_CODES = ("A", "B", "C")

# Local second-level codes as ESR carries them (first character = the national code).
ETHNIC_SUBCODES = {
    "C": {
        "C2": "White - Northern Irish", "C3": "White - Other White / White unspecified",
        "CA": "White - English", "CB": "White - Scottish", "CC": "White - Welsh",
        "CD": "White - Cornish", "CE": "White - Cypriot (part not stated)", "CF": "White - Greek",
        "CG": "White - Greek Cypriot", "CH": "White - Turkish", "CJ": "White - Turkish Cypriot",
        "CK": "White - Italian", "CL": "White - Irish Traveller", "CM": "White - Traveller",
        "CN": "White - Gypsy/Romany", "CP": "White - Polish", "CQ": "White - ex-USSR",
        "CR": "White - Kosovan", "CS": "White - Albanian", "CT": "White - Bosnian",
        "CU": "White - Croatian", "CV": "White - Serbian", "CW": "White - Other ex-Yugoslav",
        "CX": "White - Mixed White", "CY": "White - Other European",
    },
    "G": {
        "GA": "Mixed - Black and Asian", "GB": "Mixed - Black and Chinese",
        "GC": "Mixed - Black and White", "GD": "Mixed - Chinese and White",
        "GE": "Mixed - Asian and Chinese", "GF": "Mixed - Other / Unspecified",
    },
    "L": {
        "LA": "Asian - Mixed Asian", "LB": "Asian - Punjabi", "LC": "Asian - Kashmiri",
        "LD": "Asian - East African Asian", "LE": "Asian - Sri Lanka", "LF": "Asian - Tamil",
        "LG": "Asian - Sinhalese", "LH": "Asian - British Asian", "LJ": "Asian - Caribbean Asian",
        "LK": "Asian - Other / Unspecified",
    },
    "P": {
        "PA": "Black - Somali", "PB": "Black - Mixed Black", "PC": "Black - Nigerian",
        "PD": "Black - British", "PE": "Black - Other / Unspecified",
    },
    "S": {
        "SA": "Other - Vietnamese", "SB": "Other - Japanese", "SC": "Other - Filipino",
        "SD": "Other - Malaysian", "SE": "Other - Any other group",
    },
}
# How often a person in each family is recorded with a sub-code rather than the plain letter, and
# the relative weight of each sub-code (the common ones in NHS workforces weigh more).
SUBCODE_SHARE = {"C": 0.55, "G": 0.4, "L": 0.5, "P": 0.4, "S": 0.6}
SUBCODE_WEIGHTS = {
    "CP": 20, "CY": 25, "C3": 15, "CK": 6, "CF": 5, "CE": 3, "CG": 2, "CH": 2, "CA": 2, "CB": 1,
    "CC": 1, "C2": 2, "CQ": 3, "CS": 1, "CU": 1, "CV": 1, "CT": 1, "CR": 1, "CW": 1, "CX": 2,
    "CD": 1, "CJ": 1, "CL": 1, "CM": 1, "CN": 1,
    "SC": 40, "SA": 8, "SB": 4, "SD": 10, "SE": 38,
}


def ethnicity_labels() -> dict[str, str]:
    """Every ESR ethnic-origin code (national, unknown and local) with its label."""
    labels = {**NATIONAL_ETHNICITY, **ETHNICITY_UNKNOWN}
    for family in ETHNIC_SUBCODES.values():
        labels.update(family)
    return labels


def ethnicity_display_values() -> list[str]:
    """All three ESR display forms of every code: code, label, and "code label"."""
    labels = ethnicity_labels()
    return list(labels) + list(labels.values()) + [f"{c} {t}" for c, t in labels.items()]


# Census 2021 (19 groups, as labelled in ethnicity21_ltla21.csv) → NHS 2001 national code.
CENSUS_TO_NHS = {
    "White: English, Welsh, Scottish, Northern Irish or British": "A",
    "White: Irish": "B",
    "White: Gypsy or Irish Traveller": "C",
    "White: Roma": "C",
    "White: Other White": "C",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "D",
    "Mixed or Multiple ethnic groups: White and Black African": "E",
    "Mixed or Multiple ethnic groups: White and Asian": "F",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "G",
    "Asian, Asian British or Asian Welsh: Indian": "H",
    "Asian, Asian British or Asian Welsh: Pakistani": "J",
    "Asian, Asian British or Asian Welsh: Bangladeshi": "K",
    "Asian, Asian British or Asian Welsh: Other Asian": "L",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": "M",
    "Black, Black British, Black Welsh, Caribbean or African: African": "N",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "P",
    "Asian, Asian British or Asian Welsh: Chinese": "R",
    "Other ethnic group: Arab": "S",
    "Other ethnic group: Any other ethnic group": "S",
}

# Broad families used for workforce uplifts and survey breakdowns.
ETHNIC_FAMILY = {
    "A": "white_british", "B": "white_other", "C": "white_other",
    "D": "mixed", "E": "mixed", "F": "mixed", "G": "mixed",
    "H": "asian", "J": "asian", "K": "asian", "L": "asian", "R": "asian",
    "M": "black", "N": "black", "P": "black",
    "S": "other",
}

# --- Other ESR equality fields ------------------------------------------------------------------

DISABILITY_VALUES = ("Yes", "No", "Not Declared", "Prefer Not To Answer")
SEX_VALUES = ("Female", "Male")
RELIGION_VALUES = (
    "Atheism", "Buddhism", "Christianity", "Hinduism", "Islam", "Jainism", "Judaism", "Sikhism",
    "Other", "I do not wish to disclose my religion/belief", "Unspecified",
)
SEXUAL_ORIENTATION_VALUES = (
    "Heterosexual or Straight", "Gay or Lesbian", "Bisexual", "Other", "Not sure", "Not stated",
    "Not known", "I do not wish to disclose my sexual orientation",
)

# --- Staff groups, pay scales, occupation codes -------------------------------------------------

STAFF_GROUPS = (
    "Additional Clinical Services",
    "Additional Professional Scientific and Technical",
    "Administrative and Clerical",
    "Allied Health Professionals",
    "Estates and Ancillary",
    "Healthcare Scientists",
    "Medical and Dental",
    "Nursing and Midwifery Registered",
    "Students",
)
TRUNCATED_STAFF_GROUP = {
    "Additional Professional Scientific and Technical": "Add Prof Scientific and Technic",
}
MEDICAL = STAFF_GROUPS.index("Medical and Dental")
NURSING = STAFF_GROUPS.index("Nursing and Midwifery Registered")
ADMIN = STAFF_GROUPS.index("Administrative and Clerical")

# Agenda for Change: index 0..11 = band 1..7, 8a, 8b, 8c, 8d, 9.
AFC_BANDS = ("1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9")
AFC_PAYSCALES = ("XN01", "XN02", "XN03", "XN04", "XN05", "XN06", "XN07",
                 "XN08A", "XN08B", "XN08C", "XN08D", "XN09")
# Medical grades (payscale codes are illustrative: the real ESR codes were not confirmed).
MEDICAL_GRADES = {
    "MC01": "Consultant",
    "MS01": "Specialist",
    "MS02": "Associate Specialist",
    "MS03": "Specialty Doctor",
    "MF01": "Foundation Year 1",
    "MF02": "Foundation Year 2",
    "MT01": "Core Trainee",
    "MT02": "Specialty Registrar",
    "MG01": "Trust Grade Doctor",
}
MEDICAL_PAYSCALES = tuple(MEDICAL_GRADES)
TRAINEE_PAYSCALES = ("MF01", "MF02", "MT01", "MT02")
VSM_PAYSCALE = "VSM"
NED_PAYSCALE = "NED"
PAYSCALES = AFC_PAYSCALES + MEDICAL_PAYSCALES + (VSM_PAYSCALE, NED_PAYSCALE)

# Occupation codes by staff group. Families follow source-systems.md (medical 0/1/2/8/9, nursing
# N0x/N1x/N3H/N6x/N7x, support H1A/N9A/NFA, nursing associates NGx); the rest are illustrative.
MEDICAL_OCCUPATIONS = {
    "MC01": ("010", "011", "012", "013", "014", "015"),
    "MS01": ("110", "111"), "MS02": ("112", "113"), "MS03": ("114", "115", "116"),
    "MF01": ("280",), "MF02": ("281",),
    "MT01": ("210", "211", "212"), "MT02": ("213", "214", "215", "216"),
    "MG01": ("810", "910"),
}
OCCUPATIONS = {
    "Additional Clinical Services": ("H1A", "N9A", "NFA", "NGA", "NGB", "NGC", "NGD", "NGE",
                                     "NGF", "NGG", "NGH", "H2A", "H3A"),
    "Additional Professional Scientific and Technical": ("S2A", "S2B", "S2C", "S2D"),
    "Administrative and Clerical": ("G0A", "G0B", "G0C", "G0D", "G1A", "G2A"),
    "Allied Health Professionals": ("S0A", "S0B", "S0C", "S0D", "S0E", "S0F", "S0G", "S0H", "S9A"),
    "Estates and Ancillary": ("H5A", "H5B", "H5C"),
    "Healthcare Scientists": ("S1A", "S1B", "S1C", "S1D"),
    "Nursing and Midwifery Registered": ("N0A", "N0B", "N0C", "N0D", "N0E", "N0F", "N0G", "N0H",
                                         "N0J", "N0K", "N0L", "N1A", "N1B", "N1C", "N3H", "N6A",
                                         "N6B", "N7A", "N7B"),
    "Students": ("T0A", "T0B"),
}
BOARD_OCCUPATION = "G2A"


def occupation_codes() -> list[str]:
    codes = [c for group in OCCUPATIONS.values() for c in group]
    codes += [c for grade in MEDICAL_OCCUPATIONS.values() for c in grade]
    return sorted(set(codes))


ASSIGNMENT_CATEGORIES = ("Permanent", "Fixed Term Temp", "Bank", "Honorary")
ASSIGNMENT_STATUSES = ("Active Assignment", "Internal Secondment", "Acting Up")
BOARD_MEMBERSHIP = ("Voting Executive", "Voting Non-Executive", "Non-Voting")
LEAVING_REASONS = (
    "Voluntary Resignation - Relocation",
    "Voluntary Resignation - Work Life Balance",
    "Voluntary Resignation - Promotion",
    "Voluntary Resignation - Better Reward Package",
    "Voluntary Resignation - Other/Not Known",
    "Retirement Age",
    "Flexi Retirement",
    "Ill Health Retirement",
    "End of Fixed Term Contract",
    "End of Fixed Term Contract - Completion of Training Scheme",
    "Dismissal - Conduct",
    "Dismissal - Capability",
    "Mutually Agreed Resignation - Local Scheme",
    "Redundancy - Compulsory",
    "Employee Transfer",
    "Death in Service",
)
