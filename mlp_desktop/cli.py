"""The `mlp-desktop` command: no subcommand opens the GUI; subcommands run headless."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlp-desktop",
        description="Design, train and understand multilayer perceptrons. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"mlp-desktop {__version__}")
    parser.add_argument("files", nargs="*", help="a dataset or project to open in the app")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    from .gui.app import run_app  # imported late: headless commands never load Qt

    return run_app(args.files)
