"""`ZSLDataset`: cached visual features, class semantics and the GBU splits, as tensors on one device."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import torch

__all__ = ["ZSLDataset"]

_SPLITS = ("trainval", "test_seen", "test_unseen", "train", "val")


@dataclass(frozen=True)
class ZSLDataset:
    """A zero-shot benchmark in the GBU protocol (Xian et al., TPAMI 2018).

    Attributes:
        name: the dataset's name, e.g. ``"AWA2"`` or ``"SHAPES"``.
        features: (N, d_v) float32 visual features, one row per image.
        labels: (N,) int64 class ids indexing ``class_names``.
        class_names: C names, in the order of the semantic rows.
        semantics: kind -> (C, k) float32 class embeddings, e.g. ``"attributes"`` (L2-normalised per class, the
            xlsa17 ``att``), ``"original_attributes"`` (raw ``original_att``, -1 = missing), ``"glove50"``.
        trainval, test_seen, test_unseen: (n,) int64 image indices of the GBU proposed split.
        train, val: (n,) int64 image indices for model selection: images of the train classes and of the val
            classes, both inside ``trainval`` (never a ``test_seen`` image).
        seen_classes, unseen_classes, train_classes, val_classes: sorted int64 class ids.
        regions: optional (N, R, d_r) float32 region features (R image regions per image).
        image_files: optional N image paths or names.
    """

    name: str
    features: torch.Tensor
    labels: torch.Tensor
    class_names: list[str]
    semantics: dict[str, torch.Tensor]
    trainval: torch.Tensor
    test_seen: torch.Tensor
    test_unseen: torch.Tensor
    train: torch.Tensor
    val: torch.Tensor
    seen_classes: torch.Tensor
    unseen_classes: torch.Tensor
    train_classes: torch.Tensor
    val_classes: torch.Tensor
    regions: torch.Tensor | None = None
    image_files: list[str] | None = field(default=None, repr=False)

    @property
    def device(self) -> torch.device:
        """The device every tensor of the dataset lives on."""
        return self.features.device

    @property
    def num_classes(self) -> int:
        """C, the number of classes (seen and unseen)."""
        return len(self.class_names)

    @property
    def feature_dim(self) -> int:
        """d_v, the width of the visual features."""
        return int(self.features.shape[1])

    def to(self, device: torch.device | str) -> ZSLDataset:
        """A copy with every tensor moved to ``device`` once, so training indexes device-resident data."""
        moved = {
            f.name: getattr(self, f.name).to(device)
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor)
        }
        moved["semantics"] = {kind: s.to(device) for kind, s in self.semantics.items()}
        return dataclasses.replace(self, **moved)

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Features (n, d_v) and labels (n,) of one split: trainval, test_seen, test_unseen, train or val."""
        if name not in _SPLITS:
            raise KeyError(f"unknown split {name!r}; valid splits: {', '.join(_SPLITS)}")
        index = getattr(self, name)
        return self.features[index], self.labels[index]

    def semantic(self, kind: str) -> torch.Tensor:
        """The (C, k) class embeddings of one kind, with an error listing the kinds this dataset has."""
        if kind not in self.semantics:
            raise KeyError(f"dataset {self.name} has no semantics {kind!r}; available: {', '.join(self.semantics)}")
        return self.semantics[kind]

    def summary(self) -> str:
        """Sizes and split counts, as printed text (also returned)."""
        lines = [
            f"{self.name}: {self.features.shape[0]} images, {self.num_classes} classes, "
            f"features {tuple(self.features.shape)} on {self.device}",
            f"  classes: {len(self.seen_classes)} seen ({len(self.train_classes)} train + {len(self.val_classes)} val), "
            f"{len(self.unseen_classes)} unseen",
            "  images: " + ", ".join(f"{s} {len(getattr(self, s))}" for s in _SPLITS),
            "  semantics: " + ", ".join(f"{k} {tuple(v.shape)}" for k, v in self.semantics.items()),
        ]
        if self.regions is not None:
            lines.append(f"  regions: {tuple(self.regions.shape)}")
        text = "\n".join(lines)
        print(text)
        return text
