"""The trust extracts: how each is built, which columns are coded, which defects it gets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from orchestration.synthetic import er, esr, incidents, nets, pay, recruitment, survey, trainees, training
from orchestration.synthetic.mess import (
    DUPLICATE, Defect, date_before, fixed_value, invalid_code, make_messy, negated,
)
from orchestration.synthetic.population import Population
from orchestration.synthetic.writer import Table


@dataclass(frozen=True)
class Extract:
    source: str
    coded_columns: tuple[str, ...]  # get cosmetic noise (case, trailing spaces)
    defects: tuple[Defect, ...]


EXTRACTS = {
    "esr_assignment": Extract(
        "esr_assignment",
        ("Assignment Status", "Assignment Category", "Primary Assignment", "Staff Group",
         "Occupation Code", "Payscale", "Gender", "Ethnic Origin", "Disability", "Religious Belief",
         "Sexual Orientation", "Leaving Reason", "Board Membership"),
        (Defect(DUPLICATE, 0.002),
         Defect("invalid_code", 0.001, invalid_code("Ethnic Origin", ("O", "I", "Q", "X9"))),
         Defect("termination_before_hire", 0.0005,
                date_before("Termination Date", "Hire Date", esr.DATE_FORMAT))),
    ),
    "esr_pay": Extract(
        "esr_pay", ("Organisation Code", "Full Pay Relevant Employee"),
        (Defect(DUPLICATE, 0.002), Defect("negative_pay", 0.0005, negated("Ordinary Hourly Pay"))),
    ),
    "trac_application": Extract(
        "trac_application",
        ("Organisation Code", "Staff Group", "Band", "Job Type", "Internal/External", "Ethnicity",
         "Disability", "Sex", "Stage Reached"),
        (Defect(DUPLICATE, 0.002),
         Defect("invalid_code", 0.001, invalid_code("Stage Reached", ("Rejected", "On Hold"))),
         Defect("shortlisted_before_application", 0.0005,
                date_before("Shortlisting Date", "Application Date", recruitment.DATE_FORMAT))),
    ),
    "er_case": Extract(
        "er_case", ("Organisation Code", "Case Type", "Stage", "Outcome"),
        (Defect(DUPLICATE, 0.004),
         Defect("invalid_code", 0.003, invalid_code("Case Type", ("Disiplinary", "Misc"))),
         Defect("closed_before_opened", 0.003, date_before("Date Closed", "Date Opened", er.DATE_FORMAT))),
    ),
    "datix_incident": Extract(
        "datix_incident",
        ("Organisation Code", "Type", "Category", "Subcategory", "Harm", "Perpetrator", "Discriminatory",
         "Police Informed", "RIDDOR", "Approval Status"),
        (Defect(DUPLICATE, 0.002),
         Defect("invalid_code", 0.001, invalid_code("Harm", ("N/A", "Unknown harm"))),
         Defect("incident_before_1990", 0.001, fixed_value("Incident Date", "01/01/1900"))),
    ),
    "training_record": Extract(
        "training_record", ("Organisation Code", "Course Code", "Mandatory", "Delivery Method"),
        (Defect(DUPLICATE, 0.002),
         Defect("invalid_code", 0.001, invalid_code("Mandatory", ("Yes", "M"))),
         Defect("completion_before_1990", 0.0003, fixed_value("Completion Date", "01/01/1900"))),
    ),
    "staff_survey_result": Extract("staff_survey_result", (), ()),
    "arcp_outcome": Extract(
        "arcp_outcome",
        ("Organisation Code", "Programme Code", "Grade", "PMQ Region", "Ethnic Origin", "Gender",
         "Disability", "LTFT"),
        (Defect(DUPLICATE, 0.002),
         Defect("invalid_code", 0.002, invalid_code("Outcome Code", ("7", "U"))),
         Defect("review_before_2015", 0.001, fixed_value("Review Date", "01/01/1900"))),
    ),
    "exam_attempt": Extract(
        "exam_attempt", ("Organisation Code", "Exam Code", "Result"),
        (Defect(DUPLICATE, 0.002),
         Defect("invalid_code", 0.002, invalid_code("Result", ("Withdrawn", "Absent"))),
         Defect("attempt_zero", 0.001, fixed_value("Attempt Number", "0"))),
    ),
    "nets_result": Extract("nets_result", (), ()),
}
SOURCES = tuple(EXTRACTS)


@dataclass
class Built:
    source: str
    table: Table
    defects: dict[str, int]
    unmatched_staff: int = 0


def clean_extracts(pop: Population, rng_for: Callable[[str], np.random.Generator]) -> Iterator[tuple[str, Table]]:
    """Each extract of one trust in turn (one in memory at a time), before any mess is planted.

    `rng_for(name)` gives an independent random stream per step, so changing one extract never
    changes another.
    """
    versions = esr.build_versions(rng_for("esr_versions"), pop)
    yield "esr_assignment", esr.esr_assignment_table(rng_for("esr_assignment"), pop, versions)
    yield "esr_pay", pay.esr_pay_table(rng_for("esr_pay"), pop, versions)
    del versions
    yield "trac_application", recruitment.trac_application_table(rng_for("trac_application"), pop)
    yield "er_case", er.er_case_table(rng_for("er_case"), pop)
    yield "datix_incident", incidents.datix_incident_table(rng_for("datix_incident"), pop)
    yield "training_record", training.training_record_table(rng_for("training_record"), pop)
    yield "staff_survey_result", survey.staff_survey_table(rng_for("staff_survey_result"), pop)
    cohort = trainees.build_cohort(rng_for("trainees"), pop)
    yield "arcp_outcome", trainees.arcp_outcome_table(rng_for("arcp_outcome"), pop, cohort)
    yield "exam_attempt", trainees.exam_attempt_table(rng_for("exam_attempt"), pop, cohort)
    yield "nets_result", nets.nets_result_table(rng_for("nets_result"), pop, cohort)


def plant_mess(source: str, table: Table, rng: np.random.Generator, defect_rate_scale: float = 1.0) -> Built:
    """Cosmetic noise and the source's defects, at `defect_rate_scale` times their usual rates
    (0: no defects, for tests that compare deliveries row for row)."""
    extract = EXTRACTS[source]
    defects = tuple(replace(d, rate=d.rate * defect_rate_scale) for d in extract.defects)
    messy, counts = make_messy(rng, table, defects, extract.coded_columns)
    return Built(source, messy, counts)
