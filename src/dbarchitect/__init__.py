"""dbarchitect: a database architect as a tool — schemas, indexes, partitioning and migrations from
a design brief, each recommendation with its numbers and its reason."""

__version__ = "0.1.0"
