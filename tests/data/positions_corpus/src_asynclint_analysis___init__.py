"""Analyses shared by several rules."""
