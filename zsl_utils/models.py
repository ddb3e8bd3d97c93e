"""Zero-shot models with one explicit API: every model embeds images and classes into a joint space and scores them.

Every model is a :class:`ZSLModel` with

* ``embed_visual(visual) -> (B, d)`` and ``embed_semantic(semantics) -> (C, d)``: the joint space (for t-SNE plots),
* ``class_scores(visual, semantics (C, d_s)) -> (B, C)``: every image against every class,
* ``pair_scores(visual, semantics (B, d_s)) -> (B,)``: image i against its own semantic row i,
* ``predict(visual, semantics) -> (B,)`` int64 class indices, without gradients, keeping the train/eval mode.

Which of the two scorings is meant is always said by the method called, never guessed from the shapes (a sketch that
compared ``semantics.shape[0]`` with the batch size returned pairwise scores whenever B == C). ``input_kind`` says
what ``visual`` is: ``"features"``, pooled features (B, d_v), or ``"regions"``, region features (B, R, d_r).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .generative import ConditionalGenerator, Critic, Encoder, synthesize, train_softmax, train_vae, train_wgan

__all__ = [
    "ZSLModel",
    "FeatureNorm",
    "FEATURE_NORMS",
    "DeViSE",
    "Bilinear",
    "ESZSL",
    "FittedModel",
    "NearestPrototype",
    "ConSE",
    "SingleTokenAttention",
    "RegionAttention",
    "TokenAttention",
    "TwoBranch",
    "GenerativeClassifier",
    "CLSWGAN",
    "ConditionalVAE",
    "MODELS",
    "build_model",
    "inference",
]


def _shape(tensor: torch.Tensor) -> tuple[int, ...]:
    return tuple(tensor.shape)


def _solve_positive_definite(matrix: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
    """matrix^-1 rhs for a symmetric positive definite ``matrix`` (n, n), by Cholesky; by LU when rounding makes
    the factorisation fail (a matrix positive definite only in exact arithmetic). rhs: (n, m) -> (n, m)."""
    factor, info = torch.linalg.cholesky_ex(matrix)
    if int(info) == 0:
        return torch.cholesky_solve(rhs, factor)
    return torch.linalg.solve(matrix, rhs)


def _check_finite(method: str, features: torch.Tensor, class_semantics: torch.Tensor) -> None:
    """A ValueError naming the rows of ``features`` (n, d_v) or ``class_semantics`` (z, d_s) that hold NaN or Inf,
    as :func:`zsl_utils.train.fit` refuses them: one such value would make every weight NaN."""
    for what, values, fix in (
        ("features", features, "drop or repair those images"),
        ("the class vectors", class_semantics, "repair the class embeddings"),
    ):
        bad = (~torch.isfinite(values)).flatten(1).any(dim=1).nonzero().flatten()
        if bad.numel():
            raise ValueError(
                f"{method}: {what} hold NaN or Inf in rows {bad[:5].tolist()} ({bad.numel()} in all); {fix}"
            )


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _check_dropout(dropout: float) -> None:
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")


def _mlp(in_dim: int, hidden: Sequence[int], out_dim: int, dropout: float, batch_norm: bool) -> nn.Sequential:
    """Per hidden layer Linear -> [BatchNorm1d] -> ReLU -> Dropout, then a final Linear to ``out_dim``."""
    layers: list[nn.Module] = []
    for width in hidden:
        _check_positive_int("hidden layer width", width)
        layers.append(nn.Linear(in_dim, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers += [nn.ReLU(), nn.Dropout(dropout)]
        in_dim = width
    layers.append(nn.Linear(in_dim, out_dim))
    return nn.Sequential(*layers)


@contextlib.contextmanager
def inference(model: nn.Module) -> Iterator[None]:
    """Eval mode and no gradients inside the block; every submodule's train/eval flag is restored on exit."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        for module, training in modes:
            module.training = training


FEATURE_NORMS = ("none", "l2", "standardise")
"""Input normalisations of the visual features that model selection can choose (grid key ``feature_norm``)."""


class FeatureNorm(nn.Module):
    """Normalisation of the visual input, the first step of a model: ``"l2"`` scales each feature vector (each
    region's, for region features) to unit norm; ``"standardise"`` z-scores each feature dimension with the mean and
    standard deviation of the training images given to :meth:`fit` (a constant dimension is only centred).
    visual: (B, d_v) or (B, R, d_r) -> the same shape."""

    def __init__(self, kind: str, dim: int) -> None:
        super().__init__()
        if kind not in FEATURE_NORMS:
            raise ValueError(f"feature_norm must be one of {FEATURE_NORMS}, got {kind!r}")
        self.kind = kind
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))

    def fit(self, visual: torch.Tensor) -> FeatureNorm:
        """Statistics from training images only. visual: (n, d_v) or (n, R, d_r)."""
        if self.kind == "standardise":
            flat = visual.reshape(-1, visual.shape[-1]).float()
            std = flat.std(dim=0, correction=0)
            self.mean.copy_(flat.mean(dim=0))
            self.std.copy_(torch.where(std > 0, std, torch.ones_like(std)))
        return self

    def forward(self, visual: torch.Tensor) -> torch.Tensor:
        """The normalised features, same shape as ``x``."""
        if self.kind == "l2":
            return F.normalize(visual, dim=-1)
        if self.kind == "standardise":
            return (visual - self.mean) / self.std
        return visual

    def extra_repr(self) -> str:
        """The mode, shown in the module's repr."""
        return self.kind


