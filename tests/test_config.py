import uuid
from pathlib import Path

import pytest

from agent.config import load_settings
from agent.errors import ConfigError


def test_precedence_defaults_file_env_cli(tmp_path):
    cfg = tmp_path / "c.toml"
    file_org, env_org, member = (str(uuid.uuid4()) for _ in range(3))
    cfg.write_text(f'[zyntro]\norg_id = "{file_org}"\nmember_id = "{member}"\n[fetch]\ndelay_s = 3\n')
    env = {"ZYNTRO_ORG_ID": env_org, "ZYNTRO_ENRICH_HOME": str(tmp_path)}
    s = load_settings(env=env, config_file=cfg, overrides={"fetch": {"delay_s": 0}})
    assert s.zyntro.org_id == env_org
    assert s.zyntro.member_id == member
    assert s.fetch.delay_s == 0
    assert s.zyntro.base_url == "https://app.zyntrohq.com"


def test_secrets_are_hidden_in_repr(tmp_path):
    s = load_settings(
        env={
            "ZYNTRO_API_KEY": "sk-very-secret",
            "OPENAI_API_KEY": "sk-openai-secret",
            "ZYNTRO_ENRICH_HOME": str(tmp_path),
        }
    )
    text = repr(s) + str(s) + s.model_dump_json()
    assert "sk-very-secret" not in text and "sk-openai-secret" not in text
    assert s.zyntro.api_key.get_secret_value() == "sk-very-secret"


def test_invalid_value_names_the_setting_not_the_secret(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_settings(env={"ZYNTRO_API_VERSION": "v9", "ZYNTRO_ENRICH_HOME": str(tmp_path)})
    assert "api_version" in str(err.value)


def test_broken_config_file_says_what_to_do(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(env={}, config_file=cfg)


def test_list_and_flag_variables(tmp_path):
    s = load_settings(
        env={
            "ZYNTRO_ENRICH_ROBOTS_OVERRIDE": "linkedin.com, x.com",
            "ZYNTRO_ENRICH_ALLOW_PRIVATE": "1",
            "ZYNTRO_ENRICH_HOME": str(tmp_path),
        }
    )
    assert s.fetch.robots_override == ["linkedin.com", "x.com"]
    assert s.allow_private is True
    assert s.db_path == Path(tmp_path) / "state.sqlite3"


def test_misspelt_setting_and_bad_variable_are_named(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[fetch]\ndelay = 2\n")  # the setting is delay_s
    with pytest.raises(ConfigError, match=r"fetch\.delay: Extra inputs"):
        load_settings(env={}, config_file=cfg)
    with pytest.raises(ConfigError, match=r"llm\.mode \(ZYNTRO_ENRICH_LLM\)"):
        load_settings(env={"ZYNTRO_ENRICH_LLM": "gpt", "ZYNTRO_ENRICH_HOME": str(tmp_path)})
