"""Synthetic demo data on the real ground of the Leipziger Osten: generated partner exports
(``generate``), imported into a store through the real pipeline (``build``). Depends on the
rest of the project; nothing in geo/ or reports/ imports it."""

from demo.build import build_demo

__all__ = ["build_demo"]
