"""Rasa's command line for the bot's servers (`python -m bot.server run …`), without jax.

TensorFlow 2.12 requires the jax package and imports it when it is there, only for TF Lite's conversion of
jax functions (`tensorflow/lite/python/util.py`, which goes on without it). Nothing the bot runs uses it, yet
in each Rasa server it held about 100 MB of RSS: jaxlib's shared library and jax's Python modules. Marked as
absent before Rasa imports TensorFlow, `import jax` fails as TensorFlow expects on a machine without it.
"""

from __future__ import annotations

import sys


def main() -> None:
    sys.modules["jax"] = None  # type: ignore[assignment]  # `import jax` now raises ImportError
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
