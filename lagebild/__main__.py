"""``python -m lagebild …`` = the ``lagebild`` console command."""

import sys

from lagebild.cli import main

sys.exit(main(sys.argv[1:]))
