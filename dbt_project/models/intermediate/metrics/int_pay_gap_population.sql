{#- Incremental by organisation and snapshot date: an incremental run deletes and rebuilds the cells of each
    organisation whose ESR pay or assignment deliveries changed, from the earliest changed date on
    (macros/edi_fact_helpers.sql). -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'snapshot_date', ['esr_pay', 'esr_assignment'])) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- int_pay_gap_population: the pay-gap population (every person in the 31 March pay snapshot, i.e. the
-- relevant employees) with the protected characteristics of the staff version in force on the snapshot
-- date (sex, ethnicity, disability, age band, religion or belief, sexual orientation) and
-- the breakdowns the person falls in (AfC band, WRES cluster, medical grade; int_pay_gap_group_member
-- expands them). Non-executive directors are office holders, not employees, so they are left out
-- (is_workforce).
with pay as (
    select
        p.organisation_code,
        p.date_key as snapshot_date,
        d.fy_end,
        p.staff_key,
        p.is_full_pay_relevant,
        case when p.is_full_pay_relevant then cast(p.ordinary_hourly_pay as decimal(12, 4)) end as hourly_pay,
        cast(p.bonus_pay_12m as decimal(14, 2)) as bonus_pay,
        p.received_bonus,
        case when pg.pay_scheme = 'agenda_for_change' then pg.afc_band end as afc_band,
        case when pg.cluster in ('C1', 'C2', 'C3', 'C4', 'M1', 'M2', 'M3') then pg.cluster end as cluster,
        case when pg.pay_scheme = 'medical_and_dental' then pg.medical_subgroup end as medical_subgroup,
        -- anything but Male / Female (incl. no staff version) is left out of the gender gaps
        case when sx.sex in ('Male', 'Female') then sx.sex else 'Unknown' end as sex,
        coalesce(e.is_white_british, false) as is_white_british,
        case when e.is_known then e.census_2021_harmonised_group else 'Unknown' end as ethnicity_group_16,
        case when e.is_known then e.ethnicity_group_5 else 'Unknown' end as ethnicity_group_5,
        case when e.is_known then e.wres_group else 'Unknown' end as wres_group,
        case
            when di.disability_status in ('Disabled', 'Non-disabled') then di.disability_status
            else 'Unknown'
        end as disability_status,
        case when ab.is_unknown_member = false then ab.age_band else 'Unknown' end as age_band,
        case when rel.is_known then rel.religion_group else 'Unknown' end as religion_group,
        case when so.is_known then so.sexual_orientation_group else 'Unknown' end as sexual_orientation_group
    from {{ ref('fct_pay_snapshot') }} as p
    inner join {{ ref('dim_date') }} as d
        on p.date_key = d.date_key
    inner join {{ ref('dim_pay_grade') }} as pg
        on p.pay_grade_key = pg.pay_grade_key
    left join {{ ref('dim_staff') }} as st
        on p.staff_version_key = st.staff_version_key
    left join {{ ref('dim_sex') }} as sx
        on st.sex_key = sx.sex_key
    left join {{ ref('dim_ethnicity') }} as e
        on st.ethnicity_key = e.ethnicity_key
    left join {{ ref('dim_disability') }} as di
        on st.disability_key = di.disability_key
    left join {{ ref('dim_age_band') }} as ab
        on st.age_band_key = ab.age_band_key
    left join {{ ref('dim_religion') }} as rel
        on st.religion_key = rel.religion_key
    left join {{ ref('dim_sexual_orientation') }} as so
        on st.sexual_orientation_key = so.sexual_orientation_key
    where pg.is_workforce
    {% if is_incremental() %}
        and {{ edi_in_change_scope('p.organisation_code', 'p.date_key', ['esr_pay', 'esr_assignment']) }}
    {% endif %}
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(snapshot_date as date) as snapshot_date,
    cast(fy_end as date) as fy_end,
    cast(staff_key as {{ dbt.type_string() }}) as staff_key,
    cast(afc_band as {{ dbt.type_string() }}) as afc_band,
    cast(cluster as {{ dbt.type_string() }}) as cluster,
    cast(medical_subgroup as {{ dbt.type_string() }}) as medical_subgroup,
    cast(is_full_pay_relevant as boolean) as is_full_pay_relevant,
    cast(hourly_pay as decimal(12, 4)) as hourly_pay,
    cast(bonus_pay as decimal(14, 2)) as bonus_pay,
    cast(received_bonus as boolean) as received_bonus,
    cast(sex as {{ dbt.type_string() }}) as sex,
    cast(is_white_british as boolean) as is_white_british,
    cast(ethnicity_group_16 as {{ dbt.type_string() }}) as ethnicity_group_16,
    cast(ethnicity_group_5 as {{ dbt.type_string() }}) as ethnicity_group_5,
    cast(wres_group as {{ dbt.type_string() }}) as wres_group,
    cast(disability_status as {{ dbt.type_string() }}) as disability_status,
    cast(age_band as {{ dbt.type_string() }}) as age_band,
    cast(religion_group as {{ dbt.type_string() }}) as religion_group,
    cast(sexual_orientation_group as {{ dbt.type_string() }}) as sexual_orientation_group
from pay
