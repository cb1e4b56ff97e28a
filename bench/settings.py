"""The product's settings, plus the benchmark's minimal views (bench/urls.py). Never used in production."""

from outcry.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
