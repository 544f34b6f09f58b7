"""`schedule --print-cron` and `--print-systemd`: ready-to-use entries that run `zyntro-enrich refresh`.

The entries carry the current data directory (ZYNTRO_ENRICH_HOME) and config file as absolute paths,
and the absolute path of this installation's `zyntro-enrich`, so they work under cron's and systemd's
bare environments. Secrets are never printed: the entries read them from an environment file
(`$ZYNTRO_ENRICH_HOME/env` unless `--env-file` says otherwise) and the comments list only the *names*
of the variables set in the current shell that belong in it.
"""

from __future__ import annotations

import shlex
import sys
import zlib
from pathlib import Path

from agent.config import Settings, config_file_path, variables_set
from agent.errors import UsageError

__all__ = ["cron_entry", "refresh_command", "systemd_units"]

# Written into the entry itself rather than the environment file: they are paths, not secrets.
_IN_ENTRY = {"ZYNTRO_ENRICH_HOME", "ZYNTRO_ENRICH_CONFIG"}
_EXIT_CODES = (
    "exit 0 ok, 1 a post failed or its answer is unknown, 2 configuration, 3 a circuit breaker stopped the run"
)


def refresh_command() -> list[str]:
    """How to start this installation's `zyntro-enrich refresh`, as absolute argv words."""
    script = Path(sys.executable).parent / "zyntro-enrich"
    start = [str(script)] if script.exists() else [sys.executable, "-m", "agent.cli"]
    return [*start, "refresh", "--no-progress"]


def _paths(settings: Settings, config: Path | None, env_file: Path | None) -> tuple[Path, Path | None, Path]:
    home = settings.home.expanduser().absolute()
    return home, config_file_path(explicit=config), (env_file or home / "env").expanduser().absolute()


def _needed_variables() -> str:
    names = [n for n in variables_set() if n not in _IN_ENTRY]
    return ", ".join(names) if names else "none now (the config file holds the settings)"


def _cron_times(every: float, home: Path) -> str:
    """A crontab time field repeating every `every` seconds; refused when cron cannot say it exactly."""
    minutes = every / 60
    offset = zlib.crc32(str(home).encode()) % 60  # spread installations over the hour, stable per home
    if minutes == int(minutes) and minutes >= 1:
        m = int(minutes)
        if m < 60 and 60 % m == 0:
            return "* * * * *" if m == 1 else f"*/{m} * * * *"
        if m % 60 == 0 and m < 1440 and 24 % (m // 60) == 0:
            return f"{offset} * * * *" if m == 60 else f"{offset} */{m // 60} * * *"
        if m == 1440:
            return f"{offset} 3 * * *"
        if m == 10080:
            return f"{offset} 3 * * 1"
    raise UsageError(
        f"--every {every:g}: cron can only repeat a whole number of minutes that divides an hour, "
        "a whole number of hours that divides a day, a day or a week (e.g. 900, 3600, 21600, 86400); "
        "--print-systemd takes any interval"
    )


def cron_entry(settings: Settings, every: float, config: Path | None = None, env_file: Path | None = None) -> str:
    """A crontab block: comments saying what it does and what to put where, then one line."""
    home, config_path, env_path = _paths(settings, config, env_file)
    assigns = [f"ZYNTRO_ENRICH_HOME={shlex.quote(str(home))}"]
    if config_path is not None:
        assigns.append(f"ZYNTRO_ENRICH_CONFIG={shlex.quote(str(config_path))}")
    env_q = shlex.quote(str(env_path))
    log_q = shlex.quote(str(home / "refresh.log"))
    command = (
        f"if [ -f {env_q} ]; then set -a; . {env_q}; set +a; fi; "
        f"{' '.join(assigns)} {shlex.join(refresh_command())} >> {log_q} 2>&1"
    )
    command = command.replace("%", r"\%")  # cron turns a bare % into a newline
    return "\n".join(
        [
            f"# zyntro-enrich: refresh the tracked contacts that are due (refresh_days={settings.refresh_days:g}),"
            f" checked every {every:g}s.",
            "# Install with `crontab -e` (or `crontab -l | cat - THIS_FILE | crontab -`).",
            f"# Secrets are not written here: put them in {env_path} (chmod 600), one VAR=value a line.",
            f"# Variables set in this shell that belong there: {_needed_variables()}.",
            f"# Output goes to {home / 'refresh.log'}; {_EXIT_CODES}.",
            "# Two runs that overlap split the due contacts between them; none is enriched twice.",
            f"{_cron_times(every, home)} {command}",
            "",
        ]
    )


def _systemd_quote(word: str) -> str:
    return f'"{word}"' if any(c in word for c in " \"\\'$%;") else word


def systemd_units(settings: Settings, every: float, config: Path | None = None, env_file: Path | None = None) -> str:
    """A user service and its timer, each headed by the file it belongs in."""
    home, config_path, env_path = _paths(settings, config, env_file)
    environment = [f"Environment={_systemd_quote(f'ZYNTRO_ENRICH_HOME={home}')}"]
    if config_path is not None:
        environment.append(f"Environment={_systemd_quote(f'ZYNTRO_ENRICH_CONFIG={config_path}')}")
    exec_start = " ".join(_systemd_quote(w.replace("%", "%%")) for w in refresh_command())
    return "\n".join(
        [
            "# ~/.config/systemd/user/zyntro-enrich-refresh.service",
            f"# Secrets are not written here: put them in {env_path} (chmod 600), one VAR=value a line.",
            f"# Variables set in this shell that belong there: {_needed_variables()}.",
            "[Unit]",
            "Description=zyntro-enrich: refresh the tracked contacts that are due",
            "Wants=network-online.target",
            "After=network-online.target",
            "",
            "[Service]",
            "Type=oneshot",
            *environment,
            f"EnvironmentFile=-{env_path}",
            f"ExecStart={exec_start}",
            f"# {_EXIT_CODES}: any but 0 marks the unit failed (see `journalctl --user -u zyntro-enrich-refresh`).",
            "Nice=10",
            "",
            "# ~/.config/systemd/user/zyntro-enrich-refresh.timer",
            "[Unit]",
            f"Description=zyntro-enrich refresh every {every:g}s (refresh_days={settings.refresh_days:g})",
            "",
            "[Timer]",
            "OnBootSec=5min",
            f"OnUnitActiveSec={every:g}s",
            "RandomizedDelaySec=60",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
            "# Then: systemctl --user daemon-reload && systemctl --user enable --now zyntro-enrich-refresh.timer",
            "# (and `loginctl enable-linger $USER` so that it also runs while you are logged out)",
            "",
        ]
    )
