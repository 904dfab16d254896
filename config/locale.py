"""Where the project lives in time: every timestamp is shown and bucketed in Leipzig's time."""

TIMEZONE = "Europe/Berlin"
