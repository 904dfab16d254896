"""Privacy and access: what each role may see (``access``), log-in (``auth``), safe text and
files (``safe``) and erasure of old free text (``retention``)."""
