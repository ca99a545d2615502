"""Forms of the certification pages; they only parse input, the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from biocommunity.assessment.services.evidence import allowed_extensions, max_bytes
from biocommunity.assessment.services.rubrics import Parameter, Rubric, shipped_rubrics
from biocommunity.core.templatetags.bilingual import current_language


class DateInput(forms.DateInput):
    input_type = "date"


class RoundForm(forms.Form):
    rubric = forms.ChoiceField(label=_("Rubric"))
    title_ja = forms.CharField(label=_("title (Japanese)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200)
    opens_on = forms.DateField(label=_("opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("closes on"), widget=DateInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rubric"]).choices = [
            (f"{r.code}|{r.version}", f"{r.title.get(current_language())} ({r.code} {r.version})")
            for r in shipped_rubrics()
        ]

    def rubric_key(self) -> tuple[str, str]:
        code, version = self.cleaned_data["rubric"].split("|", 1)
        return code, version


class ParametersForm(forms.Form):
    """One field per threshold the round uses."""

    def __init__(
        self, parameters: list[Parameter], values: dict[str, Any], *args: Any, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        language = current_language()
        for p in parameters:
            label = p.name.get(language) + (f" ({p.unit.get(language)})" if p.unit else "")
            if p.type == "choice":
                self.fields[p.code] = forms.ChoiceField(
                    label=label,
                    choices=[("", "—"), *[(c, c) for c in p.choices]],
                    required=False,
                    initial=values.get(p.code, ""),
                )
            else:
                self.fields[p.code] = forms.CharField(
                    label=label, required=False, initial=values.get(p.code, ""), max_length=30
                )


class CandidateSearchForm(forms.Form):
    """Find institutions to invite by name (either language, kana or kanji) and kind."""

    q = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=_("Japanese or English, as people say it: かずさ, 慶應, LINK-J, Keio."),
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, kinds: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("Any kind")), *kinds]


class InviteForm(forms.Form):
    """One organisation picked from the search results, and the type it is assessed as."""

    organization = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    type_code = forms.ChoiceField(label=_("Institution type"))

    def __init__(self, rubric: Rubric, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = current_language()
        cast(forms.ChoiceField, self.fields["type_code"]).choices = [
            (t.code, t.name.get(language)) for t in rubric.types
        ]


class EvidenceForm(forms.Form):
    criterion = forms.CharField(widget=forms.HiddenInput, max_length=120)
    file = forms.FileField(
        label=_("Document"),
        required=False,
        help_text=_("%(types)s; at most %(mb)s MB.")
        % {"types": allowed_extensions(), "mb": max_bytes() // 1048576},
    )
    url = forms.CharField(label=_("or a web address"), required=False, max_length=600)
    observation = forms.IntegerField(
        label=_("or an indicator observation (number)"), required=False, min_value=1
    )
    figure = forms.CharField(label=_("or a figure"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class DecisionForm(forms.Form):
    level_code = forms.ChoiceField(label=_("Level"))
    valid_from = forms.DateField(label=_("valid from"), widget=DateInput)
    valid_to = forms.DateField(label=_("valid to"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, rubric: Rubric, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = current_language()
        cast(forms.ChoiceField, self.fields["level_code"]).choices = [
            (lv.code, lv.name.get(language)) for lv in rubric.levels
        ]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
