-- dim_ethnicity: conformed dimension from seed ref_ethnicity_map, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(ethnic_category_code as {{ dbt.type_string() }}) as ethnicity_key,
        cast(ethnic_category_code as {{ dbt.type_string() }}) as ethnic_category_code,
        cast(ethnic_category_label as {{ dbt.type_string() }}) as ethnic_category_label,
        cast(national_code as {{ dbt.type_string() }}) as national_code,
        cast(nhs2001_label as {{ dbt.type_string() }}) as nhs2001_label,
        cast(nhs2001_group as {{ dbt.type_string() }}) as nhs2001_group,
        cast(census_2021_category as {{ dbt.type_string() }}) as census_2021_category,
        cast(census_2021_harmonised_group as {{ dbt.type_string() }}) as census_2021_harmonised_group,
        cast(ethnicity_group_5 as {{ dbt.type_string() }}) as ethnicity_group_5,
        cast(wres_group as {{ dbt.type_string() }}) as wres_group,
        cast(is_white_british as boolean) as is_white_british,
        cast(is_known as boolean) as is_known,
        cast(is_local_subcode as boolean) as is_local_subcode,
        cast(sort_order as int) as sort_order,
        wres_group = 'White' as is_wres_white,
        wres_group = 'BME' as is_wres_bme,
        false as is_unknown_member
    from {{ ref('ref_ethnicity_map') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as ethnicity_key,
        cast('-1' as {{ dbt.type_string() }}) as ethnic_category_code,
        cast('Not known (blank, invalid or unmapped)' as {{ dbt.type_string() }}) as ethnic_category_label,
        cast('99' as {{ dbt.type_string() }}) as national_code,
        cast('Not known' as {{ dbt.type_string() }}) as nhs2001_label,
        cast('Not stated or not known' as {{ dbt.type_string() }}) as nhs2001_group,
        cast('Unknown' as {{ dbt.type_string() }}) as census_2021_category,
        cast('Unknown' as {{ dbt.type_string() }}) as census_2021_harmonised_group,
        cast('Unknown' as {{ dbt.type_string() }}) as ethnicity_group_5,
        cast('Unknown' as {{ dbt.type_string() }}) as wres_group,
        cast(false as boolean) as is_white_british,
        cast(false as boolean) as is_known,
        cast(false as boolean) as is_local_subcode,
        cast(999 as int) as sort_order,
        false as is_wres_white,
        false as is_wres_bme,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
