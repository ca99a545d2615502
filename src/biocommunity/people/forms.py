"""Forms of the people pages: invite, change role, own account, password reset by the outbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from biocommunity.people.choices import AccountRole, Language, NoticeKind
from biocommunity.people.services.accounts import resolve_organization
from biocommunity.people.services.notices import queue_email
from biocommunity.people.services.persons import language_of
from biocommunity.registry.models import Organization

ORGANIZATION_HELP = _(
    "Type part of the name in Japanese or English and pick it from the list. Required for a "
    "member (the organisation they answer for); for a reviewer or the secretariat, where they "
    "work (used for conflicts of interest, gives no member rights)."
)


class OrganizationByNameField(forms.CharField):
    """A text box resolved to one organisation by its Japanese or English name (never a key)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Organisation"))
        kwargs.setdefault("help_text", ORGANIZATION_HELP)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"list": "organization-names", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Organization | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return resolve_organization(text)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["organization"]) from exc


def _check_member_has_organization(form: forms.Form) -> None:
    role = form.cleaned_data.get("role")
    missing = form.cleaned_data.get("organization") is None and "organization" not in form.errors
    if role == AccountRole.MEMBER and missing:
        form.add_error("organization", _("A member must speak for an organisation."))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=150)
    role = forms.ChoiceField(
        label=pgettext_lazy("account", "Role"), choices=AccountRole.choices, initial="member"
    )
    organization = OrganizationByNameField()
    language = forms.ChoiceField(
        label=_("Language of the e-mails"),
        choices=Language.choices,
        initial=Language.JA,
        help_text=_("The invitation is written in both languages, this one first."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_member_has_organization(self)
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=pgettext_lazy("account", "Role"), choices=AccountRole.choices)
    organization = OrganizationByNameField()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_member_has_organization(self)
        return cleaned


def email_kind_choices() -> list[tuple[str, Any]]:
    """The kinds of notice a person may choose to get by e-mail (an invitation is always sent)."""
    return [(k.value, k.label) for k in NoticeKind if k != NoticeKind.ACCOUNT_INVITATION]


class AccountForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        help_text=_("The language of your e-mails and notices."),
    )
    email_kinds = forms.MultipleChoiceField(
        label=_("Notices that also come by e-mail"),
        choices=email_kind_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Every notice is shown on the platform; untick those you do not want e-mailed."
        ),
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes through the outbox in both languages.

    The account's language comes first. The link points at the site's address
    (BIOCOMMUNITY_SITE_URL), never at whatever Host the request carried.
    """

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        first = language_of(context.get("user"))
        order = [first] + [code for code in Language.values if code != first]
        subjects, bodies = [], []
        for code in order:
            with translation.override(code):
                part = {**context, "site_url": settings.BIOCOMMUNITY_SITE_URL.rstrip("/")}
                subject = loader.render_to_string(subject_template_name, part)
                subjects.append("".join(subject.splitlines()).strip())
                bodies.append(loader.render_to_string(email_template_name, part).strip())
        queue_email(
            to_email,
            "[biocommunity] " + " / ".join(subjects),
            "\n\n----------------------------------------\n\n".join(bodies),
        )
