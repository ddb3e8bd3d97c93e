"""The test session's environment: progress bars off (tqdm reads TQDM_DISABLE), for the tests and for the notebook
kernels nbval starts, which inherit it. Fixtures live in tests/conftest.py."""

import os

os.environ["TQDM_DISABLE"] = "1"
