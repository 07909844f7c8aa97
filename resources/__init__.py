"""Icons and other files the app shows."""
