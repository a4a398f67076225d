-- dim_staff_group: conformed dimension from seed ref_staff_group, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(staff_group_code as {{ dbt.type_string() }}) as staff_group_key,
        cast(staff_group_code as {{ dbt.type_string() }}) as staff_group_code,
        cast(staff_group_label as {{ dbt.type_string() }}) as staff_group_label,
        cast(conformed_staff_group as {{ dbt.type_string() }}) as conformed_staff_group,
        cast(is_clinical as boolean) as is_clinical,
        cast(clinical_category as {{ dbt.type_string() }}) as clinical_category,
        cast(is_medical as boolean) as is_medical,
        cast(is_truncated_variant as boolean) as is_truncated_variant,
        cast(sort_order as int) as sort_order,
        false as is_unknown_member
    from {{ ref('ref_staff_group') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as staff_group_key,
        cast('-1' as {{ dbt.type_string() }}) as staff_group_code,
        cast('Unknown' as {{ dbt.type_string() }}) as staff_group_label,
        cast('Unknown' as {{ dbt.type_string() }}) as conformed_staff_group,
        cast(false as boolean) as is_clinical,
        cast('unknown' as {{ dbt.type_string() }}) as clinical_category,
        cast(false as boolean) as is_medical,
        cast(false as boolean) as is_truncated_variant,
        cast(999 as int) as sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
