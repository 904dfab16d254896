"""The bottom of the import graph: where shipped files live (``paths``) and the deployment's
settings (``settings``, the only module that reads environment variables)."""
