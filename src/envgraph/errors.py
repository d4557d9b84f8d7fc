"""The envgraph error hierarchy. The CLI turns each into a message and an exit code."""

from __future__ import annotations

from pathlib import Path


class EnvgraphError(Exception):
    """Base class: an error the user can act on. ``exit_code`` is what the CLI returns."""

    exit_code = 2


class InputError(EnvgraphError):
    """A path, folder or file the user named cannot be used."""


class LexiconError(EnvgraphError):
    """A lexicon or language data file is malformed; names the file and the line."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line


class StoreError(EnvgraphError):
    """The store cannot be opened, is locked by another build, or refused an operation."""


class QueryError(EnvgraphError):
    """A SPARQL query, a named query or its parameters are invalid."""


class ValidationFailed(EnvgraphError):
    """The graph does not conform to the SHACL shapes."""

    exit_code = 1
