"""Helpers shared by the test modules: none of them imports another test module.

The fixtures among them are registered in `tests/conftest.py`.
"""
