{{ config(contract={'enforced': true}) }}

-- dim_trainee: doctors in training from their ARCP reviews, type 2 over the placement (employing trust,
-- programme, grade): a new version starts at the first review of each change and ends the day before
-- the next one starts (a trainee's first review of a day decides that day's placement). The equality attributes are the trainee's latest declaration (the most recent
-- review that states it), the same on every version, resolved to the conformed dimensions through the
-- ESR code sets (the extract uses them). trainee_key is the GMC number as HMAC'd at landing: no
-- direct identifier reaches the warehouse. Plus an unknown member ('-1').
with reviews as (
    select
        trainee_key,
        organisation_code,
        programme_code,
        grade,
        review_date,
        pmq_region,
        ethnic_origin,
        ethnic_category_code,
        gender_code,
        disability_code,
        _source_file,
        _row_number
    from {{ ref('stg_tis__arcp_outcomes') }}
    where trainee_key is not null
        and review_date is not null
),

-- one review per trainee and day: two on one day (a rotation between trusts' extracts) would open two
-- versions on the same date, one of them ending the day before it starts
one_per_day as (
    select
        r.*,
        row_number() over (
            partition by r.trainee_key, r.review_date
            order by r.organisation_code asc nulls last, r._source_file asc nulls last, r._row_number asc nulls last
        ) as day_rank
    from reviews as r
),

placed as (
    select
        r.*,
        {{ dbt.concat(["coalesce(r.organisation_code, '~')", "'|'", "coalesce(r.programme_code, '~')", "'|'",
                       "coalesce(r.grade, '~')"]) }} as placement,
        row_number() over (
            partition by r.trainee_key
            order by r.review_date asc nulls last, r._source_file asc nulls last, r._row_number asc nulls last
        ) as review_sequence
    from one_per_day as r
    where r.day_rank = 1
),

changes as (
    select
        p.*,
        case
            when lag(p.placement) over (partition by p.trainee_key order by p.review_sequence asc nulls last)
                = p.placement then 0
            else 1
        end as starts_version
    from placed as p
),

numbered as (
    select
        c.*,
        sum(c.starts_version) over (
            partition by c.trainee_key order by c.review_sequence asc nulls last
            rows between unbounded preceding and current row
        ) as version_number
    from changes as c
),

versions as (
    select
        trainee_key,
        version_number,
        min(review_date) as valid_from,
        min(organisation_code) as organisation_code,
        min(programme_code) as programme_code,
        min(grade) as grade
    from numbered
    group by trainee_key, version_number
),

dated as (
    select
        v.*,
        lead(v.valid_from) over (partition by v.trainee_key order by v.version_number asc nulls last) as next_valid_from
    from versions as v
),

-- the latest review that states each attribute (a blank on a later review keeps the earlier declaration)
declared as (
    select
        n.trainee_key,
        n.pmq_region,
        n.ethnic_category_code,
        n.ethnic_origin,
        n.gender_code,
        n.disability_code,
        row_number() over (partition by n.trainee_key
            order by case when n.pmq_region is null then 1 else 0 end asc nulls last, n.review_sequence desc nulls last) as pmq_rank,
        row_number() over (partition by n.trainee_key
            order by case when n.ethnic_origin is null then 1 else 0 end asc nulls last, n.review_sequence desc nulls last) as ethnicity_rank,
        row_number() over (partition by n.trainee_key
            order by case when n.gender_code is null then 1 else 0 end asc nulls last, n.review_sequence desc nulls last) as sex_rank,
        row_number() over (partition by n.trainee_key
            order by case when n.disability_code is null then 1 else 0 end asc nulls last, n.review_sequence desc nulls last) as disability_rank
    from numbered as n
),

ethnicity_labels as (
    select
        upper(ethnicity_label) as ethnicity_label,
        ethnic_category_code
    from {{ ref('ref_ethnicity_label_map') }}
    where label_level = 'ethnic_category'
),

equality as (
    select
        t.trainee_key,
        pm.pmq_region,
        coalesce(pm.is_uk_graduate, false) as is_uk_graduate,
        coalesce(eth.ethnicity_key, '-1') as ethnicity_key,
        coalesce(eth.wres_group, 'Unknown') as wres_group,
        coalesce(dis.disability_key, '-1') as disability_key,
        coalesce(sx.sex_key, '-1') as sex_key
    from (select distinct trainee_key from numbered) as t
    left join declared as dp on t.trainee_key = dp.trainee_key and dp.pmq_rank = 1
    left join {{ ref('ref_pmq_region') }} as pm on dp.pmq_region = pm.pmq_region
    left join declared as de on t.trainee_key = de.trainee_key and de.ethnicity_rank = 1
    left join ethnicity_labels as lbl
        on de.ethnic_category_code is null
        and upper(de.ethnic_origin) = lbl.ethnicity_label
    left join {{ ref('dim_ethnicity') }} as eth
        on coalesce(de.ethnic_category_code, lbl.ethnic_category_code) = eth.ethnicity_key
    left join declared as ds on t.trainee_key = ds.trainee_key and ds.sex_rank = 1
    left join {{ ref('dim_sex') }} as sx on ds.gender_code = sx.sex_key
    left join declared as dd on t.trainee_key = dd.trainee_key and dd.disability_rank = 1
    left join {{ ref('dim_disability') }} as dis on dd.disability_code = dis.disability_key
),

resolved as (
    select
        {{ dbt.concat(['d.trainee_key', "'|'", 'cast(d.version_number as ' ~ dbt.type_string() ~ ')']) }}
            as trainee_version_key,
        d.trainee_key,
        d.valid_from,
        coalesce(cast({{ dbt.dateadd('day', -1, 'd.next_valid_from') }} as date), cast('9999-12-31' as date)) as valid_to,
        d.next_valid_from is null as is_current,
        coalesce(o.trust_code, 'UNKNOWN') as organisation_code,
        coalesce(pr.programme_key, '-1') as programme_key,
        d.grade,
        e.pmq_region,
        e.ethnicity_key,
        e.disability_key,
        e.sex_key,
        -- ethnicity x place of qualification, as the GMC's differential-attainment analyses group doctors
        case
            when e.is_uk_graduate then {{ dbt.concat(["'UK '", 'e.wres_group']) }}
            when e.pmq_region is not null then e.pmq_region
            else 'Unknown'
        end as attainment_group,
        false as is_unknown_member
    from dated as d
    inner join equality as e on d.trainee_key = e.trainee_key
    left join {{ ref('dim_organisation') }} as o
        on d.organisation_code = o.trust_code
    left join {{ ref('dim_programme') }} as pr
        on d.programme_code = pr.programme_key
        and not pr.is_unknown_member
),

unknown_member as (
    select
        '-1' as trainee_version_key,
        '-1' as trainee_key,
        cast('1900-01-01' as date) as valid_from,
        cast('9999-12-31' as date) as valid_to,
        true as is_current,
        'UNKNOWN' as organisation_code,
        '-1' as programme_key,
        cast(null as {{ dbt.type_string() }}) as grade,
        cast(null as {{ dbt.type_string() }}) as pmq_region,
        '-1' as ethnicity_key,
        '-1' as disability_key,
        '-1' as sex_key,
        'Unknown' as attainment_group,
        true as is_unknown_member
),

unioned as (
    select * from resolved
    union all
    select * from unknown_member
)

select
    cast(trainee_version_key as {{ dbt.type_string() }}) as trainee_version_key,
    cast(trainee_key as {{ dbt.type_string() }}) as trainee_key,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(is_current as boolean) as is_current,
    cast(organisation_code as {{ dbt.type_string() }}) as organisation_code,
    cast(programme_key as {{ dbt.type_string() }}) as programme_key,
    cast(grade as {{ dbt.type_string() }}) as grade,
    cast(pmq_region as {{ dbt.type_string() }}) as pmq_region,
    cast(ethnicity_key as {{ dbt.type_string() }}) as ethnicity_key,
    cast(disability_key as {{ dbt.type_string() }}) as disability_key,
    cast(sex_key as {{ dbt.type_string() }}) as sex_key,
    cast(attainment_group as {{ dbt.type_string() }}) as attainment_group,
    cast(is_unknown_member as boolean) as is_unknown_member
from unioned
