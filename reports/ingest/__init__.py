"""Ingest: partner files in (``importers``), checked against profiles and the vocabulary
(``validate``, ``profiles``), geocoded and stored in one transaction (``pipeline``)."""
