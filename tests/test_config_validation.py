"""Every setting is validated when it is loaded: a bad one is a ConfigError naming it, before any work."""

from __future__ import annotations

import pytest

from agent.cli import main
from agent.config import load_settings
from agent.errors import ConfigError

ORG = "d1b4c9cd-e4a8-5ccf-be30-7f8ed843df5d"


def _load(tmp_path, env=None, toml=None):
    cfg = None
    if toml is not None:
        cfg = tmp_path / "config.toml"
        cfg.write_text(toml)
    return load_settings(env={"ZYNTRO_ENRICH_HOME": str(tmp_path), **(env or {})}, config_file=cfg)


@pytest.mark.parametrize(
    "raw,value",
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        (" Yes ", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("False", False),
    ],
)
def test_booleans_accept_true_false_1_0_yes_no(tmp_path, raw, value):
    assert _load(tmp_path, {"ZYNTRO_ENRICH_ALLOW_PRIVATE": raw}).allow_private is value


@pytest.mark.parametrize("raw", ["maybe", "on", "off", "2", "y", "enabled"])
def test_any_other_boolean_is_refused_with_the_variable_named(tmp_path, raw):
    with pytest.raises(ConfigError, match=r"allow_private \(ZYNTRO_ENRICH_ALLOW_PRIVATE\): .*true/false") as err:
        _load(tmp_path, {"ZYNTRO_ENRICH_ALLOW_PRIVATE": raw})
    assert repr(raw) in str(err.value)


def test_a_boolean_in_the_config_file_is_checked_the_same_way(tmp_path):
    assert _load(tmp_path, toml="allow_private = true\n").allow_private is True
    with pytest.raises(ConfigError, match="allow_private"):
        _load(tmp_path, toml='allow_private = "maybe"\n')


@pytest.mark.parametrize(
    "env,named",
    [
        ({"ZYNTRO_ENRICH_DELAY": "-1"}, r"fetch\.delay_s \(ZYNTRO_ENRICH_DELAY\)"),
        ({"ZYNTRO_ENRICH_DELAY": "nan"}, r"fetch\.delay_s \(ZYNTRO_ENRICH_DELAY\)"),
        ({"ZYNTRO_ENRICH_DELAY": "inf"}, r"fetch\.delay_s \(ZYNTRO_ENRICH_DELAY\)"),
        ({"ZYNTRO_ENRICH_REFRESH_DAYS": "-7"}, r"refresh_days \(ZYNTRO_ENRICH_REFRESH_DAYS\)"),
        ({"ZYNTRO_ENRICH_MAX_COST": "-0.5"}, r"llm\.max_cost_usd \(ZYNTRO_ENRICH_MAX_COST\)"),
        ({"ZYNTRO_ENRICH_MAX_TOKENS": "0"}, r"llm\.max_tokens \(ZYNTRO_ENRICH_MAX_TOKENS\)"),
        ({"ZYNTRO_ORG_ID": "nope"}, r"zyntro\.org_id \(ZYNTRO_ORG_ID\): .*not a UUID"),
        ({"ZYNTRO_MEMBER_ID": "morgan"}, r"zyntro\.member_id \(ZYNTRO_MEMBER_ID\): .*not a UUID"),
        ({"ZYNTRO_BASE_URL": "app.zyntrohq.com"}, r"zyntro\.base_url \(ZYNTRO_BASE_URL\): .*http"),
        ({"ZYNTRO_BASE_URL": "https://[::1"}, r"zyntro\.base_url \(ZYNTRO_BASE_URL\)"),
        ({"OPENAI_BASE_URL": "localhost:8000/v1"}, r"llm\.base_url \(OPENAI_BASE_URL\): .*http"),
        (
            {"ZYNTRO_ENRICH_REPLAY_DIR": "/no/such/dir"},
            r"fetch\.replay_dir \(ZYNTRO_ENRICH_REPLAY_DIR\): .*not a directory",
        ),
    ],
)
def test_bad_environment_values_name_the_variable(tmp_path, env, named):
    with pytest.raises(ConfigError, match=named):
        _load(tmp_path, env)


