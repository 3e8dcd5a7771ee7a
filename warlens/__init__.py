"""warlens: label every sentence of conflict reporting."""
