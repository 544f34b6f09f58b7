"""`schedule --print-cron` / `--print-systemd`: the printed entries run as they are, under a bare
environment, against the sandbox; they carry the data directory and never a secret."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from agent.cli import main


def _env_file(world, path, **extra):
    """The secrets and settings a cron job or unit would get from its environment file."""
    values = {k: v for k, v in world.env.items() if k.startswith("ZYNTRO") and k != "ZYNTRO_ENRICH_HOME"}
    values.update(extra)
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return path


def _enriched_once(world, capsys):
    cid = world.contacts["Dmitri Osei"]
    assert main(["enrich", "https://github.com/dosei", "--contact-id", cid, "--name", "Dmitri Osei"]) == 0
    capsys.readouterr()
    assert world.stored() == {("Dmitri Osei", "GitHub"): 1}


def _printed(capsys, *args):
    assert main(["schedule", *args]) == 0
    out = capsys.readouterr().out
    assert "secret-value" not in out  # names of secrets may be listed, values never
    return out


def test_print_cron_runs_refresh_as_printed(demo_world, capsys, tmp_path, monkeypatch):
    _enriched_once(demo_world, capsys)
    env_file = _env_file(demo_world, tmp_path / "secrets.env", ZYNTRO_ENRICH_REFRESH_DAYS="0")
    monkeypatch.setenv("OPENAI_API_KEY", "secret-value")  # set in the shell: named, never printed
    monkeypatch.setenv("ZYNTRO_ENRICH_LLM", "offline")
    out = _printed(capsys, "--print-cron", "--every", "900", "--env-file", str(env_file))
    assert "OPENAI_API_KEY" in out and "ZYNTRO_API_KEY" in out  # listed as what the env file must hold
    (line,) = [ln for ln in out.splitlines() if ln and not ln.startswith("#")]
    fields = line.split(" ", 5)
    assert fields[:5] == ["*/15", "*", "*", "*", "*"]
    home = demo_world.env["ZYNTRO_ENRICH_HOME"]
    assert f"ZYNTRO_ENRICH_HOME={home}" in fields[5] and "refresh" in fields[5]

    # cron runs the command with /bin/sh and almost no environment
    proc = subprocess.run(
        ["/bin/sh", "-c", fields[5].replace(r"\%", "%")],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    log = (tmp_path / "home" / "refresh.log").read_text()
    assert "unchanged" in log and "Traceback" not in log
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}  # refreshed, nothing posted twice


@pytest.mark.parametrize(
    ("every", "times"),
    [(60, "* * * * *"), (1800, "*/30 * * * *"), (3600, "M * * * *"), (21600, "M */6 * * *"), (86400, "M 3 * * *")],
)
def test_print_cron_cadences(every, times, capsys):
    out = _printed(capsys, "--print-cron", "--every", str(every))
    (line,) = [ln for ln in out.splitlines() if ln and not ln.startswith("#")]
    got = line.split(" ")[:5]
    if times.startswith("M"):  # the minute of an hourly or daily entry is spread per data directory
        assert 0 <= int(got[0]) < 60
        got[0] = "M"
    assert got == times.split(" ")


def test_print_cron_refuses_an_interval_cron_cannot_say(capsys):
    assert main(["schedule", "--print-cron", "--every", "4200"]) == 2
    assert "--print-systemd takes any interval" in capsys.readouterr().err


def _units(text):
    parts = re.split(r"^# ~/.config/systemd/user/(\S+)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_print_systemd_units_verify_and_run(demo_world, capsys, tmp_path, monkeypatch):
    _enriched_once(demo_world, capsys)
    env_file = _env_file(demo_world, tmp_path / "secrets.env", ZYNTRO_ENRICH_REFRESH_DAYS="0")
    config = tmp_path / "conf.toml"
    config.write_text("busy_timeout_s = 5\n")
    assert (
        main(["--config", str(config), "schedule", "--print-systemd", "--every", "4200", "--env-file", str(env_file)])
        == 0
    )
    units = _units(capsys.readouterr().out)
    assert set(units) == {"zyntro-enrich-refresh.service", "zyntro-enrich-refresh.timer"}
    service, timer = units["zyntro-enrich-refresh.service"], units["zyntro-enrich-refresh.timer"]
    assert "OnUnitActiveSec=4200s" in timer and "WantedBy=timers.target" in timer
    assert f"EnvironmentFile=-{env_file}" in service and f"ZYNTRO_ENRICH_CONFIG={config}" in service

    if shutil.which("systemd-analyze"):  # the units are valid systemd syntax, where systemd can say
        for name, body in units.items():
            (tmp_path / name).write_text(body)
        check = subprocess.run(
            ["systemd-analyze", "verify", *(str(tmp_path / n) for n in units)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if "Failed to initialize manager" not in check.stderr:
            assert check.returncode == 0 and not check.stderr.strip(), check.stderr

    # run ExecStart the way systemd would: only Environment= and EnvironmentFile= values
    env = {"PATH": "/usr/bin:/bin"}
    env.update(dict(ln.split("=", 1) for ln in env_file.read_text().splitlines()))
    for value in re.findall(r"^Environment=(.*)$", service, flags=re.M):
        key, _, val = value.strip('"').partition("=")
        env[key] = val
    (exec_start,) = re.findall(r"^ExecStart=(.*)$", service, flags=re.M)
    proc = subprocess.run(exec_start.split(" "), env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "unchanged" in proc.stdout
    assert demo_world.stored() == {("Dmitri Osei", "GitHub"): 1}
