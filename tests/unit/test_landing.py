"""The landing engine: typed load, quarantine with reasons, file-level errors, row accounting."""

import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.landing import SourceFileError, land_source, source_files
from orchestration.quality.pseudonymise import pseudonymise
from orchestration.quality.row_accounting import check_row_accounting
from tests.unit.contract_factory import column, make_contract

KEY = b"unit-test-key"
HEADER = "Staff Number,Code,Started,Left,FTE,Email\n"


def staff_contract(**kwargs):
    return make_contract([
        column("staff_key", "Staff Number", required=True, primaryKey=True, primaryKeyPosition=1,
               pattern="^[0-9]{4}$", pseudonymise=True, classification="restricted"),
        column("code", "Code", required=True, valid_values=["A", "B", "99"]),
        column("started", "Started", physicalType="DATE", format="%d/%m/%Y", minimum="1990-01-01",
               maximum="today"),
        column("left_on", "Left", physicalType="DATE", format="%d/%m/%Y", notBefore="started"),
        column("fte", "FTE", physicalType="DOUBLE", minimum=0, maximum=1.5),
        column("email", "Email", pseudonymise=True, classification="restricted"),
    ], **kwargs)


def write(tmp_path: Path, name: str, text: str, encoding="utf-8") -> Path:
    path = tmp_path / "demo" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def land(tmp_path, contract, files):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load = land_source(con, contract, files, key=KEY, run_id="run-1",
                       loaded_at=datetime(2026, 1, 1), label_root=tmp_path)
    return con, load


MESSY = HEADER + (
    "0001,a ,01/04/2020,,1.0,Ann.Example@nhs.net\n"      # 1 ok (code case/space is not an error)
    "0002,B,01/04/2020,31/03/2021,0.5,\n"                # 2 ok
    "0002,B,01/04/2020,31/03/2021,0.5,\n"                # 3 exact duplicate of row 2
    "0002,A,01/05/2020,,0.5,\n"                          # 4 repeated key
    "12x4,A,01/04/2020,,1.0,\n"                          # 5 pattern
    "0005,Q,01/04/2020,,1.0,\n"                          # 6 code not in list
    "0006,A,31/02/2020,,1.0,\n"                          # 7 impossible date
    "0007,A,01/04/1980,,1.0,\n"                          # 8 before minimum
    "0008,A,01/04/2020,01/01/2020,1.0,\n"                # 9 leaves before starting
    "0009,A,01/04/2020,,lots,\n"                         # 10 not a number
    "0010,A,01/04/2020,,1.0,x@y,extra\n"                 # 11 malformed: too many fields
    ",A,01/04/2020,,1.0,\n"                              # 12 required missing
    '0011,A,01/04/2020,,2.5,"a\nb"\n'                    # 13 above maximum (multi-line field)
    "0012,99,01/04/2020,,0.8,\n"                         # 14 ok
)


def test_messy_file_lands_good_rows_and_quarantines_each_rule(tmp_path):
    path = write(tmp_path, "x.csv", MESSY)
    con, load = land(tmp_path, staff_contract(), [path])
    assert (load.rows_read, load.rows_landed, load.rows_quarantined) == (14, 3, 11)
    rules = dict(con.execute(
        "select _row_number, _rule from raw.demo__quarantine order by 1").fetchall())
    assert rules == {
        3: "exact_duplicate", 4: "duplicate_key", 5: "pattern:staff_key",
        6: "valid_values:code", 7: "type:started", 8: "minimum:started",
        9: "not_before:left_on", 10: "type:fte", 11: "malformed_line",
        12: "required:staff_key", 13: "maximum:fte",
    }
    assert con.execute("select list(_row_number order by _row_number) from raw.demo").fetchone()[0] == [1, 2, 14]


def test_landed_rows_are_typed_and_identifiers_pseudonymised(tmp_path):
    path = write(tmp_path, "x.csv", MESSY)
    con, _ = land(tmp_path, staff_contract(), [path])
    staff_key, code, started, fte, email, source_file = con.execute(
        "select staff_key, code, started, fte, email, _source_file from raw.demo where _row_number = 1"
    ).fetchone()
    assert staff_key == pseudonymise("0001", KEY)
    assert email == pseudonymise("ann.example@NHS.net", KEY)  # case-insensitive e-mail
    assert code == "a "  # raw keeps the source's text; staging standardises it
    assert started.isoformat() == "2020-04-01" and fte == 1.0
    assert source_file == "demo/x.csv"
    types = dict(con.execute(
        "select column_name, data_type from information_schema.columns where table_name = 'demo'"
    ).fetchall())
    assert types["started"] == "DATE" and types["fte"] == "DOUBLE"


