"""The `zyntro-enrich` command line: parse arguments, load settings, dispatch, map errors to exit codes.

Exit codes: 0 every profile that could be made was posted, queued or unchanged (sources with no data,
login walls and mismatches are outcomes); 1 a profile failed or a post's answer is unknown; 2 usage or
configuration (and invalid rows of a batch); 3 a circuit breaker stopped the run (agent.breakers).
Known errors (agent.errors) become one line on stderr; anything else is a bug and shows a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from agent import __version__
from agent.config import load_settings
from agent.errors import ZyntroEnrichError
from agent.logs import remember_secrets, setup_logging

__all__ = ["build_parser", "main"]

# Each name is a module in agent/commands with a `register(subparsers)` function.
COMMANDS = [
    "enrich",
    "extract",
    "fetch",
    "post",
    "refresh",
    "review",
    "contacts",
    "sandbox",
    "demo",
    "forget",
    "suppress",
    "state",
    "serve",
]
_SURROGATE = re.compile("[\udc80-\udcff]")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 as well; keep its message short
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zyntro-enrich",
        description=(
            "Research CRM contacts on their public pages and post grounded profiles to Zyntro. "
            "Start with `zyntro-enrich demo`."
        ),
    )
    parser.add_argument("--version", action="version", version=f"zyntro-enrich {__version__}")
    parser.add_argument("--config", type=Path, help="TOML config file (default $ZYNTRO_ENRICH_HOME/config.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        default="text",
        help="log records on stderr as timestamped text (default) or one JSON object a line",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"agent.commands.{name}").register(sub)
    for command in sub.choices.values():  # also after the command: `zyntro-enrich enrich ... --log-format json`
        command.add_argument(
            "--log-format",
            choices=["text", "json"],
            default=argparse.SUPPRESS,
            help="log records as timestamped text or one JSON object a line",
        )
    return parser


def _not_utf8(argv: list[str]) -> str | None:
    """Which argument holds bytes that are not UTF-8 (Python passes them on as lone surrogates), if any."""
    for index, arg in enumerate(argv):
        found = _SURROGATE.search(arg)
        if found is None or os.path.exists(arg):  # a file's name may be any bytes
            continue
        option = argv[index - 1] if index and argv[index - 1].startswith("-") else None
        shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        where = f"the value of {option}" if option else "the argument"
        byte = ord(found.group()) - 0xDC00
        return f"{where} '{shown}' is not valid UTF-8 (byte 0x{byte:02x}): set the terminal to UTF-8"
    return None


def main(argv: list[str] | None = None) -> int:
    problem = _not_utf8(sys.argv[1:] if argv is None else argv)
    if problem:
        print(f"zyntro-enrich: {problem}", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(verbose=args.verbose, fmt=args.log_format)  # agent.logs: timestamps, JSON, above the bar
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        settings = load_settings(config_file=args.config, overrides=getattr(args, "overrides", lambda a: {})(args))
        remember_secrets(settings)  # masked in every log record
        return int(args.func(args, settings) or 0)
    except ZyntroEnrichError as exc:
        print(f"zyntro-enrich: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("zyntro-enrich: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `zyntro-enrich fetch URL | head -2`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1


if __name__ == "__main__":
    sys.exit(main())
