"""panels of the main window."""
