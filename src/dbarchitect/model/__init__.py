"""Pure, immutable data: the catalog, logical types, the workload model and names."""
