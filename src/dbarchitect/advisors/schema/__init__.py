"""Schema design from entities: normalization analysis, physical design, naming conventions."""
