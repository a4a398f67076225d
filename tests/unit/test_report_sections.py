"""The board report's words and sections on hand-made measure rows: uncertainty is never a finding,
flags are spelt out, and a trust or a section without data says so instead of failing."""

from datetime import date

import pytest

from orchestration.reports import sections
from orchestration.reports.build import environment
from orchestration.reports.extract import CatalogueEntry, Measure, Trust
from orchestration.reports.formatting import change, counts, flags, gap_verdict, likelihood_in_brief, likelihood_verdict, number

FY25, FY24 = date(2025, 3, 31), date(2024, 3, 31)
TRUST = Trust("RXX", "Example NHS Trust", "London", "Example ICB", "acute")


def rl(value, lower, upper, spans, fy_end=FY25, variant="pooled", suppressed=False, **extra) -> Measure:
    base = dict(
        organisation_code="RXX", period_type="financial_year", period_end=fy_end, fy_end=fy_end,
        measure_id="rl_bme_vs_white_entering_formal_disciplinary", variant=variant, breakdown_type="overall",
        breakdown_value="all", group_dimension="ethnicity", group_value="BME", reference_group="White",
        numerator=None if suppressed else 20, denominator=2260, reference_numerator=65, reference_denominator=9775,
        value=None if suppressed else value, value_unit="ratio", ci_lower=lower, ci_upper=upper,
        flag_small_count=False, flag_ci_spans_parity=spans, flag_volatile=False, flag_zero_cell_corrected=False,
        standard="WRES", indicator_code="3", measure_label="WRES 3 - relative likelihood", higher_is_better=None,
        adverse_side="above_1", is_suppressed=suppressed, suppression_reason="primary" if suppressed else None)
    base.update(extra)
    return Measure(**base)


CATALOGUE = {"rl_bme_vs_white_entering_formal_disciplinary": CatalogueEntry(
    "rl_bme_vs_white_entering_formal_disciplinary", "WRES", "3", "relative_likelihood",
    "WRES 3 - relative likelihood of BME vs White staff entering the formal disciplinary process", None, "BME",
    "above_1", None, "ratio")}


def test_a_likelihood_whose_interval_spans_one_is_no_clear_difference_however_large():
    assert likelihood_verdict(rl(2.4, 0.9, 6.1, spans=True), "BME") == "no clear difference"
    assert likelihood_verdict(rl(2.4, 1.3, 4.4, spans=False), "BME").startswith("worse for BME staff")
    assert likelihood_verdict(rl(0.6, 0.4, 0.9, spans=False), "BME").startswith("better for BME staff")
    below = rl(0.6, 0.4, 0.9, spans=False, adverse_side="below_1")
    assert likelihood_verdict(below, "BME").startswith("worse for BME staff")
    assert likelihood_in_brief(below, "BME") == "worse for BME staff"
    assert likelihood_in_brief(rl(2.4, 0.9, 6.1, spans=True), "BME") == "no clear difference"


def test_withheld_values_and_flags_are_spelt_out():
    withheld = rl(None, None, None, spans=None, suppressed=True)
    assert likelihood_verdict(withheld, "BME") == "withheld"
    assert flags(withheld) == ["withheld: fewer than 8 people behind it"]
    assert (counts(None, None), counts(0, None), counts(220, 710)) == ("withheld", "0 of a withheld total", "220 of 710")
    noisy = rl(1.2, 0.7, 2.0, spans=True, flag_small_count=True, flag_volatile=True, flag_zero_cell_corrected=True)
    assert flags(noisy) == ["confidence interval spans parity", "small numbers: read with caution",
                            "volatile: a change of a few people moves it a lot",
                            "a zero count was corrected (0.5 added) to give a ratio"]


def test_a_survey_gap_says_its_direction_and_that_it_has_no_interval():
    assert gap_verdict(5.3, False, "BME") == "BME higher: the adverse direction for BME staff (no CI for survey gaps)"
    assert gap_verdict(-13.3, True, "BME").startswith("BME lower: the adverse direction")
    assert gap_verdict(4.4, True, "Disabled").startswith("Disabled higher: the favourable direction")
    assert gap_verdict(0.01, True, "BME") == "no difference" and gap_verdict(None, True, "BME") == "withheld"


def test_units_and_changes_read_as_a_board_member_expects():
    assert number(18.4374, "percent") == "18.4%"
    assert number(-8.9, "pp") == "-8.9 pp" and number(5.3, "pp") == "+5.3 pp"
    assert number(1.868, "ratio") == "1.87" and number(12.345, "gbp") == "£12.35"
    assert change(29.6, 30.4, "percent") == "-0.8 pp"
    assert change(1.87, 1.49, "ratio") == "+0.38"
    assert change(None, 1.0, "ratio") == "–"


