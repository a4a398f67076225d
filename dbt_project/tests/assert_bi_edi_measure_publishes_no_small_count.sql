-- Disclosure control (metrics-spec §10): no count published to BI users lies in the primary
-- suppression range (1-7 by default); allow-listed measures (sdc_exempt_measures) are published as is.
{%- set exempt = var('sdc_exempt_measures') %}
select
    organisation_code, period_type, period_end, measure_id, variant, breakdown_type, breakdown_value,
    group_dimension, group_value, numerator, denominator, reference_numerator, reference_denominator
from {{ ref('bi_edi_measure') }}
where (
    numerator between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}
    or denominator between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}
    or reference_numerator between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}
    or reference_denominator between {{ var('sdc_suppress_min') }} and {{ var('sdc_suppress_max') }}
)
{%- if exempt %}
    and measure_id not in ('{{ exempt | join("', '") }}')
{%- endif %}
