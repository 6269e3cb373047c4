"""Thin callbacks, one module per page; importing this package registers them all."""

from callbacks import ringkasan, shell, unggah, wilayah  # noqa: F401
