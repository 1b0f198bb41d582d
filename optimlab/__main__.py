"""``python -m optimlab`` is the ``optimlab`` command."""

import sys

from .cli import main

sys.exit(main())