def test_quarantine_never_holds_clear_identifiers(tmp_path):
    path = write(tmp_path, "x.csv", MESSY)
    con, _ = land(tmp_path, staff_contract(), [path])
    dump = " ".join(str(v) for row in con.execute("select * from raw.demo__quarantine").fetchall() for v in row)
    for clear in ("0002", "0005", "0009", "12x4", "x@y"):
        assert clear not in dump
    # non-identifying values are shown to help whoever fixes the source
    assert "(value 31/02/2020)" in dump and "(value lots)" in dump


def test_reasons_name_every_broken_rule(tmp_path):
    path = write(tmp_path, "x.csv", HEADER + "0001,Q,31/02/2020,,9,\n")
    con, _ = land(tmp_path, staff_contract(), [path])
    rule, reason = con.execute("select _rule, _reason from raw.demo__quarantine").fetchone()
    assert rule == "valid_values:code"
    assert "code is not in the contract code list (value Q)" in reason
    assert "started is not a valid DATE in format %d/%m/%Y (value 31/02/2020)" in reason
    assert "fte is outside the maximum 1.5 (value 9)" in reason


def test_rules_and_pseudonyms_worked_out_per_distinct_value_reach_every_row(tmp_path):
    """Rules are judged once per distinct value and identifiers HMAC'd once each: every row carrying
    a value gets its verdict, a blank (NULL) value included."""
    path = write(tmp_path, "x.csv", HEADER + (
        "0001,Q,01/04/2020,,1,Ann@NHS.net\n"     # 1 code not in list
        ",A,01/04/2020,,1,\n"                    # 2 required missing
        "0003,Q,01/04/2020,,1,\n"                # 3 same broken code
        ",B,01/04/2020,,1,\n"                    # 4 required missing again
        "0005,A,01/04/2020,,1, ann@nhs.NET\n"    # 5 ok
        "0006,B,01/04/2020,,1,ann@nhs.net\n"     # 6 ok, the same identifier
    ))
    con, load = land(tmp_path, staff_contract(), [path])
    assert con.execute("select _row_number, _rule from raw.demo__quarantine order by 1").fetchall() == [
        (1, "valid_values:code"), (2, "required:staff_key"), (3, "valid_values:code"), (4, "required:staff_key")]
    assert con.execute("select _row_number, staff_key, email from raw.demo order by 1").fetchall() == [
        (5, pseudonymise("0005", KEY), pseudonymise("ann@nhs.net", KEY)),
        (6, pseudonymise("0006", KEY), pseudonymise("ann@nhs.net", KEY))]


def test_repeated_key_across_files_the_later_delivery_is_current(tmp_path):
    first = write(tmp_path, "a.csv", HEADER + "0001,A,01/04/2020,,1,\n")
    second = write(tmp_path, "b.csv", HEADER + "0002,A,01/04/2020,,1,\n0001,B,01/04/2020,,1,\n")
    con, load = land(tmp_path, staff_contract(), [first, second])
    assert [(f.rows_read, f.rows_landed, f.rows_quarantined) for f in load.files] == [(1, 1, 0), (2, 2, 0)]
    assert con.execute("select code, _source_file from raw.demo where staff_key = ?",
                       [pseudonymise("0001", KEY)]).fetchall() == [("B", "demo/b.csv")]
    assert con.execute("select code, _source_file, _superseded_by from raw.demo__superseded").fetchall() == [
        ("A", "demo/a.csv", "demo/b.csv")]
    assert check_row_accounting(con, staff_contract()).passed


def test_multi_file_batches_number_rows_per_file(tmp_path):
    first = write(tmp_path, "a.csv", HEADER + "0001,A,01/04/2020,,1,\n0002,A\n0003,A,01/04/2020,,1,\n")
    second = write(tmp_path, "b.csv", HEADER + "0004,A\n0005,A,01/04/2020,,1,\n")
    con, load = land(tmp_path, staff_contract(), [first, second])
    assert con.execute("select _source_file, _row_number from raw.demo order by 1, 2").fetchall() == [
        ("demo/a.csv", 1), ("demo/a.csv", 3), ("demo/b.csv", 2)]
    assert con.execute("select _source_file, _row_number, _rule from raw.demo__quarantine order by 1, 2").fetchall() == [
        ("demo/a.csv", 2, "malformed_line"), ("demo/b.csv", 1, "malformed_line")]


def test_row_numbers_follow_the_file_around_malformed_lines(tmp_path):
    lines = [f"{i:04d},A,01/04/2020,,1,\n" if i % 7 else f"{i:04d},A\n" for i in range(1, 60)]
    path = write(tmp_path, "x.csv", HEADER + "".join(lines))
    con, load = land(tmp_path, staff_contract(), [path])
    landed = [r[0] for r in con.execute("select _row_number from raw.demo order by 1").fetchall()]
    held = [r[0] for r in con.execute("select _row_number from raw.demo__quarantine order by 1").fetchall()]
    assert held == [i for i in range(1, 60) if i % 7 == 0]
    assert landed == [i for i in range(1, 60) if i % 7]
    keys = dict(con.execute("select _row_number, staff_key from raw.demo").fetchall())
    assert keys[8] == pseudonymise("0008", KEY)


