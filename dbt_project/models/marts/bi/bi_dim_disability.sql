-- bi_dim_disability: how each recorded disability value maps to the status the measures report.
select
    cast(disability_key as {{ dbt.type_string() }}) as disability_key,
    cast(disability_code as {{ dbt.type_string() }}) as disability_code,
    cast(disability_status as {{ dbt.type_string() }}) as disability_status,
    cast(is_disabled as boolean) as is_disabled,
    cast(is_known as boolean) as is_known,
    cast(sort_order as int) as sort_order,
    cast(is_unknown_member as boolean) as is_unknown_member
from {{ ref('dim_disability') }}
