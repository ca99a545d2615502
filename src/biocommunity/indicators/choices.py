from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    JPY = "JPY", _("yen")
    JPY_10K = "JPY-10k", _("10,000 yen")
    JPY_MILLION = "JPY-million", _("million yen")
    JPY_100M = "JPY-100m", _("100 million yen")
    JPY_TRILLION = "JPY-trillion", _("trillion yen")
    USD = "USD", _("US dollars")
    USD_MILLION = "USD-million", _("million US dollars")
    USD_BILLION = "USD-billion", _("billion US dollars")
    GBP = "GBP", _("pounds sterling")
    GBP_MILLION = "GBP-million", _("million pounds sterling")
    GBP_BILLION = "GBP-billion", _("billion pounds sterling")
    PEOPLE = "people", _("people")
    PEOPLE_MILLION = "people-million", _("million people")
    COUNT = "count", _("count")
    M2 = "m2", _("m²")
    ROOMS = "rooms", _("rooms")
    PERCENT = "percent", _("percent")
    SCORE = "score", _("score")
    RANK = "rank", _("rank")


class FactorGroup(models.TextChoices):
    PERFORMANCE = "performance", _("Performance")
    FUNDING = "funding", _("Funding")
    KNOWLEDGE = "knowledge", _("Knowledge")
    TALENT = "talent", _("Talent")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    POLICY = "policy", _("Policy")
    MARKET = "market", _("Market")
    OTHER = "other", _("Other")


class ValueKind(models.TextChoices):
    EXACT = "exact", _("exact")
    APPROXIMATE = "approximate", _("approximate")
    LOWER_BOUND = "lower_bound", _("lower bound")
    UPPER_BOUND = "upper_bound", _("upper bound")
    MISSING = "missing", _("not given")
    TEXT = "text", _("text")


NUMERIC_KINDS = {
    ValueKind.EXACT,
    ValueKind.APPROXIMATE,
    ValueKind.LOWER_BOUND,
    ValueKind.UPPER_BOUND,
}


class SubjectKind(models.TextChoices):
    REGION = "region", _("Region")
    NATION = "nation", _("Nation")
    ECOSYSTEM = "ecosystem", _("Ecosystem")
    COMMUNITY = "community", _("Community")
    HUB = "hub", _("Hub")
    ORGANIZATION = "organization", _("Organisation")
    PREFECTURE = "prefecture", _("Prefecture")


class KpiStatus(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    OFF_TRACK = "off_track", _("off track")
    NO_DATA = "no_data", _("no actual yet")
    TOO_EARLY = "too_early", _("too early to tell")
    NO_TARGET = "no_target", _("no target set")
