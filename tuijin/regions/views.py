"""STUB: to be implemented."""

from django.http import HttpResponse


def region_list(request, *args, **kwargs):
    return HttpResponse('stub region_list', status=501)


def region_add(request, *args, **kwargs):
    return HttpResponse('stub region_add', status=501)


def region_edit(request, *args, **kwargs):
    return HttpResponse('stub region_edit', status=501)

