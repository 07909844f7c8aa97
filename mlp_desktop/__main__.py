"""`python -m mlp_desktop` does what the `mlp-desktop` command does."""

import sys

from mlp_desktop.cli import main

sys.exit(main())
