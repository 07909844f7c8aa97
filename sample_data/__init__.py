"""Sample datasets shipped with MLP Desktop."""
