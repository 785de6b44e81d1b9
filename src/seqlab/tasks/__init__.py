"""Recipes: a dataclass config plus readable code for each job the CLI runs."""
