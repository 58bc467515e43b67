"""Probes that read a device into facts; they never change it."""
