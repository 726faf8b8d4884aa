"""The topology test: nginx in front of two app instances on one PostgreSQL and one Redis."""
