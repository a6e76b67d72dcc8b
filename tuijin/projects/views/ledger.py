"""STUB: to be implemented."""

from django.http import HttpResponse


def project_list(request, *args, **kwargs):
    return HttpResponse('stub project_list', status=501)


def project_export(request, *args, **kwargs):
    return HttpResponse('stub project_export', status=501)


def project_add(request, *args, **kwargs):
    return HttpResponse('stub project_add', status=501)


def project_detail(request, *args, **kwargs):
    return HttpResponse('stub project_detail', status=501)


def project_edit(request, *args, **kwargs):
    return HttpResponse('stub project_edit', status=501)


def project_delete(request, *args, **kwargs):
    return HttpResponse('stub project_delete', status=501)


def listing_add(request, *args, **kwargs):
    return HttpResponse('stub listing_add', status=501)


def listing_edit(request, *args, **kwargs):
    return HttpResponse('stub listing_edit', status=501)


def listing_delete(request, *args, **kwargs):
    return HttpResponse('stub listing_delete', status=501)


def period_list(request, *args, **kwargs):
    return HttpResponse('stub period_list', status=501)


def period_add(request, *args, **kwargs):
    return HttpResponse('stub period_add', status=501)


def period_edit(request, *args, **kwargs):
    return HttpResponse('stub period_edit', status=501)

