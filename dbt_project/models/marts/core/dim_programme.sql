{{ config(contract={'enforced': true}) }}

-- dim_programme: conformed dimension of postgraduate medical training programmes from seed
-- ref_programme, with an unknown member ('-1').
with mapped as (
    select
        programme_code as programme_key,
        programme_code,
        programme_name,
        specialty_group,
        training_stage,
        sort_order,
        false as is_unknown_member
    from {{ ref('ref_programme') }}
),

unknown_member as (
    select
        '-1' as programme_key,
        '-1' as programme_code,
        'Unknown' as programme_name,
        'Unknown' as specialty_group,
        cast(null as {{ dbt.type_string() }}) as training_stage,
        999 as sort_order,
        true as is_unknown_member
),

unioned as (
    select * from mapped
    union all
    select * from unknown_member
)

select
    cast(programme_key as {{ dbt.type_string() }}) as programme_key,
    cast(programme_code as {{ dbt.type_string() }}) as programme_code,
    cast(programme_name as {{ dbt.type_string() }}) as programme_name,
    cast(specialty_group as {{ dbt.type_string() }}) as specialty_group,
    cast(training_stage as {{ dbt.type_string() }}) as training_stage,
    cast(sort_order as int) as sort_order,
    cast(is_unknown_member as boolean) as is_unknown_member
from unioned
