"""STUB: to be implemented."""

from django.http import HttpResponse


def change_list(request, *args, **kwargs):
    return HttpResponse('stub change_list', status=501)


def change_detail(request, *args, **kwargs):
    return HttpResponse('stub change_detail', status=501)

