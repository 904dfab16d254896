"""The round table's work: Anliegen from residents (``concerns``), measures (``measures``) and
the agenda of the next session (``agenda``)."""
