"""Bad-input corpus: every trust source's file, damaged in 20+ ways, through the real landing function.

The table KINDS is the documentation: kind -> how the file is damaged -> what landing must do.
Every damaged file starts as a few rows of a real generated file that land cleanly. Whatever the
outcome, rows read = landed + quarantined. A file-level error names the file and the contract and
leaves the source's previously landed table untouched; a quarantined row names the rule and column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.contracts import DECIMAL_TYPE, INTEGER_RANGES, Column, Contract, load_contracts
from orchestration.quality.expectations import validate_table
from orchestration.quality.landing import SourceFileError, land_source, source_files
from tests.fault.conftest import sha256

KEY = b"fault-test-key"
TRUST_SOURCES = ["esr_assignment", "esr_pay", "trac_application", "er_case", "datix_incident",
                 "training_record", "staff_survey_result", "arcp_outcome", "exam_attempt", "nets_result"]
CONTRACTS = load_contracts()
SAMPLE_ROWS = 4


# ---------------------------------------------------------------------------------------------
# Expected outcomes


@dataclass(frozen=True)
class FileError:
    pattern: str  # regex the SourceFileError message must match


@dataclass(frozen=True)
class Quarantined:
    rule: str  # the first broken rule of the one damaged row, e.g. "valid_values:gender"


@dataclass(frozen=True)
class Lands:
    rows: int | None = None  # None: every row of the sample


# ---------------------------------------------------------------------------------------------
# A small valid file and ways to damage it


@dataclass(frozen=True)
class Sample:
    contract: Contract
    header: list[str]
    rows: list[list[str]]

    def index(self, col: Column) -> int:
        return self.header.index(col.source_name)

    def column(self, wanted) -> Column | None:
        return next((c for c in self.contract.columns if wanted(c)), None)

    def csv(self, header=None, rows=None, delimiter=",", newline="\n") -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
        writer.writerow(self.header if header is None else header)
        writer.writerows(self.rows if rows is None else rows)
        return out.getvalue()

    def bytes(self, **kwargs) -> bytes:
        return self.csv(**kwargs).encode()

    def with_value(self, row: int, col: Column, value: str) -> Sample:
        rows = [list(r) for r in self.rows]
        rows[row][self.index(col)] = value
        return replace(self, rows=rows)


def date_text(col: Column, day: date) -> str:
    return day.strftime(col.date_format)


def is_free_text(col: Column) -> bool:
    return col.landing_type == "VARCHAR" and not (col.valid_values or col.pattern or col.pseudonymise)


def is_number(col: Column) -> bool:
    return col.landing_type in {"INTEGER", "BIGINT", "DOUBLE"} or bool(DECIMAL_TYPE.match(col.landing_type))


def fits(col: Column, value: int) -> bool:
    """Whether a whole number fits the type the column's values are checked as."""
    decimal = DECIMAL_TYPE.match(col.value_type)
    limit = 10 ** (int(decimal.group(1)) - int(decimal.group(2))) if decimal else INTEGER_RANGES.get(col.value_type)
    return limit is None or abs(value) < limit


def drop_column(s: Sample):
    i = len(s.header) // 2
    header = s.header[:i] + s.header[i + 1:]
    return s.bytes(header=header, rows=[r[:i] + r[i + 1:] for r in s.rows]), FileError(
        rf"missing column\(s\) '{re.escape(s.header[i])}'")


def extra_column(s: Sample, name="Notes", value="n/a"):
    return s.bytes(header=s.header + [name], rows=[r + [value] for r in s.rows]), FileError(
        rf"unexpected column\(s\) '{name}'")


def rename_column(s: Sample):
    header = [h.upper() if i == 1 else h for i, h in enumerate(s.header)]
    return s.bytes(header=header), FileError(
        rf"missing column\(s\) '{re.escape(s.header[1])}'; unexpected column\(s\) '{re.escape(header[1])}'")


