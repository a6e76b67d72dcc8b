"""Sign-in (with lock-out), sign-out and the user's API tokens."""

import datetime

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import LoginForm, TokenForm
from .models import APIToken

_login = LoginView.as_view(
    template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
)


def login_view(request):
    """Django's LoginView (safe `next`, CSRF, no cache) with the lock-out form."""
    return _login(request)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """The user's API tokens; creating one shows its key once (only a hash is stored)."""
    form = TokenForm(request.POST or None)
    new_key = new_token = None
    if request.method == "POST" and form.is_valid():
        new_token, new_key = APIToken.issue(user=request.user, name=form.cleaned_data["name"])
        days = form.cleaned_data.get("expires_in")
        if days:
            new_token.expires = timezone.now() + datetime.timedelta(days=int(days))
            new_token.save(update_fields=["expires"])
        form = TokenForm()
    tokens = APIToken.objects.filter(user=request.user)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "new_token": new_token, "now": timezone.now()},
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(APIToken, pk=pk, user=request.user)
    name = token.name
    token.delete()
    messages.success(request, _("The token “%(name)s” was revoked: it no longer works.") % {"name": name})
    return redirect("accounts:tokens")
