-- dim_age_band: conformed dimension from seed ref_age_band, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(age_band as {{ dbt.type_string() }}) as age_band_key,
        cast(age_band as {{ dbt.type_string() }}) as age_band,
        cast(age_from as int) as age_from,
        cast(age_to as int) as age_to,
        cast(age_band_group as {{ dbt.type_string() }}) as age_band_group,
        cast(sort_order as int) as sort_order,
        false as is_unknown_member
    from {{ ref('ref_age_band') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as age_band_key,
        cast('Unknown' as {{ dbt.type_string() }}) as age_band,
        cast(-1 as int) as age_from,
        cast(-1 as int) as age_to,
        cast('Unknown' as {{ dbt.type_string() }}) as age_band_group,
        cast(999 as int) as sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
