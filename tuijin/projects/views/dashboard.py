"""STUB: to be implemented."""

from django.http import HttpResponse


def dashboard(request, *args, **kwargs):
    return HttpResponse('stub dashboard', status=501)

