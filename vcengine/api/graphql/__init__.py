"""The GraphQL API (strawberry): ``graphql_app(services, dev=...)`` is the ASGI app for ``/graphql``.

Layout: ``schema`` assembles ``queries``, ``mutations/`` (one module per mutation) and
``subscriptions``; ``types/`` are the GraphQL views of service records; ``context`` authenticates
the caller and scopes every look-up to its organization; ``errors`` maps service errors to
``userErrors`` and decides what is masked.
"""

from vcengine.api.graphql.view import GraphQLApp, graphql_app

__all__ = ["GraphQLApp", "graphql_app"]
