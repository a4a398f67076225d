-- dim_disability: conformed dimension from seed ref_disability_map, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(disability_code as {{ dbt.type_string() }}) as disability_key,
        cast(disability_code as {{ dbt.type_string() }}) as disability_code,
        cast(label_source as {{ dbt.type_string() }}) as label_source,
        cast(disability_status as {{ dbt.type_string() }}) as disability_status,
        cast(is_known as boolean) as is_known,
        cast(sort_order as int) as sort_order,
        disability_status = 'Disabled' as is_disabled,
        false as is_unknown_member
    from {{ ref('ref_disability_map') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as disability_key,
        cast('-1' as {{ dbt.type_string() }}) as disability_code,
        cast('none_blank_or_unmapped' as {{ dbt.type_string() }}) as label_source,
        cast('Unknown' as {{ dbt.type_string() }}) as disability_status,
        cast(false as boolean) as is_known,
        cast(999 as int) as sort_order,
        false as is_disabled,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
