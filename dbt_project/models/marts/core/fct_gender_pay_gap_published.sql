{{ config(contract={'enforced': true}) }}

-- Published GOV.UK gender pay gap figures of NHS trusts, conformed to ODS trust codes: the external
-- benchmark for the warehouse's own pay gaps (metrics spec §6).
select
    cast(m.employer_id as int) as employer_id,
    cast(m.reporting_year as {{ dbt.type_string() }}) as reporting_year,
    cast(m.snapshot_date as date) as snapshot_date,
    cast(m.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(m.matched_trust_code as {{ dbt.type_string() }}) as matched_trust_code,
    cast(m.match_method as {{ dbt.type_string() }}) as match_method,
    cast(r.employer_name as {{ dbt.type_string() }}) as employer_name,
    cast(r.employer_size_band as {{ dbt.type_string() }}) as employer_size_band,
    cast(r.diff_mean_hourly_percent as decimal(7, 1)) as mean_hourly_gap_pct,
    cast(r.diff_median_hourly_percent as decimal(7, 1)) as median_hourly_gap_pct,
    cast(r.diff_mean_bonus_percent as decimal(7, 1)) as mean_bonus_gap_pct,
    cast(r.diff_median_bonus_percent as decimal(7, 1)) as median_bonus_gap_pct,
    cast(r.male_bonus_percent as decimal(4, 1)) as male_bonus_pct,
    cast(r.female_bonus_percent as decimal(4, 1)) as female_bonus_pct,
    cast(r.female_lower_quartile_percent as decimal(4, 1)) as female_lower_quartile_pct,
    cast(r.female_lower_middle_quartile_percent as decimal(4, 1)) as female_lower_middle_quartile_pct,
    cast(r.female_upper_middle_quartile_percent as decimal(4, 1)) as female_upper_middle_quartile_pct,
    cast(r.female_top_quartile_percent as decimal(4, 1)) as female_top_quartile_pct,
    cast(r.male_lower_quartile_percent as decimal(4, 1)) as male_lower_quartile_pct,
    cast(r.male_lower_middle_quartile_percent as decimal(4, 1)) as male_lower_middle_quartile_pct,
    cast(r.male_upper_middle_quartile_percent as decimal(4, 1)) as male_upper_middle_quartile_pct,
    cast(r.male_top_quartile_percent as decimal(4, 1)) as male_top_quartile_pct,
    cast(r.is_late_submission as boolean) as is_late_submission
from {{ ref('int_gpg_employers_matched') }} as m
inner join {{ ref('stg_gov_uk_gpg__returns') }} as r
    on m.employer_id = r.employer_id
    and m.reporting_year = r.reporting_year
    and r.is_latest_submission
where m.is_matched
