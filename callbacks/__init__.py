"""Thin callbacks, one module per page; importing this package registers them all."""

from callbacks import ringkasan, shell, wilayah  # noqa: F401
