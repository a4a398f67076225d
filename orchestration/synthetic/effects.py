"""Every disparity the generator plants, in one place, so that tests can check it is recovered.

The generators read their rates from here; PLANTED_EFFECTS is the public summary (name → value).
Relative likelihoods (RL) follow metrics-spec.md §2: numerator group first, e.g.
`disciplinary_rl_bme_vs_white` = (BME rate) ÷ (White rate). Staff with unknown ethnicity or
disability get the reference group's rate.
"""

from __future__ import annotations

# --- Recruitment (WRES 2, WDES 2): appointed from shortlisting -----------------------------------
APPOINTED_FROM_SHORTLIST_WHITE = 0.30  # probability a shortlisted White, non-disabled applicant starts
APPOINTMENT_RL_WHITE_VS_BME = 1.6
APPOINTMENT_RL_NONDISABLED_VS_DISABLED = 1.15
SHORTLIST_RATE = 0.30
SHORTLIST_FACTOR_BME = 0.85  # BME applicants are also shortlisted less often
SHORTLIST_FACTOR_DISABLED = 1.2  # guaranteed-interview schemes shortlist disabled applicants more

# --- Employee relations (WRES 3, WDES 3): entries into the formal stage, per 1,000 staff a year --
DISCIPLINARY_PER_1000_WHITE = 7.0
DISCIPLINARY_RL_BME_VS_WHITE = 1.5
CAPABILITY_PERFORMANCE_PER_1000_NONDISABLED = 2.5
CAPABILITY_PERFORMANCE_RL_DISABLED = 2.0
CAPABILITY_ILL_HEALTH_PER_1000_NONDISABLED = 3.0
CAPABILITY_ILL_HEALTH_RL_DISABLED = 3.0

# --- Training (WRES 4): staff accessing non-mandatory training / CPD in a year ---------------------
NONMANDATORY_TRAINING_WHITE = 0.40
NONMANDATORY_TRAINING_RL_WHITE_VS_BME = 1.15

# --- Incidents (HIA6): violence, aggression and abuse against staff, per 1,000 staff a year -------
PUBLIC_ABUSE_PER_1000_WHITE = {"acute": 30.0, "specialist": 15.0, "mental_health": 70.0,
                               "community": 12.0, "ambulance": 55.0}
PUBLIC_ABUSE_RL_BME_VS_WHITE = 1.3
STAFF_ABUSE_PER_1000 = 5.0
DISCRIMINATORY_SHARE = {"bme": 0.18, "white": 0.04}  # of patient/public incidents, by victim

# --- Disability declaration ----------------------------------------------------------------------
DISABLED_SHARE = 0.22  # staff who are disabled (what the Staff Survey sees)
ESR_DECLARES_YES_STOCK = 0.13  # share of disabled staff whose ESR record says "Yes" in 2021
ESR_DECLARES_YES_JOINER = 0.18
ESR_UPDATE_TO_YES_PER_YEAR = 0.03  # disabled staff who update ESR to "Yes" each year
SURVEY_DISABLED_SHARE = {2021: 0.21, 2022: 0.22, 2023: 0.23, 2024: 0.24}

# --- Workforce shape -----------------------------------------------------------------------------
SENIOR_BAND_BME_FACTOR = 0.55  # relative odds of a BME person being in band 8a+ (0.8 for band 7)
CONSULTANT_MALE_BONUS_RL = 1.35  # male consultants receive clinical excellence awards more often

# --- Pay (HIA3): an intersectional gap ------------------------------------------------------------
# The sex and ethnicity pay gaps come from grade mix (who holds which post). Beyond them, women from
# ethnic minority (WRES BME) groups are paid this much less per hour than their post, hours and shift
# pattern give (a lower point in the pay range): an extra gap for BME women that neither main effect
# explains. Recovered as 1 - (F&BME / F&White) / (M&BME / M&White) on mean hourly pay within a cluster.
BME_FEMALE_EXTRA_PAY_GAP = 0.05

