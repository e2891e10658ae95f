"""The CSV layout every generated data set here shares: a header line, then one row per sample with
floats written as %.17g (round-trip exact) and integer labels as they are."""


def write_rows(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(f"{v:.17g}" if isinstance(v, float) else str(v) for v in row) + "\n")
