"""Dash page layouts, one module per page (Dash Pages, ``pages_folder="layouts"``); helpers start with ``_``."""
