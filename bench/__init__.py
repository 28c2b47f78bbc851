"""Benchmarks: ``python -m bench`` (wslint against its peers) and ``bench/fanout.py``."""
