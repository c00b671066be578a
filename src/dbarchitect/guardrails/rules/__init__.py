"""One module per guardrail rule; the module docstring is the rule's explanation."""
