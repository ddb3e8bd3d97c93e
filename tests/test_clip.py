"""CLIP on SHAPES (zsl_utils.clip): the loss, its learned temperature, the towers, prompts and the captioned data."""

import math

import pytest
import torch
import torch.nn.functional as F

from zsl_shapes import captions
from zsl_shapes.captions import captioned, prompt_tokens
from zsl_utils import clip, losses
from zsl_utils.clip import CLIP, MAX_LOGIT_SCALE, TextTower, clip_loss, clip_objective
from zsl_utils.models import MODELS
from zsl_utils.train import TrainConfig, fit


def test_loss_on_a_hand_computed_case():
    # unit rows; cosines [[1, 0], [0.6, 0.8]]; scale 2: logits [[2, 0], [1.2, 1.6]]
    image = torch.tensor([[1.0, 0.0], [0.0, 3.0]])
    text = torch.tensor([[2.0, 0.0], [0.6, 0.8]])
    scale = torch.tensor(math.log(2.0))
    rows = [-2 + math.log(math.exp(2) + 1), -1.6 + math.log(math.exp(1.2) + math.exp(1.6))]
    columns = [-2 + math.log(math.exp(2) + math.exp(1.2)), -1.6 + math.log(math.exp(0) + math.exp(1.6))]
    expected = (sum(rows) / 2 + sum(columns) / 2) / 2
    torch.testing.assert_close(clip_loss(image, text, scale), torch.tensor(expected))
    # class-aware with both pairs of one class: only the positives are left, loss 0
    torch.testing.assert_close(clip_loss(image, text, scale, torch.tensor([3, 3])), torch.tensor(0.0))


def test_loss_is_symmetric_and_matches_notebook_05s_losses():
    torch.manual_seed(0)
    a, b = torch.randn(12, 5), torch.randn(12, 5)
    labels = torch.tensor([0, 1, 2, 0, 1, 2, 3, 3, 4, 5, 6, 0])
    scale = torch.tensor(math.log(1 / 0.07))
    torch.testing.assert_close(clip_loss(a, b, scale), clip_loss(b, a, scale))
    torch.testing.assert_close(clip_loss(a, b, scale, labels), clip_loss(b, a, scale, labels))
    torch.testing.assert_close(clip_loss(a, b, scale), losses.info_nce_loss(a, b, temperature=0.07))
    torch.testing.assert_close(
        clip_loss(a, b, scale, labels), losses.class_aware_info_nce_loss(a, b, labels, temperature=0.07)
    )
    assert clip_loss(a, b, scale, labels) < clip_loss(a, b, scale)  # same-class negatives only add terms


def test_gradients_match_finite_differences():
    torch.manual_seed(1)
    a = torch.randn(6, 4, dtype=torch.double, requires_grad=True)
    b = torch.randn(6, 4, dtype=torch.double, requires_grad=True)
    t = torch.tensor(1.5, dtype=torch.double, requires_grad=True)
    labels = torch.tensor([0, 1, 0, 2, 1, 3])
    assert torch.autograd.gradcheck(lambda a, b, t: clip_loss(a, b, t), (a, b, t))
    assert torch.autograd.gradcheck(lambda a, b, t: clip_loss(a, b, t, labels), (a, b, t))


def test_temperature_is_clipped_at_a_logit_scale_of_100():
    torch.manual_seed(2)
    a, b = torch.randn(5, 3), torch.randn(5, 3)
    high = torch.tensor(math.log(1000.0), requires_grad=True)
    torch.testing.assert_close(clip_loss(a, b, high), clip_loss(a, b, torch.tensor(math.log(MAX_LOGIT_SCALE))))
    clip_loss(a, b, high).backward()
    assert high.grad == 0
    model = CLIP(10 + captions.MAX_WORDS, captions.MAX_WORDS, temperature=0.001)
    assert model.temperature == pytest.approx(1 / MAX_LOGIT_SCALE)


def _toy_data(n: int = 64):
    """Features that carry the class; captions "a <colour> <shape>" of 4 classes."""
    torch.manual_seed(0)
    names = ["red circle", "blue star", "red star", "blue circle"]
    labels = torch.arange(n) % 4
    features = F.one_hot(labels, 4).float() * 3 + 0.3 * torch.randn(n, 4)
    tokens = prompt_tokens(names, ["a {colour} {shape}"])
    return torch.cat([features, tokens[labels]], dim=1), labels, tokens


