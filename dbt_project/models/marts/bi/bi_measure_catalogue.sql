-- bi_measure_catalogue: the measure catalogue (seed ref_measure) as BI users read it.
select
    cast(measure_id as {{ dbt.type_string() }}) as measure_id,
    cast(standard as {{ dbt.type_string() }}) as standard,
    cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
    cast(measure_kind as {{ dbt.type_string() }}) as measure_kind,
    cast(value_unit as {{ dbt.type_string() }}) as value_unit,
    cast(bi_label as {{ dbt.type_string() }}) as measure_label,
    cast(definition as {{ dbt.type_string() }}) as definition,
    cast(numerator_group as {{ dbt.type_string() }}) as numerator_group,
    cast(denominator_group as {{ dbt.type_string() }}) as denominator_group,
    cast(protected_group as {{ dbt.type_string() }}) as protected_group,
    cast(event_polarity as {{ dbt.type_string() }}) as event_polarity,
    cast(adverse_side as {{ dbt.type_string() }}) as adverse_side,
    cast(higher_is_better as boolean) as higher_is_better,
    cast(source_fact as {{ dbt.type_string() }}) as source_fact,
    cast(spec_section as {{ dbt.type_string() }}) as spec_section
from {{ ref('ref_measure') }}
