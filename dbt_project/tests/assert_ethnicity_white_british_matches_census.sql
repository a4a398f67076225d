{{ config(meta={'dagster': {'ref': {'name': 'dim_ethnicity'}}}) }}
-- The White British flag (the white_british pay-gap comparator) and the Census 2021 group must agree:
-- a code is White British exactly when Census 2021 counts it as "English, Welsh, Scottish, Northern
-- Irish or British" (code A and the ESR British sub-codes), and White British is always WRES White.
-- Returns the codes where they disagree.
select ethnicity_key, census_2021_category, wres_group, is_white_british
from {{ ref('dim_ethnicity') }}
where is_white_british <> (census_2021_category = 'White: English, Welsh, Scottish, Northern Irish or British')
    or (is_white_british and wres_group <> 'White')
