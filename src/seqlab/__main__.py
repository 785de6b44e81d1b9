"""``python -m seqlab`` runs the ``seqlab`` command."""
import sys

from .cli import main

sys.exit(main())
