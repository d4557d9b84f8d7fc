"""``python -m envgraph`` runs the command line."""

import sys

from envgraph.cli import main

sys.exit(main())
