import sys

from bot.evaluation.cli import main

sys.exit(main())
