"""Matching jobs: a saved profile's vector computed and stored, then the saved searches told.

The vector goes to the database (``ProfileVector``); each serving process keeps its own
in-memory index and rebuilds it from the stored vectors when the generation token changes.
"""

from __future__ import annotations

from django_tasks import task

from biocommunity.matching.engine.dense import Embedder
from biocommunity.matching.models import Profile, ProfileVector, SavedSearch
from biocommunity.matching.services import indexing, saved_searches


def _vector_is_current(profile: Profile, model: Embedder) -> bool:
    stored = ProfileVector.objects.filter(profile=profile).first()
    return (
        stored is not None
        and stored.model == model.name
        and stored.dimensions == model.dimensions
        and stored.text_digest == indexing.text_digest(profile.search_text())
    )


@task()
def profile_saved(profile_id: int) -> int:
    """Embed and store this profile's vector if its text changed, then send the saved-search
    notices it now matches; returns how many vectors were written."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        return 0  # deleted before the job ran: nothing to embed or announce
    written = 0
    model = indexing.embedder()
    if model is not None and not _vector_is_current(profile, model):
        written = indexing.embed_profiles([profile], model=model)
        indexing.bump_generation()  # serving processes rebuild from the stored vectors
    if SavedSearch.objects.exists():
        # The saved searches must see the new text: this process's index, rebuilt now (a
        # worker's index is its own; the serving processes rebuild theirs at their next search).
        indexing.current_index(fresh=True)
        saved_searches.notify_for_profile(profile_id)
    return written
