"""One module per design guardrail rule; the module docstring is the rule's explanation."""
