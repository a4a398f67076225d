{{ config(contract={'enforced': true}) }}

-- dim_staff: type-2 staff dimension (one row per version from int_staff_versions_historised) with every
-- equality and job attribute resolved to its conformed dimension key ('-1' = unknown member), plus an
-- unknown-member row (staff_version_key '-1'). No names, emails or dates of birth.
with versions as (
    select * from {{ ref('int_staff_versions_historised') }}
),

ethnicity_labels as (
    select
        upper(ethnicity_label) as ethnicity_label,
        ethnic_category_code
    from {{ ref('ref_ethnicity_label_map') }}
    where label_level = 'ethnic_category'
),

resolved as (
    select
        v.staff_version_key,
        v.staff_key,
        v.organisation_code,
        v.valid_from,
        v.valid_to,
        v.is_current,
        coalesce(eth.ethnicity_key, '-1') as ethnicity_key,
        coalesce(dis.disability_key, '-1') as disability_key,
        coalesce(sx.sex_key, '-1') as sex_key,
        coalesce(rel.religion_key, '-1') as religion_key,
        coalesce(so.sexual_orientation_key, '-1') as sexual_orientation_key,
        coalesce(ab.age_band_key, '-1') as age_band_key,
        coalesce(pg.pay_grade_key, '-1') as pay_grade_key,
        coalesce(sg.staff_group_key, '-1') as staff_group_key,
        v.fte,
        v.is_bank_only,
        v.board_membership is not null as is_board_member,
        v.board_membership,
        -- office holders, not staff: a voting non-executive seat or the non-executive payscale
        coalesce(v.board_membership = 'VOTING NON-EXECUTIVE', false)
            or coalesce(not pg.is_workforce, false) as is_non_executive,
        v.assignment_category,
        v.live_assignment_count,
        false as is_unknown_member
    from versions as v
    left join ethnicity_labels as lbl
        on v.ethnic_category_code is null
        and upper(v.ethnic_origin) = lbl.ethnicity_label
    left join {{ ref('dim_ethnicity') }} as eth
        on coalesce(v.ethnic_category_code, lbl.ethnic_category_code) = eth.ethnicity_key
    left join {{ ref('dim_disability') }} as dis on v.disability_code = dis.disability_key
    left join {{ ref('dim_sex') }} as sx on v.gender_code = sx.sex_key
    left join {{ ref('dim_religion') }} as rel on v.religious_belief_code = rel.religion_key
    left join {{ ref('dim_sexual_orientation') }} as so on v.sexual_orientation_code = so.sexual_orientation_key
    left join {{ ref('dim_age_band') }} as ab on v.age_band = ab.age_band_key
    left join {{ ref('dim_pay_grade') }} as pg on v.payscale = pg.pay_grade_key
    left join {{ ref('dim_staff_group') }} as sg on v.staff_group = sg.staff_group_key
),

unknown_member as (
    select
        '-1' as staff_version_key,
        '-1' as staff_key,
        'UNKNOWN' as organisation_code,
        cast('1900-01-01' as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        true as is_current,
        '-1' as ethnicity_key,
        '-1' as disability_key,
        '-1' as sex_key,
        '-1' as religion_key,
        '-1' as sexual_orientation_key,
        '-1' as age_band_key,
        '-1' as pay_grade_key,
        '-1' as staff_group_key,
        cast(null as decimal(7, 2)) as fte,
        false as is_bank_only,
        false as is_board_member,
        cast(null as {{ dbt.type_string() }}) as board_membership,
        false as is_non_executive,
        cast(null as {{ dbt.type_string() }}) as assignment_category,
        0 as live_assignment_count,
        true as is_unknown_member
),

unioned as (
    select * from resolved
    union all
    select * from unknown_member
)

select
    cast(staff_version_key as {{ dbt.type_string() }}) as staff_version_key,
    cast(staff_key as {{ dbt.type_string() }}) as staff_key,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(is_current as boolean) as is_current,
    cast(ethnicity_key as {{ dbt.type_string() }}) as ethnicity_key,
    cast(disability_key as {{ dbt.type_string() }}) as disability_key,
    cast(sex_key as {{ dbt.type_string() }}) as sex_key,
    cast(religion_key as {{ dbt.type_string() }}) as religion_key,
    cast(sexual_orientation_key as {{ dbt.type_string() }}) as sexual_orientation_key,
    cast(age_band_key as {{ dbt.type_string() }}) as age_band_key,
    cast(pay_grade_key as {{ dbt.type_string() }}) as pay_grade_key,
    cast(staff_group_key as {{ dbt.type_string() }}) as staff_group_key,
    cast(fte as decimal(7, 2)) as fte,
    cast(is_bank_only as boolean) as is_bank_only,
    cast(is_board_member as boolean) as is_board_member,
    cast(board_membership as {{ dbt.type_string() }}) as board_membership,
    cast(is_non_executive as boolean) as is_non_executive,
    cast(assignment_category as {{ dbt.type_string() }}) as assignment_category,
    cast(live_assignment_count as int) as live_assignment_count,
    cast(is_unknown_member as boolean) as is_unknown_member
from unioned
