"""``python -m papers.distributed [--simulate N] [--epochs E] [--quick]``.

Trains the digits model data-parallel on every device JAX sees (GPUs, TPUs, or with
``--simulate N`` N simulated CPU devices) and on one device, and prints both
accuracies and how far apart the learned parameters are. On simulated devices the
cores are shared, so the mesh run is not faster: it shows the program, not a speed-up.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m papers.distributed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--simulate", type=int, metavar="N",
                        help="run on N simulated CPU devices instead of the real ones")
    parser.add_argument("--epochs", type=int, default=20, help="epochs (default 20)")
    parser.add_argument("--quick", action="store_true", help="2 epochs: checks that it runs")
    args = parser.parse_args(argv)
    if args.simulate is not None:
        if "jax" in sys.modules:  # the device count is fixed when JAX starts
            parser.error("--simulate must come before JAX is imported; run it as a program")
        if args.simulate < 1:
            parser.error(f"--simulate needs a device count ≥ 1, got {args.simulate}")
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                                   f" --xla_force_host_platform_device_count={args.simulate}")
        os.environ["JAX_PLATFORMS"] = "cpu"
    from papers.distributed import experiment  # imports JAX, after the flags are set

    r = experiment.run(epochs=2 if args.quick else args.epochs)
    print(f"{r['devices']} × {r['device_kind']}, batch {r['batch']} split {r['devices']} ways, "
          f"{r['epochs']} epochs")
    print(f"  data-parallel: test accuracy {r['mesh_accuracy']:.3f}, final loss "
          f"{r['mesh_loss']:.4f}, {r['mesh_seconds']:.1f} s")
    print(f"  one device:    test accuracy {r['one_device_accuracy']:.3f}, final loss "
          f"{r['one_device_loss']:.4f}, {r['one_device_seconds']:.1f} s")
    print(f"  largest parameter difference: {r['max_param_diff']:.2g} (float32 sums in "
          f"another order)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
