-- bi_dim_organisation: the trust attributes BI users filter and group by, keyed like the measure
-- tables (organisation_code) so BI tools relate them by name. Organisation-level only.
select
    cast(trust_code as {{ dbt.type_string() }}) as organisation_code,
    cast(trust_display_name as {{ dbt.type_string() }}) as organisation_name,
    cast(trust_name as {{ dbt.type_string() }}) as organisation_ods_name,
    cast(country as {{ dbt.type_string() }}) as country,
    cast(nhs_region_code as {{ dbt.type_string() }}) as nhs_region_code,
    cast(nhs_region_name as {{ dbt.type_string() }}) as nhs_region_name,
    cast(icb_ods_code as {{ dbt.type_string() }}) as icb_ods_code,
    cast(icb_ons_code as {{ dbt.type_string() }}) as icb_ons_code,
    cast(icb_name as {{ dbt.type_string() }}) as icb_name,
    cast(open_date as date) as open_date,
    cast(close_date as date) as close_date,
    cast(is_open as boolean) as is_open,
    cast(successor_trust_code as {{ dbt.type_string() }}) as successor_organisation_code,
    cast(trust_type as {{ dbt.type_string() }}) as trust_type,
    cast(catchment_population as bigint) as catchment_population,
    cast(pop_share_white as double) as catchment_share_white,
    cast(pop_share_mixed as double) as catchment_share_mixed,
    cast(pop_share_asian as double) as catchment_share_asian,
    cast(pop_share_black as double) as catchment_share_black,
    cast(pop_share_other as double) as catchment_share_other,
    cast(pop_share_bme as double) as catchment_share_bme,
    cast(catchment_imd_score as double) as catchment_imd_score,
    cast(is_unknown_member as boolean) as is_unknown_member
from {{ ref('dim_organisation') }}
