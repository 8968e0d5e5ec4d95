"""The query service over the graph: CLI, HTTP app, named queries. Never parses source text."""
