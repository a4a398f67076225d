{#-
    HIA6 helpers (metrics-spec §7), shared by the HIA6 models and their test vectors (TV-H1).

    rate_per_1000(events, base): events / base x 1,000 as a double; null when the base is 0 or null.
    target_from_reduction(baseline, reduction_pct): baseline x (1 - pct / 100), the target implied by
        a percentage reduction when the trust gives no target value.
-#}
{% macro rate_per_1000(events, base) -%}
    (1000.0 * cast({{ events }} as double) / nullif(cast({{ base }} as double), 0))
{%- endmacro %}

{% macro target_from_reduction(baseline, reduction_pct) -%}
    (cast({{ baseline }} as double) * (1.0 - cast({{ reduction_pct }} as double) / 100.0))
{%- endmacro %}
