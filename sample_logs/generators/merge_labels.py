"""Build sample_logs/labels.csv from each generator family's manifest.csv.

Each manifest records the ground truth the training script observed itself
(epoch, 1-based global step of the first non-finite loss) and the first line
of the raw log that shows a non-finite value (an independent scan, checked by
eye). labels.csv keeps that truth as ``truth_step`` and states in
``first_nonfinite_step`` the step *as the log shows it*: the two differ where a
progress bar skipped redraws (the first visible NaN frame is a later batch) or
where the log prints no step at all. Those cases were looked up by hand and are
listed in label_overrides.csv with the reason, as are the logs that cannot
tell their fault at all (``diagnosable=no``: e.g. a metrics.csv that simply
stops when the run crashed). ``split`` is ``tune`` for the logs the rules were
tuned on and ``holdout`` for those kept aside (sample_logs/holdout/), whose
accuracy is reported separately.

Run: python sample_logs/generators/merge_labels.py
"""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = [
    "file", "framework", "framework_version", "capture", "format", "fault",
    "first_nonfinite_metric", "first_nonfinite_line", "first_nonfinite_step",
    "truth_epoch", "truth_step", "split", "diagnosable", "notes",
]


def main() -> None:
    overrides = {}
    override_file = HERE / "label_overrides.csv"
    if override_file.exists():
        for row in csv.DictReader(override_file.open(encoding="utf-8")):
            overrides[row["file"]] = row
    rows = []
    manifests = [(m, "tune") for m in sorted(HERE.glob("*/manifest.csv"))]
    manifests += [(m, "holdout") for m in sorted(HERE.glob("*/manifest_holdout.csv"))]
    for manifest, split in manifests:
        for row in csv.DictReader(manifest.open(encoding="utf-8")):
            out = {key: row.get(key, "") for key in COLUMNS}
            out["split"] = split
            out["diagnosable"] = "yes"
            if split == "holdout":
                # Held-aside logs are not opened to say at which step their bars show the
                # first NaN: only the line (an independent scan) is labelled.
                out["first_nonfinite_step"] = ""
            out["truth_epoch"] = row["first_nonfinite_epoch"]
            out["truth_step"] = row["first_nonfinite_step"]
            override = overrides.get(row["file"])
            if override is not None:
                out["first_nonfinite_step"] = override["first_nonfinite_step"]
                if override.get("diagnosable"):
                    out["diagnosable"] = override["diagnosable"]
                if override["first_nonfinite_metric"]:
                    out["first_nonfinite_metric"] = override["first_nonfinite_metric"]
                out["notes"] = (out["notes"] + "; " if out["notes"] else "") + override["reason"]
            rows.append(out)
    rows.sort(key=lambda r: r["file"])
    with (HERE.parent / "labels.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} labelled sample logs")


if __name__ == "__main__":
    main()
