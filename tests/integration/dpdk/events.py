#!/usr/bin/env python3
"""Reads the JSON-lines event files rnsprobe writes (one JSON object per line, "event" naming it).

  events.py field FILE EVENT KEY   KEY of the first EVENT (nothing printed if there is none)
  events.py count FILE CONDITION   how many events satisfy CONDITION, a Python expression on e
  events.py names FILE N           the names of the first N events, comma-separated
"""
import json
import sys


def events(path):
    with open(path) as f:
        for line in f:
            try:
                yield json.loads(line)
            except ValueError:  # a line still being written
                continue


def main(argv):
    if len(argv) == 5 and argv[1] == "field":
        for e in events(argv[2]):
            if e.get("event") == argv[3]:
                print(e.get(argv[4]))
                break
    elif len(argv) == 4 and argv[1] == "count":
        condition = compile(argv[3], "condition", "eval")
        print(sum(1 for e in events(argv[2]) if eval(condition, {}, {"e": e})))
    elif len(argv) == 4 and argv[1] == "names":
        names = [e.get("event") for _, e in zip(range(int(argv[3])), events(argv[2]))]
        print(",".join(str(n) for n in names))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
