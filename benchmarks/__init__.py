"""Benchmarks for `make bench`: each compares edgetui with a baseline from the same run.

Every figure is a ratio against something measured moments before or after
on the same machine (a raw read, an idle loop, a bare interpreter), so a slow
or busy machine changes the absolute numbers far more than the ratios. Nothing
here passes or fails on time; a benchmark fails only when what it measured is
wrong (a lost line, a probe that failed, a command that exited non-zero).
"""
