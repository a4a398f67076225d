{#- Incremental by organisation and month end, as fct_workforce_snapshot (macros/edi_fact_helpers.sql):
    an incremental run rebuilds the 31 March people of each organisation whose ESR deliveries changed, from the
    earliest changed date on, and every organisation's new month ends. -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_assignment'])) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_workforce_snapshot_classified: the workforce at every 31 March, one row per person, with the
-- protected characteristics and the band / cluster / clinical classification every annual measure
-- groups by (the monthly rates count int_workforce_month_headcount instead: a person-level copy of
-- every month end would be the warehouse's largest table). Bank-only workers and non-executive directors are
-- kept but flagged: WRES/WDES workforce measures exclude them (in_wres_population), a Bank WRES would
-- use the first and the board figures (WRES 9 / WDES 10) count the second.
select
    s.organisation_code,
    s.date_key as snapshot_date,
    d.fy_end,
    d.is_march_31_snapshot,
    s.staff_key,
    s.staff_version_key,
    s.fte,
    s.is_bank_only,
    st.is_non_executive,
    {{ wres_population_member('st') }} as in_wres_population,
    st.is_board_member,
    st.board_membership,
    pg.pay_grade_key,
    pg.afc_band,
    pg.is_vsm,
    pg.medical_subgroup,
    -- trust-grade (and other non-training, non-career-grade) doctors: [NV bands.medical_other]
    coalesce(pg.medical_subgroup = 'other', false) as is_trust_grade_doctor,
    coalesce(pg.cluster, 'UNKNOWN') as cluster,
    coalesce(pg.wres_band, 'unknown') as wres_band,
    sg.conformed_staff_group,
    coalesce(sg.clinical_category, 'unknown') as clinical_category,
    e.ethnicity_key,
    e.national_code as ethnic_national_code,
    e.census_2021_harmonised_group,
    e.ethnicity_group_5,
    e.wres_group,
    e.is_white_british,
    di.disability_status,
    sx.sex,
    st.religion_key,
    st.sexual_orientation_key,
    st.age_band_key
from {{ ref('fct_workforce_snapshot') }} as s
inner join {{ ref('dim_date') }} as d
    on s.date_key = d.date_key
inner join {{ ref('dim_staff') }} as st
    on s.staff_version_key = st.staff_version_key
left join {{ ref('dim_pay_grade') }} as pg
    on s.pay_grade_key = pg.pay_grade_key
left join {{ ref('dim_staff_group') }} as sg
    on st.staff_group_key = sg.staff_group_key
left join {{ ref('dim_ethnicity') }} as e
    on st.ethnicity_key = e.ethnicity_key
left join {{ ref('dim_disability') }} as di
    on st.disability_key = di.disability_key
left join {{ ref('dim_sex') }} as sx
    on st.sex_key = sx.sex_key
where d.is_march_31_snapshot
{%- if is_incremental() %}
    and (
        {{ edi_in_change_scope('s.organisation_code', 's.date_key', ['esr_assignment']) }}
        or s.date_key > (select max(snapshot_date) from {{ this }})
    )
{%- endif %}
