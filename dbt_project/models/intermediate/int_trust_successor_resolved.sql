{%- set max_hops = 6 -%}
-- Walks ODS successions from each closed trust to its latest successor that is a trust and still open.
-- Rules: ignore self-successions (39 published rows name a code as its own successor) and successions to
-- non-trust codes; when a trust has several successors (a split, e.g. Pennine Acute RW6 -> R0A and RM3)
-- take the latest succession date, then an open successor, then the lowest code. The walk follows at most
-- {{ max_hops }} hops (the bundled data needs 2), stops at the first open trust, and stops if it comes back
-- to the starting trust (a cycle). If no open trust is reached, the last trust reached is kept.
with trusts as (
    select trust_code, close_date is null as is_open
    from {{ ref('stg_ods__trusts') }}
),

candidate_edges as (
    select
        succession.predecessor_code,
        succession.successor_code,
        succession.succession_date,
        successor.is_open as successor_is_open
    from {{ ref('stg_ods__trust_successors') }} as succession
    inner join trusts as predecessor on succession.predecessor_code = predecessor.trust_code
    inner join trusts as successor on succession.successor_code = successor.trust_code
    where succession.predecessor_code <> succession.successor_code
),

ranked_edges as (
    select
        predecessor_code,
        successor_code,
        row_number() over (
            partition by predecessor_code
            order by
                succession_date desc nulls last,
                case when successor_is_open then 0 else 1 end asc nulls last,
                successor_code asc nulls last
        ) as edge_rank
    from candidate_edges
),

edges as (
    select predecessor_code, successor_code
    from ranked_edges
    where edge_rank = 1
),

walk as (
    select
        start.trust_code,
        start.is_open
        {%- for hop in range(1, max_hops + 1) %},
        hop_{{ hop }}.trust_code as hop_{{ hop }}_code,
        hop_{{ hop }}.is_open as hop_{{ hop }}_is_open
        {%- endfor %}
    from trusts as start
    {%- for hop in range(1, max_hops + 1) %}
    {%- set prev = 'start' if hop == 1 else 'hop_' ~ (hop - 1) %}
    left join edges as edge_{{ hop }}
        on edge_{{ hop }}.predecessor_code = {{ prev }}.trust_code
        and not {{ prev }}.is_open
        {%- if hop > 1 %}
        and {{ prev }}.trust_code <> start.trust_code
        {%- endif %}
    left join trusts as hop_{{ hop }}
        on edge_{{ hop }}.successor_code = hop_{{ hop }}.trust_code
    {%- endfor %}
),

resolved as (
    select
        trust_code,
        case
            {%- for hop in range(1, max_hops + 1) %}
            when hop_{{ hop }}_is_open then hop_{{ hop }}_code
            {%- endfor %}
            {%- for hop in range(max_hops, 0, -1) %}
            when hop_{{ hop }}_code is not null and hop_{{ hop }}_code <> trust_code then hop_{{ hop }}_code
            {%- endfor %}
        end as successor_trust_code,
        case
            {%- for hop in range(1, max_hops + 1) %}
            when hop_{{ hop }}_is_open then {{ hop }}
            {%- endfor %}
            {%- for hop in range(max_hops, 0, -1) %}
            when hop_{{ hop }}_code is not null and hop_{{ hop }}_code <> trust_code then {{ hop }}
            {%- endfor %}
        end as successor_hops
    from walk
    where not is_open
)

select
    resolved.trust_code,
    resolved.successor_trust_code,
    cast(resolved.successor_hops as int) as successor_hops,
    successor.is_open as is_successor_open
from resolved
left join trusts as successor on resolved.successor_trust_code = successor.trust_code
