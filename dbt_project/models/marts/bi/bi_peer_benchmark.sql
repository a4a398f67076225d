{{ config(contract={'enforced': true}) }}

{%- set keys = ['fy_end', 'measure_id', 'variant', 'breakdown_type', 'breakdown_value', 'group_dimension',
                'group_value'] -%}

-- bi_peer_benchmark: where each trust's published annual measures stand among its peers, region and
-- England (metrics-spec §11) for the BI extract, ranked among the values bi_edi_measure publishes only:
-- ranking withheld values too would tell BI users on which side of each published value a withheld one
-- lies. Every rank can be checked from bi_edi_measure and bi_peer_set_member. The value itself is not
-- repeated here: BI users read it from bi_edi_measure.
with measured as (
    {{ benchmarkable_rows(ref('bi_edi_measure'), keys, published_only=true) }}
),

{{ comparison_sets_ranked('measured', keys) }}

select
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(comparison_set as {{ dbt.type_string() }}) as comparison_set,
    {%- for key in keys %}
    cast({{ key }} as {{ 'date' if key == 'fy_end' else dbt.type_string() }}) as {{ key }},
    {%- endfor %}
    cast(set_size as bigint) as set_size,
    cast(less_favourable as bigint) as less_favourable_members,
    cast({{ set_percentile('less_favourable', 'set_size') }} as double) as percentile
from benchmarked
