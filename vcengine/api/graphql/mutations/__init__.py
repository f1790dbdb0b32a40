"""The Mutation type, assembled from one module per mutation."""

from __future__ import annotations

import strawberry

from vcengine.api.graphql.mutations.bulk_issue import bulk_issue
from vcengine.api.graphql.mutations.bulk_issue_csv import bulk_issue_csv
from vcengine.api.graphql.mutations.bulk_issue_json import bulk_issue_json
from vcengine.api.graphql.mutations.create_achievement import create_achievement
from vcengine.api.graphql.mutations.create_api_key import create_api_key
from vcengine.api.graphql.mutations.create_award_rule import create_award_rule
from vcengine.api.graphql.mutations.create_credential_offer import create_credential_offer
from vcengine.api.graphql.mutations.create_integration import create_integration
from vcengine.api.graphql.mutations.create_issuer import create_issuer
from vcengine.api.graphql.mutations.create_webhook_endpoint import create_webhook_endpoint
from vcengine.api.graphql.mutations.delete_award_rule import delete_award_rule
from vcengine.api.graphql.mutations.delete_integration import delete_integration
from vcengine.api.graphql.mutations.delete_webhook_endpoint import delete_webhook_endpoint
from vcengine.api.graphql.mutations.disable_webhook_endpoint import disable_webhook_endpoint
from vcengine.api.graphql.mutations.enable_webhook_endpoint import enable_webhook_endpoint
from vcengine.api.graphql.mutations.generate_issuer_key import generate_issuer_key
from vcengine.api.graphql.mutations.issue_credential import issue_credential
from vcengine.api.graphql.mutations.pause_integration import pause_integration, resume_integration
from vcengine.api.graphql.mutations.preview_email_template import preview_email_template
from vcengine.api.graphql.mutations.replay_integration_event import replay_integration_event
from vcengine.api.graphql.mutations.replay_webhook_delivery import replay_webhook_delivery
from vcengine.api.graphql.mutations.revoke_api_key import revoke_api_key
from vcengine.api.graphql.mutations.rotate_integration_secret import rotate_integration_secret
from vcengine.api.graphql.mutations.rotate_issuer_key import rotate_issuer_key
from vcengine.api.graphql.mutations.rotate_webhook_endpoint_secret import rotate_webhook_endpoint_secret
from vcengine.api.graphql.mutations.set_email_template import set_email_template
from vcengine.api.graphql.mutations.set_issuer_branding import set_issuer_branding
from vcengine.api.graphql.mutations.status_changes import STATUS_MUTATIONS
from vcengine.api.graphql.mutations.update_integration import update_integration
from vcengine.api.graphql.mutations.update_webhook_endpoint import update_webhook_endpoint
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
    bulk_issue_csv = strawberry.mutation(resolver=bulk_issue_csv)
    bulk_issue_json = strawberry.mutation(
        resolver=bulk_issue_json,
        description="bulkIssue with the items as one JSON array: the fast path for big batches.",
    )
    revoke_credential = STATUS_MUTATIONS["revoke_credential"]
    revoke_credentials = STATUS_MUTATIONS["revoke_credentials"]
    suspend_credential = STATUS_MUTATIONS["suspend_credential"]
    suspend_credentials = STATUS_MUTATIONS["suspend_credentials"]
    unsuspend_credential = STATUS_MUTATIONS["unsuspend_credential"]
    unsuspend_credentials = STATUS_MUTATIONS["unsuspend_credentials"]
    verify_credential = strawberry.mutation(resolver=verify_credential)
    create_credential_offer = strawberry.mutation(resolver=create_credential_offer)
    create_api_key = strawberry.mutation(resolver=create_api_key)
    revoke_api_key = strawberry.mutation(resolver=revoke_api_key)
    create_webhook_endpoint = strawberry.mutation(resolver=create_webhook_endpoint)
    update_webhook_endpoint = strawberry.mutation(resolver=update_webhook_endpoint)
    disable_webhook_endpoint = strawberry.mutation(resolver=disable_webhook_endpoint)
    enable_webhook_endpoint = strawberry.mutation(resolver=enable_webhook_endpoint)
    delete_webhook_endpoint = strawberry.mutation(resolver=delete_webhook_endpoint)
    rotate_webhook_endpoint_secret = strawberry.mutation(resolver=rotate_webhook_endpoint_secret)
    replay_webhook_delivery = strawberry.mutation(resolver=replay_webhook_delivery)
    create_integration = strawberry.mutation(resolver=create_integration)
    update_integration = strawberry.mutation(resolver=update_integration)
    pause_integration = strawberry.mutation(resolver=pause_integration)
    resume_integration = strawberry.mutation(resolver=resume_integration)
    rotate_integration_secret = strawberry.mutation(resolver=rotate_integration_secret)
    delete_integration = strawberry.mutation(resolver=delete_integration)
    create_award_rule = strawberry.mutation(resolver=create_award_rule)
    delete_award_rule = strawberry.mutation(resolver=delete_award_rule)
    replay_integration_event = strawberry.mutation(resolver=replay_integration_event)
    # -- delivery --
    set_email_template = strawberry.mutation(resolver=set_email_template)
    preview_email_template = strawberry.mutation(resolver=preview_email_template)
    set_issuer_branding = strawberry.mutation(resolver=set_issuer_branding)
