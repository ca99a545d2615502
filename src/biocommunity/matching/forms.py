"""Forms of the matching pages: they parse input and render widgets; the services decide."""

from __future__ import annotations

import copy
from typing import Any, cast

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from biocommunity.core.templatetags.bilingual import pick
from biocommunity.matching.choices import CapabilityType, ProfileKind, Stage
from biocommunity.matching.models import Profile
from biocommunity.matching.services.introductions import MAX_MESSAGE_CHARS
from biocommunity.matching.services.profiles import EDITABLE_FIELDS
from biocommunity.matching.services.search import MAX_QUERY_CHARS
from biocommunity.registry.models import Hub, MarketDomain, Organization


class DateInput(forms.DateInput):
    input_type = "date"


class LocalizedChoiceField(forms.ModelChoiceField):
    """Choices named in the current language (the models' ``__str__`` is English)."""

    def label_from_instance(self, obj: Model) -> str:
        number = getattr(obj, "number", None)
        name = pick(obj, "name")
        return f"{number}. {name}" if isinstance(obj, MarketDomain) and number else name


class ProfileChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Model) -> str:
        return pick(obj, "title")


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Any")), *choices]


class SearchForm(forms.Form):
    """Renders the search box and filters; ``search.parse_filters`` validates them."""

    q = forms.CharField(
        label=_("What are you looking for?"),
        max_length=MAX_QUERY_CHARS,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _(
                    "Describe the technology, need or service in Japanese or English, "
                    "e.g. 抗体医薬品の製造委託先 / AAV vector manufacturing for gene therapy"
                ),
            }
        ),
    )
    kind = forms.MultipleChoiceField(
        label=_("Looking for"),
        required=False,
        choices=ProfileKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    domain = forms.ChoiceField(label=_("Market domain"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=_blank(Stage.choices))
    hub = forms.ChoiceField(label=_("Hub"), required=False)
    capability_type = forms.ChoiceField(
        label=_("Capability type"), required=False, choices=_blank(CapabilityType.choices)
    )
    gmp = forms.ChoiceField(
        label=_("GMP"),
        required=False,
        choices=[("", _("Any")), ("true", _("GMP only")), ("false", _("Not GMP"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["domain"]).choices = _blank(
            (d.key, f"{d.number}. {pick(d, 'name')}") for d in MarketDomain.objects.all()
        )
        cast(forms.ChoiceField, self.fields["hub"]).choices = _blank(
            (h.key, pick(h, "name")) for h in Hub.objects.all()
        )


class BrowseForm(forms.Form):
    """The browse list's filters (rendering only; the search service validates them)."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *ProfileKind.choices]
    )
    domain = forms.ChoiceField(label=_("Market domain"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["domain"]).choices = [
            ("", _("All")),
            *((d.key, f"{d.number}. {pick(d, 'name')}") for d in MarketDomain.objects.all()),
        ]


# The profile's own field definitions (labels, help texts, choices, lengths) as form fields.
_PROFILE_FIELDS = forms.fields_for_model(
    Profile,
    fields=EDITABLE_FIELDS,
    widgets={
        "title_ja": forms.TextInput(attrs={"lang": "ja"}),
        "title_en": forms.TextInput(attrs={"lang": "en"}),
        "body_ja": forms.Textarea(attrs={"rows": 6, "lang": "ja"}),
        "body_en": forms.Textarea(attrs={"rows": 6, "lang": "en"}),
        "tags": forms.TextInput(),
        "expires_on": DateInput(),
    },
    field_classes={"market_domain": LocalizedChoiceField, "hub": LocalizedChoiceField},
)


class ProfileForm(forms.Form):
    """Creating or editing a profile. Field types are checked here; the rules between fields
    (a title in some language, a capability type for capabilities …) in
    ``profiles.check_profile``, whose errors the view puts back on these fields."""

    organization = LocalizedChoiceField(
        label=_("organisation"),
        queryset=Organization.objects.order_by("name_ja"),
        help_text=_("The organisation that offers or seeks this."),
    )

    def __init__(self, *args: Any, choose_organization: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not choose_organization:
            del self.fields["organization"]
        for name, field in _PROFILE_FIELDS.items():
            self.fields[name] = copy.deepcopy(field)
        # The model's "title"/"description" labels are shared with other apps' names.
        for name, text in (
            ("title_ja", pgettext_lazy("matching profile", "title (Japanese)")),
            ("title_en", pgettext_lazy("matching profile", "title (English)")),
            ("body_ja", pgettext_lazy("matching profile", "description (Japanese)")),
            ("body_en", pgettext_lazy("matching profile", "description (English)")),
        ):
            self.fields[name].label = text
        self.fields["capability_type"].help_text = _("Only for capability profiles.")
        self.fields["title_ja"].help_text = _("Give the title in Japanese, English or both.")
        self.fields["visibility"].help_text = _(
            "Who can find this profile. Your organisation and the secretariat always can."
        )
        self.fields["status"].help_text = _(
            "Only active profiles appear to others; drafts stay with your organisation."
        )
        self.fields["contact_email"].help_text = _(
            "Shown to the other side only after you accept an introduction."
        )

    def profile_data(self) -> dict[str, Any]:
        """The cleaned values the profile services take."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class IntroductionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say who you are and why you would like to meet."),
    )
    from_profile = ProfileChoiceField(
        label=_("On behalf of"),
        required=False,
        queryset=Profile.objects.none(),
        empty_label=_("(no profile)"),
        help_text=_("One of your organisation's profiles, if the request concerns it."),
    )

    def __init__(self, *args: Any, own_profiles: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if own_profiles is None:
            del self.fields["from_profile"]
        else:
            cast(ProfileChoiceField, self.fields["from_profile"]).queryset = own_profiles


class AnswerForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply (optional)"),
        required=False,
        max_length=MAX_MESSAGE_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MeetingForm(forms.Form):
    meeting_held_on = forms.DateField(label=_("meeting held on"), widget=DateInput)
