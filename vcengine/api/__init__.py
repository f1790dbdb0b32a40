"""The composition root: settings, the app factory, the GraphQL API and the plain HTTP routes.

Only this layer knows HTTP status codes and GraphQL error types; it translates the service
layer's errors (``vcengine.errors``) at its boundary.
"""
