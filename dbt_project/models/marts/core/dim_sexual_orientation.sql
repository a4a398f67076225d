-- dim_sexual_orientation: conformed dimension from seed ref_sexual_orientation_map, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(sexual_orientation_code as {{ dbt.type_string() }}) as sexual_orientation_key,
        cast(sexual_orientation_code as {{ dbt.type_string() }}) as sexual_orientation_code,
        cast(sexual_orientation_label as {{ dbt.type_string() }}) as sexual_orientation_label,
        cast(national_code as {{ dbt.type_string() }}) as national_code,
        cast(national_label as {{ dbt.type_string() }}) as national_label,
        cast(sexual_orientation_group as {{ dbt.type_string() }}) as sexual_orientation_group,
        cast(is_known as boolean) as is_known,
        cast(sort_order as int) as sort_order,
        false as is_unknown_member
    from {{ ref('ref_sexual_orientation_map') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as sexual_orientation_key,
        cast('-1' as {{ dbt.type_string() }}) as sexual_orientation_code,
        cast('Not known (blank or unmapped)' as {{ dbt.type_string() }}) as sexual_orientation_label,
        cast('9' as {{ dbt.type_string() }}) as national_code,
        cast('Not known (not recorded)' as {{ dbt.type_string() }}) as national_label,
        cast('Unknown' as {{ dbt.type_string() }}) as sexual_orientation_group,
        cast(false as boolean) as is_known,
        cast(999 as int) as sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