# --- Staff Survey: % positive for White / non-disabled staff, and the gaps planted --------------
# concept: (base %, BME minus White pp, disabled minus non-disabled pp)
SURVEY_RATES = {
    "violence_public": (14.0, 1.0, 5.0),
    "harassment_public": (25.0, 1.0, 8.0),
    "harassment_managers": (10.0, 2.0, 7.0),
    "harassment_colleagues": (17.0, 3.0, 9.0),
    "harassment_staff": (22.0, 5.0, 11.0),
    "reported_harassment": (48.0, 0.0, -2.0),
    "equal_opportunities": (59.0, -13.0, -8.0),
    "discrimination_patients": (5.0, 10.0, 4.0),
    "discrimination_staff": (6.0, 10.0, 6.0),
    "pressure_unwell": (19.0, 1.0, 10.0),
    "values_work": (45.0, 0.0, -10.0),
    "adjustments": (73.0, 0.0, 0.0),
}
SURVEY_ENGAGEMENT = (7.0, 0.1, -0.5)  # 0-10 score: base, BME gap, disabled gap
SURVEY_AMBULANCE_PUBLIC_FACTOR = 2.2  # ambulance staff: violence from the public ≈ 31 %


# --- Differential attainment (issue #13): doctors in training, TIS and NETS -----------------------
# Sources. [GMC-2016] GMC progression data 2014-15 as reported in BMJ 2016;354:i4100
# (https://www.bmj.com/content/354/bmj.i4100): specialty exam pass rates UK white 75 %, UK BME 63 %,
# EEA graduates 50 %, IMGs 46 %. [Woolf-2016] Woolf et al. 2016 as summarised by the RCOG
# (https://elearning.rcog.org.uk/differential-attainment/what-differential-attainment-and-why-do-we-need-address):
# UK white 75.8 %, UK BME 63.2 %, IMG 41.4 %; males and BME/IMG trainees do less well at ARCP.
# [BJGP-2022] bjgp.org/content/72/725/560: unsatisfactory ARCP outcomes more likely for IMGs
# (2018/19). [RCS-2021] RCS Bulletin 103(S1), 10.1308/rcsbull.TB2021.14: 10.7 % of UK doctors in
# training worked less than full time in 2017 (the generator's ~10 % LTFT comes from ESR's WTE).
# [NV] marks a figure not verified against a published table; each is a named constant here.
#
# ARCP: a review with outcome 5 (incomplete evidence), 8 (out of programme) or 10.x (COVID) judges
# no competence and is left out, as the GMC's progression reports do; of the rest (1, 2, 3, 4, 6)
# a non-standard outcome is 2, 3 or 4. Relative likelihoods are against UK-graduate White trainees
# (unknown ethnicity takes that reference rate).
ARCP_NON_STANDARD_OUTCOMES = ("2", "3", "4")
ARCP_EXCLUDED_OUTCOMES = ("5", "8", "10.1", "10.2")
ARCP_NON_STANDARD_UK_WHITE = 0.06  # [NV] share of competence outcomes that are 2, 3 or 4
ARCP_NON_STANDARD_RL = {  # by attainment group: PMQ region, and ethnicity for UK graduates
    "uk_white": 1.0,
    "uk_bme": 1.4,  # [NV] direction per [Woolf-2016]; size set between the exam gaps below
    "eea": 1.5,  # [NV]
    "img": 1.9,  # [NV] direction per [BJGP-2022]
}
ARCP_NON_STANDARD_RL_MALE_VS_FEMALE = 1.15  # [NV] direction per [Woolf-2016]
ARCP_NON_STANDARD_RL_DISABLED_VS_NONDISABLED = 1.3  # [NV] on the TIS value "Yes"
ARCP_NON_STANDARD_SPLIT = {"2": 0.40, "3": 0.55, "4": 0.05}  # [NV] how 2/3/4 share the non-standard
ARCP_OUTCOME_5_SHARE = 0.05  # [NV] reviews with incomplete evidence
ARCP_OUTCOME_8_SHARE = 0.03  # [NV] reviews while out of programme
ARCP_COVID_SHARE = {2020: 0.25, 2021: 0.10, 2022: 0.03}  # [NV] reviews given 10.1/10.2, by year
ARCP_COVID_10_2_SHARE = 0.2  # [NV] of COVID outcomes, those needing extra time (10.2)

# Exams: probability of passing at the first attempt (the cited figures are pass rates of all
# sittings, used here for first attempts [NV]); resits pass less often.
EXAM_FIRST_ATTEMPT_PASS = {"uk_white": 0.758, "uk_bme": 0.632, "eea": 0.50, "img": 0.414}
EXAM_RESIT_PASS_FACTOR = 0.85  # [NV]
EXAM_MAX_ATTEMPTS = 4  # [NV] college limits are four to six

# TIS carries the trainee's ESR employee number for most trainees: the planted match rate.
TIS_EMPLOYEE_NUMBER = {"blank": 0.08, "former_trust": 0.07}  # [NV] the other 85 % match ESR
TIS_EMPLOYEE_MATCH_RATE = 1 - sum(TIS_EMPLOYEE_NUMBER.values())

