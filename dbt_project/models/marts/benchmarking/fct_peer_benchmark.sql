{{ config(contract={'enforced': true}) }}

{%- set keys = ['fy_end', 'measure_id', 'variant', 'breakdown_type', 'breakdown_value', 'group_dimension',
                'group_value'] -%}

-- fct_peer_benchmark (metrics-spec §11): where each trust's annual measures stand among its peers, its
-- NHS region and England - the trusts in this warehouse - and, for the gender pay gap, among every
-- trust's real GOV.UK return (the latest published year).
-- The sets are ranked by comparison_sets_ranked (macros/metrics/benchmark.sql), in work linear in the trusts.
with measured as (
    {{ benchmarkable_rows(ref('fct_edi_measure'), keys) }}
),

{{ comparison_sets_ranked('measured', keys) }}

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(comparison_set as {{ dbt.type_string() }}) as comparison_set,
    {%- for key in keys %}
    cast({{ key }} as {{ 'date' if key == 'fy_end' else dbt.type_string() }}) as {{ key }},
    {%- endfor %}
    cast(value as double) as value,
    cast(set_size as bigint) as set_size,
    cast(less_favourable as bigint) as less_favourable_members,
    cast({{ set_percentile('less_favourable', 'set_size') }} as double) as percentile
from benchmarked
