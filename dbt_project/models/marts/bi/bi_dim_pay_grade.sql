-- bi_dim_pay_grade: how each payscale code maps to the bands and WRES/WDES clusters the measures report.
select
    cast(pay_grade_key as {{ dbt.type_string() }}) as pay_grade_key,
    cast(payscale_code as {{ dbt.type_string() }}) as payscale_code,
    cast(pay_grade_label as {{ dbt.type_string() }}) as pay_grade_label,
    cast(pay_scheme as {{ dbt.type_string() }}) as pay_scheme,
    cast(afc_band as {{ dbt.type_string() }}) as afc_band,
    cast(is_vsm as boolean) as is_vsm,
    cast(medical_subgroup as {{ dbt.type_string() }}) as medical_subgroup,
    cast(cluster as {{ dbt.type_string() }}) as cluster,
    cast(wres_band as {{ dbt.type_string() }}) as wres_band,
    cast(is_workforce as boolean) as is_workforce,
    cast(band_sort_order as int) as sort_order,
    cast(is_unknown_member as boolean) as is_unknown_member
from {{ ref('dim_pay_grade') }}
