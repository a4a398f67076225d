-- dim_incident_type: conformed dimension from seed ref_incident_type, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(incident_type_key as {{ dbt.type_string() }}) as incident_type_key,
        cast(incident_type_code as {{ dbt.type_string() }}) as incident_type_code,
        cast(category_code as {{ dbt.type_string() }}) as category_code,
        cast(subcategory_code as {{ dbt.type_string() }}) as subcategory_code,
        cast(subcategory_label as {{ dbt.type_string() }}) as subcategory_label,
        cast(conformed_incident_type as {{ dbt.type_string() }}) as conformed_incident_type,
        cast(perpetrator_category as {{ dbt.type_string() }}) as perpetrator_category,
        cast(is_abuse_of_staff as boolean) as is_abuse_of_staff,
        cast(sort_order as int) as sort_order,
        false as is_unknown_member
    from {{ ref('ref_incident_type') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as incident_type_key,
        cast('UNKNOWN' as {{ dbt.type_string() }}) as incident_type_code,
        cast('UNKNOWN' as {{ dbt.type_string() }}) as category_code,
        cast('UNKNOWN' as {{ dbt.type_string() }}) as subcategory_code,
        cast('Unknown' as {{ dbt.type_string() }}) as subcategory_label,
        cast('other' as {{ dbt.type_string() }}) as conformed_incident_type,
        cast('unknown' as {{ dbt.type_string() }}) as perpetrator_category,
        cast(false as boolean) as is_abuse_of_staff,
        cast(999 as int) as sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
