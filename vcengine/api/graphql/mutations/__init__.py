"""The Mutation type, assembled from one module per mutation."""

from __future__ import annotations

import strawberry

from vcengine.api.graphql.mutations.bulk_issue import bulk_issue
from vcengine.api.graphql.mutations.create_achievement import create_achievement
from vcengine.api.graphql.mutations.create_api_key import create_api_key
from vcengine.api.graphql.mutations.create_credential_offer import create_credential_offer
from vcengine.api.graphql.mutations.create_issuer import create_issuer
from vcengine.api.graphql.mutations.generate_issuer_key import generate_issuer_key
from vcengine.api.graphql.mutations.issue_credential import issue_credential
from vcengine.api.graphql.mutations.revoke_api_key import revoke_api_key
from vcengine.api.graphql.mutations.revoke_credential import revoke_credential
from vcengine.api.graphql.mutations.revoke_credentials import revoke_credentials
from vcengine.api.graphql.mutations.rotate_issuer_key import rotate_issuer_key
from vcengine.api.graphql.mutations.suspend_credential import suspend_credential
from vcengine.api.graphql.mutations.suspend_credentials import suspend_credentials
from vcengine.api.graphql.mutations.unsuspend_credential import unsuspend_credential
from vcengine.api.graphql.mutations.unsuspend_credentials import unsuspend_credentials
from vcengine.api.graphql.mutations.verify_credential import verify_credential

__all__ = ["Mutation"]


@strawberry.type
class Mutation:
    create_issuer = strawberry.mutation(resolver=create_issuer)
    generate_issuer_key = strawberry.mutation(resolver=generate_issuer_key)
    rotate_issuer_key = strawberry.mutation(resolver=rotate_issuer_key)
    create_achievement = strawberry.mutation(resolver=create_achievement)
    issue_credential = strawberry.mutation(resolver=issue_credential)
    bulk_issue = strawberry.mutation(resolver=bulk_issue)
    revoke_credential = strawberry.mutation(resolver=revoke_credential)
    revoke_credentials = strawberry.mutation(resolver=revoke_credentials)
    suspend_credential = strawberry.mutation(resolver=suspend_credential)
    suspend_credentials = strawberry.mutation(resolver=suspend_credentials)
    unsuspend_credential = strawberry.mutation(resolver=unsuspend_credential)
    unsuspend_credentials = strawberry.mutation(resolver=unsuspend_credentials)
    verify_credential = strawberry.mutation(resolver=verify_credential)
    create_credential_offer = strawberry.mutation(resolver=create_credential_offer)
    create_api_key = strawberry.mutation(resolver=create_api_key)
    revoke_api_key = strawberry.mutation(resolver=revoke_api_key)
