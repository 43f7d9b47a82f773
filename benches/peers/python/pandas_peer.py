"""pandas.read_fwf peer: the amount records (6001) as a data team would read them.

Every line is read with the 6001 column layout (Lb_nr, Rec_nr, Feltnummer,
Beloeb, Fortegn) in chunks of 1 M lines; records are counted per type from
Rec_nr, Lb_nr must run 1, 2, 3, ... (modulo 10^7), and for the 6001 lines Beloeb must be 16
digits and Fortegn + or -. Prints the records per type and the 6001 sums in
øre per Feltnummer (the reference's other amount keys are not compared).

Usage: python pandas_peer.py FILE
"""
import sys

import pandas as pd

COLSPECS = [(0, 7), (7, 11), (11, 15), (15, 31), (31, 32)]
NAMES = ["lb_nr", "rec_nr", "feltnummer", "beloeb", "fortegn"]


def main(path):
    records = {}
    sums = {}
    next_lb = 1
    chunks = pd.read_fwf(path, colspecs=COLSPECS, names=NAMES, header=None, dtype=str,
                         encoding="latin-1", chunksize=1_000_000)
    for chunk in chunks:
        lb = chunk["lb_nr"].astype("int64")
        expected = pd.RangeIndex(next_lb, next_lb + len(chunk))
        # 7 digits: past 9,999,999 lines (the 1 GB input) Lb_nr wraps to 0.
        if not (lb.to_numpy() == expected.to_numpy() % 10_000_000).all():
            sys.exit("pandas: Lb_nr does not run 1, 2, 3, ...")
        next_lb += len(chunk)
        for rec, n in chunk["rec_nr"].value_counts().items():
            records[int(rec)] = records.get(int(rec), 0) + int(n)
        amt = chunk[chunk["rec_nr"] == "6001"]
        beloeb = amt["beloeb"]
        if not (beloeb.str.len() == 16).all() or not beloeb.str.isdigit().all():
            sys.exit("pandas: a 6001 Beloeb is not 16 digits")
        if not amt["fortegn"].isin(["+", "-"]).all():
            sys.exit("pandas: a 6001 Fortegn is not + or -")
        units = beloeb.astype("int64")
        if (units % 10_000 != 0).any():
            sys.exit("pandas: amount finer than øre")
        ore = (units // 10_000).where(amt["fortegn"] == "+", -(units // 10_000))
        for felt, s in ore.groupby(amt["feltnummer"]).sum().items():
            sums[felt] = sums.get(felt, 0) + int(s)
    out = [f"records {t} {n}" for t, n in sorted(records.items())]
    out += [f"amount 6001/{f} {v}" for f, v in sorted(sums.items())]
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
