"""SHAPES, the course's embedded zero-shot benchmark: ``render`` draws its colour x shape classes (NumPy only) and
defines their attributes and GBU split; ``build`` renders the dataset, trains its small CNN and caches the features
in the xlsa17 layout (``zsl-course build-shapes``). The data itself is in the repository's ``data/SHAPES``."""