def test_load_log_and_accounting_check(tmp_path):
    path = write(tmp_path, "x.csv", MESSY)
    con, load = land(tmp_path, staff_contract(), [path])
    logged = con.execute(
        "select file_path, sha256, rows_read, rows_landed, rows_quarantined from audit.source_load"
    ).fetchall()
    assert logged == [("demo/x.csv", load.files[0].sha256, 14, 3, 11)]
    assert re.fullmatch(r"[0-9a-f]{64}", load.files[0].sha256)
    assert check_row_accounting(con, staff_contract(max_ratio=0.9)).passed
    strict = check_row_accounting(con, staff_contract(max_ratio=0.05))
    assert not strict.passed and "78.57% of rows quarantined" in strict.message


def test_accounting_check_notices_lost_rows(tmp_path):
    path = write(tmp_path, "x.csv", MESSY)
    con, _ = land(tmp_path, staff_contract(), [path])
    con.execute("delete from raw.demo where _row_number = 2")
    result = check_row_accounting(con, staff_contract(max_ratio=0.9))
    assert not result.passed and "demo/x.csv: read 14 but landed 2 + quarantined 11" in result.message


@pytest.mark.parametrize("text, expected", [
    ("Staff Number,Code,Started,Left,FTE\n0001,A,,,1\n", r"missing column\(s\) 'Email'"),
    ("Staff Number,Code,Started,Left,FTE,Email,Extra\n", r"unexpected column\(s\) 'Extra'"),
    ("Staff Number,Kode,Started,Left,FTE,Email\n", r"missing column\(s\) 'Code'; unexpected column\(s\) 'Kode'"),
    ("Staff Number;Code;Started;Left;FTE;Email\n0001;A;;;1;\n", r"parses as one column .*wrong delimiter"),
    ("", r"the file is empty"),
])
def test_file_level_errors_name_the_file_and_column(tmp_path, text, expected):
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(SourceFileError, match=expected) as error:
        land(tmp_path, staff_contract(), [path])
    assert str(path) in str(error.value) and "contract demo v1.2.3" in str(error.value)


def test_unreadable_encoding_is_a_file_error(tmp_path):
    path = write(tmp_path, "latin.csv", "Staff Number,Côde,Started,Left,FTE,Email\n", encoding="latin-1")
    with pytest.raises(SourceFileError, match="cannot be read as utf-8"):
        land(tmp_path, staff_contract(), [path])


def test_byte_order_mark_and_crlf_are_tolerated(tmp_path):
    text = "\ufeff" + MESSY.replace("\n", "\r\n").split("0002,B")[0]
    path = write(tmp_path, "bom.csv", text)
    _, load = land(tmp_path, staff_contract(), [path])
    assert (load.rows_read, load.rows_landed) == (1, 1)


def test_missing_files_are_reported_with_the_glob(tmp_path):
    with pytest.raises(SourceFileError, match=r"demo/\*\.csv: no file found for source demo .*"
                                              r"regenerate it \(rm -rf landing && make run\)"):
        source_files(staff_contract(), tmp_path, tmp_path)


def test_headerless_files_take_columns_in_contract_order(tmp_path):
    contract = make_contract([column("code", required=True), column("n", physicalType="INTEGER")], header=False)
    path = write(tmp_path, "x.csv", '"A","1"\n"B","x"\n')
    con, load = land(tmp_path, contract, [path])
    assert con.execute("select code, n, _row_number from raw.demo").fetchall() == [("A", 1, 1)]
    assert con.execute("select _row_number, _rule from raw.demo__quarantine").fetchall() == [(2, "type:n")]


def test_a_second_landing_replaces_the_first(tmp_path):
    path = write(tmp_path, "x.csv", MESSY)
    con, _ = land(tmp_path, staff_contract(), [path])
    con.close()
    path.write_text(HEADER + "0001,A,01/04/2020,,1,\n")
    con, load = land(tmp_path, staff_contract(), [path])
    assert con.execute("select count(*) from raw.demo").fetchone()[0] == 1
    assert con.execute("select count(*) from raw.demo__quarantine").fetchone()[0] == 0


def test_coded_keys_repeat_whatever_their_case(tmp_path):
    contract = make_contract([column("course", required=True, primaryKey=True, valid_values=["CPD-QI", "BLS"])])
    path = write(tmp_path, "x.csv", "course\ncpd-qi\nCPD-QI \nBLS\n")
    con, load = land(tmp_path, contract, [path])
    assert (load.rows_landed, load.quarantine_by_rule) == (2, {"duplicate_key": 1})
