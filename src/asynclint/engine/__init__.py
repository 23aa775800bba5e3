"""Lint one file: parse, dispatch to rules, noqa, the fix loop, fix edits as text."""
