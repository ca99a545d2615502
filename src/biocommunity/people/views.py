"""People pages: own account, invitation links, and the secretariat's user management.

Thin callers of :mod:`biocommunity.people.services.accounts` and ``.invitations``, which check
who may do what (only the secretariat invites or manages) whatever the channel.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from biocommunity.core.changelog import history_for
from biocommunity.people.choices import AccountRole, InvitationState
from biocommunity.people.forms import AccountForm, InviteForm, RoleForm, email_kind_choices
from biocommunity.people.services import accounts, invitations
from biocommunity.people.services.persons import person_of
from biocommunity.registry.services.permissions import (
    affiliation,
    contacts_of,
    member_organization,
    require_secretariat,
)


def _form_errors(form: Any, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form when it names none)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Own account -----------------------------------------------------------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's page: who they are, their organisation, language, e-mail wishes."""
    user = request.user
    person = person_of(user)
    muted = set(person.email_muted_kinds or [])
    initial = {
        "language": person.language,
        "email_kinds": [k for k, _label in email_kind_choices() if k not in muted],
    }
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.update_preferences(
                user,
                language=form.cleaned_data["language"],
                email_kinds=form.cleaned_data["email_kinds"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            language = form.cleaned_data["language"]
            with translation.override(language):
                messages.success(request, _("Your settings are saved."))
                return redirect(reverse("people:account"))
    return render(
        request,
        "people/account.html",
        {
            "form": form,
            "role": accounts.role_of(user),
            "speaks_for": member_organization(user),
            "works_at": affiliation(user),
        },
    )


# Invitation links -----------------------------------------------------------------------------


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Set a password from an invitation link; expired, used and unknown links say so."""
    found = invitations.lookup(token)
    if found.state != InvitationState.PENDING:
        status = 404 if found.state == "unknown" else 410
        return render(
            request,
            "people/invitation_invalid.html",
            {"state": found.state, "invitation": found.invitation},
            status=status,
        )
    assert found.invitation is not None
    user = found.invitation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(token, form.cleaned_data["new_password1"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("people:account")
    return render(
        request,
        "people/invitation.html",
        {
            "form": form,
            "invitation": found.invitation,
            "organization": accounts.organization_of(user),
            # the role now held: the secretariat may have changed it since sending
            "role_label": (accounts.role_of(user) or AccountRole(found.invitation.role)).label,
        },
    )


# User management (secretariat) -----------------------------------------------------------------

STATES = {
    "active": pgettext_lazy("account state", "Active"),
    "invited": pgettext_lazy("account state", "Invited"),
    "deactivated": _lazy("Deactivated"),
}


@login_required
def users(request: HttpRequest) -> HttpResponse:
    """Every account: role, organisation, language, active, last log-in, invitation state."""
    every = accounts.accounts(request.user)
    chosen = {
        "text": request.GET.get("q", "")[:200],
        "role": request.GET.get("role", "")
        if request.GET.get("role") in AccountRole.values
        else "",
        "status": request.GET.get("state", "") if request.GET.get("state") in STATES else "",
    }
    rows = accounts.filter_accounts(every, **chosen)
    without_contact = accounts.organizations_without_contact(request.user)
    return render(
        request,
        "people/users.html",
        {
            "rows": rows,
            "total": len(every),
            "chosen": chosen,
            "roles": AccountRole.choices,
            "states": [(key, STATES[key]) for key in STATES],
            "without_contact_count": without_contact.count(),
        },
    )


@login_required
def contacts(request: HttpRequest) -> HttpResponse:
    """Organisations nobody answers for, each with a link to invite a contact for it."""
    without_contact = list(accounts.organizations_without_contact(request.user))
    return render(
        request,
        "people/contacts.html",
        {
            "organizations": [
                {"organization": o, "label": accounts.organization_label(o)}
                for o in without_contact
            ]
        },
    )


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    require_secretariat(request.user)
    initial = {"organization": request.GET.get("organization", "")[:300]}
    form = InviteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sent, _token = invitations.invite(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s; the link works until %(expires)s.")
                % {
                    "email": sent.email,
                    "expires": _local(sent.expires_at),
                },
            )
            return redirect("people:user", pk=sent.user_id)
    return render(
        request,
        "people/invite.html",
        {"form": form, "organization_labels": accounts.organization_labels()},
    )


def _local(moment: Any) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i T")


def _managed_user(request: HttpRequest, pk: int) -> Any:
    require_secretariat(request.user)
    return get_object_or_404(get_user_model(), pk=pk)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One account: its facts, the actions on it and its change history."""
    user = _managed_user(request, pk)
    row = accounts.accounts(request.user, users=get_user_model().objects.filter(pk=user.pk))[0]
    organization = row.organization
    form = RoleForm(
        initial={
            "role": row.role.value if row.role else AccountRole.MEMBER.value,
            "organization": accounts.organization_label(organization) if organization else "",
        }
    )
    return _render_detail(request, row, form)


def _render_detail(request: HttpRequest, row: Any, form: RoleForm, status: int = 200) -> Any:
    return render(
        request,
        "people/user.html",
        {
            "row": row,
            "form": form,
            "history": history_for(row.user)[:50],
            "organization_labels": accounts.organization_labels(),
            "contacts": contacts_of(row.organization) if row.organization else [],
        },
        status=status,
    )


def _act(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    user = _managed_user(request, pk)
    try:
        action(request.user, user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("people:user", pk=user.pk)


@login_required
@require_POST
def user_resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, invitations.resend, _("A new invitation link was sent."))


@login_required
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, accounts.deactivate, _("The account is deactivated."))


@login_required
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, accounts.reactivate, _("The account is active again."))


@login_required
@require_POST
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = _managed_user(request, pk)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            accounts.change_role(
                request.user, user, form.cleaned_data["role"], form.cleaned_data["organization"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The role is changed."))
            return redirect("people:user", pk=user.pk)
    row = accounts.accounts(request.user, users=get_user_model().objects.filter(pk=user.pk))[0]
    return _render_detail(request, row, form, status=400)