def swap_columns(s: Sample):
    """Same names, another order: read by position, every value would land in the wrong column."""
    order = [1, 0, *range(2, len(s.header))]
    return s.bytes(header=[s.header[i] for i in order], rows=[[r[i] for i in order] for r in s.rows]), \
        FileError("columns are in a different order")


def repeat_column(s: Sample):
    return s.bytes(header=s.header + [s.header[0]], rows=[r + [r[0]] for r in s.rows]), FileError(
        rf"'{re.escape(s.header[0])}' appears 2 times")


def latin1_name(s: Sample):
    col = s.column(is_free_text) or s.column(lambda c: c.valid_values)
    return s.with_value(0, col, "Zoë Brontë").csv().encode("latin-1"), FileError("cannot be read as utf-8")


def utf8_name(s: Sample):
    col = s.column(is_free_text)
    return s.with_value(0, col, "Zoë Brontë").bytes(), Lands()


def newline_in_free_text(s: Sample):
    return s.with_value(0, s.column(is_free_text), "first line\nsecond line").bytes(), Lands()


def newline_in_code(s: Sample):
    col = s.column(lambda c: c.valid_values)
    value = s.rows[0][s.index(col)]
    return s.with_value(0, col, value[:2] + "\n" + value[2:]).bytes(), Quarantined(f"valid_values:{col.name}")


def not_a_number(s: Sample):
    col = s.column(is_number)
    return s.with_value(0, col, "twelve").bytes(), Quarantined(f"type:{col.name}")


def impossible_date(s: Sample):
    col = s.column(lambda c: c.date_format)
    text = col.date_format.replace("%d", "30").replace("%m", "02").replace("%Y", "2023")
    return s.with_value(0, col, text).bytes(), Quarantined(f"type:{col.name}")


def above_maximum(s: Sample):
    """A future date where the maximum is today; a year past the maximum for the survey year."""
    col = s.column(lambda c: c.maximum is not None)
    value = (date_text(col, date.today() + timedelta(days=400)) if col.date_format
             else str(int(col.maximum) + 1))
    return s.with_value(0, col, value).bytes(), Quarantined(f"maximum:{col.name}")


def below_minimum(s: Sample):
    col = s.column(lambda c: c.minimum is not None)
    value = (date_text(col, date.fromisoformat(str(col.minimum)) - timedelta(days=1)) if col.date_format
             else str(int(col.minimum) - 1))
    return s.with_value(0, col, value).bytes(), Quarantined(f"minimum:{col.name}")


def negative_number(s: Sample):
    col = s.column(lambda c: is_number(c) and c.minimum == 0)
    return s.with_value(0, col, "-1").bytes(), Quarantined(f"minimum:{col.name}")


def dates_out_of_order(s: Sample):
    col = s.column(lambda c: c.not_before)
    earlier = s.contract.column(col.not_before[0])
    row = next(i for i, r in enumerate(s.rows) if r[s.index(earlier)])
    before = datetime.strptime(s.rows[row][s.index(earlier)], earlier.date_format) - timedelta(days=1)
    return s.with_value(row, col, date_text(col, before)).bytes(), Quarantined(f"not_before:{col.name}")


def stage_across_blanks(contract: Contract) -> tuple[Column, Column] | None:
    """A date and an earlier stage it is compared with only through optional stages between them."""
    for col in contract.columns:
        earlier = [contract.column(n) for n in contract.earlier_columns(col.name)]
        if len(earlier) > 1 and earlier[-1].name not in col.not_before and not any(e.required for e in earlier[:-1]):
            return col, earlier[-1]
    return None


