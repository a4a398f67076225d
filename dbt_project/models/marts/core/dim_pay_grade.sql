-- dim_pay_grade: conformed dimension from seed ref_pay_grade, with an explicit unknown member (key '-1').
with mapped as (
    select
        cast(payscale_code as {{ dbt.type_string() }}) as pay_grade_key,
        cast(payscale_code as {{ dbt.type_string() }}) as payscale_code,
        cast(label_source as {{ dbt.type_string() }}) as label_source,
        cast(pay_grade_label as {{ dbt.type_string() }}) as pay_grade_label,
        cast(pay_scheme as {{ dbt.type_string() }}) as pay_scheme,
        cast(afc_band as {{ dbt.type_string() }}) as afc_band,
        cast(is_vsm as boolean) as is_vsm,
        cast(medical_subgroup as {{ dbt.type_string() }}) as medical_subgroup,
        cast(cluster as {{ dbt.type_string() }}) as cluster,
        cast(wres_band as {{ dbt.type_string() }}) as wres_band,
        cast(is_workforce as boolean) as is_workforce,
        cast(band_sort_order as int) as band_sort_order,
        false as is_unknown_member
    from {{ ref('ref_pay_grade') }}
),

unknown_member as (
    select
        cast('-1' as {{ dbt.type_string() }}) as pay_grade_key,
        cast('-1' as {{ dbt.type_string() }}) as payscale_code,
        cast('none_blank_or_unmapped' as {{ dbt.type_string() }}) as label_source,
        cast('Unknown' as {{ dbt.type_string() }}) as pay_grade_label,
        cast('unknown' as {{ dbt.type_string() }}) as pay_scheme,
        cast('unknown' as {{ dbt.type_string() }}) as afc_band,
        cast(false as boolean) as is_vsm,
        cast('unknown' as {{ dbt.type_string() }}) as medical_subgroup,
        cast('unknown' as {{ dbt.type_string() }}) as cluster,
        cast('unknown' as {{ dbt.type_string() }}) as wres_band,
        cast(true as boolean) as is_workforce,
        cast(999 as int) as band_sort_order,
        true as is_unknown_member
)

select * from mapped
union all
select * from unknown_member
