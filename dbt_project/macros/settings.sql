{#-
    Settings with a fixed set of values (dbt_project.yml vars; metrics-spec Appendix B). Models read
    them only through edi_setting(name), so a mistyped value stops the run with an error naming the
    var and its allowed values instead of silently selecting nothing (dbt parses every model, so the
    error comes before anything is built). Free-form settings (counts, thresholds, lists) stay var().

    edi_setting_choices()   {var name: allowed values}; booleans must be real YAML booleans
    edi_setting(name)       the validated value of var(name)
-#}

{% macro edi_setting_choices() %}
    {{ return({
        'wres_ind3_window_method': ['pooled', 'mean_of_annual_rl'],
        'rep_denominator_includes_unknown': [true, false],
        'events_window': ['financial_year', 'calendar_year'],
        'pay_bonus_recipients_only': [true, false],
        'pay_quartile_remainder': ['fractional', 'whole_people'],
        'pay_age_band_reference': pay_reference_choices('age_band'),
        'pay_religion_reference': pay_reference_choices('religion'),
        'pay_sexual_orientation_reference': pay_reference_choices('sexual_orientation'),
        'pay_sex_ethnicity_reference': pay_reference_choices('sex_ethnicity'),
        'pay_sex_disability_reference': pay_reference_choices('sex_disability'),
        'spc_screen_outliers': [true, false],
        'sdc_derive_from_rounded': [true, false],
    }) }}
{% endmacro %}

{% macro edi_setting(name) %}
    {%- set choices = edi_setting_choices() -%}
    {%- if name not in choices -%}
        {{ exceptions.raise_compiler_error("edi_setting: '" ~ name ~ "' is not a setting with a fixed set of values; read it with var()") }}
    {%- endif -%}
    {%- set value = var(name) -%}
    {%- set ns = namespace(valid=false) -%}
    {%- for allowed in choices[name] -%}
        {#- `true == 1` in Jinja, and the string 'false' would read as true: compare booleans by identity -#}
        {%- if (allowed is boolean and value is sameas allowed)
               or (allowed is string and value is string and value == allowed) -%}
            {%- set ns.valid = true -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not ns.valid -%}
        {%- set shown = ("'" ~ value ~ "'") if value is string else (value | string) -%}
        {%- set allowed = [] -%}
        {%- for a in choices[name] %}{% do allowed.append((a | string | lower) if a is boolean else a) %}{% endfor -%}
        {%- set hint = ', a YAML boolean without quotes' if choices[name][0] is boolean else '' -%}
        {{ exceptions.raise_compiler_error(
            "dbt var '" ~ name ~ "' is " ~ shown ~ "; allowed values: " ~ allowed | join(', ')
            ~ " (set it in dbt_project.yml or with --vars" ~ hint ~ ")") }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}

{#- The groups a pay gap's reference group can be, per characteristic: the known groups of the seeds
    (ref_age_band, ref_religion_map.religion_group, ref_sexual_orientation_map.sexual_orientation_group;
    tests/metrics/test_pay_gap_characteristics.py checks they match) and, for an intersection, a sex
    crossed with a group that both of its variants have ('<sex> & <group>'). Written here because a
    var is validated when models are parsed, before any seed is loaded. -#}
{% macro pay_reference_choices(characteristic) %}
    {%- set sexes = ['Male', 'Female'] -%}
    {%- set choices = dict(
        age_band=['<20', '20-24', '25-29', '30-34', '35-39', '40-44', '45-49', '50-54', '55-59', '60-64', '65+'],
        religion=['Atheism', 'Buddhism', 'Christianity', 'Hinduism', 'Islam', 'Jainism', 'Judaism', 'Sikhism', 'Other'],
        sexual_orientation=['Heterosexual or Straight', 'Gay, Lesbian, Bisexual or Other', 'Not sure'],
        sex_ethnicity=[],
        sex_disability=[]) -%}
    {%- for sex in sexes -%}
        {%- do choices['sex_ethnicity'].append(sex ~ ' & White') -%}
        {%- for status in ['Non-disabled', 'Disabled'] %}{% do choices['sex_disability'].append(sex ~ ' & ' ~ status) %}{% endfor -%}
    {%- endfor -%}
    {{ return(choices[characteristic]) }}
{% endmacro %}
