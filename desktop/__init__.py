"""Iris Field: offline Iris species identification for field botanists."""

__version__ = "0.1.0"
