-- dim_sex: conformed dimension from seed ref_sex_map, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(sex_code as {{ dbt.type_string() }}) as sex_key,
        cast(sex_code as {{ dbt.type_string() }}) as sex_code,
        cast(label_source as {{ dbt.type_string() }}) as label_source,
        cast(sex as {{ dbt.type_string() }}) as sex,
        cast(is_known as boolean) as is_known,
        cast(sort_order as int) as sort_order,
        false as is_unknown_member
    from {{ ref('ref_sex_map') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as sex_key,
        cast('-1' as {{ dbt.type_string() }}) as sex_code,
        cast('none_blank_or_unmapped' as {{ dbt.type_string() }}) as label_source,
        cast('Unknown' as {{ dbt.type_string() }}) as sex,
        cast(false as boolean) as is_known,
        cast(999 as int) as sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
