"""Analysis on report frames: counts and trends (``analytics``) and the effect of measures
(``evaluation``)."""
