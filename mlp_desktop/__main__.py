"""`python -m mlp_desktop` does what the `mlp-desktop` command does."""

import sys

from mlp_desktop.cli import main

# The guard matters: the training process is started with "spawn", which imports the parent's
# main module again in the child; without it the child would open a second app.
if __name__ == "__main__":
    sys.exit(main())
