"""The lowest layer: diagnostics, source decoding, tree walking and positions."""
