"""Frozen data handed from stage to stage. No I/O here."""
