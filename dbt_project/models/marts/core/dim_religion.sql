-- dim_religion: conformed dimension from seed ref_religion_map, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(religion_code as {{ dbt.type_string() }}) as religion_key,
        cast(religion_code as {{ dbt.type_string() }}) as religion_code,
        cast(religion_label as {{ dbt.type_string() }}) as religion_label,
        cast(religion_group as {{ dbt.type_string() }}) as religion_group,
        cast(is_known as boolean) as is_known,
        cast(disclosure_status as {{ dbt.type_string() }}) as disclosure_status,
        cast(sort_order as int) as sort_order,
        false as is_unknown_member
    from {{ ref('ref_religion_map') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as religion_key,
        cast('-1' as {{ dbt.type_string() }}) as religion_code,
        cast('Not known (blank or unmapped)' as {{ dbt.type_string() }}) as religion_label,
        cast('Unknown' as {{ dbt.type_string() }}) as religion_group,
        cast(false as boolean) as is_known,
        cast('not_recorded' as {{ dbt.type_string() }}) as disclosure_status,
        cast(999 as int) as sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
