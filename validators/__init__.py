"""Validators: networkx rules over a flow document, with no database and no Flask."""
