"""``python -m geo …``: the geo verbs of the ``lagebild`` command (see ``lagebild.cli``)."""

import sys

from lagebild.cli import main

sys.exit(main(sys.argv[1:]))
