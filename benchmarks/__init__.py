"""Benchmarks of Shuzhu at scale: ``python -m benchmarks.bench`` (see benchmarks/bench.py)."""
