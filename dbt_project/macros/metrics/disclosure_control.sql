{#-
    Disclosure control (metrics-spec §10, test vector TV-X1) for everything published to BI users.
    Configuration (dbt_project.yml vars): sdc_suppress_min / sdc_suppress_max (primary range, 1..7),
    sdc_rounding_base (5), sdc_max_passes (secondary iterations), sdc_derive_from_rounded (true),
    sdc_min_respondents (11), sdc_min_group_pay (10), sdc_exempt_measures ([]).

    sdc_is_primary(count_expr)
        true when a count is in the primary range (1..7): it is published as "*" (null).
    sdc_round(count_expr)
        the count rounded to the nearest sdc_rounding_base (halves up); 0 stays 0.
    sdc_publish_count(count_expr, suppressed_expr=none)
        primary suppression + rounding of one count: null if in the primary range or if
        suppressed_expr (e.g. a secondary-suppression flag) is true, otherwise the rounded count.
        Totals are ordinary counts here: each is rounded on its own, never summed from rounded cells.
    sdc_derived_value(value_expr, suppressed_exprs)
        a value built from counts (%, rate, RL, CI, gap, score): null when any of the boolean
        suppressed_exprs is true.
    sdc_rate_from_rounded(value_expr, numerator_expr, denominator_expr, scale)
        the published rate: scale * rounded numerator / rounded denominator when
        the sdc_derive_from_rounded setting is true (the exact value stays restricted), else value_expr.
    sdc_suppress_cells(cells, lines, max_passes=none)
        secondary suppression over one cube: see the comment above the macro.
    sdc_edi_measure(measure_relation, passthrough_columns=[], ethnicity_relation=none, band_relation=none,
                    measure_filter='true')
        the BI long measure table; its cells and lines are in disclosure_cube.sql.
-#}

{% macro sdc_is_primary(count_expr) -%}
    coalesce({{ count_expr }} between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}, false)
{%- endmacro %}

{% macro sdc_round(count_expr) -%}
    {%- set base = var('sdc_rounding_base') -%}
    cast(floor((cast({{ count_expr }} as double) + {{ base }} / 2.0) / {{ base }}) * {{ base }} as bigint)
{%- endmacro %}

{% macro sdc_publish_count(count_expr, suppressed_expr=none) -%}
    case
        when {{ sdc_is_primary(count_expr) }}{% if suppressed_expr is not none %} or coalesce({{ suppressed_expr }}, false){% endif %} then null
        else {{ sdc_round(count_expr) }}
    end
{%- endmacro %}

{% macro sdc_derived_value(value_expr, suppressed_exprs) -%}
    case
        when {% for s in suppressed_exprs %}coalesce({{ s }}, false){% if not loop.last %} or {% endif %}{% endfor %} then null
        else {{ value_expr }}
    end
{%- endmacro %}

{% macro sdc_rate_from_rounded(value_expr, numerator_expr, denominator_expr, scale) -%}
    {%- if edi_setting('sdc_derive_from_rounded') -%}
    cast({{ scale }} * cast({{ sdc_round(numerator_expr) }} as double) / nullif({{ sdc_round(denominator_expr) }}, 0) as double)
    {%- else -%}
    {{ value_expr }}
    {%- endif -%}
{%- endmacro %}

