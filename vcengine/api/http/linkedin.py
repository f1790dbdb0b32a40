"""LinkedIn "Add to profile" link: moved to ``vcengine.core.linkedin`` (emails need it too)."""

from __future__ import annotations

from vcengine.core.linkedin import ADD_TO_PROFILE, add_to_profile_url

__all__ = ["ADD_TO_PROFILE", "add_to_profile_url"]
