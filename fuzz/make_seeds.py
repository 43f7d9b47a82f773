#!/usr/bin/env python3
"""Writes the committed seed corpora under fuzz/seeds/<target>/ from
testdata/sample.txt and a few damaged variants of it. Deterministic: running
it again gives the same files. Input formats: see fuzz/src/targets.rs."""
import base64
import random
from pathlib import Path

here = Path(__file__).resolve().parent
sample = (here.parent / "testdata" / "sample.txt").read_bytes()
lines = sample.split(b"\n")
assert lines[-1] == b""
lines = lines[:-1]


def join(ls, nl=b"\n", final=True):
    return nl.join(ls) + (nl if final else b"")


def replace_at(line, at, new):
    return line[:at] + new + line[at + len(new):]


variants = {
    "sample": sample,
    "crlf": join(lines, b"\r\n"),
    "no_final_newline": join(lines, final=False),
    "truncated_last_line": sample[:-6],
    "bom": b"\xef\xbb\xbf" + sample,
    "utf8": sample.decode("latin-1").encode("utf-8"),
    "blank_lines": join(lines[:5] + [b"", b"", b"\r"] + lines[5:]),
    "missing_end": join(lines[:-1]),
    "no_start": join(lines[1:]),
    "bad_date": join(lines[:7] + [replace_at(lines[7], 44, b"20250230")] + lines[8:]),
    "bad_digit": join(lines[:9] + [replace_at(lines[9], 20, b"X")] + lines[10:]),
    "wrong_length": join(lines[:10] + [lines[10] + b"  "] + lines[11:]),
    "lb_nr_gap": join(lines[:3] + lines[4:]),
    "out_of_order": join(lines[:8] + lines[9:12] + [lines[8]] + lines[12:]),
    "long_line": join(lines[:2] + [b"0" * 700] + lines[2:]),
    "control_bytes": join(lines[:4] + [replace_at(lines[4], 12, b"\x00\x85\r")] + lines[5:]),
    "bad_count": sample.replace(b"99990000027", b"99990000099"),
}

seeds = here / "seeds"


def write(target, name, data):
    d = seeds / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


for old in seeds.glob("*/*"):
    old.unlink()

for name, data in variants.items():
    # decode_raw: [flags, data...]; lenient everywhere, strict for a few.
    write("decode_raw", name, b"\x00" + data)
    # decode_split: [flags, n, cuts..., data...]
    cuts = {"sample": [1], "crlf": [7, 13, 0], "blank_lines": [1, 2, 3]}.get(name, [97, 3])
    write("decode_split", name, bytes([0, len(cuts)] + cuts) + data)
for name in ["sample", "bad_date", "blank_lines", "truncated_last_line"]:
    write("decode_raw", name + "_strict", b"\x01" + variants[name])
    write("decode_split", name + "_strict", bytes([1, 2, 50, 1]) + variants[name])
write("decode_raw", "sample_pretin", b"\x08" + sample)
write("decode_raw", "sample_scale2_reject", b"\x22" + sample)

# base64 encoded mode: [mode, flags, wrap, n, cuts..., k, (lo, hi, kind)..., data...]
write("base64", "sample_wrapped", bytes([0, 0, 19, 1, 200, 2, 5, 0, 4, 9, 1, 1]) + sample)
write("base64", "crlf_unpadded", bytes([3, 0, 16, 0, 0]) + variants["crlf"])
write("base64", "bad_date_strict", bytes([0, 1, 0, 2, 3, 4, 0]) + variants["bad_date"])
write("base64", "truncated", bytes([1, 0, 19, 0, 0]) + variants["truncated_last_line"])
# base64 raw mode: [0x80, flags, n, cuts..., text...]
text = base64.encodebytes(sample)
write("base64", "raw_sample", bytes([0x80, 0, 1, 64]) + text)
write("base64", "raw_bad_char", bytes([0x80, 0, 0]) + text[:300] + b"*" + text[301:])
write("base64", "raw_bad_padding", bytes([0x80, 0, 0]) + b"TWE=TWFu" + text)
write("base64", "raw_truncated", bytes([0x80, 0, 0]) + text[:-3])

# roundtrip: any bytes make a valid model; give it a few shapes.
rng = random.Random(20261123)
write("roundtrip", "sample_bytes", sample)
write("roundtrip", "zeros", bytes(64))
for i in range(4):
    write("roundtrip", f"random{i}", bytes(rng.randrange(256) for _ in range(256 << i)))
