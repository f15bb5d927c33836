"""The categorical core of paralens: objects, the abstract chain of categories,
Para, and the smooth instance backed by JAX.

Public API (see each object's docstring): objects :class:`ArrayType`,
:class:`Record`, :class:`Product`, ``I``; the abstract categories
:class:`Category` … :class:`ReverseDerivativeCategory` and :class:`Morphism`;
:class:`Smooth` and ``SMOOTH``; :class:`Para` and :class:`ParaCategory`; freezing,
tying and selecting parameters by name (:func:`freeze_params`, :func:`tie_params`,
:func:`train_only`, :func:`param_names`);
errors; modules :mod:`categories.smooth` (primitives), :mod:`categories.layers`
(Para layers), :mod:`categories.laws` (law checkers) and
:mod:`categories.strategies` (hypothesis strategies), and :mod:`categories.building`
(tools for implementing a category of your own).
"""

from . import layers as layers
from . import smooth as smooth
from ._abc import CartesianCategory as CartesianCategory
from ._abc import Category as Category
from ._abc import LeftAdditiveCategory as LeftAdditiveCategory
from ._abc import MonoidalCategory as MonoidalCategory
from ._abc import Morphism as Morphism
from ._abc import ReverseDerivativeCategory as ReverseDerivativeCategory
from ._errors import AxiomError as AxiomError
from ._errors import BadFile as BadFile
from ._errors import BadHyperparameter as BadHyperparameter
from ._errors import BadObject as BadObject
from ._errors import BadPoint as BadPoint
from ._errors import Immutable as Immutable
from ._errors import LawViolation as LawViolation
from ._errors import MissingDependency as MissingDependency
from ._errors import MissingStructure as MissingStructure
from ._errors import NotComposable as NotComposable
from ._freeze import Reparametrised as Reparametrised
from ._freeze import freeze_params as freeze_params
from ._freeze import param_names as param_names
from ._freeze import tie_params as tie_params
from ._freeze import train_only as train_only
from ._objects import ArrayType as ArrayType
from ._objects import I as I
from ._objects import Object as Object
from ._objects import Product as Product
from ._objects import Record as Record
from ._objects import factors as factors
from ._objects import join as join
from ._objects import join_all as join_all
from ._objects import split as split
from ._objects import split_all as split_all
from ._objects import stack as stack
from ._objects import TreeType as TreeType
from ._objects import tensor_objects as tensor_objects
from ._objects import zeros as zeros
from ._para import Para as Para
from ._para import ParaCategory as ParaCategory
from ._smooth import SMOOTH as SMOOTH
from ._smooth import Smooth as Smooth
from ._smooth import SmoothCategory as SmoothCategory

__all__ = [
    "ArrayType", "AxiomError", "BadFile", "BadHyperparameter", "BadObject", "BadPoint",
    "CartesianCategory", "Category", "I", "Immutable", "LawViolation", "LeftAdditiveCategory",
    "MissingDependency", "MissingStructure", "MonoidalCategory", "Morphism", "NotComposable",
    "Object", "Para", "ParaCategory", "Product", "Record", "Reparametrised",
    "ReverseDerivativeCategory", "SMOOTH", "Smooth", "SmoothCategory", "factors", "freeze_params",
    "join", "join_all", "layers", "param_names", "smooth", "split", "split_all", "stack",
    "tensor_objects", "tie_params", "train_only", "TreeType", "zeros",
]
