{#- Incremental by organisation and month end: an incremental run deletes and rebuilds the month ends
    of each organisation whose ESR deliveries changed, from the earliest changed date on (and every
    organisation's new month ends). See macros/edi_fact_helpers.sql. -#}
{{ config(**edi_incremental_by_change_scope('organisation_code', 'date_key', ['esr_assignment'],
    partition_by=(none if target.type == 'duckdb' else ['date_key']),
    on_schema_change='append_new_columns',
    contract={'enforced': true})) }}

-- depends_on: {{ ref('stg_audit__change_scope') }}

-- fct_workforce_snapshot: the staff version in force at every month end of the ESR window (from dim_date),
-- for staff with contracted FTE > 0, bank-only staff (flagged; WRES/WDES exclude them downstream) and
-- board members whatever their hours: non-executive directors often hold none (flagged; board figures
-- count them, workforce measures do not).
-- date_key (the partition column on Spark) comes last.
with versions as (
    select * from {{ ref('dim_staff') }}
    where not is_unknown_member
),

esr_window as (
    -- Months before the ESR history extract begins would count only the staff who were still
    -- there when it begins (their earlier versions are carried back): start at the extract.
    select
        greatest(min(valid_from), cast('{{ var("esr_history_start") }}' as date)) as window_start,
        max(case when valid_to < cast('9999-12-31' as date) then valid_to else valid_from end) as window_end
    from versions
),

month_ends as (
    select d.date_key
    from {{ ref('dim_date') }} as d
    cross join esr_window as w
    where d.is_month_end
        and d.date_key >= w.window_start
        and d.date_key <= w.window_end
)

select
    cast(v.staff_key as {{ dbt.type_string() }}) as staff_key,
    cast(v.staff_version_key as {{ dbt.type_string() }}) as staff_version_key,
    cast(v.organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(1 as int) as headcount,
    cast(v.fte as decimal(7, 2)) as fte,
    cast(v.pay_grade_key as {{ dbt.type_string() }}) as pay_grade_key,
    cast(v.is_bank_only as boolean) as is_bank_only,
    cast(v.is_non_executive as boolean) as is_non_executive,
    cast(m.date_key as date) as date_key
from month_ends as m
inner join versions as v
    on m.date_key between v.valid_from and v.valid_to
where (v.fte > 0 or v.is_bank_only or v.is_board_member or v.is_non_executive)
{% if is_incremental() %}
    and (
        {{ edi_in_change_scope('v.organisation_code', 'm.date_key', ['esr_assignment']) }}
        or m.date_key > (select max(date_key) from {{ this }})
    )
{% endif %}
