"""GANs as parametric lenses on a ring of eight Gaussians (``python -m papers --only gan``)."""
