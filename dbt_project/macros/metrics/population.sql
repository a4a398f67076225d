{#-
    wres_population_member(staff): true when a staff version belongs to the WRES/WDES workforce
    (metrics-spec §1), the people every workforce measure counts in its numerators and denominators
    alike: contracted FTE > 0, not bank-only (a Bank WRES of its own counts them) and not a
    non-executive director (an office holder: board figures count them, workforce measures never).
    `staff` is the alias of a relation with dim_staff's fte, is_bank_only and is_non_executive.
-#}
{% macro wres_population_member(staff) -%}
    (not {{ staff }}.is_bank_only and {{ staff }}.fte > 0 and not {{ staff }}.is_non_executive)
{%- endmacro %}
