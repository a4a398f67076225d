{#- Favourability (metrics-spec §11): bigger is better. RLs are judged by distance from parity, so
    0.8 and 1.25 are equally far; other measures by their direction; null when neither is better. -#}
{% macro favourability(value, measure_kind, higher_is_better) -%}
    case
        when {{ measure_kind }} = 'relative_likelihood' then -abs(ln(nullif({{ value }}, 0)))
        when {{ higher_is_better }} then {{ value }}
        when not {{ higher_is_better }} then -{{ value }}
    end
{%- endmacro %}

{#- Percentile of each subject within its comparison set: 100 x (members strictly less favourable)
    / (n - 1), null when the set has fewer than var('peer_min_n_for_percentile') members.
    `members` has the key columns, subject_trust_code, member_trust_code and member_favourability;
    every set lists the subject itself as a member. min_n overrides the variable (tests). -#}
{% macro peer_percentile(members, key_columns, min_n=none) -%}
    {%- set min_n = var('peer_min_n_for_percentile') if min_n is none else min_n %}
    select
        {% for key in key_columns %}s.{{ key }}, {% endfor %}
        s.subject_trust_code,
        count(*) as set_size,
        sum(case when m.member_favourability < s.member_favourability then 1 else 0 end) as less_favourable,
        case when count(*) >= {{ min_n }}
            then 100.0 * sum(case when m.member_favourability < s.member_favourability then 1 else 0 end)
                / (count(*) - 1)
        end as percentile
    from {{ members }} as s
    inner join {{ members }} as m
        on {% for key in key_columns %}s.{{ key }} = m.{{ key }} and {% endfor %}s.subject_trust_code = m.subject_trust_code
    where s.member_trust_code = s.subject_trust_code
    group by {% for key in key_columns %}s.{{ key }}, {% endfor %}s.subject_trust_code
{%- endmacro %}
