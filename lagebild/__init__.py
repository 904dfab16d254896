"""The application's top: the ``lagebild`` console command (``cli``) over every package."""