{#-
    Secondary suppression over one cube of cells and the linear relations between them
    (metrics-spec §10: "Run one pass over one cube, so published tables cannot be differenced").

    sdc_suppress_cells(cells, lines, max_passes=none)
        cells   a relation with one row per published count: cell_key (unique), sdc_partition (cells of
                different partitions share no line; convergence is reported per partition), n (the
                unrounded count) and pre_suppressed (boolean: withhold it from the start, e.g. a survey
                base under sdc_min_respondents)
        lines   a relation with one row per (line_id, cell_key): the cells of one linear relation
                "total = sum of the members", is_total marking the total. A cell may belong to any
                number of lines, which is what makes the cube one: a count published by several
                measures is one cell, suppressed everywhere or nowhere, and every relation it takes
                part in is checked.
        Returns a complete SELECT: cell_key, sdc_partition, n, published_count (rounded, null when
        suppressed), is_suppressed, suppression_pass (0 = primary or pre-suppressed, k = secondary in
        pass k, null = published) and is_converged.

    Primary: counts in the primary range (and pre-suppressed cells). Then var('sdc_max_passes') passes,
    unrolled so it stays plain SQL: a line needs another suppression when it holds exactly one
    suppressed cell (its only unknown), or when its total is published and its suppressed members sum
    to the primary range. It then suppresses its smallest non-zero unsuppressed cell (ties: members before the total,
    then by cell_key), in every line and table the cell appears in. An implicit complement - total
    minus the members, when a line does not add up - is a cell no row publishes: it can be read off
    by differencing, so it counts as a suppressed cell when it is in the primary range, and, being
    unknown once a member is withheld, as the withheld member's partner otherwise. All lines of a pass are checked at once;
    one more pass tells whether the cube is stable (is_converged; a partition that did not converge
    must not be published as is).
    Cost: the first pass reads every line; a line none of whose cells changed gives the same answer
    as before, so each later pass reads only the lines holding a cell suppressed in the pass before
    (a few per cent), and the state between passes is the small set of cells suppressed so far. Cells
    and lines are numbered once (bigint), in cell_key order within a partition, so the passes join and
    sort numbers rather than long keys; a line lies in one partition, so that order is its cells' key order.
-#}
{% macro sdc_suppress_cells(cells, lines, max_passes=none) -%}
    {{ edi_cte_chain(sdc_suppress_cells_chain(cells, lines, max_passes)) }}
{%- endmacro %}

{#- sdc_suppress_cells as a chain of CTEs (edi_cte_chain): the numbered cells and lines and every
    pass's result are its stages, so on Spark no plan holds more than one pass. -#}
{% macro sdc_suppress_cells_chain(cells, lines, max_passes=none) -%}
{%- set passes = max_passes if max_passes is not none else var('sdc_max_passes') -%}
{%- if passes is not number or passes < 1 -%}
    {{ exceptions.raise_compiler_error("sdc_max_passes must be a whole number of at least 1, not " ~ passes) }}
{%- endif -%}
{%- set per_partition = 4294967296 -%}
{%- set ctes = [] -%}
{%- set sql -%}
    select
        cell_key,
        sdc_partition,
        cast(n as bigint) as n,
        ({{ sdc_is_primary('n') }} or coalesce(pre_suppressed, false)) as is_primary
    from {{ cells }}
{%- endset -%}
{%- do ctes.append({'name': 'sdc_cell', 'sql': sql}) -%}
{%- set sql -%}
    select sdc_partition, row_number() over (order by sdc_partition asc nulls last) as partition_no
    from (select distinct sdc_partition from sdc_cell) as p
{%- endset -%}
{%- do ctes.append({'name': 'sdc_partition_no', 'sql': sql}) -%}
{%- set sql -%}
    select
        c.*,
        p.partition_no * {{ per_partition }}
            + row_number() over (partition by c.sdc_partition order by c.cell_key asc nulls last) as cell_no
    from sdc_cell as c
    inner join sdc_partition_no as p
        on c.sdc_partition = p.sdc_partition
{%- endset -%}
{%- do ctes.append({'name': 'sdc_cell_no', 'sql': sql, 'stage': true}) -%}
{%- set sql -%}
    select l.line_id, c.sdc_partition, c.cell_no, l.is_total, c.n, c.is_primary
    from (select distinct line_id, cell_key, coalesce(is_total, false) as is_total from {{ lines }}) as l
    inner join sdc_cell_no as c
        on l.cell_key = c.cell_key
{%- endset -%}
{%- do ctes.append({'name': 'sdc_membership', 'sql': sql}) -%}
{#- what never changes about a line: whether it has a total, and the total minus its members -#}
{%- set sql -%}
    select
        g.line_id,
        p.partition_no * {{ per_partition }}
            + row_number() over (partition by g.sdc_partition order by g.line_id asc nulls last) as line_no,
        g.has_total,
        g.complement
    from (
        select
            line_id,
            min(sdc_partition) as sdc_partition,
            max(case when is_total then 1 else 0 end) as has_total,
            max(case when is_total then n end) - sum(case when is_total then 0 else n end) as complement
        from sdc_membership
        group by line_id
    ) as g
    inner join sdc_partition_no as p
        on g.sdc_partition = p.sdc_partition
{%- endset -%}
{%- do ctes.append({'name': 'sdc_line', 'sql': sql, 'stage': true}) -%}
{%- set sql -%}
    select l.line_no, m.cell_no, m.is_total, m.n, m.is_primary
    from sdc_membership as m
    inner join sdc_line as l
        on m.line_id = l.line_id
{%- endset -%}
{%- do ctes.append({'name': 'sdc_member', 'sql': sql, 'stage': true}) -%}
{%- for k in range(1, passes + 2) -%}
    {%- set sql -%}
    {%- if k == 1 %}
    select line_no, cell_no, is_total, n, is_primary as is_suppressed
    from sdc_member
    {%- else %}
    -- the lines holding a cell suppressed in the pass before, with every cell's state
    select m.line_no, m.cell_no, m.is_total, m.n, (m.is_primary or s.cell_no is not null) as is_suppressed
    from sdc_member as m
    inner join (
        select distinct a.line_no
        from sdc_member as a
        inner join sdc_new_{{ k - 1 }} as n
            on a.cell_no = n.cell_no
    ) as changed
        on m.line_no = changed.line_no
    left join sdc_secondary_{{ k - 1 }} as s
        on m.cell_no = s.cell_no
    {%- endif %}
    {%- endset -%}
    {%- do ctes.append({'name': 'sdc_member_' ~ k, 'sql': sql}) -%}
    {%- do ctes.append({'name': 'sdc_new_' ~ k, 'sql': sdc_line_picks('sdc_member_' ~ k), 'stage': true}) -%}
    {%- if k <= passes -%}
        {%- set sql -%}
    {%- if k > 1 %}
    select cell_no, suppression_pass from sdc_secondary_{{ k - 1 }}
    union all
    {%- endif %}
    select cell_no, {{ k }} as suppression_pass from sdc_new_{{ k }}
        {%- endset -%}
        {%- do ctes.append({'name': 'sdc_secondary_' ~ k, 'sql': sql, 'stage': true}) -%}
    {%- endif -%}
{%- endfor -%}
{%- set sql -%}
    select distinct c.sdc_partition
    from sdc_new_{{ passes + 1 }} as n
    inner join sdc_cell_no as c
        on n.cell_no = c.cell_no
{%- endset -%}
{%- do ctes.append({'name': 'sdc_unstable_partition', 'sql': sql}) -%}
{%- set sql -%}
select
    c.cell_key,
    c.sdc_partition,
    c.n,
    case when c.is_primary or s.cell_no is not null then null else {{ sdc_round('c.n') }} end as published_count,
    (c.is_primary or s.cell_no is not null) as is_suppressed,
    case when c.is_primary then 0 else s.suppression_pass end as suppression_pass,
    u.sdc_partition is null as is_converged
from sdc_cell_no as c
left join sdc_secondary_{{ passes }} as s
    on c.cell_no = s.cell_no
left join sdc_unstable_partition as u
    on c.sdc_partition = u.sdc_partition
{%- endset -%}
{{ return({'ctes': ctes, 'select': sql}) }}
{%- endmacro %}

{#- One pass over the given lines (members: line_no, cell_no, is_total, n, is_suppressed): the cells
    newly suppressed, each line that needs another suppression picking its first candidate. -#}
{% macro sdc_line_picks(members) -%}
{%- set lo = var('sdc_suppress_min') -%}
{%- set hi = var('sdc_suppress_max') -%}
    select distinct cell_no
    from (
        select
            m.cell_no,
            row_number() over (
                partition by m.line_no
                order by m.n asc nulls last, case when m.is_total then 1 else 0 end asc nulls last,
                    m.cell_no asc nulls last
            ) as pick_rank
        from {{ members }} as m
        inner join (
            select s.line_no
            from (
                select
                    line_no,
                    max(case when is_total and is_suppressed then 1 else 0 end) as total_suppressed,
                    sum(case when is_suppressed then 1 else 0 end) as suppressed_cells,
                    sum(case when is_suppressed and not is_total then n else 0 end) as suppressed_sum
                from {{ members }}
                group by line_no
            ) as s
            inner join sdc_line as l
                on s.line_no = l.line_no
            where l.has_total = 1 and (
                (s.suppressed_cells = 1 and l.complement = 0)
                or (s.suppressed_cells = 0 and l.complement between {{ lo }} and {{ hi }})
                or (s.total_suppressed = 0 and s.suppressed_sum
                    + case when l.complement between {{ lo }} and {{ hi }} then l.complement else 0 end
                    between {{ lo }} and {{ hi }}))
        ) as needy
            on m.line_no = needy.line_no
        where not m.is_suppressed and m.n > 0
    ) as candidate
    where pick_rank = 1
{%- endmacro %}

{#-
    sdc_edi_measure(measure_relation, passthrough_columns=[], ethnicity_relation=none, band_relation=none,
                    measure_filter='true')
        The BI version of the long measure table (fct_edi_measure shape, metrics-spec §10), every BI
        table being a slice of it:
        - every count (numerator, denominator, reference_numerator, reference_denominator) is a cell
          of ONE cube (disclosure_cube.sql: which counts are the same cell, and the lines relating
          them); primary suppression, secondary suppression over every line at once
          (sdc_suppress_cells), then rounding. A count is published or withheld alike in every row and
          every BI table that shows it;
        - value, value_uncorrected and CI are null when any count they are built from is withheld; percent and per_1000
          values that are numerator / denominator (to within half a unit of the numerator) are
          recomputed from the rounded counts when the sdc_derive_from_rounded setting is true (a percent
          that carries a CI, a Wilson interval, then gets the Wilson interval of the rounded counts), and
          value_uncorrected is the published value except beside a zero-cell-corrected RL;
        - survey counts over fewer than sdc_min_respondents respondents are withheld (as cells, so in
          every row that repeats them) and so is the value of a row with such a group; pay rows with a
          group smaller than sdc_min_group_pay lose value and CI;
        - measures in sdc_exempt_measures pass unchanged (outside the cube).
        measure_relation needs measure_kind and standard (catalogue columns of fct_edi_measure) besides
        the long shape. passthrough_columns: further columns copied unchanged after the long shape;
        a person-level column (staff key, person id) is refused. ethnicity_relation: see sdc_cube_lines.
        band_relation: pay grades with wres_band and cluster (dim_pay_grade): a band is related to the
        cluster all its grades are in; without it bands are related to the trust only.
        measure_filter: a condition on measure_relation's columns keeping the rows to control (e.g. a
        batch of organisations: every cell and line lies within one organisation, so controlling the
        organisations apart gives the same result as controlling them together).
-#}
{% macro sdc_edi_measure(measure_relation, passthrough_columns=[], ethnicity_relation=none, band_relation=none,
    measure_filter='true') -%}
    {{ edi_cte_chain(sdc_edi_measure_chain(measure_relation, passthrough_columns, ethnicity_relation, band_relation,
        measure_filter)) }}
{%- endmacro %}

{#- sdc_edi_measure as a chain of CTEs (edi_cte_chain): the keyed rows, the cells, the lines, the
    controlled cells and sdc_suppress_cells_chain's stages are its stages. -#}
{% macro sdc_edi_measure_chain(measure_relation, passthrough_columns=[], ethnicity_relation=none, band_relation=none,
    measure_filter='true') -%}
{%- for c in passthrough_columns -%}
    {%- if 'staff' in c | lower or 'person' in c | lower -%}
        {{ exceptions.raise_compiler_error("sdc_edi_measure: person-level column " ~ c ~ " must never reach BI") }}
    {%- endif -%}
{%- endfor -%}
{%- set count_columns = ['numerator', 'denominator', 'reference_numerator', 'reference_denominator'] -%}
{%- set exempt = var('sdc_exempt_measures') -%}
{%- set min_respondents = var('sdc_min_respondents') -%}
{%- set min_group_pay = var('sdc_min_group_pay') -%}
{%- set ctes = [] -%}
{%- set sql -%}
    select
        m.*,
        {% if exempt %}m.measure_id in ('{{ exempt | join("', '") }}'){% else %}false{% endif %} as sdc_is_exempt,
        coalesce(m.measure_kind in ('survey_pct', 'survey_score') and m.denominator < {{ min_respondents }}, false)
            as is_small_survey_group,
        coalesce(m.measure_kind in ('survey_pct', 'survey_score')
            and m.reference_denominator < {{ min_respondents }}, false) as is_small_survey_reference
    from {{ measure_relation }} as m
    where {{ measure_filter }}
{%- endset -%}
{%- do ctes.append({'name': 'measure', 'sql': sql}) -%}
{#- which population each count is a count of: worked out once per row, read by every key part -#}
{%- set sql -%}
    select
        m.*
        {%- for c in count_columns %},
        {{ sdc_headcount_group(c) }} as {{ c }}_hc_group,
        {{ sdc_event_population(c) }} as {{ c }}_event_population
        {%- endfor %}
    from measure as m
{%- endset -%}
{%- do ctes.append({'name': 'classified', 'sql': sql}) -%}
{%- set sql -%}
    select
        m.*
        {%- for c in count_columns %}
        {%- set cell = sdc_count_cell(c, c ~ '_hc_group', c ~ '_event_population') %},
        {{ cell.population }} as {{ c }}_population,
        {{ cell.period_type }} as {{ c }}_period_type,
        {{ cell.breakdown }} as {{ c }}_breakdown,
        {{ cell.dimension }} as {{ c }}_dimension,
        {{ cell.grp }} as {{ c }}_group
        {%- endfor %}
    from classified as m
{%- endset -%}
{%- do ctes.append({'name': 'parted', 'sql': sql}) -%}
{%- set sql -%}
    select
        k.*
        {%- for c in count_columns %},
        case when k.{{ c }} is not null then {{ sdc_key(['k.' ~ c ~ '_population', 'k.organisation_code',
            'k.' ~ c ~ '_period_type', 'k.period_end', 'k.' ~ c ~ '_breakdown', 'k.' ~ c ~ '_dimension',
            'k.' ~ c ~ '_group']) }} end as {{ c }}_cell_key
        {%- endfor %}
    from parted as k
{%- endset -%}
{%- do ctes.append({'name': 'keyed', 'sql': sql, 'stage': true}) -%}
{%- set sql -%}
    {%- for c in count_columns %}
    select
        k.organisation_code, k.measure_id, k.variant, k.group_value, k.reference_group, k.fy_end,
        '{{ c }}' as count_column,
        k.{{ c }} as n,
        {{ 'k.is_small_survey_reference' if c.startswith('reference_') else 'k.is_small_survey_group' }}
            as pre_suppressed,
        k.{{ c }}_population as sdc_population,
        k.{{ c }}_period_type as sdc_period_type,
        k.period_end as sdc_period_end,
        k.{{ c }}_breakdown as sdc_breakdown,
        k.{{ c }}_dimension as sdc_dimension,
        k.{{ c }}_group as sdc_group,
        k.{{ c }}_cell_key as cell_key
    from keyed as k
    where k.{{ c }} is not null and not k.sdc_is_exempt
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{%- endset -%}
{%- do ctes.append({'name': 'occurrence', 'sql': sql, 'stage': true}) -%}
{%- set sql -%}
    select
        cell_key,
        max(sdc_population) as sdc_population,
        max(organisation_code) as organisation_code,
        max(organisation_code) as sdc_partition,
        max(sdc_period_type) as sdc_period_type,
        max(sdc_period_end) as sdc_period_end,
        max(fy_end) as fy_end,
        max(sdc_breakdown) as sdc_breakdown,
        max(sdc_dimension) as sdc_dimension,
        max(sdc_group) as sdc_group,
        max(n) as n,
        -- two different counts under one key would be a mapping fault: withhold both rather than guess
        (max(case when pre_suppressed then 1 else 0 end) = 1 or min(n) <> max(n)) as pre_suppressed
    from occurrence
    group by cell_key
{%- endset -%}
{%- do ctes.append({'name': 'cell', 'sql': sql, 'stage': true}) -%}

{%- if band_relation is not none -%}
{#- the cluster of each band, where the pay grades put the band in one cluster -#}
{%- set sql -%}
    select wres_band, min(cluster) as cluster
    from {{ band_relation }}
    group by wres_band
    having count(distinct cluster) = 1
{%- endset -%}
{%- do ctes.append({'name': 'band_cluster', 'sql': sql}) -%}
{%- endif -%}
{%- set sql -%}
    select
        c.*,
        -- each column one kind of relation (a total may be the sum of the cells of several kinds)
        case
            when c.sdc_population = 'headcount' and c.sdc_breakdown like 'cl:%' then 'all'
            when c.sdc_population = 'headcount' and c.sdc_breakdown like 'cc:%'
                then {{ dbt.concat(["'cl:'", dbt.split_part('c.sdc_breakdown', "'|'", 2)]) }}
            when c.sdc_population = 'headcount' and c.sdc_breakdown like 'cb:%'
                then {{ dbt.concat(["'bd:'", dbt.split_part('c.sdc_breakdown', "'|'", 2)]) }}
            when c.sdc_population = 'incidents' and {{ dbt.split_part('c.sdc_breakdown', "'|'", 2) }} <> 'all'
                then {{ dbt.concat([dbt.split_part('c.sdc_breakdown', "'|'", 1), "'|all'"]) }}
        end as sdc_parent_a,
        case
            {%- if band_relation is not none %}
            when c.sdc_population = 'headcount' and c.sdc_breakdown like 'bd:%'
                then {{ dbt.concat(["'cl:'", 'bc.cluster']) }}
            when c.sdc_population = 'headcount' and c.sdc_breakdown like 'cb:%'
                then {{ dbt.concat([dbt.replace(dbt.split_part('c.sdc_breakdown', "'|'", 1), "'cb:'", "'cc:'"), "'|'",
                    'bc.cluster']) }}
            {%- endif %}
            when c.sdc_population = 'incidents' and {{ dbt.split_part('c.sdc_breakdown', "'|'", 1) }} <> 'all'
                then {{ dbt.concat(["'all|'", dbt.split_part('c.sdc_breakdown', "'|'", 2)]) }}
        end as sdc_parent_b,
        case when c.sdc_population = 'headcount' and c.sdc_breakdown like 'bd:%' then 'all' end as sdc_parent_c
    from cell as c
    {%- if band_relation is not none %}
    left join band_cluster as bc
        on c.sdc_population = 'headcount'
        and (c.sdc_breakdown like 'bd:%' or c.sdc_breakdown like 'cb:%')
        and bc.wres_band = case when c.sdc_breakdown like 'bd:%' then {{ dbt.replace('c.sdc_breakdown', "'bd:'", "''") }}
            else {{ dbt.split_part('c.sdc_breakdown', "'|'", 2) }} end
    {%- endif %}
{%- endset -%}
{%- do ctes.append({'name': 'cell_with_parents', 'sql': sql}) -%}
{%- set sql -%}
    {{ sdc_cube_lines('cell_with_parents', 'occurrence', ethnicity_relation) }}
{%- endset -%}
{%- do ctes.append({'name': 'line', 'sql': sql, 'stage': true}) -%}
{%- do ctes.append({'name': 'controlled_cell', 'chain': sdc_suppress_cells_chain('cell', 'line'), 'stage': true}) -%}
{%- set sql -%}
    select
        k.*,
        {%- for c in count_columns %}
        coalesce({{ c }}_cell.is_suppressed or not {{ c }}_cell.is_converged, false) as {{ c }}_withheld,
        coalesce({{ c }}_cell.suppression_pass > 0 or not {{ c }}_cell.is_converged, false) as {{ c }}_secondary,
        {%- endfor %}
        (k.is_small_survey_group or k.is_small_survey_reference) as is_small_survey_base,
        coalesce(k.standard = 'PAY' and (
            case when k.measure_kind = 'pay_gap' then k.numerator else k.denominator end < {{ min_group_pay }}
            or k.reference_denominator < {{ min_group_pay }}), false) as is_small_pay_group
    from keyed as k
    {%- for c in count_columns %}
    left join controlled_cell as {{ c }}_cell
        on k.{{ c }}_cell_key = {{ c }}_cell.cell_key
    {%- endfor %}
{%- endset -%}
{%- do ctes.append({'name': 'flagged', 'sql': sql}) -%}
{%- set sql -%}
    select
        f.*,
        not f.sdc_is_exempt and ({% for c in count_columns %}{{ sdc_is_primary('f.' ~ c) }}{{ ' or ' if not loop.last }}{% endfor %})
            as has_primary,
        not f.sdc_is_exempt and ({% for c in count_columns %}f.{{ c }}_secondary{{ ' or ' if not loop.last }}{% endfor %})
            as has_secondary,
        not f.sdc_is_exempt and f.is_small_survey_base as has_small_survey_base,
        not f.sdc_is_exempt and f.is_small_pay_group as has_small_pay_group
    from flagged as f
{%- endset -%}
{%- do ctes.append({'name': 'controlled', 'sql': sql}) -%}
{%- set sql -%}
    select
        c.*,
        (c.has_primary or c.has_secondary or c.has_small_survey_base or c.has_small_pay_group) as value_suppressed
    from controlled as c
{%- endset -%}
{%- do ctes.append({'name': 'published', 'sql': sql}) -%}
{%- set sql -%}
    select
        p.*,
        {%- set is_share_of_counts -%}
            -- a value is "numerator / denominator" when it implies the stored numerator to within half a
            -- unit (pay quarters hold people split by the tie rule, rounded to whole people)
            (not p.sdc_is_exempt and p.value_unit in ('percent', 'per_1000')
                and abs(p.value * p.denominator / case when p.value_unit = 'percent' then 100.0 else 1000.0 end
                    - p.numerator) <= 0.5)
        {%- endset %}
        {%- set rate_from_counts -%}
            case
                when {{ is_share_of_counts }}
                    then case when p.value_unit = 'percent'
                        then {{ sdc_rate_from_rounded('p.value', 'p.numerator', 'p.denominator', 100.0) }}
                        else {{ sdc_rate_from_rounded('p.value', 'p.numerator', 'p.denominator', 1000.0) }} end
                else p.value
            end
        {%- endset %}
        {{ sdc_derived_value(rate_from_counts, ['p.value_suppressed']) }} as published_value,
        {#- a share with a CI (differential attainment: first-attempt pass rates, NETS; each a Wilson
            interval of numerator / denominator) published from the rounded counts gets the Wilson interval
            of those counts, so the value still lies within its CI -#}
        {%- set rounded_numerator = sdc_round('p.numerator') -%}
        {%- set rounded_denominator = sdc_round('p.denominator') -%}
        {%- set ci_from_rounded = edi_setting('sdc_derive_from_rounded') -%}
        {{ sdc_derived_value(
            ("case when " ~ is_share_of_counts ~ " and p.value_unit = 'percent' and p.ci_lower is not null then 100.0 * "
             ~ wilson_lower(rounded_numerator, rounded_denominator) ~ " else p.ci_lower end") if ci_from_rounded else 'p.ci_lower',
            ['p.value_suppressed']) }} as published_ci_lower,
        {{ sdc_derived_value(
            ("case when " ~ is_share_of_counts ~ " and p.value_unit = 'percent' and p.ci_upper is not null then 100.0 * "
             ~ wilson_upper(rounded_numerator, rounded_denominator) ~ " else p.ci_upper end") if ci_from_rounded else 'p.ci_upper',
            ['p.value_suppressed']) }} as published_ci_upper
    from published as p
{%- endset -%}
{%- do ctes.append({'name': 'valued', 'sql': sql}) -%}
{%- set sql -%}
select
    organisation_code,
    period_type,
    period_end,
    fy_end,
    measure_id,
    variant,
    breakdown_type,
    breakdown_value,
    group_dimension,
    group_value,
    reference_group,
    {%- for c in count_columns %}
    case
        when sdc_is_exempt then {{ c }}
        else {{ sdc_publish_count(c, c ~ '_withheld') }}
    end as {{ c }},
    {%- endfor %}
    published_value as value,
    -- the raw ratio beside a zero-cell-corrected RL is derived from the same counts: withheld with the
    -- value; everywhere else it equals the value, so it is the value as published (never the exact one)
    case
        when flag_zero_cell_corrected then {{ sdc_derived_value('value_uncorrected', ['value_suppressed']) }}
        else published_value
    end as value_uncorrected,
    value_unit,
    published_ci_lower as ci_lower,
    published_ci_upper as ci_upper,
    flag_small_count,
    flag_zero_cell,
    flag_zero_cell_corrected,
    flag_ci_spans_parity,
    flag_volatile,
    flag_window_incomplete,
    {%- for c in passthrough_columns %}
    {{ c }},
    {%- endfor %}
    value_suppressed as is_suppressed,
    cast(case
        when has_primary then 'primary'
        when has_secondary then 'secondary'
        when has_small_survey_base then 'min_respondents'
        when has_small_pay_group then 'min_group_pay'
    end as {{ dbt.type_string() }}) as suppression_reason
from valued
{%- endset -%}
{{ return({'ctes': ctes, 'select': sql}) }}
{%- endmacro %}