@pytest.mark.parametrize(
    "toml,named",
    [
        ("[fetch]\ntimeout_s = -2\n", r"fetch\.timeout_s"),
        ("[fetch]\ntimeout_s = 0\n", r"fetch\.timeout_s"),
        ("[fetch]\nmax_bytes = -1\n", r"fetch\.max_bytes"),
        ("[fetch]\nconcurrency = 0\n", r"fetch\.concurrency"),
        ("[fetch]\nper_host_concurrency = 0\n", r"fetch\.per_host_concurrency"),
        ("[fetch]\nbrowser_pages = 0\n", r"fetch\.browser_pages"),
        ("[fetch]\nmax_retries = -1\n", r"fetch\.max_retries"),
        ("[fetch]\nreplay_latency_s = nan\n", r"fetch\.replay_latency_s"),
        ("[zyntro]\ntimeout_s = -2\n", r"zyntro\.timeout_s"),
        ("[zyntro]\nmax_retry_s = -1\n", r"zyntro\.max_retry_s"),
        ("[zyntro]\nreconcile_grace_s = inf\n", r"zyntro\.reconcile_grace_s"),
        ("[llm]\ntimeout_s = nan\n", r"llm\.timeout_s"),
        ("[llm.prices]\ngpt-4o-mini = [-1.0, 0.6]\n", r"llm\.prices"),
    ],
)
def test_bad_config_file_values_name_the_setting(tmp_path, toml, named):
    with pytest.raises(ConfigError, match=named):
        _load(tmp_path, toml=toml)


def test_every_problem_is_listed_at_once_and_secrets_are_not_echoed(tmp_path):
    with pytest.raises(ConfigError) as err:
        _load(
            tmp_path,
            {
                "ZYNTRO_ENRICH_DELAY": "-1",
                "ZYNTRO_ORG_ID": "nope",
                "ZYNTRO_API_KEY": "sk-secret-123",
                "ZYNTRO_ENRICH_ALLOW_PRIVATE": "maybe",
            },
        )
    text = str(err.value)
    assert "ZYNTRO_ENRICH_DELAY" in text and "ZYNTRO_ORG_ID" in text and "ZYNTRO_ENRICH_ALLOW_PRIVATE" in text
    assert "got '-1'" in text and "sk-secret-123" not in text


def test_home_that_is_a_file_is_refused(tmp_path):
    home = tmp_path / "home"
    home.write_text("not a directory")
    with pytest.raises(ConfigError, match=r"home \(ZYNTRO_ENRICH_HOME\): .*not a directory"):
        load_settings(env={"ZYNTRO_ENRICH_HOME": str(home)})


def test_good_values_still_load(tmp_path):
    s = _load(
        tmp_path,
        {
            "ZYNTRO_ORG_ID": ORG.upper(),
            "ZYNTRO_ENRICH_DELAY": "0",
            "ZYNTRO_BASE_URL": "http://127.0.0.1:8765",
            "OPENAI_BASE_URL": "http://localhost:11434/v1",
            "ZYNTRO_ENRICH_REPLAY_DIR": str(tmp_path),
        },
        toml="[fetch]\ntimeout_s = 0.5\nmax_retries = 0\n[zyntro]\nmax_retry_s = 0\n",
    )
    assert s.zyntro.org_id == ORG.upper() and s.fetch.delay_s == 0 and s.fetch.timeout_s == 0.5


@pytest.mark.parametrize(
    "command",
    [
        ["enrich", "https://github.com/ada", "--contact-id", ORG, "--dry-run"],
        ["fetch", "https://github.com/ada"],
        ["review", "list"],
        ["refresh"],
    ],
)
def test_cli_exits_2_naming_the_setting_before_any_work(tmp_path, monkeypatch, capsys, command):
    monkeypatch.setenv("ZYNTRO_ENRICH_DELAY", "-1")
    monkeypatch.setenv("ZYNTRO_ENRICH_HOME", str(tmp_path / "home"))
    assert main(command) == 2
    err = capsys.readouterr().err
    assert "ZYNTRO_ENRICH_DELAY" in err and err.count("\n") == 1
    assert not (tmp_path / "home").exists()  # no state opened, nothing fetched
