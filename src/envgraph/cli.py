"""The ``envgraph`` command line: thin commands that parse, call the API and map errors to exit codes.

Commands live with their area: this module holds build and evaluate; the modules named in
``_COMMAND_MODULES`` each expose ``register(app)`` and add their own commands.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Sequence

import typer

from envgraph.errors import EnvgraphError

app = typer.Typer(
    name="envgraph",
    help="Build and explore knowledge graphs of environmental cooperation from multilingual texts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_COMMAND_MODULES: tuple[str, ...] = (
    "envgraph.cli_build",
    "envgraph.cli_store",
    "envgraph.cli_views",
)


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name == name:
                continue  # that area is not installed in this build
            raise
        module.register(app)


_register_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code. ``EnvgraphError`` becomes a message and its exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except EnvgraphError as err:
        typer.secho(f"error: {err}", err=True, fg=typer.colors.RED)
        return err.exit_code
    except typer.Exit as exit_:
        return exit_.exit_code
    except typer.Abort:
        typer.secho("aborted", err=True)
        return 130
    except Exception as err:
        # usage errors of the command-line parser (click's, vendored by typer) know how to
        # show themselves and their exit code
        show = getattr(err, "show", None)
        if callable(show) and isinstance(getattr(err, "exit_code", None), int):
            show()
            return int(err.exit_code)  # type: ignore[attr-defined]
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
