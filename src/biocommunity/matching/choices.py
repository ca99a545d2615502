from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProfileKind(models.TextChoices):
    SEED = "seed", _("Technology seed")
    NEED = "need", _("Need")
    CAPABILITY = "capability", _("Capability")


class CapabilityType(models.TextChoices):
    CDMO = "cdmo", _("CDMO / contract manufacturing")
    CRO = "cro", _("CRO / contract research")
    BIOFOUNDRY = "biofoundry", _("Biofoundry")
    SUPPLIER = "supplier", _("Parts and materials supplier")
    VC = "vc", _("Venture capital (investment thesis)")
    OTHER = "other", _("Other service")


class Stage(models.TextChoices):
    RESEARCH = "research", _("Basic research (TRL 1–3)")
    PROOF_OF_CONCEPT = "proof-of-concept", _("Proof of concept (TRL 4)")
    PRECLINICAL = "preclinical", _("Preclinical / prototype (TRL 5–6)")
    CLINICAL = "clinical", _("Clinical / pilot (TRL 6–7)")
    DEMONSTRATION = "demonstration", _("Demonstration (TRL 7–8)")
    COMMERCIAL = "commercial", _("Commercial (TRL 9)")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")
    SECRETARIAT = "secretariat", _("Secretariat only")


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class IntroductionStatus(models.TextChoices):
    # "Accepted" alone is also the certification reviewers' verdict, which reads differently.
    REQUESTED = "requested", pgettext_lazy("introduction status", "Requested")
    ACCEPTED = "accepted", pgettext_lazy("introduction status", "Accepted")
    DECLINED = "declined", pgettext_lazy("introduction status", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("introduction status", "Withdrawn")


# Which kinds a profile of each kind is matched to: a need looks for what can meet it.
COUNTERPARTS: dict[str, tuple[str, ...]] = {
    ProfileKind.NEED: (ProfileKind.SEED, ProfileKind.CAPABILITY),
    ProfileKind.SEED: (ProfileKind.NEED,),
    ProfileKind.CAPABILITY: (ProfileKind.NEED,),
}
