"""Real internal processes shipped as demo data (see flows/*.json and their `source`)."""
