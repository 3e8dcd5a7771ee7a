"""Trend reports over a scored archive: label shares per period, their intervals, and drift."""
