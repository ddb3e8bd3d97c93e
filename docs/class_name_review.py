"""Write docs/class_names.md: the review of the xlsa17 class names that GloVe 6B knows only as rare tokens.

For every single-word class name of the five benchmarks whose GloVe token is rare (frequency rank beyond
``RARE_RANK``; GloVe's vocabulary is sorted by frequency) and for every class in a synonym map, the table shows the
nearest words of the name alone and of the text the course uses (``semantic.DATASET_SYNONYMS``), and the decision.

    python docs/class_name_review.py [--shared ../shared/data/xlsa17]

AWA1, AWA2 and SUN class names come from the real att_splits.mat files in ``--shared``; CUB's and APY's from
``tests/data/{cub,apy}_classes.txt`` (the public class lists, in the xlsa17 spelling).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import scipy.io

from zsl_utils.semantic import DATASET_SYNONYMS, glove50, match_class_name, normalise_class_name

REPO = Path(__file__).resolve().parents[1]
RARE_RANK = 20_000
NEIGHBOURS = 6
MASKED = {"120f6e5b4ea32f65bda68452fcfaaef06b0136e1d0e4a6f60bc3771fa0936dd6"}
"""SHA-256 of neighbour words printed as ``(slur)``: GloVe's web text puts a racial slur next to ``weasel``."""


def class_lists(shared: Path) -> dict[str, list[str]]:
    """The class names of AWA2 (AWA1 has the same 50), CUB, APY and SUN, in file order."""
    names = {}
    for dataset in ("AWA2", "SUN"):
        cell = scipy.io.loadmat(shared / dataset / "att_splits.mat", variable_names=["allclasses_names"])[
            "allclasses_names"
        ]
        names[dataset] = [str(item[0][0]) for item in cell]
    for dataset in ("CUB", "APY"):
        names[dataset] = (REPO / "tests" / "data" / f"{dataset.lower()}_classes.txt").read_text().split()
    return {dataset: names[dataset] for dataset in ("AWA2", "CUB", "APY", "SUN")}


def nearest(keys: tuple[str, ...]) -> str:
    """The nearest GloVe words to the mean of ``keys``' vectors, the keys themselves left out."""
    vectors = glove50()
    mean = np.mean([vectors[key] for key in keys], axis=0)
    words = [word for word, _ in vectors.most_similar(mean, topn=NEIGHBOURS + len(keys)) if word not in keys]
    return ", ".join(
        "(slur)" if hashlib.sha256(word.encode()).hexdigest() in MASKED else word for word in words[:NEIGHBOURS]
    )


def review_rows(dataset: str, names: list[str]) -> list[str]:
    """The review table's rows of ``dataset``: each class name that is rare in GloVe or that a synonym replaces, with
    its GloVe rank, its neighbours before and the decision."""
    vectors = glove50()
    synonyms = DATASET_SYNONYMS[dataset]
    rows = []
    for name in names:
        text = normalise_class_name(name)
        alone = match_class_name(name, vectors)
        used = match_class_name(name, vectors, synonyms)
        rare = " " not in text and text in vectors.key_to_index and vectors.key_to_index[text] > RARE_RANK
        if not (rare or used.text != alone.text):
            continue
        if " " in text:
            rank = "several words"
        else:
            rank = f"{vectors.key_to_index[text]:,}" if text in vectors.key_to_index else "not in GloVe"
        before = nearest(alone.used) if alone.used else "(no known word)"
        if alone.missing:
            before += f" (unknown: {', '.join(alone.missing)})"
        decision = f"**{used.text}**: {nearest(used.used)}" if used.text != alone.text else "kept"
        rows.append(f"| {dataset} | `{name}` | {rank} | {before} | {decision} |")
    return rows


def main() -> None:
    """Write docs/class_names.md from the xlsa17 class lists under ``--shared``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data" / "xlsa17")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "class_names.md")
    args = parser.parse_args()
    lines = [
        "# Class names as GloVe 6B 50-d vectors: the review",
        "",
        "Written by `python docs/class_name_review.py`. `load_dataset` gives each class the mean GloVe vector of the",
        "words of its name, with the dataset's synonym map (`zsl_utils.semantic.DATASET_SYNONYMS`) replacing the",
        "names GloVe lacks or reads badly. GloVe's vocabulary is sorted by corpus frequency, so a token's index is its",
        "frequency rank, and a rare token's vector comes from the few contexts the string occurs in. Reviewed: every",
        f"single-word class name whose token ranks beyond {RARE_RANK:,} (rare, which includes every glued name GloVe",
        "knows, such as aPY's `jetski`), and every class with a synonym. AWA1 has AWA2's 50 names.",
        "",
        "The rule applied: a name is kept when its nearest words concern the class; otherwise it is replaced by the",
        "split of a glued name (`toy shop`), the common spelling (`carousel`), or the name with its kind added",
        "(`mallard duck`, `mastaba tomb`), and the replacement's nearest words are checked. The last column shows the",
        f"text used and its {NEIGHBOURS} nearest words.",
        "",
        "| dataset | class | GloVe rank | nearest words of the name alone | decision: text used and its nearest words |",
        "| --- | --- | --- | --- | --- |",
    ]
    for dataset, names in class_lists(args.shared).items():
        lines += review_rows(dataset, names)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out} ({len(lines) - 16} classes)")


if __name__ == "__main__":
    main()
