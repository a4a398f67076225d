{{ config(contract={'enforced': true}) }}

-- bi_gender_pay_gap_published: the trusts' own GOV.UK gender pay gap filings (public data), for the
-- board report to show beside the warehouse's own gender pay gap. Employer-level figures only.
select
    organisation_code,
    reporting_year,
    employer_id,
    snapshot_date,
    match_method,
    mean_hourly_gap_pct,
    median_hourly_gap_pct,
    mean_bonus_gap_pct,
    median_bonus_gap_pct,
    female_bonus_pct,
    male_bonus_pct,
    female_lower_quartile_pct,
    female_lower_middle_quartile_pct,
    female_upper_middle_quartile_pct,
    female_top_quartile_pct,
    is_late_submission
from {{ ref('fct_gender_pay_gap_published') }}
where organisation_code is not null
