{{ config(contract={'enforced': true}) }}

-- bi_edi_measure: fct_edi_measure as BI users may see it - every count suppressed (1-7) and rounded,
-- share tables secondary-suppressed, values built from a suppressed count withheld (metrics-spec §10).
-- The rules live in the disclosure_control macros so every BI table applies the same ones.
{{ sdc_edi_measure(ref('fct_edi_measure'), passthrough_columns=[
    'standard', 'indicator_code', 'measure_label', 'measure_kind', 'higher_is_better', 'adverse_side']) }}
