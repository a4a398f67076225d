{{ config(contract={'enforced': true}) }}

-- How well GOV.UK gender pay gap returns were conformed to ODS trust codes, per reporting year,
-- beside the naive baseline (upper-cased filed name equal to an ODS trust name).
with m as (
    select * from {{ ref('int_gpg_employers_matched') }}
),

counts as (
    select
        reporting_year,
        cast(count(*) as bigint) as nhs_looking_employers,
        cast(sum(case when is_non_trust_body then 1 else 0 end) as bigint) as non_trust_nhs_bodies,
        cast(sum(case when is_matched then 1 else 0 end) as bigint) as matched_employers,
        cast(sum(case when not is_matched then 1 else 0 end) as bigint) as unmatched_employers,
        cast(sum(case when not is_matched and not is_non_trust_body then 1 else 0 end) as bigint) as unmatched_trust_like_employers,
        cast(sum(case when is_exact_name_baseline_match then 1 else 0 end) as bigint) as exact_name_baseline_matched
    from m
    group by reporting_year
)

select
    cast(reporting_year as {{ dbt.type_string() }}) as reporting_year,
    nhs_looking_employers,
    non_trust_nhs_bodies,
    nhs_looking_employers - non_trust_nhs_bodies as trust_like_employers,
    matched_employers,
    unmatched_employers,
    unmatched_trust_like_employers,
    exact_name_baseline_matched,
    cast(cast(matched_employers as double) / nullif(nhs_looking_employers, 0) as double) as match_rate,
    cast(cast(matched_employers as double) / nullif(nhs_looking_employers - non_trust_nhs_bodies, 0) as double) as trust_match_rate,
    cast(cast(exact_name_baseline_matched as double) / nullif(nhs_looking_employers - non_trust_nhs_bodies, 0) as double) as exact_name_baseline_rate
from counts
