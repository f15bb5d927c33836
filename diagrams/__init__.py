"""String diagrams of morphisms, Para maps, lenses, circuits and whole learners.

``draw(x)`` reads the structure ``x`` keeps (its composites, parameters, lenses,
netlist) and lays it out as the papers draw it: composition left to right, tensor
top to bottom, parameters from above, a lens's changes running back, a learner
closed by its loss, cap and optimisers (CFGBL Figs. 3–7). The :class:`Diagram`
writes SVG (no dependency), TikZ for papers, and PNG or PDF through matplotlib;
in Jupyter every morphism and learner shows itself as a drawing.

Example:
    >>> import jax.numpy as jnp
    >>> from categories import ArrayType, layers, smooth
    >>> from learners import gradient, quadratic, supervised
    >>> model = layers.dense(4, 3, smooth.sigmoid)
    >>> learner = supervised(model, quadratic(ArrayType((3,))), gradient())
    >>> sorted(b.kind for b in draw(learner).boxes)
    ['cap', 'discard', 'discard', 'lens', 'lens', 'lens']
"""

from ._draw import Diagram as Diagram
from ._draw import draw as draw
from ._geometry import Box as Box
from ._geometry import Port as Port
from ._geometry import Text as Text
from ._geometry import Wire as Wire
from ._notebook import register_display as register_display

__all__ = ["Box", "Diagram", "Port", "Text", "Wire", "draw", "register_display"]

register_display()
