"""Thin click commands: parse options, read and write at the edges, call the stages."""
