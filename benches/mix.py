"""Files built from a generated employer file, for benches/mix.sh.

  mix.py person SRC OUT N TYPE...  the lines of SRC before its first 6000, then
                                   N persons of the first line of each TYPE, then
                                   a 9999 with the count
  mix.py sorted SRC OUT            SRC with the persons of each stretch between
                                   other records sorted by their pattern of types
  mix.py same SRC OUT              SRC with every person's line replaced by the
                                   first line of its type (its Lb_nr kept)

Lb_nr is renumbered where lines move, so each file is as clean as SRC.
"""
import sys

# Records that are no part of a person (a 6000 and what follows it).
OUTSIDE = {b"1000", b"2001", b"2101", b"2111", b"3101", b"4101", b"5000", b"9999"}


def lines_of(path):
    lines = open(path, "rb").read().split(b"\n")
    return lines[:-1] if lines[-1] == b"" else lines


def numbered(lines):
    return [b"%07d" % (i + 1) + line[7:] for i, line in enumerate(lines)]


def person(src, out, n, types):
    lines = lines_of(src)
    first = {}
    for line in lines:
        first.setdefault(line[7:11], line)
    head = lines[: next(i for i, line in enumerate(lines) if line[7:11] == b"6000")]
    body = head + [first[t.encode()] for t in types] * n
    body.append(b"%07d9999%07d" % (len(body) + 1, len(body) + 1))
    write(out, numbered(body))


def persons(lines):
    """The file as a list of items: a person (a list of lines) or a line outside one."""
    items, current = [], None
    for line in lines:
        kind = line[7:11]
        if kind == b"6000":
            current = [line]
            items.append(current)
        elif kind in OUTSIDE or current is None:
            current = None
            items.append(line)
        else:
            current.append(line)
    return items


def sort_persons(src, out):
    out_lines, stretch = [], []
    for item in persons(lines_of(src)) + [None]:
        if isinstance(item, list):
            stretch.append(item)
            continue
        stretch.sort(key=lambda p: [line[7:11] for line in p])
        for p in stretch:
            out_lines.extend(p)
        stretch = []
        if item is not None:
            out_lines.append(item)
    write(out, numbered(out_lines))


def same(src, out):
    lines, first = lines_of(src), {}
    for line in lines:
        first.setdefault(line[7:11], line)
    write(out, [line if line[7:11] in OUTSIDE else line[:7] + first[line[7:11]][7:] for line in lines])


def write(path, lines):
    with open(path, "wb") as f:
        f.write(b"\n".join(lines) + b"\n")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "person":
        person(args[0], args[1], int(args[2]), args[3:])
    elif cmd == "sorted":
        sort_persons(args[0], args[1])
    elif cmd == "same":
        same(args[0], args[1])
    else:
        sys.exit(__doc__)
