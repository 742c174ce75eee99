"""Finding and reading a project's files; YAML with the position of every node. The only reader of a project."""
