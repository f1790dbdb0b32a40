"""Use cases of the vcengine service. Async; they reach the world only through ``ports``."""
