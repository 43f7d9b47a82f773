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

# ffi_calls: [opts, scale, n, (op, a, b) x n, data...]; op % 15: 0-3 eik_decode
# (len a | (b & 0xF0) << 4, cap index b & 15: 0 1 2 3 4 5 7 8 16 31 64 ...; op
# 135 passes NULL input when len is 0), 4 take (cap index a % 8: 0 1 2 3 5 8 64
# 2048), 5 finish (cap index b & 15), 6 counts, 7 stopped, 8 pending, 9 layout
# at a | b << 8, 10 layout get, 11 layout field (a, b), 12 NULL call a, 13
# oversized call a, 14 string functions.
def ffi(opts, scale, ops, data):
    return bytes([opts, scale, len(ops)] + [x for op in ops for x in op]) + data


dec = lambda n, cap: (0, n & 0xFF, ((n >> 8) << 4) | cap)
small = [dec(0, 1), (135, 0, 1), dec(1, 0), dec(1, 1), (4, 1, 0), dec(150, 1), dec(7, 2), (4, 0, 0),
         (6, 0, 0), (7, 0, 0), (8, 0, 0), dec(300, 10), (4, 2, 0)]
looks = [(9, 0, 0), (9, 17, 0), (9, 255, 255), (10, 0xE8, 0x03), (10, 0x70, 0x17), (10, 0x0F, 0x27),
         (10, 1, 0), (11, 0, 0), (11, 3, 12), (11, 200, 3), (14, 0, 0), (14, 36, 0), (14, 37, 0), (14, 7, 0)]
nulls = [(12, i, 0) for i in range(16)] + [(13, i, 0) for i in range(4)]
write("ffi_calls", "sample", ffi(0, 6, [], sample))
write("ffi_calls", "sample_small_calls", ffi(0, 6, small + [(5, 0, 1), (5, 0, 0), (4, 3, 0)], sample))
write("ffi_calls", "sample_lookups_nulls", ffi(0, 6, looks + nulls + small, sample))
write("ffi_calls", "null_options", ffi(8, 0, [dec(100, 3)], variants["crlf"]))
write("ffi_calls", "bad_scale_pretin", ffi(0x20, 17, [dec(2000, 6)], sample))
write("ffi_calls", "strict_bad_date", ffi(1, 6, small, variants["bad_date"]))
write("ffi_calls", "strict_blank_lines", ffi(1, 6, [dec(3, 15)], variants["blank_lines"]))
write("ffi_calls", "base64", ffi(2, 6, small, base64.encodebytes(sample)))
write("ffi_calls", "base64_bad_char", ffi(2, 6, [dec(500, 1)], text[:300] + b"*" + text[301:]))
write("ffi_calls", "unknown_reject_control", ffi(4, 2, small, variants["control_bytes"]))
write("ffi_calls", "long_line_split", ffi(0, 6, [dec(600, 2), dec(900, 1)], variants["long_line"]))
# 1500 blank lines: the findings queue fills (EIK_MAX_PENDING_FINDINGS 1024).
write("ffi_calls", "findings_full", ffi(0, 6, [dec(1500, 10), dec(0, 10), (5, 0, 10), (4, 6, 0)], b"\n" * 1500))

# roundtrip: any bytes make a valid model; give it a few shapes.
rng = random.Random(20261123)
write("roundtrip", "sample_bytes", sample)
write("roundtrip", "zeros", bytes(64))
for i in range(4):
    write("roundtrip", f"random{i}", bytes(rng.randrange(256) for _ in range(256 << i)))