class ZSLModel(nn.Module):
    """Base class: validated public methods that call the hooks ``_embed_visual``, ``_embed_semantic``, ``_score_*``.

    Subclasses implement ``_embed_visual`` and ``_embed_semantic``; the default scores are dot products in the joint
    space, ``class_scores = E_v(visual) E_s(semantics)^T``, and subclasses override ``_score_matrix`` and
    ``_score_pairs`` together when they compare differently.

    Attributes:
        visual_dim: d_v, the last dim of ``visual`` (the region dim d_r when ``input_kind == "regions"``).
        semantic_dim: d_s, the last dim of ``semantics``.
        input_kind: ``"features"`` (visual: (B, d_v)) or ``"regions"`` (visual: (B, R, d_r)).
    """

    input_kind: str = "features"

    def __init__(self, visual_dim: int, semantic_dim: int) -> None:
        super().__init__()
        _check_positive_int("visual_dim", visual_dim)
        _check_positive_int("semantic_dim", semantic_dim)
        self.visual_dim = visual_dim
        self.semantic_dim = semantic_dim
        self.feature_norm: FeatureNorm | None = None

    def set_feature_norm(self, kind: str, training_visual: torch.Tensor) -> ZSLModel:
        """Normalise every visual input first (``FEATURE_NORMS``), with statistics from ``training_visual``, the
        training images' features (n, d_v) or regions (n, R, d_r); ``"none"`` removes it. Returns ``self``."""
        self._check("set_feature_norm", training_visual)
        norm = FeatureNorm(kind, self.visual_dim).to(training_visual.device)
        self.feature_norm = None if kind == "none" else norm.fit(training_visual)
        return self

    def _prepare(self, visual: torch.Tensor) -> torch.Tensor:
        """The visual input after the model's feature normalisation, if it has one."""
        return visual if self.feature_norm is None else self.feature_norm(visual)

    # Validation -------------------------------------------------------------------------------------------------

    def _expected_visual(self) -> str:
        return f"(B, {self.visual_dim})"

    def _visual_ok(self, visual: torch.Tensor) -> bool:
        return visual.dim() == 2 and visual.shape[1] == self.visual_dim

    def _check(
        self,
        method: str,
        visual: torch.Tensor | None = None,
        semantics: torch.Tensor | None = None,
        pairs: bool = False,
    ) -> None:
        """Raise ValueError naming the shapes given and the shapes expected when ``visual``/``semantics`` do not fit."""
        given = {"visual": visual, "semantics": semantics}
        weights = next((p.dtype for p in self.parameters() if p.is_floating_point()), None)
        for name, tensor in given.items():
            if tensor is not None and not isinstance(tensor, torch.Tensor):
                raise TypeError(f"{type(self).__name__}.{method}: {name} must be a torch.Tensor, got {type(tensor)}")
            if tensor is not None and weights is not None and tensor.is_floating_point() and tensor.dtype != weights:
                raise ValueError(
                    f"{type(self).__name__}.{method}: {name} is {tensor.dtype} but the model's weights are {weights}; "
                    f"pass {name}.to({weights}) (or convert the model: model.to({tensor.dtype}))"
                )
        ok = True
        expected, got = [], []
        if visual is not None:
            ok &= self._visual_ok(visual)
            expected.append(f"visual {self._expected_visual()}")
            got.append(f"visual {_shape(visual)}")
        if semantics is not None:
            rows = visual.shape[0] if pairs and visual is not None and visual.dim() > 0 else None
            rows_ok = semantics.dim() == 2 and (semantics.shape[0] == rows if pairs else semantics.shape[0] >= 1)
            ok &= rows_ok and semantics.shape[1] == self.semantic_dim
            rows_text = f"{rows}" if pairs else "C >= 1"
            expected.append(f"semantics ({rows_text}, {self.semantic_dim})")
            got.append(f"semantics {_shape(semantics)}")
        if not ok:
            hint = " (pair_scores scores image i against semantic row i; use class_scores for all)" if pairs else ""
            raise ValueError(
                f"{type(self).__name__}.{method}: expected {' and '.join(expected)}, got {' and '.join(got)}{hint}"
            )

    # Public API --------------------------------------------------------------------------------------------------

    def embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        """Images into the joint space. visual: (B, d_v) or (B, R, d_r) -> (B, d)."""
        self._check("embed_visual", visual)
        return self._embed_visual(self._prepare(visual))

    def embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        """Classes into the joint space. semantics: (C, d_s) -> (C, d)."""
        self._check("embed_semantic", semantics=semantics)
        return self._embed_semantic(semantics)

    def class_scores(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """Every image against every class. visual: (B, d_v) or (B, R, d_r), semantics: (C, d_s) -> (B, C)."""
        self._check("class_scores", visual, semantics)
        return self._score_matrix(self._embed_visual(self._prepare(visual)), self._embed_semantic(semantics))

    def pair_scores(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """Image i against semantic row i. visual: (B, d_v) or (B, R, d_r), semantics: (B, d_s) -> (B,)."""
        self._check("pair_scores", visual, semantics, pairs=True)
        return self._score_pairs(self._embed_visual(self._prepare(visual)), self._embed_semantic(semantics))

    def forward(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """The same as :meth:`class_scores`: (B, C)."""
        return self.class_scores(visual, semantics)

    def predict(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """Index of the best class per image, (B,) int64, in eval mode and without gradients.

        The train/eval flag of every submodule is restored afterwards, also when scoring raises.
        """
        with inference(self):
            return self.class_scores(visual, semantics).argmax(dim=1)

    # Hooks -------------------------------------------------------------------------------------------------------

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _score_matrix(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        """(B, d), (C, d) -> (B, C) dot products."""
        return visual_emb @ semantic_emb.T

    def _score_pairs(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        """(B, d), (B, d) -> (B,) row-wise dot products."""
        return (visual_emb * semantic_emb).sum(dim=-1)


class _CosineModel(ZSLModel):
    """Cosine scores with a fixed temperature: score(v, s) = <v / |v|, s / |s|> / T.

    With ``cosine=False`` only the class side is normalised: score(v, s) = <v, s / |s|> / T, a dot product with
    unit-norm class vectors (DeViSE's own score).
    """

    def __init__(self, visual_dim: int, semantic_dim: int, temperature: float, cosine: bool = True) -> None:
        super().__init__(visual_dim, semantic_dim)
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature!r}")
        self.register_buffer("temperature", torch.tensor(float(temperature)))
        self.cosine = cosine

    def _visual_unit(self, visual_emb: torch.Tensor) -> torch.Tensor:
        return F.normalize(visual_emb, dim=-1) if self.cosine else visual_emb

    def _score_matrix(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        return self._visual_unit(visual_emb) @ F.normalize(semantic_emb, dim=-1).T / self.temperature

    def _score_pairs(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        scores = (self._visual_unit(visual_emb) * F.normalize(semantic_emb, dim=-1)).sum(dim=-1)
        return scores / self.temperature


class DeViSE(_CosineModel):
    """DeViSE (Frome et al., NeurIPS 2013): images mapped into the space of the class embeddings.

    score(v, s) = <theta(v) / |theta(v)|, psi(s) / |psi(s)|> / tau   (``cosine=True``, the course's default)
    score(v, s) = <theta(v), psi(s) / |psi(s)|> / tau                (``cosine=False``: the paper's dot product with
                                                                     unit-norm class vectors)

    * ``hidden_dims=None``: theta(v) = M v, the paper's linear map M (d_s x d_v, no bias), into the semantic space.
    * ``hidden_dims=(2048, 1024)``: theta is an MLP, Linear -> BatchNorm1d -> ReLU -> Dropout per hidden layer.
    * psi(s) = s (identity) when ``embed_dim`` is None or d_s; otherwise a learnable linear map d_s -> embed_dim.

    tau is ``temperature``, a fixed float buffer. The MLP's BatchNorm cannot use batch statistics of one image, so in
    training mode a batch of one raises ValueError; :meth:`predict` (eval mode) scores single images.
    """

    def __init__(
        self,
        visual_dim: int,
        semantic_dim: int,
        hidden_dims: Sequence[int] | None = None,
        embed_dim: int | None = None,
        dropout: float = 0.5,
        temperature: float = 1.0,
        cosine: bool = True,
    ) -> None:
        super().__init__(visual_dim, semantic_dim, temperature, cosine)
        _check_dropout(dropout)
        embed_dim = semantic_dim if embed_dim is None else embed_dim
        _check_positive_int("embed_dim", embed_dim)
        self.embed_dim = embed_dim
        self.hidden_dims = tuple(hidden_dims or ())
        if self.hidden_dims:
            self.visual_map: nn.Module = _mlp(visual_dim, self.hidden_dims, embed_dim, dropout, batch_norm=True)
        else:
            self.visual_map = nn.Linear(visual_dim, embed_dim, bias=False)
        if embed_dim == semantic_dim:
            self.semantic_map: nn.Module = nn.Identity()
        else:
            self.semantic_map = nn.Linear(semantic_dim, embed_dim, bias=False)

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        if self.training and self.hidden_dims and visual.shape[0] == 1:
            raise ValueError(
                f"DeViSE: BatchNorm1d in training mode needs more than one image per batch, got visual of shape "
                f"{_shape(visual)}; use predict() or model.eval() for single images, DataLoader(drop_last=True) "
                "when training"
            )
        return self.visual_map(visual)

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return self.semantic_map(semantics)


class Bilinear(ZSLModel):
    """Bilinear compatibility F(v, s) = v^T W s (the ALE / SJE form), W: (d_v, d_s).

    ``rank=None``: W is a full (d_v, d_s) parameter; embed_visual = W^T v (in the semantic space), embed_semantic = s.
    ``rank=r``: W = W_v W_s^T with W_v: (d_v, r), W_s: (d_s, r), as two bias-free projections
    (``visual_factor``, ``semantic_factor``); F(v, s) = <W_v^T v, W_s^T s>, embed_visual = W_v^T v and
    embed_semantic = W_s^T s (an r-dimensional joint space).
    """

    def __init__(self, visual_dim: int, semantic_dim: int, rank: int | None = None) -> None:
        super().__init__(visual_dim, semantic_dim)
        self.rank = rank
        if rank is None:
            self.W = nn.Parameter(torch.empty(visual_dim, semantic_dim))
            nn.init.xavier_uniform_(self.W)
        else:
            _check_positive_int("rank", rank)
            self.visual_factor = nn.Linear(visual_dim, rank, bias=False)
            self.semantic_factor = nn.Linear(semantic_dim, rank, bias=False)

    @property
    def weight(self) -> torch.Tensor:
        """The full (d_v, d_s) matrix W (W_v W_s^T in the low-rank case)."""
        if self.rank is None:
            return self.W
        # nn.Linear stores W_v^T (r, d_v) and W_s^T (r, d_s).
        return self.visual_factor.weight.T @ self.semantic_factor.weight

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        return visual @ self.W if self.rank is None else self.visual_factor(visual)

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return semantics if self.rank is None else self.semantic_factor(semantics)


class FittedModel(ZSLModel):
    """A model fitted by its own solver, ``model.fit(features, labels, semantics, classes)``, instead of by gradient
    steps of :func:`zsl_utils.train.fit` (ESZSL's closed form, the baselines). Scoring before ``fit`` raises."""

    def __init__(self, visual_dim: int, semantic_dim: int) -> None:
        super().__init__(visual_dim, semantic_dim)
        self.register_buffer("fitted", torch.tensor(False))

    def fit(
        self, features: torch.Tensor, labels: torch.Tensor, semantics: torch.Tensor, classes: torch.Tensor | None = None
    ) -> FittedModel:
        """Fit on the device of ``features`` (Apple MPS, which has no float64: on the CPU); returns ``self``.

        features: (n, d_v); labels: (n,) class ids indexing the rows of semantics: (C, d_s); classes: (z,) the
        training class ids (default: the classes present in labels).
        """
        features, match, class_semantics = self._training_problem("fit", features, labels, semantics, classes)
        _check_finite(f"{type(self).__name__}.fit", features, class_semantics)
        self._fit(self._prepare(features), match, class_semantics)
        self.fitted.fill_(True)
        return self

    def _training_problem(
        self,
        method: str,
        features: torch.Tensor,
        labels: torch.Tensor,
        semantics: torch.Tensor,
        classes: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Checked inputs on the solving device (that of ``features``, except Apple MPS, which has no float64: there
        the CPU): features (n, d_v), match (n, z) bool (image i is of training class j), class semantics (z, d_s)."""
        name = type(self).__name__
        self._check(method, features, semantics)
        device = torch.device("cpu") if features.device.type == "mps" else features.device
        features, labels, semantics = features.to(device), labels.to(device), semantics.to(device)
        if labels.shape != (features.shape[0],) or labels.is_floating_point():
            raise ValueError(
                f"{name}.{method}: expected integer labels of shape ({features.shape[0]},) for features "
                f"{_shape(features)}, got labels {_shape(labels)} of dtype {labels.dtype}"
            )
        classes = labels.unique() if classes is None else classes.to(device)
        if classes.dim() != 1 or classes.numel() != classes.unique().numel():
            raise ValueError(
                f"{name}.{method}: classes must be a 1-D tensor of distinct class ids, got {classes.tolist()}"
            )
        if classes.numel() and not (0 <= classes.min() and classes.max() < semantics.shape[0]):
            raise ValueError(
                f"{name}.{method}: class ids must index the {semantics.shape[0]} rows of semantics "
                f"{_shape(semantics)}, got classes {classes.tolist()}"
            )
        match = labels[:, None] == classes[None, :]  # (n, z)
        if not match.any(dim=1).all():
            missing = labels[~match.any(dim=1)].unique().tolist()
            raise ValueError(f"{name}.{method}: labels {missing} are not among classes {classes.tolist()}")
        return features, match, semantics[classes]

    def _fit(self, features: torch.Tensor, match: torch.Tensor, class_semantics: torch.Tensor) -> None:
        """features: (n, d_v); match: (n, z) bool, image i is of training class j; class_semantics: (z, d_s)."""
        raise NotImplementedError

    def _require_fitted(self) -> None:
        if not self.fitted:
            raise RuntimeError(f"{type(self).__name__}: call fit(features, labels, semantics) before scoring")


class ESZSL(FittedModel):
    """ESZSL (Romera-Paredes & Torr, ICML 2015): a bilinear model F(x, s) = x^T W s with a closed-form W.

    In the paper's notation X: (d, m) features as columns, Y in {-1, 1}^(m x z), S: (a, z) class signatures as
    columns, and W = (X X^T + gamma I)^-1 X Y S^T (S S^T + lam I)^-1 minimises

        ||X^T W S - Y||_F^2 + gamma ||W S||_F^2 + lam ||X^T W||_F^2 + gamma lam ||W||_F^2.

    Here rows are samples and classes: X := X^T (n, d_v), S := S^T (z, d_s), so
    W = (X^T X + gamma I)^-1 X^T Y S (S^T S + lam I)^-1 (d_v, d_s) and class_scores = X W S^T.
    embed_visual = X W (in the semantic space), embed_semantic = identity. Call :meth:`fit` before scoring.

    ``negative_target`` is Y's entry for the classes an image is not of: -1 in the paper (the default), 0 in the
    public numpy ESZSL of mvp18/Popular-ZSL-Algorithms. With features centred on the training images (X^T 1 = 0,
    e.g. feature_norm "standardise") the 0 coding gives exactly W / 2: the same predictions.
    """

    def __init__(
        self, visual_dim: int, semantic_dim: int, gamma: float = 1.0, lam: float = 1.0, negative_target: float = -1.0
    ) -> None:
        super().__init__(visual_dim, semantic_dim)
        if not (gamma > 0 and lam > 0):
            raise ValueError(f"gamma and lam must be > 0, got gamma={gamma!r}, lam={lam!r}")
        if not negative_target < 1:
            raise ValueError(
                f"negative_target must be < 1 (the target of an image's own class), got {negative_target!r}"
            )
        self.gamma = float(gamma)
        self.lam = float(lam)
        self.negative_target = float(negative_target)
        self.register_buffer("W", torch.zeros(visual_dim, semantic_dim))

    @staticmethod
    def closed_form(
        features: torch.Tensor, targets: torch.Tensor, class_semantics: torch.Tensor, gamma: float, lam: float
    ) -> torch.Tensor:
        """W = (X^T X + gamma I)^-1 X^T Y S (S^T S + lam I)^-1 in float64, by two linear solves (no inverse).

        features X: (n, d_v), targets Y: (n, z), class_semantics S: (z, d_s) -> W: (d_v, d_s) float64.
        """
        X, Y, S = features.double(), targets.double(), class_semantics.double()
        eye_v = torch.eye(X.shape[1], dtype=X.dtype, device=X.device)
        eye_s = torch.eye(S.shape[1], dtype=X.dtype, device=X.device)
        left = torch.linalg.solve(X.T @ X + gamma * eye_v, X.T @ Y @ S)  # (X^T X + gamma I)^-1 X^T Y S
        # left (S^T S + lam I)^-1 = ((S^T S + lam I)^-1 left^T)^T, the matrix being symmetric.
        return torch.linalg.solve(S.T @ S + lam * eye_s, left.T).T

    def _fit(self, features: torch.Tensor, match: torch.Tensor, class_semantics: torch.Tensor) -> None:
        self.W.copy_(self.closed_form(features, self._targets(match), class_semantics, self.gamma, self.lam))

    def _targets(self, match: torch.Tensor) -> torch.Tensor:
        """Y in {negative_target, 1}^(n x z), float64, from match (n, z) bool."""
        return torch.where(match, 1.0, self.negative_target).double()

    def solve_grid(
        self,
        features: torch.Tensor,
        labels: torch.Tensor,
        semantics: torch.Tensor,
        gammas: Sequence[float],
        lams: Sequence[float],
        classes: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """W of every (gamma, lam) in ``gammas`` x ``lams``, as :meth:`fit` solves each (with this model's feature
        normalisation), for about the cost of one fit; this model's own gamma, lam and W are left as they are.

        X^T X and X^T Y S are computed once, X^T X + gamma I is factorised once per gamma (Cholesky), and one
        eigendecomposition S^T S = Q diag(b) Q^T serves every lam:

            W(gamma, lam) = (X^T X + gamma I)^-1 X^T Y S Q diag(1 / (b + lam)) Q^T,

        so a G x L grid costs G factorisations and G * L small (d_v, d_s) products instead of G * L pairs of solves.
        (One eigendecomposition of X^T X would serve every gamma too, but at d_v = 2048 it costs as much as dozens of
        Cholesky factorisations: ``benchmarks/eszsl_grid.py`` times both.) Arguments as in :meth:`fit` (features:
        (n, d_v), labels: (n,), semantics: (C, d_s), classes: (z,)). Returns (len(gammas), len(lams), d_v, d_s)
        float64, ``[i, j]`` for ``gammas[i]``, ``lams[j]``, on the device the solve ran on (that of ``features``;
        the CPU for MPS).
        """
        left, right = self._grid_factors(features, labels, semantics, gammas, lams, classes)
        return left[:, None] @ right[None]  # (G, L, d_v, d_s)

    def _grid_factors(
        self,
        features: torch.Tensor,
        labels: torch.Tensor,
        semantics: torch.Tensor,
        gammas: Sequence[float],
        lams: Sequence[float],
        classes: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The two factors of :meth:`solve_grid`'s W(gamma, lam) = left[i] @ right[j], float64:
        left (G, d_v, d_s) = (X^T X + gamma I)^-1 X^T Y S Q and right (L, d_s, d_s) = diag(1 / (b + lam)) Q^T."""
        if not (gammas and lams and all(g > 0 for g in gammas) and all(lam > 0 for lam in lams)):
            raise ValueError(
                f"ESZSL.solve_grid: gammas and lams must be non-empty and > 0, got {list(gammas)}, {list(lams)}"
            )
        X, match, S = self._training_problem("solve_grid", features, labels, semantics, classes)
        X, S, Y = self._prepare(X).double(), S.double(), self._targets(match)
        gram = X.T @ X  # (d_v, d_v), once
        b, Q = torch.linalg.eigh(S.T @ S)  # (d_s,), (d_s, d_s)
        target = (X.T @ (Y @ S)) @ Q  # (d_v, d_s): X^T Y S Q
        eye = torch.eye(gram.shape[0], dtype=gram.dtype, device=gram.device)
        left = torch.stack([_solve_positive_definite(gram + g * eye, target) for g in gammas])  # (G, d_v, d_s)
        lam = torch.tensor(list(lams), dtype=X.dtype, device=X.device)
        right = Q.T[None] / (b[None, :, None] + lam[:, None, None])  # (L, d_s, d_s): diag(1 / (b + lam)) Q^T
        return left, right

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        self._require_fitted()
        return visual @ self.W

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return semantics


class _PlainCosine:
    """Mixin: F(x, c) = cos(embed_visual(v), embed_semantic(s_c)), no temperature."""

    def _score_matrix(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        return F.normalize(visual_emb, dim=-1) @ F.normalize(semantic_emb, dim=-1).T

    def _score_pairs(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        return (F.normalize(visual_emb, dim=-1) * F.normalize(semantic_emb, dim=-1)).sum(dim=-1)


class NearestPrototype(_PlainCosine, FittedModel):
    """Nearest visual prototype, the course's baseline (notebook 00): a ridge map from semantics to class means.

    With M: (z, d_v) the mean features of the z training classes and S: (z, d_s) their semantic rows,
    A = (S^T S + lam I)^-1 S^T M: (d_s, d_v) puts every class, unseen ones too, at a prototype p_c = s_c A in
    feature space, and F(x, c) = cos(v, p_c). embed_visual is the identity, embed_semantic is s A.
    """

    def __init__(self, visual_dim: int, semantic_dim: int, lam: float = 1e-3) -> None:
        super().__init__(visual_dim, semantic_dim)
        if not lam > 0:
            raise ValueError(f"lam must be > 0, got {lam!r}")
        self.lam = float(lam)
        self.register_buffer("A", torch.zeros(semantic_dim, visual_dim))

    def _fit(self, features: torch.Tensor, match: torch.Tensor, class_semantics: torch.Tensor) -> None:
        weights = match.double() / match.sum(dim=0)  # (n, z): 1 / n_c for the images of class c
        means = weights.T @ features.double()  # (z, d_v) class means
        S = class_semantics.double()
        eye = torch.eye(S.shape[1], dtype=S.dtype, device=S.device)
        self.A.copy_(torch.linalg.solve(S.T @ S + self.lam * eye, S.T @ means))

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        self._require_fitted()
        return visual

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return semantics @ self.A


class ConSE(_PlainCosine, FittedModel):
    """ConSE (Norouzi et al., ICLR 2014): a seen-class classifier's probabilities mix the seen class vectors.

    A softmax classifier p(j | v) = softmax(W v + b)_j over the z training classes (multinomial logistic regression
    with penalty ``weight_decay`` ||W||^2, fitted by L-BFGS on the full batch) is the only thing learned. An image
    is embedded as the convex combination of the class vectors of its ``top_t`` most probable training classes,

        f(v) = sum_{t <= T} p(j_t | v) s_{j_t} / sum_{t <= T} p(j_t | v),

    and F(x, c) = cos(f(v), s_c) for every class, seen or unseen. No embedding is trained: the semantic space is used
    as it is. embed_visual is f(v) (in the semantic space), embed_semantic the identity.
    """

    def __init__(self, visual_dim: int, semantic_dim: int, top_t: int = 10, weight_decay: float = 1e-3) -> None:
        super().__init__(visual_dim, semantic_dim)
        _check_positive_int("top_t", top_t)
        if not weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay!r}")
        self.top_t = top_t
        self.weight_decay = float(weight_decay)
        self.classifier = nn.Linear(visual_dim, 1)
        self.register_buffer("class_semantics", torch.zeros(1, semantic_dim))

    def _fit(self, features: torch.Tensor, match: torch.Tensor, class_semantics: torch.Tensor) -> None:
        z = match.shape[1]
        targets = match.float().argmax(dim=1)
        classifier = nn.Linear(self.visual_dim, z).to(features.device)
        nn.init.zeros_(classifier.weight)
        nn.init.zeros_(classifier.bias)
        x = features.float()
        optimizer = torch.optim.LBFGS(classifier.parameters(), max_iter=200, line_search_fn="strong_wolfe")

        def closure() -> torch.Tensor:
            optimizer.zero_grad()
            loss = F.cross_entropy(classifier(x), targets) + self.weight_decay * classifier.weight.pow(2).sum()
            loss.backward()
            return loss

        with torch.enable_grad():
            optimizer.step(closure)
        self.classifier = classifier.requires_grad_(False)
        self.class_semantics = class_semantics.float().clone()

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        self._require_fitted()
        probabilities = self.classifier(visual).softmax(dim=1)  # (B, z)
        top = probabilities.topk(min(self.top_t, probabilities.shape[1]), dim=1)
        weights = torch.zeros_like(probabilities).scatter(1, top.indices, top.values)
        return weights @ self.class_semantics / weights.sum(dim=1, keepdim=True)  # (B, d_s)

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return semantics


class SingleTokenAttention(ZSLModel):
    """The seed's cross-modal attention, kept as a counterexample: its score ignores the semantic input.

    q = W_q (P_s s) is one semantic token, k = W_k (P_v v) and u = W_u (P_v v) come from one visual token, so

        attention = softmax(q k^T / sqrt(h)) = softmax over a single key = 1,
        score(v, s) = w^T W_o (1 * u) + b = w^T W_o W_u P_v v + const,

    a function of v alone: every class gets the same score and nothing about the classes is learned. Use
    :class:`RegionAttention` or :class:`TokenAttention`, whose softmax runs over several keys.
    """

    def __init__(self, visual_dim: int, semantic_dim: int, hidden_dim: int = 64, num_heads: int = 4) -> None:
        super().__init__(visual_dim, semantic_dim)
        _check_positive_int("hidden_dim", hidden_dim)
        _check_positive_int("num_heads", num_heads)
        if hidden_dim % num_heads:
            raise ValueError(f"hidden_dim={hidden_dim} must be divisible by num_heads={num_heads}")
        self.visual_proj = nn.Linear(visual_dim, hidden_dim)
        self.semantic_proj = nn.Linear(semantic_dim, hidden_dim)
        self.attention = nn.MultiheadAttention(hidden_dim, num_heads, batch_first=True)
        self.output = nn.Linear(hidden_dim, 1)

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        return self.visual_proj(visual)

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return self.semantic_proj(semantics)

    def _attend(self, visual_tokens: torch.Tensor, semantic_tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(N, h), (N, h) -> scores (N,), attention weights (N, heads) over the one key."""
        key = visual_tokens[:, None]
        out, weights = self.attention(semantic_tokens[:, None], key, key, need_weights=True, average_attn_weights=False)
        return self.output(out[:, 0]).squeeze(-1), weights[:, :, 0, 0]

    def _pairs(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """All B x C pairs by broadcasting: (B, h), (C, h) -> (B * C, h) twice."""
        B, C, h = visual_emb.shape[0], semantic_emb.shape[0], visual_emb.shape[1]
        visual_pairs = visual_emb[:, None].expand(B, C, h).reshape(B * C, h)
        return visual_pairs, semantic_emb[None].expand(B, C, h).reshape(B * C, h)

    def _score_matrix(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        scores, _ = self._attend(*self._pairs(visual_emb, semantic_emb))
        return scores.view(visual_emb.shape[0], semantic_emb.shape[0])

    def _score_pairs(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        return self._attend(visual_emb, semantic_emb)[0]

    def attention_weights(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """Weight of the single key per image, class and head: (B, C, heads); always exactly 1."""
        self._check("attention_weights", visual, semantics)
        visual_emb, semantic_emb = self._embed_visual(self._prepare(visual)), self._embed_semantic(semantics)
        _, weights = self._attend(*self._pairs(visual_emb, semantic_emb))
        return weights.view(visual_emb.shape[0], semantic_emb.shape[0], -1)


class RegionAttention(ZSLModel):
    """Attribute attention over image regions (APN / DAZLE style); visual: (B, R, d_r), semantics: (C, A).

    Attribute a has a learned embedding e_a (h); class c's attribute tokens are t_ca = s_ca e_a. The attribute
    query q_a = W_q e_a attends over the R regions (keys W_k x_r + p_r, values W_u x_r; p_r a learned position per
    region when ``num_regions`` is fixed):

        alpha_bar = softmax_r(q_a . k_br / sqrt(h))                        (B, A, R), once per image
        z_ba = sum_r alpha_bar u_br                                        the attended visual vector of attribute a
        a_hat_ba = <z_ba, e_a>                                             attribute prediction, embed_visual: (B, A)
        score(b, c) = sum_a <z_ba, t_ca> = sum_a s_ca a_hat_ba = (a_hat S^T)_bc

    The queries do not depend on the class, so the (B, A, R) attention is computed once and combined with the
    (C, A) class attributes by one matmul: cost B A R h + B A C, not B C R. embed_semantic is the identity.
    """

    input_kind = "regions"

    def __init__(
        self, region_dim: int, semantic_dim: int, num_regions: int | None = None, hidden_dim: int = 64
    ) -> None:
        super().__init__(region_dim, semantic_dim)
        _check_positive_int("hidden_dim", hidden_dim)
        if num_regions is not None:
            _check_positive_int("num_regions", num_regions)
        self.num_regions = num_regions
        self.hidden_dim = hidden_dim
        self.attribute_embed = nn.Parameter(torch.randn(semantic_dim, hidden_dim) / math.sqrt(hidden_dim))
        self.query = nn.Linear(hidden_dim, hidden_dim, bias=False)
        self.key = nn.Linear(region_dim, hidden_dim)
        self.value = nn.Linear(region_dim, hidden_dim)
        self.position = nn.Parameter(0.02 * torch.randn(num_regions, hidden_dim)) if num_regions is not None else None

    def _expected_visual(self) -> str:
        return f"(B, {self.num_regions or 'R >= 1'}, {self.visual_dim})"

    def _visual_ok(self, visual: torch.Tensor) -> bool:
        if visual.dim() != 3 or visual.shape[2] != self.visual_dim:
            return False
        return visual.shape[1] == self.num_regions if self.num_regions is not None else visual.shape[1] >= 1

    def _attention(self, visual: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """visual: (B, R, d_r) -> attention (B, A, R) and values (B, R, h)."""
        keys = self.key(visual)
        if self.position is not None:
            keys = keys + self.position
        queries = self.query(self.attribute_embed)  # (A, hidden_dim)
        logits = torch.einsum("ah,brh->bar", queries, keys) / math.sqrt(self.hidden_dim)
        return logits.softmax(dim=-1), self.value(visual)

    def attention(self, visual: torch.Tensor) -> torch.Tensor:
        """Attention of each attribute over the regions. visual: (B, R, d_r) -> (B, A, R), rows summing to 1."""
        self._check("attention", visual)
        return self._attention(self._prepare(visual))[0]

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        weights, values = self._attention(visual)
        attended = weights @ values  # (B, A, hidden_dim)
        return (attended * self.attribute_embed).sum(dim=-1)  # (B, A)

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return semantics


class TokenAttention(ZSLModel):
    """:class:`RegionAttention` for pooled features: visual (B, d_v) is split into T tokens of d_v / T dims.

    visual (B, d_v) -> reshape (B, T, d_v / T) -> RegionAttention(d_v / T, d_s, num_regions=T) (each token keeps a
    learned position), so score(b, c) = sum_a s_ca a_hat_ba with the softmax over the T tokens.
    """

    def __init__(self, visual_dim: int, semantic_dim: int, num_tokens: int = 8, hidden_dim: int = 64) -> None:
        super().__init__(visual_dim, semantic_dim)
        _check_positive_int("num_tokens", num_tokens)
        if visual_dim % num_tokens:
            raise ValueError(f"visual_dim={visual_dim} must be divisible by num_tokens={num_tokens}")
        self.num_tokens = num_tokens
        self.regions = RegionAttention(visual_dim // num_tokens, semantic_dim, num_tokens, hidden_dim)

    def tokens(self, visual: torch.Tensor) -> torch.Tensor:
        """(B, d_v) -> (B, T, d_v / T)."""
        return visual.reshape(visual.shape[0], self.num_tokens, -1)

    def attention(self, visual: torch.Tensor) -> torch.Tensor:
        """Attention of each attribute over the tokens. visual: (B, d_v) -> (B, A, T)."""
        self._check("attention", visual)
        return self.regions.attention(self.tokens(self._prepare(visual)))

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        return self.regions.embed_visual(self.tokens(visual))

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return self.regions.embed_semantic(semantics)


class TwoBranch(_CosineModel):
    """Two MLP branches into a joint space with cosine scores.

    score(v, s) = <f(v) / |f(v)|, g(s) / |g(s)|> / T, f: d_v -> visual_hidden -> embed_dim and
    g: d_s -> semantic_hidden -> embed_dim, each hidden layer Linear -> ReLU -> Dropout; T a fixed temperature.
    """

    def __init__(
        self,
        visual_dim: int,
        semantic_dim: int,
        embed_dim: int = 512,
        visual_hidden: Sequence[int] = (1024,),
        semantic_hidden: Sequence[int] = (256,),
        dropout: float = 0.3,
        temperature: float = 0.1,
    ) -> None:
        super().__init__(visual_dim, semantic_dim, temperature)
        _check_positive_int("embed_dim", embed_dim)
        _check_dropout(dropout)
        self.embed_dim = embed_dim
        self.visual_branch = _mlp(visual_dim, visual_hidden, embed_dim, dropout, batch_norm=False)
        self.semantic_branch = _mlp(semantic_dim, semantic_hidden, embed_dim, dropout, batch_norm=False)

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        return self.visual_branch(visual)

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        return self.semantic_branch(semantics)


class GenerativeClassifier(ZSLModel):
    """A softmax classifier over seen and unseen classes, trained on real seen-class features plus features that a
    conditional generator G(z, s) (:mod:`zsl_utils.generative`) synthesises for the unseen classes from their
    semantic vectors alone (no unseen image is ever used). Subclasses train the generator (:class:`CLSWGAN`,
    :class:`ConditionalVAE`).

    :meth:`fit` takes the seen classes (with images) and the unseen classes (semantic vectors only); afterwards
    ``class_scores(visual, semantics)`` are the classifier's logits for the classes whose semantic rows are given,
    each row matched exactly to one of the fitted classes (a class the classifier was not fitted on is an error).
    embed_visual is the (normalised) feature itself and embed_semantic the generator's feature at z = 0, G(0, s):
    the joint space is the visual feature space.

    Args: hidden_dim: the generator's (and critic's or encoder's) hidden width; noise_dim: d_z (default d_s);
    n_per_class: synthetic features per unseen class; classifier_epochs: epochs of the softmax classifiers.
    """

    def __init__(
        self,
        visual_dim: int,
        semantic_dim: int,
        hidden_dim: int = 256,
        noise_dim: int | None = None,
        n_per_class: int = 100,
        classifier_epochs: int = 25,
    ) -> None:
        super().__init__(visual_dim, semantic_dim)
        noise_dim = semantic_dim if noise_dim is None else noise_dim
        _check_positive_int("hidden_dim", hidden_dim)
        _check_positive_int("noise_dim", noise_dim)
        self.set_classifier_params(n_per_class=n_per_class, classifier_epochs=classifier_epochs)
        self.generator = ConditionalGenerator(semantic_dim, visual_dim, noise_dim, hidden_dim)
        self.classifier = nn.Linear(visual_dim, 1)
        self.register_buffer("class_semantics", torch.zeros(0, semantic_dim))
        self.register_buffer("fitted", torch.tensor(False))

    def fit(
        self,
        features: torch.Tensor,
        labels: torch.Tensor,
        semantics: torch.Tensor,
        seen_classes: torch.Tensor,
        unseen_classes: torch.Tensor,
        config,
        train_generator: bool = True,
    ) -> GenerativeClassifier:
        """Train the generator on the seen classes' features, synthesise ``n_per_class`` features per unseen class,
        and train the final softmax classifier on both; returns ``self``. ``train_generator=False`` keeps the
        generator as it is (trained by an earlier ``fit`` on the same data) and trains the final classifier only,
        e.g. after :meth:`set_classifier_params`.

        features: (n, d_v) images of the seen classes; labels: (n,) their class ids; semantics: (C, d_s) every
        class's row; seen_classes, unseen_classes: disjoint class ids. ``config`` is a
        :class:`zsl_utils.train.TrainConfig`: the generator's epochs, batch_size, lr and seed (and progress).
        Deterministic on CPU for a fixed seed (with the model built after ``set_seed``)."""
        name = type(self).__name__
        self._check("fit", features, semantics)
        device = features.device
        semantics, seen, unseen = semantics.to(device), seen_classes.to(device), unseen_classes.to(device)
        for kind, ids in (("seen_classes", seen), ("unseen_classes", unseen)):
            if ids.ndim != 1 or ids.numel() == 0 or ids.is_floating_point() or ids.unique().numel() != ids.numel():
                raise ValueError(
                    f"{name}.fit: {kind} must be a non-empty 1-D tensor of distinct class ids, got {ids.tolist()}"
                )
            if int(ids.min()) < 0 or int(ids.max()) >= semantics.shape[0]:
                raise ValueError(
                    f"{name}.fit: {kind} must index the {semantics.shape[0]} rows of semantics, got {ids.tolist()}"
                )
        if bool(torch.isin(seen, unseen).any()):
            raise ValueError(
                f"{name}.fit: seen_classes and unseen_classes share {seen[torch.isin(seen, unseen)].tolist()}"
            )
        match = labels.to(device)[:, None] == seen[None, :]  # (n, z)
        if labels.shape != (features.shape[0],) or not bool(match.any(dim=1).all()):
            raise ValueError(
                f"{name}.fit: labels must be ({features.shape[0]},) ids of seen_classes, got "
                f"{_shape(labels)} with ids {labels.unique().tolist()[:10]}"
            )
        _check_finite(f"{name}.fit", features, semantics[torch.cat([seen, unseen])])
        self.fitted.fill_(False)  # until this fit ends: a diverged training leaves no model that scores
        features = self._prepare(features)
        if train_generator:
            self._train_generator(features, match.float().argmax(dim=1), semantics[seen], config)
        synthetic, _ = synthesize(self.generator, semantics, unseen, self.n_per_class, seed=config.seed)
        classes = torch.cat([seen, unseen])
        positions = torch.arange(len(classes), device=device)
        targets = torch.cat([match.float().argmax(dim=1), positions[len(seen) :].repeat_interleave(self.n_per_class)])
        self.classifier = nn.Linear(self.visual_dim, len(classes)).to(device)
        train_softmax(
            self.classifier,
            torch.cat([features, synthetic]),
            targets,
            self.classifier_epochs,
            config.batch_size,
            1e-3,
            config.seed,
        )
        self.class_semantics = semantics[classes].clone()
        self.fitted.fill_(True)
        return self

    CLASSIFIER_PARAMS = ("n_per_class", "classifier_epochs")
    """The arguments that only the final classifier reads: changing them needs no new generator."""

    def set_classifier_params(self, **params: int) -> GenerativeClassifier:
        """Set ``CLASSIFIER_PARAMS`` (positive ints) for the next :meth:`fit`; returns ``self``."""
        for name, value in params.items():
            if name not in self.CLASSIFIER_PARAMS:
                raise ValueError(f"{name!r} is not a classifier parameter; valid: {', '.join(self.CLASSIFIER_PARAMS)}")
            _check_positive_int(name, value)
            setattr(self, name, value)
        return self

    def _train_generator(
        self, features: torch.Tensor, targets: torch.Tensor, class_semantics: torch.Tensor, config
    ) -> None:
        """features: (n, d_v) normalised; targets: (n,) positions among class_semantics (z, d_s)."""
        raise NotImplementedError

    def _columns(self, semantics: torch.Tensor) -> torch.Tensor:
        """The classifier output of each given semantic row (C, d_s) -> (C,), matched exactly."""
        if not self.fitted:
            raise RuntimeError(f"{type(self).__name__}: call fit(...) before scoring")
        match = (semantics[:, None, :] == self.class_semantics[None, :, :]).all(dim=2)  # (C, K)
        if not bool(match.any(dim=1).all()):
            missing = (~match.any(dim=1)).nonzero().flatten().tolist()
            raise ValueError(
                f"{type(self).__name__}: semantic rows {missing[:10]} are none of the {len(self.class_semantics)} "
                "classes its classifier was fitted on (seen + unseen); score only those classes"
            )
        return match.float().argmax(dim=1)

    def class_scores(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """The final classifier's logits of the given classes. visual: (B, d_v), semantics: (C, d_s) -> (B, C)."""
        self._check("class_scores", visual, semantics)
        return self.classifier(self._prepare(visual))[:, self._columns(semantics)]

    def pair_scores(self, visual: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        """Image i's logit of the class of semantic row i. visual: (B, d_v), semantics: (B, d_s) -> (B,)."""
        self._check("pair_scores", visual, semantics, pairs=True)
        logits = self.classifier(self._prepare(visual))
        return logits.gather(1, self._columns(semantics)[:, None]).squeeze(1)

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        return visual

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        noise = torch.zeros(semantics.shape[0], self.generator.noise_dim, device=semantics.device)
        return self.generator(noise, semantics)


class CLSWGAN(GenerativeClassifier):
    """f-CLSWGAN (Xian et al., CVPR 2018): the generator trained as a conditional WGAN with gradient penalty plus
    the classification loss of a softmax classifier pre-trained on the seen classes and frozen
    (:func:`zsl_utils.generative.train_wgan`). cls_weight: lambda_cls; gp_weight: lambda_GP; critic_steps: critic
    steps per generator step. Other arguments as in :class:`GenerativeClassifier`."""

    def __init__(
        self,
        visual_dim: int,
        semantic_dim: int,
        hidden_dim: int = 256,
        noise_dim: int | None = None,
        n_per_class: int = 100,
        classifier_epochs: int = 25,
        cls_weight: float = 0.01,
        gp_weight: float = 10.0,
        critic_steps: int = 5,
    ) -> None:
        super().__init__(visual_dim, semantic_dim, hidden_dim, noise_dim, n_per_class, classifier_epochs)
        _check_positive_int("critic_steps", critic_steps)
        if not (cls_weight >= 0 and gp_weight >= 0):
            raise ValueError(f"cls_weight and gp_weight must be >= 0, got {cls_weight!r}, {gp_weight!r}")
        self.cls_weight, self.gp_weight, self.critic_steps = float(cls_weight), float(gp_weight), critic_steps
        self.critic = Critic(visual_dim, semantic_dim, hidden_dim)

    def _train_generator(
        self, features: torch.Tensor, targets: torch.Tensor, class_semantics: torch.Tensor, config
    ) -> None:
        seen_classifier = nn.Linear(self.visual_dim, class_semantics.shape[0]).to(features.device)
        train_softmax(seen_classifier, features, targets, self.classifier_epochs, config.batch_size, 1e-3, config.seed)
        train_wgan(
            self.generator,
            self.critic,
            seen_classifier,
            features,
            targets,
            class_semantics,
            config.epochs,
            config.batch_size,
            config.lr,
            config.seed,
            self.gp_weight,
            self.cls_weight,
            self.critic_steps,
            config.progress,
        )


class ConditionalVAE(GenerativeClassifier):
    """A conditional VAE as the feature generator: encoder q(z | x, s), decoder G(z, s), trained on the ELBO
    (:func:`zsl_utils.generative.train_vae`); kl_weight scales the KL term (1: the ELBO). Other arguments as in
    :class:`GenerativeClassifier`."""

    def __init__(
        self,
        visual_dim: int,
        semantic_dim: int,
        hidden_dim: int = 256,
        noise_dim: int | None = None,
        n_per_class: int = 100,
        classifier_epochs: int = 25,
        kl_weight: float = 1.0,
    ) -> None:
        super().__init__(visual_dim, semantic_dim, hidden_dim, noise_dim, n_per_class, classifier_epochs)
        if not kl_weight > 0:
            raise ValueError(f"kl_weight must be > 0, got {kl_weight!r}")
        self.kl_weight = float(kl_weight)
        self.encoder = Encoder(visual_dim, semantic_dim, self.generator.noise_dim, hidden_dim)

    def _train_generator(
        self, features: torch.Tensor, targets: torch.Tensor, class_semantics: torch.Tensor, config
    ) -> None:
        train_vae(
            self.generator,
            self.encoder,
            features,
            targets,
            class_semantics,
            config.epochs,
            config.batch_size,
            config.lr,
            config.seed,
            self.kl_weight,
            config.progress,
        )


MODELS: dict[str, Callable[..., ZSLModel]] = {
    # ``devise`` is the paper's linear DeViSE (dot product with unit-norm class vectors), ``devise_cosine`` the
    # course's cosine variant with a temperature (notebooks 03, 05, 06, 08); ``ale`` and ``sje`` are the
    # bilinear model under the names of the losses that train it (``selection.DEFAULT_CONFIGS``); ``bilinear`` is the
    # same model for the course's own (softmax) training.
    "devise": functools.partial(DeViSE, cosine=False),
    "devise_cosine": DeViSE,
    "devise_mlp": functools.partial(DeViSE, hidden_dims=(2048, 1024)),
    "bilinear": Bilinear,
    "bilinear_lowrank": functools.partial(Bilinear, rank=64),
    "ale": Bilinear,
    "sje": Bilinear,
    "eszsl": ESZSL,
    "nearest_prototype": NearestPrototype,
    "conse": ConSE,
    "attention": TokenAttention,
    "region_attention": RegionAttention,
    "two_branch": TwoBranch,
    # one critic step per generator step: the paper's five train far worse in the benchmark's short schedule (the
    # validation landscape in ``selection.DEFAULT_GRIDS``' notes)
    "clswgan": functools.partial(CLSWGAN, critic_steps=1),
    "cvae": ConditionalVAE,
}


def build_model(name: str, visual_dim: int, semantic_dim: int, **kwargs) -> ZSLModel:
    """``MODELS[name](visual_dim, semantic_dim, **kwargs)``; keyword arguments override the registry's defaults."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; valid names: {', '.join(sorted(MODELS))}")
    return MODELS[name](visual_dim, semantic_dim, **kwargs)
