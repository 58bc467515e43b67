"""edgetui: update Azure IoT Edge on the device without losing it."""

__version__ = "0.1.0"
