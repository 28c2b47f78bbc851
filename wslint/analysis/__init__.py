"""Shared analysis: one module per term of the vocabulary the rules are written in."""
