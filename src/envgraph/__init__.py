"""envgraph: knowledge graphs of environmental cooperation from multilingual texts."""

__version__ = "0.1.0"