def test_the_headline_row_shows_both_groups_the_interval_and_the_change_since_last_year():
    rows = sections.Rows([rl(1.226, 0.738, 2.036, spans=True), rl(1.136, 0.6, 2.1, spans=True, fy_end=FY24)])
    period = sections.Period(FY25, FY24)
    section = sections.headline_section(rows, CATALOGUE, period, "pooled")
    [row] = section.tables[0].rows
    texts = [cell.text for cell in row]
    assert texts[:3] == ["WRES 3", "Relative likelihood of BME vs White staff entering the formal disciplinary process",
                         "1.23"]
    assert texts[3] == "BME: 20 of 2,260; White: 65 of 9,775"
    assert texts[4] == "0.74 to 2.04" and texts[5] == "no clear difference" and texts[6] == "+0.09"
    assert row[2].key == rl(1.226, 0.738, 2.036, spans=True).key


def test_a_section_without_data_says_so_and_a_trust_without_data_renders():
    empty = sections.hia6_section(sections.Rows([]), sections.Period(FY25, None))
    assert empty.is_empty
    html = environment().get_template("trust.html.j2").render(
        page={"trust": TRUST, "period": sections.Period(FY25, None), "sections": [empty]},
        provenance={"known": False}, built_at="now")
    assert "No data for this section in the latest year." in html
    nothing = environment().get_template("trust.html.j2").render(
        page={"trust": TRUST, "period": None, "sections": []}, provenance={"known": False}, built_at="now")
    assert "No published figures for this trust yet." in nothing


def test_the_page_escapes_what_comes_from_the_data():
    trust = Trust("RXX", "<script>alert(1)</script> Trust", None, None, None)
    html = environment().get_template("trust.html.j2").render(
        page={"trust": trust, "period": None, "sections": []}, provenance={"known": False}, built_at="now")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_pdf_setting_is_a_boolean_and_says_so_when_it_is_not(monkeypatch):
    from orchestration.settings import SettingsError, load_settings

    monkeypatch.setenv("EDI_REPORT_PDF", "false")
    assert load_settings().report_pdf is False
    monkeypatch.setenv("EDI_REPORT_PDF", "TRUE")
    assert load_settings().report_pdf is True
    monkeypatch.delenv("EDI_REPORT_PDF")
    assert load_settings().report_pdf is True
    monkeypatch.setenv("EDI_REPORT_PDF", "no")
    with pytest.raises(SettingsError, match="EDI_REPORT_PDF must be true or false, not 'no'"):
        load_settings()


def test_the_gov_uk_filing_is_the_same_years_or_else_the_latest_marked_as_another_year():
    gap = rl(14.9, None, None, spans=None, measure_id="pay_gap_median_hourly_pct", variant="default",
             group_dimension="sex", group_value="Female", reference_group="Male", value_unit="percent")
    rows, period = sections.Rows([gap]), sections.Period(FY25, FY24)
    older = {"snapshot_date": date(2021, 3, 31), "reporting_year": "2021-22", "median_hourly_gap_pct": 8.0}
    same = {"snapshot_date": FY25, "reporting_year": "2025-26", "median_hourly_gap_pct": 13.1}
    median_row = lambda published: sections._published_table(published, rows, period).rows[1]
    assert [c.text for c in median_row([older])][1:] == [
        "14.9%", "8.0%", "2021-22 (snapshot 31 March 2021: not the same year)"]
    assert [c.text for c in median_row([older, same])][1:] == ["14.9%", "13.1%", "2025-26"]
    assert [c.text for c in median_row([])][1:] == ["14.9%", "no filing", "–"]


def attainment(measure_id, group, value, unit, lower=None, upper=None, reference=None, counts=(None, None),
               reference_counts=(None, None), **extra) -> Measure:
    return rl(value, lower, upper, spans=extra.pop("spans", False), variant="default", measure_id=measure_id,
              group_dimension=extra.pop("group_dimension", "ethnicity_pmq"), group_value=group,
              reference_group=reference, numerator=counts[0], denominator=counts[1],
              reference_numerator=reference_counts[0], reference_denominator=reference_counts[1], value_unit=unit,
              standard="DA", measure_label=extra.pop("measure_label", "DA - label"), **extra)


