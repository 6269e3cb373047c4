"""Thin callbacks, one module per page; importing this package registers them all."""

from callbacks import jejaring, kualitas, peta, pws_page, ringkasan, shell, tren, unggah, wilayah  # noqa: F401
