"""The index advisor: candidates from the workload, what-if costing (HypoPG or the built-in model),
and selection under a storage and write budget (greedy with swaps, or exact with highspy)."""
