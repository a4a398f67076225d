{#-
    The published counts of the long measure table as ONE cube (metrics-spec §10), for sdc_edi_measure.

    A cell is one count of people or events, whichever measures and BI tables publish it. Each count
    of a row (numerator, denominator, reference_numerator, reference_denominator) is mapped to a cell
    key: population # organisation # period type # period end # breakdown # group dimension # group.

    Populations and the counts mapped to them:
    - headcount (the workforce on a snapshot date; breakdown all | cl:<cluster> | cc:<staff type>|<cluster>;
      group 'all' = everyone, whatever the dimension): WRES 1 / WDES 1 numerators and denominators in
      both variants (default: the breakdown's headcount; known_only: its known headcount), by cluster,
      clinical category x cluster, band (ref_pay_grade.wres_band) and clinical category x band,
      representation workforce share / ratio / gap (5 groups and the 16 harmonised groups; denominator
      = known headcount), representation Unknown rate, HIA 2d, the declaration rates (known /
      not_stated / missing), the ESR disability rates, the workforce counts beside the WRES 9 / WDES 10
      board gaps, the headcounts under the HIA6 rates per 1,000 (month ends and 31 March), under the
      incident, disciplinary, capability and training relative likelihoods (single year), and under
      the SPC series (BME share of C4; rates per 1,000).
    - incidents (HIA6 incidents by incident type | perpetrator and group, per month and year: group 'all'
      = the incidents to the WRES population; 'unmatched' and 'outside_population', published under
      every dimension, one count each; the SPC incident series per month and quarter: group 'reported',
      every incident reported).
    - staff_affected (HIA6 staff affected; the numerators of the incident relative likelihoods).
    - pay populations (breakdown <type>:<value>; group '<group>', or 'all' = the whole cell, dimension '*'):
      pay_full_pay_relevant (the group sizes under the hourly pay gaps), pay_bonus_recipients (% paid a
      bonus numerators; bonus gap sizes), pay_relevant (% paid a bonus denominators; bonus gap sizes when
      pay_bonus_recipients_only is false; the share not stated and its population). A group is the same
      people in every variant (BME under both ethnicity comparators, Female & White under both sex x
      ethnicity variants), so the variant is no part of the cell.
    - any other count is a cell of its own measure (m:<measure>:<variant>), shared by the rows that
      repeat it: a survey gap row's four counts are its two groups' own rows' counts, and the
      mean-of-annual-RL window publishes the pooled window's counts.

    Relations (lines "total = sum of members") the secondary suppression checks, across all BI tables:
    - headcount, in every breakdown: all = known + Unknown; all = White + BME + Unknown; known = White + BME;
      BME = Asian + Black + Mixed + Other; known = White + Asian + Black + Mixed + Other;
      each 5-group, BME and known = the sums of their 16 harmonised groups (from ethnicity_relation);
      Unknown ethnicity = not stated + missing; all = Disabled + Non-disabled + Unknown;
      (for disability too) all = known + Unknown;
      known = Disabled + Non-disabled; Unknown disability = not stated + missing; all = Female + Male;
      for ethnicity, disability, religion and sexual orientation: all = known + not stated + missing.
      So default and known_only denominators differ exactly by the Unknown count, and WRES 1,
      representation, declaration and the board, HIA6, RL and SPC denominators are one table.
    - headcount, across breakdowns, for every group: trust = sum of the clusters (not_clustered
      included); cluster = sum of its clinical / non-clinical / medical rows; trust = sum of the bands;
      a cluster = sum of its bands (bands whose grades all lie in it, from band_relation); band = sum
      of its clinical / non-clinical / medical rows, each = its cluster's row's bands.
    - incidents and staff_affected: all = sum of the groups of each dimension; incidents reported =
      all + unmatched + outside_population.
    - incidents: type|all = sum over perpetrators, all|perpetrator = sum over types; a year or a
      quarter = the sum of its months.
    - relative likelihoods: a pooled two-year window = this year's single year + last year's.
    - pay populations, within each breakdown cell: a sex = its sex x ethnicity groups (WRES groups, and
      the Census 2021 5 groups) and its sex x disability groups; a sex x BME = its four 5-group
      intersections; an ethnicity group (White, BME, Unknown) and a disability group = their sex x
      groups; the whole cell = the groups of sex, disability, age band, religion, sexual orientation
      and sex x disability. So a withheld intersection cannot be had from the sex and ethnicity margins.
    Every line is checked on its own (sdc_suppress_cells): that stops differencing through one relation,
    or two nested ones, but not every combination of many relations at once where four breakdowns cross
    (HIA6 incidents by month x type x perpetrator x group); tests/disclosure_attack.py measures both.
    Not related (each count is protected on its own): pay quarter units, the ethnicity pay groups other
    than White, BME and Unknown,
    survey respondents across groups (the respondents of unknown group are not published), board
    members, ER cases and applications beyond the RL windows, staff affected across incident types
    (a person can be affected by several).
-#}

{#- Every number in the key is a string; '#' separates the parts (no part contains it). -#}
{% macro sdc_key(parts) -%}
    {%- set pieces = [] -%}
    {%- for p in parts -%}
        {%- do pieces.append("coalesce(cast(" ~ p ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last %}{% do pieces.append("'#'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(pieces) }}
{%- endmacro %}

{#- The measures whose denominators (and reference denominators) are the single-year headcount. -#}
{% macro sdc_headcount_based_rl() -%}
    (measure_id like 'rl%affected_by_incident'
        or (variant = 'single_year' and measure_id in ('rl_bme_vs_white_entering_formal_disciplinary',
            'rl_disabled_vs_nondisabled_entering_formal_capability_performance',
            'rl_white_vs_bme_accessing_nonmandatory_training')))
{%- endmacro %}

{#- The rows of WRES 1 / WDES 1 shares and board gaps whose denominators leave out Unknown: the
    'known_only' variant, or 'default' when rep_denominator_includes_unknown is false. -#}
{% macro sdc_is_known_only_variant() -%}
    variant = '{{ 'known_only' if edi_setting('rep_denominator_includes_unknown') else 'default' }}'
{%- endmacro %}

{#- The headcount group a count of the row is, or null when it is no headcount. -#}
{% macro sdc_headcount_group(count_column) -%}
{%- set wf_shares = "('wres1_share_of_cluster', 'wdes1_share_of_cluster')" -%}
{%- set representation = "('representation_workforce_share_pct', 'representation_ratio', 'representation_gap_pp', "
                         ~ "'hia2d_representation_8c_plus_ratio')" -%}
{%- if count_column == 'numerator' -%}
    case
        when measure_id in {{ wf_shares }} or measure_id in {{ representation }}
            or measure_id in ('representation_unknown_rate_pct', 'esr_disabled_share_pct')
            or measure_id like 'spc_bme_share_8c_plus_pct%' then group_value
        when measure_id = 'esr_disability_known_rate_pct' then 'known'
        when measure_id like 'declaration%' then {{ dbt.replace(dbt.replace('measure_id', "'declaration_'", "''"), "'_pct'", "''") }}
    end
{%- elif count_column == 'denominator' -%}
    case
        when measure_id in {{ wf_shares }} then case when {{ sdc_is_known_only_variant() }} then 'known' else 'all' end
        when measure_id in {{ representation }} or measure_id like 'spc_bme_share_8c_plus_pct%' then 'known'
        when measure_id in ('representation_unknown_rate_pct', 'esr_disabled_share_pct',
            'esr_disability_known_rate_pct') or measure_id like 'declaration%'
            or (measure_id like 'spc%' and measure_id like '%per_1000%') then 'all'
        when (measure_id like 'hia6%' and measure_id like '%per_1000') or {{ sdc_headcount_based_rl() }} then group_value
    end
{%- elif count_column == 'reference_numerator' -%}
    case when measure_id like 'wres9_board%' or measure_id like 'wdes10_board%' then group_value end
{%- else -%}
    case
        when measure_id like 'wres9_board%' or measure_id like 'wdes10_board%'
            then case when {{ sdc_is_known_only_variant() }} then 'known' else 'all' end
        when {{ sdc_headcount_based_rl() }} then reference_group
    end
{%- endif -%}
{%- endmacro %}

{#- The event population (incidents / staff_affected) a count of the row is, or null. -#}
{% macro sdc_event_population(count_column) -%}
{%- if count_column == 'numerator' -%}
    case
        when measure_id = 'hia6_incidents_per_1000' or measure_id like 'spc_incidents_per_1000%' then 'incidents'
        when measure_id = 'hia6_staff_affected_per_1000' or measure_id like 'rl%affected_by_incident'
            then 'staff_affected'
    end
{%- elif count_column == 'reference_numerator' -%}
    case when measure_id like 'rl%affected_by_incident' then 'staff_affected' end
{%- else -%}
    cast(null as {{ dbt.type_string() }})
{%- endif -%}
{%- endmacro %}

{#- The pay population a count of the row is (pay_full_pay_relevant, pay_bonus_recipients, pay_relevant), or null. -#}
{% macro sdc_pay_population(count_column) -%}
{%- set bonus_gap_population = 'pay_bonus_recipients' if edi_setting('pay_bonus_recipients_only') else 'pay_relevant' -%}
{%- if count_column in ('numerator', 'reference_denominator') -%}
    case
        when measure_id in ('pay_gap_mean_hourly_pct', 'pay_gap_median_hourly_pct') then 'pay_full_pay_relevant'
        when measure_id in ('bonus_gap_mean_pct', 'bonus_gap_median_pct') then '{{ bonus_gap_population }}'
        {%- if count_column == 'numerator' %}
        when measure_id = 'pct_paid_bonus' then 'pay_bonus_recipients'
        when measure_id = 'pay_not_stated_pct' then 'pay_relevant'
        {%- endif %}
    end
{%- elif count_column == 'denominator' -%}
    case when measure_id in ('pct_paid_bonus', 'pay_not_stated_pct') then 'pay_relevant' end
{%- else -%}
    cast(null as {{ dbt.type_string() }})
{%- endif -%}
{%- endmacro %}

{#- The pay group a count of the row is: the share not stated counts the unknown group of its population
    ('all': the cell's Unknown; a sex: that sex & Unknown) over the population itself (the cell, or the
    sex); other rows count their own group. -#}
{% macro sdc_pay_group(count_column) -%}
{%- if count_column == 'numerator' -%}
    case
        when measure_id <> 'pay_not_stated_pct' then group_value
        when group_value = 'all' then 'Unknown'
        else {{ dbt.concat(['group_value', "' & Unknown'"]) }}
    end
{%- else -%}
    {{ 'reference_group' if count_column.startswith('reference_') else 'group_value' }}
{%- endif -%}
{%- endmacro %}

{#- HIA6 groups of every dimension that are no group of the population: incidents matched to nobody and
    incidents to people outside the WRES population. With the population's own ('all'), they add up to
    the incidents reported (group 'reported': the SPC incident series). -#}
{% macro sdc_events_outside_groups() -%}
    ('unmatched', 'outside_population')
{%- endmacro %}

{#- The cell of one count of the row: its key parts as SQL expressions (a dict). hc_group and
    event_population: columns holding sdc_headcount_group(count_column) and sdc_event_population(count_column),
    worked out once per row. -#}
{% macro sdc_count_cell(count_column, hc_group, event_population) -%}
{%- set own_group = 'reference_group' if count_column.startswith('reference_') else 'group_value' -%}
{%- set hc_breakdown -%}
    case
        when measure_id like 'spc_bme_share_8c_plus_pct%' then 'cl:C4'
        when breakdown_value = 'all' or breakdown_type not in ('cluster', 'clinical_cluster', 'band', 'clinical_band')
            then 'all'
        when breakdown_type = 'cluster' then {{ dbt.concat(["'cl:'", 'breakdown_value']) }}
        when breakdown_type = 'clinical_cluster' then {{ dbt.concat(["'cc:'", 'breakdown_value']) }}
        when breakdown_type = 'band' then {{ dbt.concat(["'bd:'", 'breakdown_value']) }}
        else {{ dbt.concat(["'cb:'", 'breakdown_value']) }}
    end
{%- endset -%}
{%- set event_group = "case when measure_id like 'spc%' then 'reported' else " ~ own_group ~ " end" -%}
{%- set private_variant = "case variant when 'gap_vs_reference' then 'default' when 'mean_of_annual_rl' then 'pooled' else variant end" -%}
{%- set pay_population = sdc_pay_population(count_column) -%}
{%- set pay_group = sdc_pay_group(count_column) -%}
{%- set pay_dimension -%}
    {%- if count_column == 'denominator' -%}
    case
        when measure_id <> 'pay_not_stated_pct' then group_dimension
        when group_value = 'all' then '*'
        else 'sex'
    end
    {%- else -%}
    group_dimension
    {%- endif -%}
{%- endset -%}
{%- set cell = {
    'population': "case when " ~ hc_group ~ " is not null then 'headcount' when " ~ event_population ~ " is not null then "
        ~ event_population ~ " when " ~ pay_population ~ " is not null then " ~ pay_population
        ~ " else " ~ dbt.concat(["'m:'", 'measure_id', "':'", private_variant]) ~ " end",
    'period_type': "case when " ~ hc_group ~ " is not null then 'snapshot' else period_type end",
    'breakdown': "case when " ~ hc_group ~ " is not null then " ~ hc_breakdown ~ " when " ~ event_population
        ~ " is not null then case when measure_id like 'spc%' then 'all|all' else breakdown_value end else "
        ~ dbt.concat(['breakdown_type', "':'", 'breakdown_value']) ~ " end",
    'grp': "case when " ~ hc_group ~ " is not null then " ~ hc_group ~ " when " ~ event_population
        ~ " is not null then " ~ event_group ~ " when " ~ pay_population ~ " is not null then " ~ pay_group
        ~ " else " ~ dbt.concat(["coalesce(" ~ own_group ~ ", '')", "'/'",
        "'" ~ count_column.replace('reference_', '') ~ "'"]) ~ " end",
} -%}
{#- everyone, and the events reported and outside the population (HIA6 'unmatched', 'outside_population',
    a group of every dimension), are one count whatever the dimension -#}
{%- do cell.update({'dimension': "case when " ~ hc_group ~ " = 'all' or (" ~ hc_group ~ " is null and "
    ~ event_population ~ " is not null and (" ~ event_group ~ " in ('all', 'reported') or " ~ event_group ~ " in "
    ~ sdc_events_outside_groups() ~ ")) then '*' when " ~ hc_group ~ " is null and " ~ event_population
    ~ " is null and " ~ pay_population ~ " is not null then " ~ pay_dimension ~ " else group_dimension end"}) -%}
{{ return(cell) }}
{%- endmacro %}

{#- Partition rules of the headcount groups: (rule, total dimension, total group, member dimension,
    member groups, required members). A group that no row publishes is an empty group (the measure
    table leaves out groups of nobody), except a required member: the known headcount is published
    only where known-only shares are, not stated and missing only for the whole trust (declaration
    rates), so a line without them would not add up and is not drawn. -#}
{% macro sdc_headcount_rules() -%}
{%- set ethnic_5 = ['Asian', 'Black', 'Mixed or Multiple', 'Other'] -%}
{%- set rules = [
    ('ethnicity_known_unknown', '*', 'all', 'ethnicity', ['known', 'Unknown'], ['known']),
    ('wres_groups', '*', 'all', 'ethnicity', ['White', 'BME', 'Unknown'], []),
    ('wres_known', 'ethnicity', 'known', 'ethnicity', ['White', 'BME'], []),
    ('bme_groups', 'ethnicity', 'BME', 'ethnicity', ethnic_5, []),
    ('known_groups', 'ethnicity', 'known', 'ethnicity', ['White'] + ethnic_5, []),
    ('ethnicity_unknown', 'ethnicity', 'Unknown', 'ethnicity', ['not_stated', 'missing'], ['not_stated', 'missing']),
    ('disability_known_unknown', '*', 'all', 'disability', ['known', 'Unknown'], ['known']),
    ('disability_groups', '*', 'all', 'disability', ['Disabled', 'Non-disabled', 'Unknown'], []),
    ('disability_known', 'disability', 'known', 'disability', ['Disabled', 'Non-disabled'], []),
    ('disability_unknown', 'disability', 'Unknown', 'disability', ['not_stated', 'missing'], ['not_stated', 'missing']),
    ('sex_groups', '*', 'all', 'sex', ['Female', 'Male'], [])] -%}
{%- for dimension in ['ethnicity', 'disability', 'religion', 'sexual_orientation'] -%}
    {%- do rules.append(('declaration_' ~ dimension, '*', 'all', dimension, ['known', 'not_stated', 'missing'], ['not_stated', 'missing'])) -%}
{%- endfor -%}
{{ return(rules) }}
{%- endmacro %}

{#- Relations between the pay populations' groups within a breakdown cell: (rule, total dimension, total
    group, member dimension, member groups); an intersection group is '<sex> & <group>'. The whole cell
    ('*', 'all') = the groups of each characteristic is drawn from the published groups (sdc_cube_lines). -#}
{% macro sdc_pay_rules() -%}
{#- intersections cross men and women only: an ethnicity or disability group = its men + its women + its
    people of other sex values, who are in no published count (the line's complement) -#}
{%- set sexes = ['Male', 'Female'] -%}
{%- set ethnic_5 = ['Asian', 'Black', 'Mixed or Multiple', 'Other'] -%}
{%- set disability = ['Disabled', 'Non-disabled', 'Unknown'] -%}
{%- set rules = [] -%}
{%- for sex in sexes -%}
    {%- do rules.append(('pay_sex_by_wres', 'sex', sex, 'sex_ethnicity', [])) -%}
    {%- for g in ['White', 'BME', 'Unknown'] %}{% do rules[-1][4].append(sex ~ ' & ' ~ g) %}{% endfor -%}
    {%- do rules.append(('pay_sex_by_ethnicity_5', 'sex', sex, 'sex_ethnicity', [])) -%}
    {%- for g in ['White'] + ethnic_5 + ['Unknown'] %}{% do rules[-1][4].append(sex ~ ' & ' ~ g) %}{% endfor -%}
    {%- do rules.append(('pay_sex_bme_by_ethnicity_5', 'sex_ethnicity', sex ~ ' & BME', 'sex_ethnicity', [])) -%}
    {%- for g in ethnic_5 %}{% do rules[-1][4].append(sex ~ ' & ' ~ g) %}{% endfor -%}
    {%- do rules.append(('pay_sex_by_disability', 'sex', sex, 'sex_disability', [])) -%}
    {%- for g in disability %}{% do rules[-1][4].append(sex ~ ' & ' ~ g) %}{% endfor -%}
{%- endfor -%}
{%- for g in ['White', 'BME', 'Unknown'] -%}
    {%- do rules.append(('pay_ethnicity_by_sex', 'ethnicity', g, 'sex_ethnicity', [])) -%}
    {%- for sex in sexes %}{% do rules[-1][4].append(sex ~ ' & ' ~ g) %}{% endfor -%}
{%- endfor -%}
{%- for g in disability -%}
    {%- do rules.append(('pay_disability_by_sex', 'disability', g, 'sex_disability', [])) -%}
    {%- for sex in sexes %}{% do rules[-1][4].append(sex ~ ' & ' ~ g) %}{% endfor -%}
{%- endfor -%}
{{ return(rules) }}
{%- endmacro %}

{#- The pay populations (sdc_pay_population) and the characteristics whose groups split a pay cell once
    (ethnicity has two comparators' partitions and sex x ethnicity two variants: related by the rules). -#}
{% macro sdc_pay_populations() -%}
    ('pay_full_pay_relevant', 'pay_bonus_recipients', 'pay_relevant')
{%- endmacro %}

{% macro sdc_pay_partitioned_dimensions() -%}
    ('sex', 'disability', 'age_band', 'religion', 'sexual_orientation', 'sex_disability')
{%- endmacro %}

{#-
    sdc_cube_lines(cells, occurrences, ethnicity_relation=none)
        The lines of the cube: (line_id, cell_key, is_total), as a complete SELECT.
        cells: one row per cell with sdc_population, organisation_code, sdc_period_type, sdc_period_end,
        fy_end, sdc_breakdown, sdc_parent_a, sdc_parent_b, sdc_parent_c (the totals the cell is a member
        of, one column per kind of relation), sdc_dimension, sdc_group, cell_key.
        occurrences: one row per published count with its row's measure_id, variant, group_value,
        reference_group, fy_end, count_column and cell_key (for the RL windows).
        ethnicity_relation: census_2021_harmonised_group -> ethnicity_group_5 (the 16 harmonised groups
        in the 5); without it the 16 groups are related to the known headcount only.
        A line exists when its total cell does; a member that no row publishes is a zero (rows of
        zero headcount are left out of the measure table), so the line still adds up.
-#}
{% macro sdc_cube_lines(cells, occurrences, ethnicity_relation=none) -%}
with rule as (
    {%- for rule_id, total_dimension, total_group, member_dimension, members, required in sdc_headcount_rules() %}
    {%- for member in members %}
    select 'headcount' as rule_population, '{{ rule_id }}' as rule_id, '{{ total_dimension }}' as total_dimension,
        '{{ total_group }}' as total_group, '{{ member_dimension }}' as member_dimension, '{{ member }}' as member_group,
        {{ 'true' if member in required else 'false' }} as is_required, {{ required | length }} as required_members
    union all
    {%- endfor %}
    {%- endfor %}
    {%- for rule_id, total_dimension, total_group, member_dimension, members in sdc_pay_rules() %}
    {%- for member in members %}
    select 'pay', '{{ rule_id }}', '{{ total_dimension }}', '{{ total_group }}', '{{ member_dimension }}', '{{ member }}',
        false, 0
    union all
    {%- endfor %}
    {%- endfor %}
    -- a pay cell's whole population = the groups of each characteristic that splits it once
    select distinct 'pay', {{ dbt.concat(["'pay_partition_'", 'sdc_dimension']) }}, '*', 'all', sdc_dimension, sdc_group,
        false, 0
    from {{ cells }}
    where sdc_population in {{ sdc_pay_populations() }}
        and sdc_dimension in {{ sdc_pay_partitioned_dimensions() }}
    union all
    {%- if ethnicity_relation is not none %}
    select distinct 'headcount', 'harmonised_groups', 'ethnicity', ethnicity_group_5, 'ethnicity_16', census_2021_harmonised_group, false, 0
    from {{ ethnicity_relation }}
    where ethnicity_group_5 is not null and census_2021_harmonised_group is not null
    union all
    select distinct 'headcount', 'harmonised_bme', 'ethnicity', 'BME', 'ethnicity_16', census_2021_harmonised_group, false, 0
    from {{ ethnicity_relation }}
    where ethnicity_group_5 not in ('White', 'Unknown') and census_2021_harmonised_group is not null
    union all
    {%- endif %}
    -- known = the 16 harmonised groups
    select 'headcount', 'harmonised_known', 'ethnicity', 'known', 'ethnicity_16', g.sdc_group, false, 0
    from (select distinct sdc_group from {{ cells }} where sdc_dimension = 'ethnicity_16') as g
),

-- Every line is found from the cells' own key parts: the key of a cell's total (or of a rule's
-- members) is built and matched as one string, not by a join over seven columns.
rule_lines as (
    select
        {{ dbt.concat(['r.rule_id', "'#'", 't.cell_key']) }} as line_id, t.cell_key as total_key,
        m.cell_key as member_key, r.required_members,
        sum(case when r.is_required then 1 else 0 end) over (partition by r.rule_id, t.cell_key) as present_required
    from {{ cells }} as t
    inner join rule as r
        on t.sdc_dimension = r.total_dimension and t.sdc_group = r.total_group
    inner join {{ cells }} as m
        on m.cell_key = {{ sdc_key(['t.sdc_population', 't.organisation_code', 't.sdc_period_type', 't.sdc_period_end',
            't.sdc_breakdown', 'r.member_dimension', 'r.member_group']) }}
    where (r.rule_population = 'headcount' and t.sdc_population = 'headcount')
        or (r.rule_population = 'pay' and t.sdc_population in {{ sdc_pay_populations() }})
),

-- the totals each cell is a member of, by kind of relation
member_totals as (
    -- events: everyone = the groups of each dimension
    select
        {{ dbt.concat(["'groups:'", 'm.sdc_dimension']) }} as relation, m.cell_key as member_key,
        {{ sdc_key(['m.sdc_population', 'm.organisation_code', 'm.sdc_period_type', 'm.sdc_period_end',
            'm.sdc_breakdown', "'*'", "'all'"]) }} as total_key
    from {{ cells }} as m
    where m.sdc_population in ('incidents', 'staff_affected') and m.sdc_dimension <> '*'
    union all
    -- incidents reported = those to the population + those matched to nobody + those outside it
    select 'reported', m.cell_key,
        {{ sdc_key(['m.sdc_population', 'm.organisation_code', 'm.sdc_period_type', 'm.sdc_period_end',
            'm.sdc_breakdown', "'*'", "'reported'"]) }}
    from {{ cells }} as m
    where m.sdc_population = 'incidents' and m.sdc_dimension = '*'
        and (m.sdc_group = 'all' or m.sdc_group in {{ sdc_events_outside_groups() }})
    {%- for parent in ['sdc_parent_a', 'sdc_parent_b', 'sdc_parent_c'] %}
    union all
    -- across breakdowns: the same group of the parent breakdown
    select '{{ parent }}', m.cell_key,
        {{ sdc_key(['m.sdc_population', 'm.organisation_code', 'm.sdc_period_type', 'm.sdc_period_end',
            'm.' ~ parent, 'm.sdc_dimension', 'm.sdc_group']) }}
    from {{ cells }} as m
    where m.{{ parent }} is not null
    {%- endfor %}
    union all
    -- incidents of a year = those of its months
    select 'months', m.cell_key,
        {{ sdc_key(['m.sdc_population', 'm.organisation_code', "'financial_year'", 'm.fy_end',
            'm.sdc_breakdown', 'm.sdc_dimension', 'm.sdc_group']) }}
    from {{ cells }} as m
    where m.sdc_population = 'incidents' and m.sdc_period_type = 'month'
    union all
    -- and of a quarter (calendar quarters: the financial year's quarters)
    select 'months', m.cell_key,
        {{ sdc_key(['m.sdc_population', 'm.organisation_code', "'quarter'",
            'cast(' ~ dbt.last_day(dbt.dateadd('month', 2, dbt.date_trunc('quarter', 'm.sdc_period_end')), 'month') ~ ' as date)',
            'm.sdc_breakdown', 'm.sdc_dimension', 'm.sdc_group']) }}
    from {{ cells }} as m
    where m.sdc_population = 'incidents' and m.sdc_period_type = 'month'
),

group_lines as (
    -- headcount: the partition rules
    select line_id, total_key, member_key
    from rule_lines
    where present_required = required_members
    union all
    -- a line exists when its total cell does
    select {{ dbt.concat(['mt.relation', "'#'", 'mt.total_key']) }}, mt.total_key, mt.member_key
    from member_totals as mt
    inner join {{ cells }} as t
        on mt.total_key = t.cell_key
),

window_lines as (
    -- a pooled two-year window = this year's single year + last year's
    select {{ dbt.concat(["'window#'", 'p.cell_key']) }} as line_id, p.cell_key as total_key, s.cell_key as member_key
    from {{ occurrences }} as p
    inner join {{ occurrences }} as s
        on s.organisation_code = p.organisation_code and s.measure_id = p.measure_id
        and s.group_value = p.group_value and s.reference_group = p.reference_group
        and s.count_column = p.count_column and s.variant = 'single_year'
        and (s.fy_end = p.fy_end or s.fy_end = cast({{ dbt.dateadd('year', -1, 'p.fy_end') }} as date))
    where p.variant = 'pooled'
),

member_of as (
    select line_id, total_key, member_key from group_lines
    union all
    select line_id, total_key, member_key from window_lines
)

select distinct line_id, member_key as cell_key, false as is_total
from member_of
where member_key <> total_key
union all
select distinct line_id, total_key, true
from member_of
{%- endmacro %}
