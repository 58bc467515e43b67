"""Runs a plan step by step, emits events and keeps the journal."""
