"""Pure DataFrame -> plotly Figure builders (no dash)."""
