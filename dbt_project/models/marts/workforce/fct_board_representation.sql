{{ config(contract={'enforced': true}) }}

-- fct_board_representation (WRES 9, WDES 10): the protected group's share of the board beside its
-- share of the workforce, at each 31 March. Board members are counted whatever their contracted FTE
-- (non-executives often hold none, and fct_workforce_snapshot keeps board members for that reason);
-- the workforce is the WRES population, which never holds non-executive directors (office holders,
-- not staff), Unknown in the denominator as in the spec's worked example TV-W9 (gap_pp), and left out
-- of both denominators in gap_known_only_pp (rep_denominator_includes_unknown picks which one
-- fct_edi_measure publishes as its default variant).
with snapshot as (
    select organisation_code, fy_end, staff_key, in_wres_population, board_membership,
        wres_group, disability_status
    from {{ ref('int_workforce_snapshot_classified') }}
    where is_march_31_snapshot
),

board_roles as (
    select 'voting' as board_role, 'VOTING EXECUTIVE' as board_membership
    union all select 'voting', 'VOTING NON-EXECUTIVE'
    union all select 'executive', 'VOTING EXECUTIVE'
    union all select 'non_executive', 'VOTING NON-EXECUTIVE'
),

characteristics as (
    select 'ethnicity' as characteristic, 'BME' as protected_group
    union all select 'disability', 'Disabled'
),

people as (
    select
        s.organisation_code, s.fy_end, s.staff_key, s.in_wres_population, s.board_membership,
        c.characteristic, c.protected_group,
        case when c.characteristic = 'ethnicity' then s.wres_group else s.disability_status end as group_value
    from snapshot as s
    cross join characteristics as c
),

board as (
    select
        p.organisation_code, p.fy_end, p.characteristic, p.protected_group, r.board_role,
        -- people holds a person once per characteristic and 31 March, and a seat maps to a role once: rows are people
        count(*) as board_members,
        sum(case when p.group_value = p.protected_group then 1 else 0 end) as board_group_members,
        sum(case when p.group_value = 'Unknown' then 1 else 0 end) as board_unknown_members
    from people as p
    inner join board_roles as r on p.board_membership = r.board_membership
    group by p.organisation_code, p.fy_end, p.characteristic, p.protected_group, r.board_role
),

workforce as (
    select
        organisation_code, fy_end, characteristic,
        count(*) as workforce_headcount,
        sum(case when group_value = protected_group then 1 else 0 end) as workforce_group_headcount,
        sum(case when group_value = 'Unknown' then 1 else 0 end) as workforce_unknown_headcount
    from people
    where in_wres_population
    group by organisation_code, fy_end, characteristic
),

measured as (
    select
        b.*,
        w.workforce_headcount,
        w.workforce_group_headcount,
        w.workforce_unknown_headcount,
        {{ share_pct('b.board_group_members', 'b.board_members') }} as board_share_pct,
        {{ share_pct('w.workforce_group_headcount', 'w.workforce_headcount') }} as workforce_share_pct,
        {{ share_gap_pp('b.board_group_members', 'b.board_members',
                        'w.workforce_group_headcount', 'w.workforce_headcount') }} as gap_pp,
        {{ share_gap_pp('b.board_group_members', 'b.board_members - b.board_unknown_members',
                        'w.workforce_group_headcount', 'w.workforce_headcount - w.workforce_unknown_headcount') }}
            as gap_known_only_pp
    from board as b
    inner join workforce as w
        on b.organisation_code = w.organisation_code and b.fy_end = w.fy_end
        and b.characteristic = w.characteristic
)

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(fy_end as date) as fy_end,
    cast(characteristic as {{ dbt.type_string() }}) as characteristic,
    cast(protected_group as {{ dbt.type_string() }}) as protected_group,
    cast(board_role as {{ dbt.type_string() }}) as board_role,
    cast(board_members as bigint) as board_members,
    cast(board_group_members as bigint) as board_group_members,
    cast(board_unknown_members as bigint) as board_unknown_members,
    cast(workforce_headcount as bigint) as workforce_headcount,
    cast(workforce_group_headcount as bigint) as workforce_group_headcount,
    cast(workforce_unknown_headcount as bigint) as workforce_unknown_headcount,
    cast(board_share_pct as double) as board_share_pct,
    cast(workforce_share_pct as double) as workforce_share_pct,
    cast(gap_pp as double) as gap_pp,
    cast(gap_known_only_pp as double) as gap_known_only_pp
from measured
