"""vcengine: Open Badges 3.0 verifiable credentials signed with Ed25519, verifiable offline."""

__version__ = "0.1.0"
