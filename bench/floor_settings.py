"""Settings for the signing benchmark's server: Harbor's, with the benchmark's own
URLconf (bench/floor_urls.py) that adds the floor view. Never used in production."""

from harbor.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
