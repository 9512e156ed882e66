import pyarrow as pa
import pyarrow.parquet as pq

from extractors.records import DocumentRow, PlaceRow, schema_of, to_table
from tests.warehouse._rows import document_row, runs_table
from warehouse.store import ParquetStore


def _doc(doc_id: str, run_id: str, version: str = "v1") -> DocumentRow:
    return document_row(doc_id, run_id=run_id, version=version)


def _run(run_id: str) -> pa.Table:
    return runs_table(run_id)


def test_commit_moves_files_and_writes_runs_last(tmp_path):
    store = ParquetStore(tmp_path)
    store.stage_batch(
        "r1", 1, {"documents": to_table(DocumentRow, [_doc("a", "r1"), _doc("b", "r1")])}
    )
    assert store.committed_runs() == set()
    assert store.files("documents") == []
    store.commit("r1", _run("r1"), None)
    assert store.committed_runs() == {"r1"}
    assert store.read("documents").num_rows == 2
    assert not store.staging("r1").exists()
    assert pq.read_schema(store.files("documents")[0]).metadata[b"event_etl.schema_version"] == b"1"


def test_reprocessed_documents_replace_older_rows(tmp_path):
    store = ParquetStore(tmp_path)
    store.stage_batch(
        "r1", 1, {"documents": to_table(DocumentRow, [_doc("a", "r1"), _doc("b", "r1")])}
    )
    store.commit("r1", _run("r1"), None)
    store.stage_batch("r2", 1, {"documents": to_table(DocumentRow, [_doc("a", "r2", "v2")])})
    store.commit("r2", _run("r2"), None)
    docs = store.read("documents").sort_by("doc_id")
    assert docs["doc_id"].to_pylist() == ["a", "b"]
    assert docs["extractor_version"].to_pylist() == ["v2", "v1"]
    assert store.known_documents() == {"a": "v2", "b": "v1"}


def test_recover_removes_uncommitted_runs(tmp_path):
    store = ParquetStore(tmp_path)
    store.stage_batch("r1", 1, {"documents": to_table(DocumentRow, [_doc("a", "r1")])})
    store.commit("r1", _run("r1"), None)
    # A crashed run: staged files, and a data file moved in without its runs row.
    store.stage_batch("r2", 1, {"documents": to_table(DocumentRow, [_doc("b", "r2")])})
    (store.table_dir("documents") / "r3-00001.parquet").write_bytes(
        (store.files("documents")[0]).read_bytes()
    )
    assert sorted(store.recover()) == ["r2", "r3"]
    assert [p.name for p in store.files("documents")] == ["r1-00001.parquet"]
    assert not (tmp_path / "staging" / "r2").exists()


def test_places_are_deduplicated(tmp_path):
    store = ParquetStore(tmp_path)
    p1 = PlaceRow(1, "A", "US", None, 1.0, 2.0, "P", "PPL", 10)
    p2 = PlaceRow(2, "B", "FR", None, 3.0, 4.0, "P", "PPL", 20)
    store.merge_places(to_table(PlaceRow, [p1, p2, p1]))
    store.merge_places(to_table(PlaceRow, [p2]))
    places = pq.read_table(store.table_dir("places") / "places.parquet")
    assert places["geonameid"].to_pylist() == [1, 2]
    assert places.schema.equals(schema_of(PlaceRow), check_metadata=False)