def skipping_a_blank_stage(s: Sample):
    """A later stage dated before an earlier one, every stage between them blank (e.g. appointed
    before the application was made, no offer recorded): only the transitive order catches it."""
    col, earliest = stage_across_blanks(s.contract)
    row = next(i for i, r in enumerate(s.rows) if r[s.index(earliest)])
    before = datetime.strptime(s.rows[row][s.index(earliest)], earliest.date_format) - timedelta(days=1)
    damaged = s.with_value(row, col, date_text(col, before))
    for name in s.contract.earlier_columns(col.name)[:-1]:
        damaged = damaged.with_value(row, s.contract.column(name), "")
    return damaged.bytes(), Quarantined(f"not_before:{col.name}")


def implausibly_large(s: Sample, value=1_000_000_000):
    """A number keyed with its digits repeated: above the contract's bound, or beyond the type
    staging casts to (then landing's cast fails first)."""
    keys = set(s.contract.primary_key)
    col = s.column(lambda c: c.is_numeric and c.maximum is not None and c.name not in keys)
    rule = "maximum" if fits(col, value) else "type"
    return s.with_value(0, col, str(value)).bytes(), Quarantined(f"{rule}:{col.name}")


def unknown_trust(s: Sample):
    col = s.contract.column("organisation_code")
    return s.with_value(0, col, "XX9").bytes(), Quarantined("references:organisation_code")


def another_trusts_row(s: Sample):
    """A real trust's code in one row of another trust's file."""
    col = s.contract.column("organisation_code")
    other = "RJ1" if s.rows[0][s.index(col)].strip().upper() != "RJ1" else "RBL"
    return s.with_value(0, col, other).bytes(), Quarantined("one_value_per_file:organisation_code")


def count_above_its_total(s: Sample):
    col = s.column(lambda c: c.not_greater_than)
    total = s.contract.column(col.not_greater_than[0])
    row = next(i for i, r in enumerate(s.rows) if r[s.index(total)].isdigit())
    return s.with_value(row, col, str(int(s.rows[row][s.index(total)]) + 1)).bytes(), \
        Quarantined(f"not_greater_than:{col.name}")


def survey_unmapped_question(s: Sample):
    col = s.contract.column("question_number")
    return s.with_value(0, col, "q99").bytes(), Quarantined("references:survey_year+question_number")


def duplicate_key(s: Sample):
    """Row 1 again with one non-key value changed: the same key describing something else.

    Never a total another count must not exceed (a survey's respondents): a smaller total would
    break that rule first."""
    keys = set(s.contract.primary_key)
    totals = {name for c in s.contract.columns for name in c.not_greater_than}
    i, value = next((s.index(c), r[s.index(c)]) for c in s.contract.columns for r in s.rows[1:]
                    if c.name not in keys | totals and not c.date_format and r[s.index(c)] != s.rows[0][s.index(c)])
    copy = list(s.rows[0])
    copy[i] = value
    return s.bytes(rows=s.rows + [copy]), Quarantined("duplicate_key")


def exact_duplicate(s: Sample):
    return s.bytes(rows=s.rows + [s.rows[0]]), Quarantined("exact_duplicate")


def unknown_code(s: Sample):
    col = s.column(lambda c: c.valid_values)
    return s.with_value(0, col, "NOT-A-CODE").bytes(), Quarantined(f"valid_values:{col.name}")


def broken_pattern(s: Sample):
    col = s.column(lambda c: c.pattern and c.name == "organisation_code")
    return s.with_value(0, col, "R!!").bytes(), Quarantined(f"pattern:{col.name}")


def blank_required(s: Sample, blank=""):
    col = s.column(lambda c: c.required)
    return s.with_value(0, col, blank).bytes(), Quarantined(f"required:{col.name}")


