"""`python -m bot.cli` is the same as the `isops` command."""

import sys

from bot.cli import main

sys.exit(main())
