"""How a value, a confidence interval and a measure's flags read to a board member: plain English,
the unit always shown, and uncertainty never dressed up as a finding."""

from __future__ import annotations

from datetime import date

from orchestration.reports.extract import Measure

WITHHELD = "withheld"
SUPPRESSION_WORDS = {
    "primary": "withheld: fewer than 8 people behind it",
    "secondary": "withheld so that a hidden small number cannot be worked out from the totals",
    "min_group_pay": "withheld: fewer than 10 people in the pay group",
}


def fy_label(fy_end: date) -> str:
    """2025-03-31 -> '2024/25', the NHS financial-year label."""
    return f"{fy_end.year - 1}/{str(fy_end.year)[2:]}"


def number(value: float | None, unit: str, signed: bool = False) -> str:
    if value is None:
        return WITHHELD
    value = round(value, 2) + 0.0  # no '-0.0': a change that rounds to nothing has no sign
    if abs(value) < 0.05 and unit in ("percent", "pp", "per_1000"):
        value = 0.0
    sign = "+" if signed and value > 0 else ""
    if unit == "percent":
        return f"{sign}{value:.1f}%"
    if unit == "pp":
        return f"{'+' if value > 0 else ''}{value:.1f} pp"
    if unit == "ratio":
        return f"{sign}{value:.2f}"
    if unit == "per_1000":
        return f"{sign}{value:.1f} per 1,000"
    if unit == "gbp":
        return f"{sign}£{value:,.2f}"
    return f"{sign}{value:.2f}"


def count(value: int | None) -> str:
    return "withheld" if value is None else f"{value:,}"


def counts(numerator: int | None, denominator: int | None) -> str:
    """'220 of 710': the two (rounded) counts a value is built from; '0 of a withheld total' when only the
    total is withheld (a zero discloses nobody)."""
    if numerator is None and denominator is None:
        return "withheld"
    if denominator is None:
        return f"{count(numerator)} of a withheld total"
    return f"{count(numerator)} of {count(denominator)}"


def interval(measure: Measure) -> str:
    if measure.ci_lower is None or measure.ci_upper is None:
        return "–"
    return f"{number(measure.ci_lower, measure.value_unit)} to {number(measure.ci_upper, measure.value_unit)}"


def flags(measure: Measure) -> list[str]:
    """Every flag the row carries, in words; colour is never the only signal."""
    words = []
    if measure.is_suppressed or measure.value is None:
        words.append(SUPPRESSION_WORDS.get(measure.suppression_reason or "", "withheld to protect privacy"))
    if measure.flag_ci_spans_parity:
        words.append("confidence interval spans parity")
    if measure.flag_small_count:
        words.append("small numbers: read with caution")
    if measure.flag_volatile:
        words.append("volatile: a change of a few people moves it a lot")
    if measure.flag_zero_cell_corrected:
        words.append("a zero count was corrected (0.5 added) to give a ratio")
    return words


def likelihood_verdict(measure: Measure, protected_group: str | None, people: str = "staff") -> str:
    """What a relative likelihood says, in words: a CI spanning 1 is 'no clear difference', never a finding.
    `people`: who the groups are (staff; trainees for doctors in training)."""
    if measure.value is None:
        return WITHHELD
    if measure.flag_ci_spans_parity:
        return "no clear difference"
    if measure.ci_lower is None:
        return f"{measure.value:.2f} times as likely (no confidence interval for this method)"
    above = measure.value > 1
    adverse = (measure.adverse_side == "above_1") == above
    who = protected_group or "the protected group"
    return (f"{'worse' if adverse else 'better'} for {who} {people}: {measure.group_value} {people} "
            f"{measure.value:.2f} times as likely as {measure.reference_group} {people}")


def likelihood_in_brief(measure: Measure, protected_group: str | None) -> str:
    """The verdict in three or four words, for the index."""
    verdict = likelihood_verdict(measure, protected_group)
    return verdict.split(":")[0].split(" (")[0]


def gap_verdict(gap: float | None, higher_is_better: bool | None, group: str) -> str:
    """A survey gap in percentage points and its direction for the group. No CI is published for survey
    gaps, so the words say which way it points, not that it is a finding."""
    if gap is None:
        return WITHHELD
    if abs(gap) < 0.05:
        return "no difference"
    higher = gap > 0
    if higher_is_better is None:
        return f"{group} {'higher' if higher else 'lower'}"
    adverse = higher != higher_is_better
    return (f"{group} {'higher' if higher else 'lower'}: the {'adverse' if adverse else 'favourable'} direction "
            f"for {group} staff (no CI for survey gaps)")


def change(current: float | None, previous: float | None, unit: str) -> str:
    """Change since last year in the measure's own unit (percentages change in points)."""
    if current is None or previous is None:
        return "–"
    step_unit = "pp" if unit in ("percent", "pp") else unit
    return number(current - previous, step_unit, signed=True)
