"""Exporters: pure functions from a flow document to the bytes of each export format."""
