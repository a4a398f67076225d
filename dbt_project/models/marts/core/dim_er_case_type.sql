-- dim_er_case_type: conformed dimension from seed ref_er_case_type, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(case_type_code as {{ dbt.type_string() }}) as er_case_type_key,
        cast(case_type_code as {{ dbt.type_string() }}) as case_type_code,
        cast(case_type_label as {{ dbt.type_string() }}) as case_type_label,
        cast(er_case_class as {{ dbt.type_string() }}) as er_case_class,
        cast(er_case_family as {{ dbt.type_string() }}) as er_case_family,
        cast(is_wres3_disciplinary as boolean) as is_wres3_disciplinary,
        cast(is_wdes3_capability_performance as boolean) as is_wdes3_capability_performance,
        cast(sort_order as int) as sort_order,
        false as is_unknown_member
    from {{ ref('ref_er_case_type') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as er_case_type_key,
        cast('-1' as {{ dbt.type_string() }}) as case_type_code,
        cast('Unknown' as {{ dbt.type_string() }}) as case_type_label,
        cast('unknown' as {{ dbt.type_string() }}) as er_case_class,
        cast('unknown' as {{ dbt.type_string() }}) as er_case_family,
        cast(false as boolean) as is_wres3_disciplinary,
        cast(false as boolean) as is_wdes3_capability_performance,
        cast(999 as int) as sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
