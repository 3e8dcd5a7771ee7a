"""Batch scoring of archives: readers, the local and Ray engines, their output folder."""