def test_the_attainment_section_shows_arcp_likelihoods_exam_gaps_and_nets_by_group():
    rows = sections.Rows([
        attainment("rl_img_vs_uk_white_non_standard_arcp_outcome", "IMG", 3.0, "ratio", 1.41, 6.38, "UK White",
                   (10, 40), (10, 100)),
        attainment("rl_uk_bme_vs_uk_white_non_standard_arcp_outcome", "UK BME", 2.0, "ratio", 0.89, 4.49, "UK White",
                   (10, 50), (10, 100), spans=True),
        attainment("first_attempt_pass_rate_pct", "UK White", 75.0, "percent", 64.5, 83.2, counts=(60, 80)),
        attainment("first_attempt_pass_rate_pct", "IMG", 50.0, "percent", 35.2, 64.8, counts=(20, 40)),
        attainment("first_attempt_pass_gap_pp", "IMG", -25.0, "pp", -41.9, -6.9, "UK White", (20, 40), (60, 80)),
        attainment("nets_bullying_pct", "all", 10.0, "percent", 4.3, 21.4, counts=(5, 50), breakdown_type="programme",
                   breakdown_value="GP", group_dimension="all",
                   measure_label="DA NETS - % of trainees experiencing bullying or undermining"),
        attainment("nets_bullying_pct", "Female", None, "percent", counts=(None, None), breakdown_type="programme",
                   breakdown_value="GP", group_dimension="sex", is_suppressed=True, suppression_reason="min_respondents",
                   measure_label="DA NETS - % of trainees experiencing bullying or undermining"),
    ])
    section = sections.attainment_section(rows, sections.Period(FY25, None), [], 6)
    arcp, exams, nets = ([[c.text for c in r] for r in t.rows] for t in section.tables)
    assert [r[:5] for r in arcp] == [
        ["UK BME vs UK White", "2.00", "UK BME: 10 of 50; UK White: 10 of 100", "0.89 to 4.49", "no clear difference"],
        ["IMG vs UK White", "3.00", "IMG: 10 of 40; UK White: 10 of 100", "1.41 to 6.38",
         "worse for IMG trainees: IMG trainees 3.00 times as likely as UK White trainees"]]
    assert [r[:6] for r in exams] == [["UK White", "75.0%", "60 of 80", "64.5% to 83.2%", "–", "–"],
                                      ["IMG", "50.0%", "20 of 40", "35.2% to 64.8%", "-25.0 pp", "-41.9 pp to -6.9 pp"]]
    # one line per programme x group, a column per indicator; a group with every result withheld is
    # counted, not listed (the BI extract has it)
    assert section.tables[2].headers == ["Programme", "Group", "Satisfied overall", "Good supervision",
                                         "Bullying or undermining", "Would recommend", "Good handover"]
    assert nets == [["GP", "All respondents", "no data", "no data", "10.0% (4.3–21.4)", "no data", "no data"]]
    assert section.tables[2].caption.endswith("; 1 group with every result withheld (too small) not listed")
    assert all(cell.numeric for cell in section.tables[2].rows[0][2:])  # "no data" right-aligned like the values


def yearly_point(group, value, measure_id="rl_img_vs_uk_white_non_standard_arcp_outcome", unit="ratio", **extra) -> dict:
    point = {"measure_id": measure_id, "group_value": group, "reference_group": "UK White",
             "value_unit": unit, "series_years": 7, "value": value, "centre": 1.8, "lpl": 0.61, "upl": 2.99,
             "limits_status": "trial", "limits_withheld": False, "variation": "common_cause",
             "special_cause_rule": None, "every_value_withheld": False}
    return point | extra


def test_the_attainment_section_says_when_too_few_years_exist_for_yearly_control_charts():
    rows = sections.Rows([attainment("rl_img_vs_uk_white_non_standard_arcp_outcome", "IMG", 3.0, "ratio",
                                     reference="UK White", fy_end=fy)
                          for fy in (FY24, FY25)])
    section = sections.attainment_section(rows, sections.Period(FY25, FY24), [], 6)
    assert [t.id for t in section.tables] == ["attainment-arcp", "attainment-exams", "attainment-nets"]
    assert section.notes == ["Year-on-year control charts (XmR) start once a series has 6 years of results; this "
                             "warehouse holds 2, so the figures above are yearly estimates with 95% confidence "
                             "intervals."]


def test_the_attainment_section_lists_the_latest_year_of_each_yearly_control_chart():
    yearly = [yearly_point("UK BME", 62.5, measure_id="first_attempt_pass_rate_pct", unit="percent",
                           reference_group=None, centre=61.04, lpl=50.0, upl=72.1, limits_status="firm"),
              yearly_point("IMG", 3.4, variation="concerning", special_cause_rule="rule_1_outside_limits"),
              yearly_point("UK Unknown", None, limits_withheld=True, every_value_withheld=True),
              yearly_point("EEA", None, measure_id="rl_eea_vs_uk_white_non_standard_arcp_outcome", limits_withheld=True)]
    section = sections.attainment_section(sections.Rows([]), sections.Period(FY25, None), yearly, 6)
    spc = section.tables[-1]
    assert spc.id == "attainment-spc" and not section.notes
    assert spc.caption.endswith("; 1 series with every value withheld (too small) not listed")
    rl = "Non-standard ARCP outcome (relative likelihood)"
    assert [[c.text for c in r] for r in spc.rows] == [
        [rl, "EEA vs UK White", "7", "withheld", "withheld", "withheld", "common cause"],
        [rl, "IMG vs UK White", "7", "3.40", "1.80", "0.61 to 2.99 (trial)",
         "special cause, concerning (rule 1 outside limits)"],
        ["First-attempt exam pass rate", "UK BME", "7", "62.5%", "61.0%", "50.0% to 72.1%", "common cause"]]
