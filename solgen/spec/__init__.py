"""Parsing the spec: TOML text -> a validated, frozen ``Spec`` (both forms).

tomltext (text -> exact TOML table), reader (typed values with places), expr (the
whitelisted expression parser), sections (the spec's sections).
"""

from .sections import Graph, Layer, Network, Spec, Style, load_spec, parse_spec

__all__ = ["Graph", "Layer", "Network", "Spec", "Style", "load_spec", "parse_spec"]
