"""Orchestration of a run over many files: discovery, cache, workers, writing fixed files."""
