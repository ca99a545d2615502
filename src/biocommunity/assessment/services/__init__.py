"""Certification and rating: rubrics, levels, community checks, the review workflow."""
