"""STUB: to be implemented."""

from django.http import HttpResponse


def import_start(request, *args, **kwargs):
    return HttpResponse('stub import_start', status=501)


def import_job(request, *args, **kwargs):
    return HttpResponse('stub import_job', status=501)


def import_confirm(request, *args, **kwargs):
    return HttpResponse('stub import_confirm', status=501)


def import_template(request, *args, **kwargs):
    return HttpResponse('stub import_template', status=501)

