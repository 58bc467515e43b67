"""Plain data shared by every layer: what a device is, and what a plan does.

Nothing here performs I/O or imports another edgetui package.
"""
