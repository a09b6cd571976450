"""Child process for the rename-atomicity test: verify a session file in a loop.

Usage: reader.py FILE STOPFILE. Reads FILE, verifies its frame, until STOPFILE exists;
prints ``reads=<n> bad=<n> generations=<first>..<last>`` at the end.
"""

import itertools
import sys
from pathlib import Path

from stui_trio.storage.errors import FrameError
from stui_trio.storage.framing import decode_frame


def main() -> None:
    target, stop = Path(sys.argv[1]), Path(sys.argv[2])
    reads = bad = 0
    gens: list[int] = []
    print("ready", flush=True)
    while not stop.exists():
        try:
            frame = decode_frame(target.read_bytes())
        except FileNotFoundError:
            continue
        except FrameError as exc:
            bad += 1
            print(f"bad {exc}", flush=True)
            continue
        reads += 1
        if not gens or gens[-1] != frame.generation:
            gens.append(frame.generation)
    ordered = all(a < b for a, b in itertools.pairwise(gens))
    print(f"reads={reads} bad={bad} distinct={len(gens)} ordered={ordered}", flush=True)


if __name__ == "__main__":
    main()
