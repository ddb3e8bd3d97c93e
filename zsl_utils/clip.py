"""CLIP on SHAPES (notebook 12): an image tower and a text tower trained contrastively on images and their captions.

The text tower learns its token embeddings from the captions alone (``zsl_shapes.captions``: no attribute, no word
vector); a class is scored by encoding prompts that name it ("a photo of a red circle"), several prompts averaged as
normalised embeddings (prompt ensembling). The loss is the symmetric image-text InfoNCE with CLIP's learned
temperature (Radford et al., ICML 2021: tau = 1 / exp(t), initialised at 0.07, logits scaled by at most 100), naive
or class-aware (notebook 05: captions of the same class in a batch are not negatives).

``zsl_shapes.captions.captioned`` gives the dataset the model trains on: each ``trainval`` image's caption tokens ride beside its
features (so ``fit`` draws images and their captions together), every test image's are 0 (no caption is written
for them), and the class semantics ``"prompts"`` hold each class's prompt tokens. The image tower reads the
features only.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .models import MODELS, ZSLModel
from .train import Objective

__all__ = ["MAX_LOGIT_SCALE", "MAX_WORDS", "VOCABULARY_SIZE", "TextTower", "CLIP", "clip_loss", "clip_objective"]

MAX_LOGIT_SCALE = 100.0
"""exp(t) is clipped at 100 (the temperature at 0.01), as in Radford et al. (2021)."""
MAX_WORDS = 16
"""Tokens per caption or prompt, padded with 0 (``zsl_shapes.captions.tokenize``)."""
VOCABULARY_SIZE = 56
"""Token ids the text tower embeds: ``len(zsl_shapes.captions.VOCABULARY)``, checked when that module loads."""


def clip_loss(
    image_emb: torch.Tensor, text_emb: torch.Tensor, logit_scale: torch.Tensor, labels: torch.Tensor | None = None
) -> torch.Tensor:
    """Symmetric image-text InfoNCE with a learned temperature.

    ``L = exp(t) v_hat w_hat^T`` (B, B) with unit rows v_hat, w_hat and t = ``logit_scale`` clipped at
    log(:data:`MAX_LOGIT_SCALE`); loss ``(CE(L, arange B) + CE(L^T, arange B)) / 2``. With ``labels`` (B,) it is
    class-aware: the other pairs of a row's class are masked out (neither positive nor negative).
    image_emb, text_emb: (B, d), row i of both from pair i -> a scalar.
    """
    if image_emb.shape != text_emb.shape or image_emb.dim() != 2:
        raise ValueError(
            f"need two (B, d) embeddings of one shape, got {tuple(image_emb.shape)}, {tuple(text_emb.shape)}"
        )
    scale = logit_scale.clamp(max=math.log(MAX_LOGIT_SCALE)).exp()
    logits = scale * F.normalize(image_emb, dim=1) @ F.normalize(text_emb, dim=1).T
    targets = torch.arange(len(logits), device=logits.device)
    if labels is not None:
        same = (labels[:, None] == labels[None, :]) & (targets[:, None] != targets[None, :])
        logits = logits.masked_fill(same, float("-inf"))
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


class TextTower(nn.Module):
    """Token ids (B, L) int64, 0 = padding -> text embeddings (B, dim).

    ``"bow"``: the mean of the tokens' embeddings (word order ignored), then a linear map. ``"transformer"``: token
    plus position embeddings, ``layers`` pre-norm self-attention blocks over the non-padding tokens, their mean, a
    linear map. Token embeddings are learned from scratch.
    """

    def __init__(self, kind: str = "transformer", dim: int = 64, width: int = 64, layers: int = 1, heads: int = 4):
        super().__init__()
        if kind not in ("bow", "transformer"):
            raise ValueError(f"text tower kind must be 'bow' or 'transformer', got {kind!r}")
        self.kind = kind
        self.tokens = nn.Embedding(VOCABULARY_SIZE, width, padding_idx=0)
        self.positions = nn.Parameter(torch.randn(MAX_WORDS, width) * 0.02)
        block = nn.TransformerEncoderLayer(width, heads, 2 * width, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False) if kind != "bow" else None
        self.out = nn.Linear(width, dim)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """tokens: (B, L) -> (B, dim)."""
        keep = (tokens > 0).unsqueeze(-1).float()
        x = self.tokens(tokens)
        if self.blocks is not None:
            x = self.blocks(x + self.positions[: tokens.shape[1]], src_key_padding_mask=tokens == 0)
        return self.out((x * keep).sum(1) / keep.sum(1).clamp(min=1.0))


class CLIP(ZSLModel):
    """Two towers in a joint space of ``dim``; scores ``exp(t) cos(theta(v), psi(prompt_c))``.

    visual: (B, d_v + MAX_WORDS), the features then the caption tokens (``zsl_shapes.captions.captioned``); the image tower
    theta reads the features only: LayerNorm then a linear map (``hidden=0``, DeViSE's map) or a one-hidden-layer
    MLP. semantics: (C, T * MAX_WORDS), T prompt templates per class (``zsl_shapes.captions.prompt_tokens``), any T >= 1 (so
    ``semantic_dim`` is any multiple of MAX_WORDS); a class's embedding is the mean of its T normalised prompt
    embeddings, renormalised.
    """

    def __init__(
        self,
        visual_dim: int,
        semantic_dim: int,
        text: str = "transformer",
        dim: int = 64,
        hidden: int = 0,
        temperature: float = 0.07,
    ) -> None:
        if visual_dim <= MAX_WORDS or semantic_dim < 1 or semantic_dim % MAX_WORDS:
            raise ValueError(f"visual_dim is d_v + {MAX_WORDS}, semantic_dim T * {MAX_WORDS}")
        super().__init__(visual_dim, MAX_WORDS)  # one prompt's width: any number T of them is scored
        self.feature_dim = visual_dim - MAX_WORDS
        mlp = [nn.Linear(self.feature_dim, hidden), nn.ReLU(), nn.Linear(hidden, dim)] if hidden else []
        self.image_tower = nn.Sequential(nn.LayerNorm(self.feature_dim), *(mlp or [nn.Linear(self.feature_dim, dim)]))
        self.text_tower = TextTower(text, dim)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / temperature)))

    @property
    def temperature(self) -> float:
        """The learned temperature 1 / exp(t), after clipping."""
        return 1 / min(math.exp(float(self.logit_scale.detach())), MAX_LOGIT_SCALE)

    def _check(
        self,
        method: str,
        visual: torch.Tensor | None = None,
        semantics: torch.Tensor | None = None,
        pairs: bool = False,
    ) -> None:
        """ZSLModel's shape checks, with semantics of any number T >= 1 of prompts (C, T * MAX_WORDS)."""
        if semantics is not None and semantics.dim() == 2 and semantics.shape[1] % MAX_WORDS == 0:
            semantics = semantics[:, :MAX_WORDS]
        super()._check(method, visual, semantics, pairs)

    def caption_tokens(self, visual: torch.Tensor) -> torch.Tensor:
        """The caption tokens (B, MAX_WORDS) int64 that ride in ``visual``'s last columns."""
        return visual[:, self.feature_dim :].long()

    def encode_text(self, tokens: torch.Tensor) -> torch.Tensor:
        """Unit text embeddings (B, dim) of token ids (B, MAX_WORDS)."""
        return F.normalize(self.text_tower(tokens), dim=-1)

    def _embed_visual(self, visual: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.image_tower(visual[:, : self.feature_dim]), dim=-1)

    def _embed_semantic(self, semantics: torch.Tensor) -> torch.Tensor:
        tokens = semantics.long().reshape(len(semantics), -1, MAX_WORDS)
        each = self.encode_text(tokens.flatten(0, 1)).reshape(*tokens.shape[:2], -1)  # (C, T, d), unit rows
        return F.normalize(each.mean(dim=1), dim=-1)

    def _score_matrix(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        return self.logit_scale.clamp(max=math.log(MAX_LOGIT_SCALE)).exp() * visual_emb @ semantic_emb.T

    def _score_pairs(self, visual_emb: torch.Tensor, semantic_emb: torch.Tensor) -> torch.Tensor:
        return self.logit_scale.clamp(max=math.log(MAX_LOGIT_SCALE)).exp() * (visual_emb * semantic_emb).sum(-1)


def clip_objective(class_aware: bool = True) -> Objective:
    """``fit``'s objective: :func:`clip_loss` between each image of the batch and its own caption, class-aware
    (same-class captions are not negatives) or naive."""

    def objective(model: CLIP, visual: torch.Tensor, targets: torch.Tensor, semantics: torch.Tensor) -> torch.Tensor:
        text = model.encode_text(model.caption_tokens(visual))
        return clip_loss(model.embed_visual(visual), text, model.logit_scale, targets if class_aware else None)

    return objective


MODELS["clip"] = CLIP  # registered here: models.py cannot import this module, which builds on its ZSLModel
