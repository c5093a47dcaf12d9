"""solgen: worked backpropagation solutions from a TOML spec."""

__version__ = "0.1.0"
