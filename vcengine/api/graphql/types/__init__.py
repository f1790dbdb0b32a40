"""GraphQL object types: views of the service records, never the records themselves."""