# NETS: % of White, non-disabled respondents giving the reported answer, and the gaps planted
# (percentage points) for BME and for disabled respondents; all [NV]. For BULLYING the reported
# answer is the bad one (experienced bullying or undermining). No separate IMG gap is planted: IMGs
# are mostly BME, so their results differ through ethnicity alone (a PMQ gap on top would make
# neither breakdown show its planted size).
NETS_RATES = {  # indicator: (base %, BME minus White pp, disabled minus non-disabled pp)
    "OVERALL": (80.0, -4.0, -6.0),
    "SUPERVISION": (85.0, -2.0, -3.0),
    "BULLYING": (12.0, 6.0, 5.0),
    "RECOMMEND": (75.0, -5.0, -4.0),
    "HANDOVER": (70.0, -1.0, -2.0),
}
NETS_RESPONSE_RATE = 0.45  # [NV]
NETS_MIN_RESPONDENTS = 3  # [NV] cells with fewer are published blank (the GMC's reports use 3)


def _survey_effects() -> dict[str, float]:
    effects = {}
    for concept, (_, bme_gap, disabled_gap) in SURVEY_RATES.items():
        if bme_gap:
            effects[f"survey_{concept}_pp_bme_minus_white"] = bme_gap
        if disabled_gap:
            effects[f"survey_{concept}_pp_disabled_minus_nondisabled"] = disabled_gap
    _, bme_gap, disabled_gap = SURVEY_ENGAGEMENT
    effects["survey_engagement_score_bme_minus_white"] = bme_gap
    effects["survey_engagement_score_disabled_minus_nondisabled"] = disabled_gap
    return effects


def _attainment_effects() -> dict[str, float]:
    effects = {"arcp_non_standard_uk_white": ARCP_NON_STANDARD_UK_WHITE,
               "arcp_non_standard_rl_male_vs_female": ARCP_NON_STANDARD_RL_MALE_VS_FEMALE,
               "arcp_non_standard_rl_disabled_vs_nondisabled": ARCP_NON_STANDARD_RL_DISABLED_VS_NONDISABLED,
               "tis_employee_match_rate": TIS_EMPLOYEE_MATCH_RATE}
    for group, rl in ARCP_NON_STANDARD_RL.items():
        if group != "uk_white":
            effects[f"arcp_non_standard_rl_{group}_vs_uk_white"] = rl
    for group, rate in EXAM_FIRST_ATTEMPT_PASS.items():
        effects[f"exam_first_attempt_pass_{group}"] = rate
    for indicator, (_, bme_gap, disabled_gap) in NETS_RATES.items():
        effects[f"nets_{indicator.lower()}_pp_bme_minus_white"] = bme_gap
        effects[f"nets_{indicator.lower()}_pp_disabled_minus_nondisabled"] = disabled_gap
    return effects


PLANTED_EFFECTS: dict[str, float] = {
    "appointment_rl_white_vs_bme": APPOINTMENT_RL_WHITE_VS_BME,
    "appointment_rl_nondisabled_vs_disabled": APPOINTMENT_RL_NONDISABLED_VS_DISABLED,
    "disciplinary_rl_bme_vs_white": DISCIPLINARY_RL_BME_VS_WHITE,
    "disciplinary_per_1000_white": DISCIPLINARY_PER_1000_WHITE,
    "capability_performance_rl_disabled_vs_nondisabled": CAPABILITY_PERFORMANCE_RL_DISABLED,
    "capability_ill_health_rl_disabled_vs_nondisabled": CAPABILITY_ILL_HEALTH_RL_DISABLED,
    "nonmandatory_training_rl_white_vs_bme": NONMANDATORY_TRAINING_RL_WHITE_VS_BME,
    "violence_abuse_from_public_rl_bme_vs_white": PUBLIC_ABUSE_RL_BME_VS_WHITE,
    "esr_disabled_share": 0.04,
    "survey_disabled_share": 0.22,
    "female_share": 0.77,
    "senior_band_bme_odds_factor": SENIOR_BAND_BME_FACTOR,
    "consultant_bonus_rl_male_vs_female": CONSULTANT_MALE_BONUS_RL,
    "gender_pay_gap_mean_pct_acute": 19.0,  # emerges from grade mix (trust 1, a mid-size acute)
    "bme_female_extra_pay_gap": BME_FEMALE_EXTRA_PAY_GAP,
    **_survey_effects(),
    **_attainment_effects(),
}
