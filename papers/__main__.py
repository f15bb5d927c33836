"""``python -m papers``: the main job, the papers' headline reproductions."""

from papers import iris_demo, rda_iris

iris_demo.main()
rda_iris.main()