def test_fit_learns_the_temperature_and_aligns_the_towers():
    visual, labels, tokens = _toy_data()
    model = CLIP(visual.shape[1], tokens.shape[1], text="bow", dim=8, hidden=16)
    before = float(model.logit_scale)
    config = TrainConfig(epochs=30, batch_size=16, lr=1e-2, loss=clip_objective(class_aware=True), progress=False)
    fit(model, visual, labels, tokens, torch.arange(4), config)
    assert float(model.logit_scale) != pytest.approx(before, abs=0.05)
    assert (model.predict(visual, tokens) == labels).float().mean() > 0.9


def test_prompt_ensembling_is_the_mean_of_normalised_prompt_embeddings():
    torch.manual_seed(3)
    model = CLIP(4 + captions.MAX_WORDS, 3 * captions.MAX_WORDS, text="transformer", dim=8).eval()
    names = ["red circle", "green heart"]
    templates = list(captions.PROMPT_TEMPLATES[:3])
    tokens = prompt_tokens(names, templates)
    each = torch.stack([model.encode_text(prompt_tokens(names, [t]).long()) for t in templates], dim=1)
    with torch.no_grad():
        ensembled = model.embed_semantic(tokens)
        torch.testing.assert_close(ensembled, F.normalize(each.mean(dim=1), dim=-1))
        torch.testing.assert_close(ensembled, model.embed_semantic(prompt_tokens(names, templates[::-1])))
        single = CLIP(4 + captions.MAX_WORDS, captions.MAX_WORDS, dim=8)
        single.load_state_dict(model.state_dict())
        torch.testing.assert_close(single.embed_semantic(tokens[:, : captions.MAX_WORDS]), each[:, 0])
    assert torch.allclose(ensembled.norm(dim=1), torch.ones(2))
    visual = torch.randn(3, 4 + captions.MAX_WORDS)
    for count in (1, 5):  # any number of templates is scored
        assert model.class_scores(visual, prompt_tokens(names, captions.PROMPT_TEMPLATES[:count])).shape == (3, 2)
    with pytest.raises(ValueError, match="semantics"):
        model.class_scores(visual, torch.zeros(2, captions.MAX_WORDS + 3))
    with pytest.raises(ValueError, match="semantic_dim"):
        CLIP(4 + captions.MAX_WORDS, 20)


def test_bag_of_words_ignores_word_order_and_the_transformer_does_not():
    torch.manual_seed(4)
    one, other = (torch.from_numpy(captions.tokenize([t])) for t in ("a red star", "a star red"))
    bow, transformer = TextTower("bow", 8).eval(), TextTower("transformer", 8).eval()
    with torch.no_grad():
        torch.testing.assert_close(bow(one), bow(other))
        assert not torch.allclose(transformer(one), transformer(other))
        padded = torch.cat([one, torch.zeros(1, 4, dtype=torch.long)], dim=1)[:, : captions.MAX_WORDS]
        torch.testing.assert_close(transformer(one), transformer(padded))


@pytest.fixture(scope="module")
def shapes_captioned():
    from zsl_utils import load_dataset

    return captioned(load_dataset("SHAPES", word_vectors=()))


def test_no_test_image_has_a_caption(shapes_captioned, monkeypatch):
    data = shapes_captioned
    tokens = data.features[:, -captions.MAX_WORDS :]
    assert (tokens[data.test_unseen] == 0).all() and (tokens[data.test_seen] == 0).all()
    assert (tokens[data.trainval] > 0).any(dim=1).all()
    assert set(data.semantics) == {"prompts"}
    written = []
    original = captions.image_captions
    monkeypatch.setattr(captions, "image_captions", lambda files: written.extend(files) or original(files))
    from zsl_utils import load_dataset

    plain = load_dataset("SHAPES", word_vectors=())
    captioned(plain)
    unseen = {plain.image_files[i] for i in plain.test_unseen.tolist()}
    test_seen = {plain.image_files[i] for i in plain.test_seen.tolist()}
    assert written and not (set(written) & unseen) and not (set(written) & test_seen)


def test_registered_as_a_benchmark_row():
    from zsl_course.benchmark import MODEL_LABELS
    from zsl_utils.selection import DEFAULT_CONFIGS, DEFAULT_GRIDS

    assert MODELS["clip"] is clip.CLIP and "ours" in MODEL_LABELS["clip"]
    assert "clip" in DEFAULT_GRIDS and callable(DEFAULT_CONFIGS["clip"].loss)


def test_captions_are_for_shapes_only(shapes_captioned):
    import dataclasses

    with pytest.raises(ValueError, match="SHAPES only"):
        captioned(dataclasses.replace(shapes_captioned, name="AWA2"))
