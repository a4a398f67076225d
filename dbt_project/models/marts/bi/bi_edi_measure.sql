{#- On Spark table_in_stages: Spark would inline the 16 suppression passes into one plan too big to plan
    (macros/materializations/table_in_stages.sql), so each stage is written out as a table; not in
    batches, since the cluster bounds memory itself and re-planning the cube per batch was slow there. -#}
{{ config(contract={'enforced': true},
    materialized=('table_in_stages' if target.type == 'spark' else 'table_in_batches'),
    batch_source='fct_edi_measure', batch_column='organisation_code', batch_size=10) }}

-- bi_edi_measure: fct_edi_measure as BI users may see it - every count suppressed (1-7) and rounded,
-- share tables secondary-suppressed, values built from a suppressed count withheld (metrics-spec §10).
-- All counts are controlled as one cube (every count one cell, every relation between counts a line),
-- and every per-standard BI mart is a slice of this table, so no two BI tables can be differenced.
-- The rules live in the disclosure_control / disclosure_cube macros.
-- No line of the cube crosses organisations, so the cube is controlled 10 trusts at a time
-- (table_in_batches): its memory is that of one batch, its time linear in trusts.
{{ sdc_edi_measure(ref('fct_edi_measure'), passthrough_columns=[
    'standard', 'indicator_code', 'measure_label', 'measure_kind', 'higher_is_better', 'adverse_side'],
    ethnicity_relation=ref('dim_ethnicity'), band_relation=ref('dim_pay_grade'),
    measure_filter=edi_batch_filter('organisation_code')) }}
