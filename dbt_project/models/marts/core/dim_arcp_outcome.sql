{{ config(contract={'enforced': true}) }}

-- dim_arcp_outcome: conformed dimension from seed ref_arcp_outcome (which outcomes the
-- differential-attainment measures count, and which are non-standard), with an unknown member ('-1').
with mapped as (
    select
        outcome_code as arcp_outcome_key,
        outcome_code,
        outcome_label,
        outcome_class,
        is_counted,
        is_non_standard,
        sort_order,
        false as is_unknown_member
    from {{ ref('ref_arcp_outcome') }}
),

unknown_member as (
    select
        '-1' as arcp_outcome_key,
        '-1' as outcome_code,
        'Unknown' as outcome_label,
        'unknown' as outcome_class,
        false as is_counted,
        false as is_non_standard,
        999 as sort_order,
        true as is_unknown_member
),

unioned as (
    select * from mapped
    union all
    select * from unknown_member
)

select
    cast(arcp_outcome_key as {{ dbt.type_string() }}) as arcp_outcome_key,
    cast(outcome_code as {{ dbt.type_string() }}) as outcome_code,
    cast(outcome_label as {{ dbt.type_string() }}) as outcome_label,
    cast(outcome_class as {{ dbt.type_string() }}) as outcome_class,
    cast(is_counted as boolean) as is_counted,
    cast(is_non_standard as boolean) as is_non_standard,
    cast(sort_order as int) as sort_order,
    cast(is_unknown_member as boolean) as is_unknown_member
from unioned
