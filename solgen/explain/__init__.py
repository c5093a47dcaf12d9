"""Explainers: a Derivation -> a Solution (the equations shown, in order, as plain data).

``base`` is the scalar explainer the others extend: ``matrix`` (vectors and matrices per
layer; ``tensor`` feature maps and kernels for layers beyond dense), ``paths`` (every
chain-rule product written out), ``symbolic`` (formulas without values) and
``architecture`` (counts).  The choice of explainer is made here, above them,
so no explainer imports its dispatcher.  Imports are lazy: importing ``solution`` (as the
renderer does) costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solgen.core.derive import Derivation
    from solgen.spec import Spec

    from .base import Explainer
    from .solution import Solution


def explainer_for(spec: Spec) -> type[Explainer]:
    """The explainer class for a spec's ``[style]``: form first, then chain."""
    if spec.style.form == "matrix":
        from solgen.spec.sections import Network

        if isinstance(spec.problem, Network) and not spec.problem.dense_only:
            from .tensor import tensor_explainer

            return tensor_explainer(spec.problem.batch)
        if isinstance(spec.problem, Network) and spec.problem.batch:
            from .batch_matrix import BatchMatrixExplainer

            return BatchMatrixExplainer
        from .matrix import MatrixExplainer

        return MatrixExplainer
    if spec.style.chain == "paths":
        from .paths import PathsExplainer

        return PathsExplainer
    from .base import Explainer

    return Explainer


def explain(spec: Spec, derivation: Derivation) -> Solution:
    return explainer_for(spec)(spec, derivation).solution()
