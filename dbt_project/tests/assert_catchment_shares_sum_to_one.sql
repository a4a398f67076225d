{{ config(meta={'dagster': {'ref': {'name': 'dim_organisation'}}}) }}
-- Where a catchment profile is present, the five Census 2021 high-level ethnic-group shares of a trust
-- (and of its ICB) must sum to 1 within 0.001, and the BME share must equal 1 - White.
-- Returns the offending rows.
select
    trust_code,
    pop_share_white,
    pop_share_mixed,
    pop_share_asian,
    pop_share_black,
    pop_share_other,
    pop_share_bme
from {{ ref('dim_organisation') }}
where pop_share_white is not null
    and (
        pop_share_mixed is null
        or pop_share_asian is null
        or pop_share_black is null
        or pop_share_other is null
        or abs(pop_share_white + pop_share_mixed + pop_share_asian + pop_share_black + pop_share_other - 1) > 0.001
        or abs(pop_share_bme - (1 - pop_share_white)) > 0.001
    )
