-- int_edi_measure__workforce: WRES 1 / WDES 1 shares, WRES 9 / WDES 10 board gaps, declaration rates
-- and representation in the long measure shape (columns in fct_edi_measure order).
-- Shares and board gaps come two ways, Unknown in the denominators or left out [NV rep.denominator];
-- the setting rep_denominator_includes_unknown makes one the 'default' variant and stores the other
-- beside it ('known_only' or 'including_unknown'). Unknown has a row only where it is in the denominator.
{%- set includes_unknown = edi_setting('rep_denominator_includes_unknown') %}
{%- set including_unknown_variant = "'default'" if includes_unknown else "'including_unknown'" %}
{%- set known_only_variant = "'known_only'" if includes_unknown else "'default'" %}

with composition as (
    select
        organisation_code, fy_end,
        case when characteristic = 'ethnicity' then 'wres1_share_of_cluster' else 'wdes1_share_of_cluster' end
            as measure_id,
        breakdown_type, breakdown_value, characteristic as group_dimension, group_value,
        headcount as numerator, breakdown_headcount as denominator, share_of_breakdown_pct as value,
        'percent' as value_unit, {{ including_unknown_variant }} as variant
    from {{ ref('fct_workforce_composition') }}
    union all
    select
        organisation_code, fy_end,
        case when characteristic = 'ethnicity' then 'wres1_share_of_cluster' else 'wdes1_share_of_cluster' end,
        breakdown_type, breakdown_value, characteristic, group_value,
        headcount, breakdown_known_headcount, share_of_known_pct, 'percent', {{ known_only_variant }}
    from {{ ref('fct_workforce_composition') }}
    where group_value not in ('Unknown', 'all')
),

board as (
    select
        organisation_code, fy_end,
        case when characteristic = 'ethnicity' then 'wres9_board_' else 'wdes10_board_' end as measure_prefix,
        board_role, characteristic, protected_group,
        board_group_members, board_members, workforce_group_headcount, workforce_headcount, gap_pp,
        board_members - board_unknown_members as board_known_members,
        workforce_headcount - workforce_unknown_headcount as workforce_known_headcount, gap_known_only_pp
    from {{ ref('fct_board_representation') }}
),

declaration as (
    select organisation_code, fy_end,
        {{ dbt.concat(["'declaration_'", 'declaration_status', "'_pct'"]) }} as measure_id,
        characteristic, headcount, workforce_headcount, share_pct
    from {{ ref('fct_declaration_rate') }}
),

disability_declaration as (
    select organisation_code, fy_end, 'esr_disabled_share_pct' as measure_id,
        esr_disabled as numerator, esr_headcount as denominator, esr_disabled_share_pct as value
    from {{ ref('fct_disability_declaration') }}
    union all
    select organisation_code, fy_end, 'esr_disability_known_rate_pct',
        esr_known, esr_headcount, esr_status_known_rate_pct
    from {{ ref('fct_disability_declaration') }}
    union all
    select organisation_code, fy_end, 'survey_disabled_share_pct',
        survey_disabled_respondents, survey_known_respondents, survey_disabled_share_pct
    from {{ ref('fct_disability_declaration') }}
    where survey_known_respondents is not null
),

representation as (
    select organisation_code, fy_end, cluster, group_level, ethnic_group, headcount, known_headcount, cluster_headcount,
        workforce_share_pct, population_share_pct, representation_ratio, representation_gap_pp, unknown_rate_pct
    from {{ ref('fct_representation') }}
),

long as (
    select organisation_code, fy_end, measure_id, variant, breakdown_type, breakdown_value,
        group_dimension, group_value, cast(null as {{ dbt.type_string() }}) as reference_group,
        numerator, denominator, cast(null as bigint) as reference_numerator,
        cast(null as bigint) as reference_denominator, value, value_unit
    from composition
    union all
    select organisation_code, fy_end,
        {{ dbt.concat(['measure_prefix', 'board_role', "'_gap_pp'"]) }},
        {{ including_unknown_variant }}, 'board_role', board_role, characteristic, protected_group, 'workforce',
        board_group_members, board_members, workforce_group_headcount, workforce_headcount, gap_pp, 'pp'
    from board
    where measure_prefix = 'wres9_board_' or board_role <> 'non_executive'
    union all
    select organisation_code, fy_end,
        {{ dbt.concat(['measure_prefix', 'board_role', "'_gap_pp'"]) }},
        {{ known_only_variant }}, 'board_role', board_role, characteristic, protected_group, 'workforce',
        board_group_members, board_known_members, workforce_group_headcount, workforce_known_headcount,
        gap_known_only_pp, 'pp'
    from board
    where measure_prefix = 'wres9_board_' or board_role <> 'non_executive'
    union all
    select organisation_code, fy_end, measure_id, 'default', 'overall', 'all', characteristic, 'all', null,
        headcount, workforce_headcount, null, null, share_pct, 'percent'
    from declaration
    union all
    select organisation_code, fy_end, measure_id, 'default', 'overall', 'all', 'disability', 'Disabled', null,
        numerator, denominator, null, null, value, 'percent'
    from disability_declaration
    union all
    select organisation_code, fy_end, 'representation_workforce_share_pct', 'default', 'cluster', cluster,
        case when group_level = 'harmonised' then 'ethnicity_16' else 'ethnicity' end, ethnic_group, null,
        headcount, known_headcount, null, null, workforce_share_pct, 'percent'
    from representation
    union all
    select organisation_code, fy_end, 'representation_population_share_pct', 'default', 'cluster', cluster,
        case when group_level = 'harmonised' then 'ethnicity_16' else 'ethnicity' end, ethnic_group, null,
        null, null, null, null, population_share_pct, 'percent'
    from representation
    union all
    select organisation_code, fy_end, 'representation_ratio', 'default', 'cluster', cluster,
        case when group_level = 'harmonised' then 'ethnicity_16' else 'ethnicity' end, ethnic_group, 'population',
        headcount, known_headcount, null, null, representation_ratio, 'ratio'
    from representation
    union all
    select organisation_code, fy_end, 'representation_gap_pp', 'default', 'cluster', cluster,
        case when group_level = 'harmonised' then 'ethnicity_16' else 'ethnicity' end, ethnic_group, 'population',
        headcount, known_headcount, null, null, representation_gap_pp, 'pp'
    from representation
    union all
    select organisation_code, fy_end, 'representation_unknown_rate_pct', 'default', 'cluster', cluster,
        'ethnicity', 'Unknown', null, cluster_headcount - known_headcount, cluster_headcount, null, null, unknown_rate_pct, 'percent'
    from representation
    where ethnic_group = 'BME'
    union all
    select organisation_code, fy_end, 'hia2d_representation_8c_plus_ratio', 'default', 'cluster', cluster,
        'ethnicity', ethnic_group, 'population', headcount, known_headcount, null, null, representation_ratio, 'ratio'
    from representation
    where cluster = 'C4' and ethnic_group = 'BME'
)

select
    {{ edi_measure_columns({
        'period_type': "'financial_year'",
        'period_end': "fy_end",
        'value_uncorrected': "value",
        'flag_zero_cell_corrected': "false",
        'ci_lower': "null",
        'ci_upper': "null",
        'flag_small_count': "null",
        'flag_zero_cell': "null",
        'flag_ci_spans_parity': "null",
        'flag_volatile': "null",
        'flag_window_incomplete': "null"}) }}
from long
