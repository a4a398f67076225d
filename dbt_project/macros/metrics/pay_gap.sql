{#-
    Pay-gap building blocks (metrics-spec §6).

    median(x)                   the interpolated median of x (as double); an aggregate, nulls ignored.
    weighted_median(relation, partition_by, value_column, weight_column)
                                the same median from rows of (value, how many people have it).
    pay_gap_key(columns)        a 60-bit key standing for the values of the columns (list), so that
                                the pay chain's big tables sort and group on one number instead of
                                a trust's labels (int_pay_gap_groups holds what each key stands for).
    pay_gap_pct(ref, cmp)       (ref - cmp) / ref x 100: positive = the reference group earns more
                                (GOV.UK download convention); null when ref is 0 or null.
    pay_quartile_shares(relation, partition_by, group_column, rate_column, weight_column)
                                each group's units and share of each hourly-pay quarter, with the
                                §6 tie rule and the pay_quartile_remainder setting (see the macro).
-#}

{% macro median(x) -%}
    {{ return(adapter.dispatch('median', 'nhs_edi')(x)) }}
{%- endmacro %}

{% macro duckdb__median(x) -%}
    median(cast({{ x }} as double))
{%- endmacro %}

{#- percentile() is exact and interpolates like percentile_cont(0.5) (Spark 3.1+). -#}
{% macro spark__median(x) -%}
    percentile(cast({{ x }} as double), 0.5)
{%- endmacro %}

{#-
    weighted_median: a complete select (usable as a CTE body or a subquery) over `relation` (a table,
    CTE name or aliased subquery) whose rows are a value and a weight, the number of people who have
    it: one row per partition (the partition_by columns, list) with median_value, the median those
    people's values would get from median() over one row per person (nulls ignored; a partition
    without values gets no row). Lets the pay-gap medians be taken from (value, people) counts instead
    of a row per person and group.
-#}
{% macro weighted_median(relation, partition_by, value_column, weight_column) -%}
    {{ return(adapter.dispatch('weighted_median', 'nhs_edi')(relation, partition_by, value_column, weight_column)) }}
{%- endmacro %}

{#- DuckDB's median is quantile_cont(0.5): of the N values in order (positions 0 .. N-1), the values at
    floor((N-1)/2) and ceil((N-1)/2) and, for an even N, their mean (lo + hi) / 2 - the bits DuckDB
    gives, which lo + (hi - lo) / 2 is not. people_through is the number of people whose value is at
    most the row's (a RANGE frame: rows with equal values are peers and get the same sum, so the
    result cannot depend on how ties are ordered, and the rows need no aggregating first); the value
    at position k is the smallest whose people_through exceeds k. -#}
{% macro default__weighted_median(relation, partition_by, value_column, weight_column) -%}
    {%- set cols = partition_by | join(', ') -%}
    with wm_cumulative as (
        select
            {{ cols }},
            cast({{ value_column }} as double) as value,
            sum({{ weight_column }}) over (
                partition by {{ cols }} order by cast({{ value_column }} as double) asc nulls last
                range between unbounded preceding and current row
            ) as people_through,
            sum({{ weight_column }}) over (partition by {{ cols }}) as total_people
        from {{ relation }}
        where {{ value_column }} is not null
    ),

    wm_middle_positions as (
        select
            {{ cols }},
            value,
            people_through,
            cast(floor((total_people - 1) / 2.0) as bigint) as lower_position,
            total_people - 1 - cast(floor((total_people - 1) / 2.0) as bigint) as upper_position
        from wm_cumulative
    )

    select
        {{ cols }},
        (min(case when people_through > lower_position then value end)
            + min(case when people_through > upper_position then value end)) / 2 as median_value
    from wm_middle_positions
    group by {{ cols }}
{%- endmacro %}

{#- Spark's percentile() takes the people as its frequency argument: the median spark__median gives. -#}
{% macro spark__weighted_median(relation, partition_by, value_column, weight_column) -%}
    {%- set cols = partition_by | join(', ') -%}
    select {{ cols }}, percentile(cast({{ value_column }} as double), 0.5, {{ weight_column }}) as median_value
    from {{ relation }}
    where {{ value_column }} is not null
    group by {{ cols }}
{%- endmacro %}

{#- The first 60 bits of the md5 of the columns' values (text) joined by '|', as a bigint: the same key on
    every engine, so the tables that hold it compare equal across engines. A collision (two groups of
    one trust and year with the same key) would merge them, so the key's uniqueness within trust and
    year is tested where it is made (int_pay_gap_groups); at ~1,000 groups a trust and year its chance
    is ~10^-12. md5 costs ~4x DuckDB's own hash() (6.9 s against 1.6 s for 50 M rows on 2 cores), which
    differs from Spark's. -#}
{% macro pay_gap_key(columns) -%}
    {{ return(adapter.dispatch('pay_gap_key', 'nhs_edi')(columns)) }}
{%- endmacro %}

{% macro default__pay_gap_key(columns) -%}
    cast(('0x' || substr(md5(concat_ws('|', {{ columns | join(', ') }})), 1, 15)) as bigint)
{%- endmacro %}

{% macro spark__pay_gap_key(columns) -%}
    cast(conv(substr(md5(concat_ws('|', {{ columns | join(', ') }})), 1, 15), 16, 10) as bigint)
{%- endmacro %}

{% macro pay_gap_pct(reference_avg, comparison_avg) -%}
    ((cast({{ reference_avg }} as double) - cast({{ comparison_avg }} as double))
        / nullif(cast({{ reference_avg }} as double), 0) * 100)
{%- endmacro %}

{#-
    pay_quartile_shares: a complete select (usable as a CTE body or a subquery) over `relation`
    (a table, CTE name or aliased subquery) with the partition_by columns (list), the group column,
    the hourly rate and a weight: the number of people the row stands for ('1' for a row per person;
    rows with a null rate are ignored). The input is read once, into people per (partition, rate,
    group); the runs and the partition totals are window sums over those in one sorted pass, so a
    large input is never scanned or held twice.

    Tie rule (§6): the N people of a partition fill unit slots 0..N in rate order; a run of tied
    rates occupies [s, e) with e - s = its headcount. Quarter q covers slots [start_q, end_q); it takes
    overlap([s, e), quarter) / (e - s) of every group's people in the run, so each side of a
    boundary gets the run's group mix. Runs are whole rate values, so the result cannot depend on
    the order of tied rows.

    Quarter bounds follow the setting pay_quartile_remainder [NV pay.quartile_remainder], which only
    matters when 4 does not divide N:
      fractional    four equal quarters of N/4 slots, [(q-1)N/4, qN/4) (a person can be split);
      whole_people  quarters of whole people, floor(N/4) each, the r = N mod 4 left over going to the
                    lower quarter, then the upper middle, then the lower middle (2, 1, 2, 1 for N = 6).

    Slots are counted in quarter-people (4 x slots), so run and quarter bounds and their overlaps are
    whole numbers; each run's share is fixed to 9 decimal places and summed as a decimal, so a group's
    units come out the same whatever the order of the rows (a double sum gave 12.4999... or 12.5000...
    between identical runs, and its rounded head count 12 or 13).

    Returns: the partition columns, quartile (1-4), the group column, units (double, fractional
    people), quarter_units (the quarter's size in people) and share_pct (units / quarter_units x 100);
    every group seen in the partition gets a row for every quarter (0 units when absent).
-#}
{% macro pay_quartile_shares(relation, partition_by, group_column, rate_column, weight_column) -%}
    {%- set cols = partition_by | join(', ') -%}
    {%- set ns = namespace(group_conditions=[]) -%}
    {%- for c in partition_by -%}
        {%- set ns.group_conditions = ns.group_conditions + ['g.' ~ c ~ ' = u.' ~ c] -%}
    {%- endfor -%}
    {#- quarter-people before the end of quarter k (k = 0..4), in terms of total_n (whole numbers) -#}
    {%- set quarter_end_x4 = {} -%}
    {%- if edi_setting('pay_quartile_remainder') == 'fractional' -%}
        {%- for k in range(5) %}{% do quarter_end_x4.update({k: k ~ ' * total_n'}) %}{% endfor -%}
    {%- else -%}
        {%- set whole = 'cast(floor(total_n / 4.0) as bigint)' -%}
        {%- set left_over = '(total_n - 4 * ' ~ whole ~ ')' -%}
        {%- set extra = {
            0: '0',
            1: '(case when ' ~ left_over ~ ' >= 1 then 1 else 0 end)',
            2: '(case when ' ~ left_over ~ ' >= 1 then 1 else 0 end + case when ' ~ left_over ~ ' >= 3 then 1 else 0 end)',
            3: left_over,
            4: left_over} -%}
        {%- for k in range(5) %}{% do quarter_end_x4.update({k: '4 * (' ~ k ~ ' * ' ~ whole ~ ' + ' ~ extra[k] ~ ')'}) %}{% endfor -%}
    {%- endif -%}
    with pqs_run_groups as (
        select {{ cols }}, {{ rate_column }} as rate, {{ group_column }} as group_value,
            cast(sum({{ weight_column }}) as bigint) as group_n
        from {{ relation }}
        where {{ rate_column }} is not null
        group by {{ cols }}, {{ rate_column }}, {{ group_column }}
    ),

    -- one sorted pass: the people up to and including the row's rate, in its run (tied rate) and in
    -- the partition. RANGE frames take a rate's rows as peers, so the order of tied rows cannot matter.
    pqs_ranked as (
        select
            {{ cols }},
            group_value,
            group_n,
            cast(sum(group_n) over (
                partition by {{ cols }} order by rate asc nulls last
                range between unbounded preceding and current row
            ) as bigint) as through_n,
            cast(sum(group_n) over (
                partition by {{ cols }} order by rate asc nulls last
                range between current row and current row
            ) as bigint) as run_n,
            cast(sum(group_n) over (partition by {{ cols }}) as bigint) as total_n
        from pqs_run_groups
    ),

    -- run and quarter bounds in quarter-people (4 x slots), whole numbers
    pqs_bounds as (
        select
            {{ cols }},
            group_value,
            group_n,
            run_n,
            total_n,
            4 * (through_n - run_n) as run_start_x4,
            4 * through_n as run_end_x4,
            q.quartile,
            cast(case q.quartile
                {%- for k in range(1, 5) %} when {{ k }} then {{ quarter_end_x4[k - 1] }}{% endfor %}
            end as bigint) as quarter_start_x4,
            cast(case q.quartile
                {%- for k in range(1, 5) %} when {{ k }} then {{ quarter_end_x4[k] }}{% endfor %}
            end as bigint) as quarter_end_x4
        from pqs_ranked
        cross join (
            select 1 as quartile
            union all select 2
            union all select 3
            union all select 4
        ) as q
    ),

    -- each run's share of the quarters it overlaps (most runs sit inside one)
    pqs_units as (
        select
            {{ cols }},
            quartile,
            group_value,
            total_n,
            {{ decimal_sum(
                'cast(group_n * (least(run_end_x4, quarter_end_x4) - greatest(run_start_x4, quarter_start_x4))'
                ~ ' as double) / (4.0 * run_n)', scale=9) }} as units
        from pqs_bounds
        where quarter_start_x4 < run_end_x4
            and run_start_x4 < quarter_end_x4
        group by {{ cols }}, quartile, group_value, total_n
    ),

    -- every group seen in the partition (each is in some quarter) in every quarter: 0 units where it
    -- has no one
    pqs_group_quarters as (
        select
            g.*,
            q.quartile,
            cast(case q.quartile
                {%- for k in range(1, 5) %} when {{ k }} then {{ quarter_end_x4[k] }} - {{ quarter_end_x4[k - 1] }}{% endfor %}
            end as bigint) as quarter_x4
        from (select distinct {{ cols }}, group_value, total_n from pqs_units) as g
        cross join (
            select 1 as quartile
            union all select 2
            union all select 3
            union all select 4
        ) as q
    )

    select
        {% for c in partition_by %}g.{{ c }}, {% endfor %}
        g.quartile,
        g.group_value as {{ group_column }},
        cast(coalesce(u.units, 0) as double) as units,
        cast(g.quarter_x4 as double) / 4.0 as quarter_units,
        -- narrow operands keep the product exact on Spark too (100 x decimal(38, 9) would lose 3 places there)
        cast(cast(100 as decimal(3, 0)) * cast(coalesce(u.units, 0) as decimal(28, 9)) as double)
            / nullif(cast(g.quarter_x4 as double) / 4.0, 0) as share_pct
    from pqs_group_quarters as g
    left join pqs_units as u
        on {{ ns.group_conditions | join(' and ') }}
        and g.quartile = u.quartile
        and g.group_value = u.group_value
{%- endmacro %}

{#-
    pay_gap_ethnicity_role(variant, is_white_british, wres_group): 'reference', 'comparison' or
    'unknown' for one person under an ethnicity comparator (§1, §6). white_british: White British as
    Census 2021 counts it (dim_ethnicity.is_white_british: code A and the ESR British sub-codes C2,
    CA-CD) is the reference and every other known code (White Irish and Other White included) an
    ethnic minority; wres_white: White (A-C) is the reference and BME (D-S) the comparison. Unknown
    (Z, 99, blank) is never in a gap.
-#}
{% macro pay_gap_ethnicity_role(variant, is_white_british, wres_group) -%}
    case
        when coalesce({{ wres_group }}, 'Unknown') not in ('White', 'BME') then 'unknown'
        when ({{ variant }} = 'white_british' and {{ is_white_british }})
            or ({{ variant }} = 'wres_white' and {{ wres_group }} = 'White') then 'reference'
        else 'comparison'
    end
{%- endmacro %}
