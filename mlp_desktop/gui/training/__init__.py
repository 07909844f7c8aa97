"""training of the main window."""
