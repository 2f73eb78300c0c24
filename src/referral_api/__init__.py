"""Referral pathway directory and routing API for GBV response."""

__version__ = "0.1.0"
