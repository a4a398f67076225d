{{ config(contract={'enforced': true}) }}

with lsoa as (
    select * from {{ ref('int_lsoa_local_authority_matched') }}
),

geography as (
    select
        lsoa.lsoa21_code,
        lsoa.lsoa21_name,
        lsoa.local_authority_name,
        lsoa.ltla21_code,
        lsoa.ltla21_name,
        lsoa.sicbl24_ons_code,
        lsoa.sicbl24_ods_code,
        lsoa.sicbl24_name,
        lsoa.icb24_ods_code,
        lsoa.icb24_ons_code,
        coalesce(icbs.icb_name, lsoa.icb24_name) as icb_name,
        regions.region21_code,
        regions.region21_name,
        false as is_unknown_member
    from lsoa
    left join {{ ref('stg_ods__icbs') }} as icbs
        on lsoa.icb24_ods_code = icbs.icb_ods_code
    left join {{ ref('stg_geography__ltla_region_lookup') }} as regions
        on lsoa.ltla21_code = regions.ltla21_code
),

unknown_member as (
    select
        'UNKNOWN' as lsoa21_code,
        'Unknown' as lsoa21_name,
        'Unknown' as local_authority_name,
        cast(null as {{ dbt.type_string() }}) as ltla21_code,
        cast(null as {{ dbt.type_string() }}) as ltla21_name,
        cast(null as {{ dbt.type_string() }}) as sicbl24_ons_code,
        cast(null as {{ dbt.type_string() }}) as sicbl24_ods_code,
        cast(null as {{ dbt.type_string() }}) as sicbl24_name,
        cast(null as {{ dbt.type_string() }}) as icb24_ods_code,
        cast(null as {{ dbt.type_string() }}) as icb24_ons_code,
        cast(null as {{ dbt.type_string() }}) as icb_name,
        cast(null as {{ dbt.type_string() }}) as region21_code,
        cast(null as {{ dbt.type_string() }}) as region21_name,
        true as is_unknown_member
),

unioned as (
    select * from geography
    union all
    select * from unknown_member
)

select
    cast(lsoa21_code as {{ dbt.type_string() }}) as lsoa21_code,
    cast(lsoa21_name as {{ dbt.type_string() }}) as lsoa21_name,
    cast(local_authority_name as {{ dbt.type_string() }}) as local_authority_name,
    cast(ltla21_code as {{ dbt.type_string() }}) as ltla21_code,
    cast(ltla21_name as {{ dbt.type_string() }}) as ltla21_name,
    cast(sicbl24_ons_code as {{ dbt.type_string() }}) as sicbl24_ons_code,
    cast(sicbl24_ods_code as {{ dbt.type_string() }}) as sicbl24_ods_code,
    cast(sicbl24_name as {{ dbt.type_string() }}) as sicbl24_name,
    cast(icb24_ods_code as {{ dbt.type_string() }}) as icb24_ods_code,
    cast(icb24_ons_code as {{ dbt.type_string() }}) as icb24_ons_code,
    cast(icb_name as {{ dbt.type_string() }}) as icb_name,
    cast(region21_code as {{ dbt.type_string() }}) as region21_code,
    cast(region21_name as {{ dbt.type_string() }}) as region21_name,
    cast(is_unknown_member as boolean) as is_unknown_member
from unioned
