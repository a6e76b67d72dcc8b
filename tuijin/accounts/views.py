"""STUB: to be implemented."""

from django.http import HttpResponse


def login_view(request, *args, **kwargs):
    return HttpResponse('stub login_view', status=501)


def logout_view(request, *args, **kwargs):
    return HttpResponse('stub logout_view', status=501)


def token_list(request, *args, **kwargs):
    return HttpResponse('stub token_list', status=501)


def token_revoke(request, *args, **kwargs):
    return HttpResponse('stub token_revoke', status=501)

