#!/usr/bin/env python3
"""An independent parser of the Prometheus text exposition format (version 0.0.4), written to
the format's description, not to rnsrouter's writer:

  # HELP <name> <docstring>          (escapes: \\\\ and \\n)
  # TYPE <name> counter|gauge|histogram|summary|untyped
  <name>[{<label>="<value>",...}] <float> [<timestamp>]
      name   [a-zA-Z_:][a-zA-Z0-9_:]*      label names [a-zA-Z_][a-zA-Z0-9_]*
      values escape \\\\, \\" and \\n; floats include NaN, +Inf, -Inf
  other lines starting with # are comments; empty lines are ignored.

parse(text) returns {"types": {name: type}, "help": {name: text},
                     "samples": [(name, {label: value}, float)]}
and raises ValueError on anything the format does not allow: a malformed line, a TYPE given twice
or after the family's samples, samples of one family not together, a repeated series.

  prom_parse.py FILE     checks FILE and prints its samples as JSON lines
"""
import json
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def _float(s):
    special = {"NaN": float("nan"), "+Inf": float("inf"), "-Inf": float("-inf"), "Inf": float("inf")}
    if s in special:
        return special[s]
    return float(s)  # raises ValueError


def _labels(s, i, lineno):
    """Parses {a="x",b="y"} starting at s[i] == '{'; returns (dict, index after '}')."""
    out = {}
    i += 1
    while True:
        if i < len(s) and s[i] == "}":
            return out, i + 1
        m = LABEL.match(s, i)
        if not m:
            raise ValueError(f"line {lineno}: bad label name at {s[i:]!r}")
        name = m.group()
        i = m.end()
        if s[i:i + 2] != '="':
            raise ValueError(f"line {lineno}: expected =\" after label {name}")
        i += 2
        value = []
        while True:
            if i >= len(s):
                raise ValueError(f"line {lineno}: unterminated label value")
            c = s[i]
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt not in ("\\", '"', "n"):
                    raise ValueError(f"line {lineno}: bad escape \\{nxt}")
                value.append("\n" if nxt == "n" else nxt)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                value.append(c)
                i += 1
        if name in out:
            raise ValueError(f"line {lineno}: label {name} twice")
        out[name] = "".join(value)
        if s[i:i + 1] == ",":
            i += 1
        elif s[i:i + 1] != "}":
            raise ValueError(f"line {lineno}: expected , or }} after label {name}")


def _family(name, types):
    """The family a sample name belongs to (histogram/summary suffixes)."""
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def parse(text):
    types, helps, samples = {}, {}, []
    seen_series = set()
    finished = set()  # families whose samples are over (another family's sample came after)
    current = None
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.fullmatch(name):
                    raise ValueError(f"line {lineno}: bad metric name {name}")
                rest = parts[3] if len(parts) == 4 else ""
                if parts[1] == "TYPE":
                    if name in types:
                        raise ValueError(f"line {lineno}: TYPE of {name} twice")
                    if any(_family(s[0], types) == name for s in samples):
                        raise ValueError(f"line {lineno}: TYPE of {name} after its samples")
                    if rest not in TYPES:
                        raise ValueError(f"line {lineno}: unknown type {rest!r}")
                    types[name] = rest
                else:
                    if name in helps:
                        raise ValueError(f"line {lineno}: HELP of {name} twice")
                    helps[name] = rest.replace("\\n", "\n").replace("\\\\", "\\")
            continue
        m = NAME.match(line)
        if not m:
            raise ValueError(f"line {lineno}: bad sample {line!r}")
        name = m.group()
        i = m.end()
        labels = {}
        if line[i:i + 1] == "{":
            labels, i = _labels(line, i, lineno)
        fields = line[i:].split()
        if not line[i:i + 1].isspace() or len(fields) not in (1, 2):
            raise ValueError(f"line {lineno}: expected a value after {name}: {line!r}")
        value = _float(fields[0])
        if len(fields) == 2:
            int(fields[1])  # a timestamp: integer milliseconds
        family = _family(name, types)
        if family != current:
            if family in finished:
                raise ValueError(f"line {lineno}: samples of {family} are not together")
            if current is not None:
                finished.add(current)
            current = family
        series = (name, tuple(sorted(labels.items())))
        if series in seen_series:
            raise ValueError(f"line {lineno}: series {series} twice")
        seen_series.add(series)
        samples.append((name, labels, value))
    return {"types": types, "help": helps, "samples": samples}


def main(argv):
    with open(argv[1]) as f:
        parsed = parse(f.read())
    for name, labels, value in parsed["samples"]:
        print(json.dumps({"name": name, "labels": labels, "value": value}))


if __name__ == "__main__":
    main(sys.argv)
