"""Data-parallel training of the digits model on a device mesh (``python -m papers.distributed``).

The CFGBL digits MLP (64→128 relu→10, softmax cross-entropy, Adam 1e-3, batch 64)
trained by ``fit`` with its batches split over every device of a mesh, next to the
same run on one device: the accuracies and the largest parameter difference show
that the mesh changes where the work runs, not what is learned. Nothing here
imports JAX, so ``__main__`` can set the simulated device count first.
"""