def truncated_last_line(s: Sample):
    text = s.csv()
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    return text[: len(text) - 1 - len(last) // 2].encode(), Quarantined("malformed_line")


def too_many_fields(s: Sample):
    rows = [list(r) for r in s.rows]
    rows[0].append("surplus")
    return s.bytes(rows=rows), Quarantined("malformed_line")


def survey_respondent_column(s: Sample):
    return extra_column(s, "Respondent ID", "R0001234")


def survey_person_row(s: Sample):
    """A 'breakdown group' that is one respondent rather than a group of staff."""
    col = s.contract.column("breakdown_group")
    return s.with_value(0, col, "Respondent R0001234").bytes(), Quarantined(f"valid_values:{col.name}")


def header_only(s: Sample):
    return s.bytes(rows=[]), Lands(0)  # and the GX row-count expectation fails: see its own test


def has(wanted):
    return lambda contract: any(wanted(c) for c in contract.columns)


def everywhere(_contract):
    return True


def survey_only(contract):
    return contract.name == "staff_survey_result"


def aggregated_survey(contract):
    return contract.name in ("staff_survey_result", "nets_result")


# kind: (damage(sample) -> (file bytes or None for no file, expected outcome), which contracts it fits)
KINDS = {
    "missing file": (lambda s: (None, FileError("no file found for source")), everywhere),
    "empty file (0 bytes)": (lambda s: (b"", FileError("the file is empty")), everywhere),
    "only blank lines": (lambda s: (b"\n\n", FileError(r"missing column\(s\)")), everywhere),
    "header only": (header_only, everywhere),
    "missing column": (drop_column, everywhere),
    "extra column": (extra_column, everywhere),
    "renamed column (case)": (rename_column, everywhere),
    "columns swapped": (swap_columns, everywhere),
    "column repeated": (repeat_column, everywhere),
    "trailing delimiter on every line": (
        lambda s: (s.csv().replace("\n", ",\n").encode(), FileError(r"unexpected column\(s\) ''")), everywhere),
    "semicolon delimiter": (lambda s: (s.bytes(delimiter=";"), FileError("wrong delimiter")), everywhere),
    "tab delimiter": (lambda s: (s.bytes(delimiter="\t"), FileError("wrong delimiter")), everywhere),
    "latin-1 with a non-ASCII name": (latin1_name, everywhere),
    "UTF-16 (Excel 'Unicode text')": (
        lambda s: (s.csv().encode("utf-16"), FileError("cannot be read as utf-8")), everywhere),
    "gzip-compressed .csv": (lambda s: (gzip.compress(s.bytes()), FileError("cannot be read as utf-8")), everywhere),
    "UTF-8 non-ASCII text": (utf8_name, has(is_free_text)),
    "UTF-8 byte order mark": (lambda s: (b"\xef\xbb\xbf" + s.bytes(), Lands()), everywhere),
    "CRLF line endings": (lambda s: (s.bytes(newline="\r\n"), Lands()), everywhere),
    "BOM and CRLF": (lambda s: (b"\xef\xbb\xbf" + s.bytes(newline="\r\n"), Lands()), everywhere),
    "no newline after the last line": (lambda s: (s.bytes().rstrip(b"\n"), Lands()), everywhere),
    "embedded newline in quoted free text": (newline_in_free_text, has(is_free_text)),
    "embedded newline in a quoted code": (newline_in_code, everywhere),
    "non-numeric number": (not_a_number, has(is_number)),
    "impossible date (30 Feb)": (impossible_date, has(lambda c: c.date_format)),
    "future date / above maximum": (above_maximum, everywhere),
    "below minimum": (below_minimum, everywhere),
    "negative number (pay, WTE, days) where minimum is 0": (
        negative_number, has(lambda c: is_number(c) and c.minimum == 0)),
    "dates out of order": (dates_out_of_order, has(lambda c: c.not_before)),
    "stages out of order across a blank stage": (skipping_a_blank_stage, lambda c: bool(stage_across_blanks(c))),
    "implausibly large number (1000000000)": (
        implausibly_large, has(lambda c: c.is_numeric and c.maximum is not None and c.primary_key_position is None)),
    "organisation code of no trust (XX9)": (
        unknown_trust, lambda c: any(r.columns == ("organisation_code",) for r in c.references)),
    "a row of another trust in the file": (another_trusts_row, has(lambda c: c.one_value_per_file)),
    "a count above its total": (count_above_its_total, has(lambda c: c.not_greater_than)),
    "duplicate key": (duplicate_key, lambda c: bool(c.primary_key)),
    "exact duplicate row": (exact_duplicate, lambda c: bool(c.primary_key)),
    "unknown code": (unknown_code, everywhere),
    "broken pattern (organisation code)": (broken_pattern, everywhere),
    "blank required value": (blank_required, everywhere),
    "whitespace-only required value": (lambda s: blank_required(s, "   "), everywhere),
    "truncated last line": (truncated_last_line, everywhere),
    "a row with too many fields": (too_many_fields, everywhere),
    "survey: respondent identifier column": (survey_respondent_column, aggregated_survey),
    "survey: a person-level row": (survey_person_row, aggregated_survey),
    "survey: a question the question map does not know": (survey_unmapped_question, survey_only),
}

CASES = [pytest.param(source, kind, id=f"{source}-{kind}")
         for source in TRUST_SOURCES for kind, (_, fits) in KINDS.items() if fits(CONTRACTS[source])]


# ---------------------------------------------------------------------------------------------
# Landing


def land(con, contract: Contract, landing: Path):
    return land_source(con, contract, source_files(contract, landing, landing), key=KEY, run_id="fault",
                       loaded_at=datetime(2026, 1, 1), label_root=landing)


def write(landing: Path, contract: Contract, data: bytes | None) -> Path:
    folder = landing / contract.path_glob.split("/")[0]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sample.csv"
    for old in folder.glob("*"):
        old.unlink()
    if data is not None:
        path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def samples(small_landing, tmp_path_factory) -> dict[str, Sample]:
    """Per source, the first rows of the generated file that land cleanly."""
    samples = {}
    for source in TRUST_SOURCES:
        contract = CONTRACTS[source]
        generated = next(small_landing.glob(contract.path_glob))
        with open(generated, newline="", encoding="utf-8") as handle:
            header, *rows = [r for _, r in zip(range(81), csv.reader(handle))]
        trial = Sample(contract, header, rows)
        landing = tmp_path_factory.mktemp(f"sample_{source}")
        write(landing, contract, trial.bytes())
        with duckdb.connect() as con:
            land(con, contract, landing)
            clean = [n for (n,) in con.execute(f"select _row_number from raw.{contract.table} order by 1").fetchall()]
        samples[source] = Sample(contract, header, [rows[n - 1] for n in clean[:SAMPLE_ROWS]])
    return samples


def landed_counts(con, contract: Contract) -> tuple[int, int]:
    return (con.execute(f"select count(*) from raw.{contract.table}").fetchone()[0],
            con.execute(f"select count(*) from raw.{contract.quarantine_table}").fetchone()[0])


@pytest.mark.parametrize("source, kind", CASES)
def test_damaged_file_gives_a_clear_error_or_a_reasoned_quarantine(samples, tmp_path, source, kind):
    sample = samples[source]
    contract = sample.contract
    damage, _ = KINDS[kind]
    data, expected = damage(sample)
    con = duckdb.connect()
    path = write(tmp_path, contract, data)

    if isinstance(expected, FileError):
        con.execute(f"create schema raw; create table raw.{contract.table} as select 'earlier run' as landed")
        with pytest.raises(SourceFileError, match=expected.pattern) as error:
            land(con, contract, tmp_path)
        where = path if data is not None else path.parent
        assert str(where) in str(error.value) and f"contract {contract.name} v" in str(error.value)
        assert con.execute(f"select * from raw.{contract.table}").fetchall() == [("earlier run",)], \
            "a rejected file changed what an earlier run landed"
        return

    load = land(con, contract, tmp_path)
    landed, held = landed_counts(con, contract)
    assert load.rows_read == load.rows_landed + load.rows_quarantined
    assert (load.rows_landed, load.rows_quarantined) == (landed, held)
    if isinstance(expected, Lands):
        rows = SAMPLE_ROWS if expected.rows is None else expected.rows
        assert (load.rows_read, landed, held) == (rows, rows, 0), load.quarantine_by_rule
        return
    assert load.quarantine_by_rule == {expected.rule: 1}
    reasons = [r for (r,) in con.execute(f"select _reason from raw.{contract.quarantine_table}").fetchall()]
    column = expected.rule.split(":")[1] if ":" in expected.rule else None
    assert all(r and (column is None or column in r) for r in reasons), reasons


def test_the_corpus_has_at_least_20_kinds_per_source():
    per_source = {s: sum(1 for p in CASES if p.values[0] == s) for s in TRUST_SOURCES}
    assert min(per_source.values()) >= 20, per_source


def test_free_text_keeps_its_newline_and_non_ascii_letters(samples, tmp_path):
    sample = samples["training_record"]
    col = sample.contract.column("course_title")
    write(tmp_path, sample.contract, sample.with_value(0, col, "Zoë's\ncourse").bytes())
    with duckdb.connect() as con:
        land(con, sample.contract, tmp_path)
        titles = [t for (t,) in con.execute("select course_title from raw.training_record").fetchall()]
    assert "Zoë's\ncourse" in titles


def test_a_header_only_file_lands_nothing_and_fails_the_row_count_expectation(samples, tmp_path):
    contract = samples["esr_pay"].contract
    write(tmp_path / "landing", contract, header_only(samples["esr_pay"])[0])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert land(con, contract, tmp_path / "landing").rows_read == 0
        outcome = validate_table(con, contract, None)
    assert not outcome.success
    # the row count is validated over DuckDB's count of the table (expectations.table_profiles)
    assert [(f.kind, f.column) for f in outcome.failures] == [("expect_column_values_to_be_between", "row_count")]


def test_a_latin_1_byte_past_the_first_kilobytes_quarantines_only_its_line(small_landing, tmp_path):
    """The header check decodes only the first block; further on, DuckDB meets the byte and holds
    that one line, saying why."""
    contract = CONTRACTS["training_record"]
    lines = next(small_landing.glob(contract.path_glob)).read_text(encoding="utf-8").split("\n")[:301]
    lines[300] = lines[300].replace("NHS|", "Zoë|", 1)
    assert "Zoë" in lines[300] and len("\n".join(lines[:300])) > 16_384
    write(tmp_path, contract, ("\n".join(lines) + "\n").encode("latin-1"))
    with duckdb.connect() as con:
        load = land(con, contract, tmp_path)
        reason = con.execute("select _reason from raw.training_record__quarantine where _row_number = 300"
                             ).fetchone()[0]
    assert load.rows_read == 300 == load.rows_landed + load.rows_quarantined
    assert "not utf-8 encoded" in reason


@pytest.mark.slow
def test_damaged_files_through_a_whole_refresh_leave_the_published_warehouse_unharmed(
        site, samples, small_landing, tmp_path):
    """Two file-level errors in a real `edi refresh`: it fails naming both files and publishes nothing.
    (test_refresh.py covers a quarantine above the limit and a missing column.)"""
    site = replace(site, landing=tmp_path / "landing")
    shutil.copytree(small_landing, site.landing)
    damaged = {}
    for source, kind in [("esr_pay", "columns swapped"), ("er_case", "latin-1 with a non-ASCII name")]:
        contract = CONTRACTS[source]
        damaged[source] = next(site.landing.glob(contract.path_glob))
        damaged[source].write_bytes(KINDS[kind][0](samples[source])[0])
    before = sha256(site.published)
    run = site.start()
    assert run.finish() == 1
    assert sha256(site.published) == before
    assert all(str(path) in run.output for path in damaged.values()), run.output[-4000:]
