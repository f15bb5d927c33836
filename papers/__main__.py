"""``python -m papers``: the main job."""

from papers.iris_demo import main

main()
